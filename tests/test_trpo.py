"""TRPO: the natural-gradient machinery, the trust region, and a short learning test."""

import numpy as np
import pytest
import tensorflow as tf

from algos.trpo import TRPO, Config


def train(spec_dict, tmp_path):
    import pandas as pd

    from sweeps.config import validate
    from sweeps.runner import Run

    spec = validate({"results_dir": str(tmp_path), "suite": "learn", "threads": 1, **spec_dict})
    summary = Run(spec, log=lambda _msg: None).execute()
    return summary, pd.read_csv(spec.run_dir / "eval.csv")


def _batch(agent, rng, n=256):
    obs = rng.normal(size=(n, agent.obs_dim)).astype(np.float32)
    actions = agent.get_action(obs)
    return {
        "obs": obs,
        "actions": actions,
        "rewards": rng.normal(size=n) + actions[:, 0],  # reward favours larger first actions
        "next_obs": np.roll(obs, -1, 0),
        "terminated": np.zeros(n, bool),
        "truncated": np.zeros(n, bool),
    }


def test_conjugate_gradient_solves_a_positive_definite_system():
    agent = TRPO(3, 2, Config(cg_iters=8), seed=0)
    rng = np.random.default_rng(0)
    m = rng.normal(size=(8, 8))
    a = tf.constant(m @ m.T + 8 * np.eye(8), tf.float32)
    b = tf.constant(rng.normal(size=8), tf.float32)
    x = agent._conjugate_gradient(lambda v: tf.linalg.matvec(a, v), b)
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a.numpy(), b.numpy()), rtol=1e-3)


def test_fisher_vector_product_is_the_damped_hessian_of_the_mean_kl():
    cfg = Config(hidden_sizes=[4], cg_damping=0.1)
    agent = TRPO(3, 2, cfg, seed=0)
    obs = tf.constant(np.random.default_rng(1).normal(size=(16, 3)), tf.float32)
    old_mean, old_log_std = agent.actor.mean(obs), tf.identity(agent.actor.log_std)
    params = agent.actor_params
    sizes = [int(np.prod(v.shape)) for v in params]
    # explicit Hessian of the mean KL at θ_old, by nested tapes over the flat parameters
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape() as inner:
            kl = agent.actor.kl_from(obs, old_mean, old_log_std)
        grad = tf.concat([tf.reshape(g, [-1]) for g in inner.gradient(kl, params)], 0)
    jac = outer.jacobian(grad, params, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    hessian = tf.concat([tf.reshape(j, [grad.shape[0], -1]) for j in jac], 1).numpy()
    v = np.random.default_rng(2).normal(size=sum(sizes)).astype(np.float32)
    for product in (agent._fisher_vector_product, agent._hessian_vector_product):
        fvp = product(obs, old_mean, old_log_std, tf.constant(v)).numpy()
        np.testing.assert_allclose(fvp, hessian @ v + 0.1 * v, rtol=1e-3, atol=1e-5)


def test_update_respects_the_trust_region_and_improves_the_surrogate():
    agent = TRPO(4, 2, Config(max_kl=0.01), seed=0)
    rng = np.random.default_rng(0)
    batch = _batch(agent, rng)
    obs_n = agent.normalize_obs(batch["obs"])
    old_mean = agent.actor.mean(obs_n)
    old_log_std = tf.identity(agent.actor.log_std)
    critic_before = [v.numpy().copy() for v in agent.critic_params]
    stats = agent.update(batch)
    assert set(stats) >= {"kl", "surrogate_gain", "step_accepted", "value_loss"}
    assert all(np.isfinite(v) for v in stats.values())
    kl = float(agent.actor.kl_from(obs_n, old_mean, old_log_std))
    if stats["step_accepted"]:
        assert 0 < kl <= 0.01 + 1e-6
        assert stats["surrogate_gain"] > 0
        assert stats["kl"] == pytest.approx(kl, rel=1e-3, abs=1e-6)
    else:
        assert kl == 0.0
    pairs = zip(critic_before, agent.critic_params, strict=True)
    assert any(not np.allclose(a, b.numpy()) for a, b in pairs)
    assert agent.env_steps == 256


def test_batch_from_several_envs_is_time_major():
    agent = TRPO(3, 1, Config(rollout_steps=8, num_envs=4), seed=0)
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(8, 4, 3)).astype(np.float32)
    batch = {
        "obs": obs,
        "actions": agent.get_action(obs.reshape(-1, 3)).reshape(8, 4, 1),
        "rewards": rng.normal(size=(8, 4)),
        "next_obs": obs,
        "terminated": np.zeros((8, 4), bool),
        "truncated": np.zeros((8, 4), bool),
    }
    agent.update(batch)
    assert agent.env_steps == 32


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_kl", 0.0, "max_kl must be > 0"),
        ("backtrack_coef", 1.0, "backtrack_coef must be in \\(0, 1\\)"),
        ("cg_damping", -1.0, "cg_damping must be >= 0"),
        ("critic_batch_size", -1, "critic_batch_size must be >= 0"),
        ("gae_lambda", 2.0, "gae_lambda must be in \\[0, 1\\]"),
    ],
)
def test_bad_config_is_a_clear_error(field, value, message):
    with pytest.raises(ValueError, match=message):
        Config(**{field: value})


@pytest.mark.slow
def test_trpo_learns_inverted_pendulum(tmp_path, algo_config):
    # Untrained: ~25. Seeds 0, 1 and 2 each reached 1000 (the maximum) by 15k steps.
    summary, evals = train(
        {
            "algo": algo_config("trpo"),
            "task": "InvertedPendulum-v4",
            "seed": 0,
            "steps": 20_000,
            "eval_every": 5000,
            "eval_episodes": 5,
        },
        tmp_path,
    )
    assert summary["status"] == "done" and summary["steps"] == 20_000
    assert evals["return_mean"].iloc[0] < 100
    assert evals["return_mean"].max() >= 500
