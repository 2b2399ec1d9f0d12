import numpy as np
import tensorflow as tf

from algos.networks import MLP
from algos.normalization import RunningMeanStd
from algos.onpolicy import RewardScaler
from algos.optim import Adam


def test_running_mean_std_matches_numpy_over_batches():
    rng = np.random.default_rng(1)
    batches = [rng.normal(3.0, 2.0, size=(n, 4)) for n in (1, 7, 100, 33)]
    rms = RunningMeanStd((4,), epsilon=1e-12)
    for b in batches:
        rms.update(b)
    allx = np.concatenate(batches)
    np.testing.assert_allclose(rms.mean, allx.mean(0), rtol=1e-6)
    np.testing.assert_allclose(rms.var, allx.var(0), rtol=1e-6)
    z = rms.normalize(allx)
    assert z.dtype == np.float32 and np.abs(z.mean(0)).max() < 1e-4


def test_adam_matches_pytorch_formula():
    rng = np.random.default_rng(2)
    x0 = rng.normal(size=5).astype(np.float32)
    var = tf.Variable(x0)
    opt = Adam([var], lr=0.1, eps=1e-5)
    m = v = np.zeros(5)
    x = x0.astype(np.float64)
    for t in range(1, 6):
        g = rng.normal(size=5)
        opt.apply([tf.constant(g, tf.float32)])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        x = x - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-5)
    np.testing.assert_allclose(var.numpy(), x, rtol=1e-5, atol=2e-5)


def test_mlp_numpy_forward_equals_tf_forward():
    net = MLP(6, [32, 32], 3, activation="tanh", seed=3)
    x = np.random.default_rng(3).normal(size=(10, 6)).astype(np.float32)
    np.testing.assert_allclose(
        net(x).numpy(), net.numpy_forward(net.numpy_params(), x), rtol=1e-5, atol=1e-5
    )


def test_reward_scaler_divides_by_return_std_and_resets_at_episode_end():
    scaler = RewardScaler(gamma=0.9)
    rewards = np.ones((50, 2), np.float32) * 5.0
    dones = np.zeros((50, 2), bool)
    dones[9::10] = True
    out = scaler(rewards, dones)
    assert out.shape == rewards.shape and np.all(out > 0)
    assert np.allclose(out, 5.0 / np.sqrt(scaler.rms.var + 1e-8))
    assert np.allclose(scaler.ret, 0.0)  # the last step ended an episode
