import numpy as np

from algos.gae import gae


def reference_gae(r, v, nv, term, trunc, gamma, lam):
    """Episode-by-episode GAE written the textbook way, one environment."""
    T = len(r)
    adv = np.zeros(T)
    for t in range(T):
        total, discount = 0.0, 1.0
        for k in range(t, T):
            delta = r[k] + gamma * nv[k] * (1 - term[k]) - v[k]
            total += discount * delta
            if term[k] or trunc[k]:
                break
            discount *= gamma * lam
        adv[t] = total
    return adv


def test_gae_matches_textbook_with_terminations_and_truncations():
    rng = np.random.default_rng(0)
    T, N = 40, 3
    r, v, nv = (rng.normal(size=(T, N)).astype(np.float32) for _ in range(3))
    term = rng.random((T, N)) < 0.08
    trunc = (rng.random((T, N)) < 0.08) & ~term
    adv, ret = gae(r, v, nv, term, trunc, 0.99, 0.95)
    for i in range(N):
        expected = reference_gae(r[:, i], v[:, i], nv[:, i], term[:, i], trunc[:, i], 0.99, 0.95)
        np.testing.assert_allclose(adv[:, i], expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ret, adv + v, rtol=1e-6)


def test_truncation_bootstraps_but_termination_does_not():
    r = np.array([[1.0], [1.0]], np.float32)
    v = np.zeros((2, 1), np.float32)
    nv = np.full((2, 1), 10.0, np.float32)
    adv_trunc, _ = gae(r, v, nv, np.array([[0], [0]]), np.array([[0], [1]]), 0.5, 1.0)
    adv_term, _ = gae(r, v, nv, np.array([[0], [1]]), np.array([[0], [0]]), 0.5, 1.0)
    assert adv_trunc[1, 0] == 1.0 + 0.5 * 10.0  # time limit: the task goes on, bootstrap
    assert adv_term[1, 0] == 1.0  # terminal: no value after the end
