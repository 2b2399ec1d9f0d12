import numpy as np
import tensorflow as tf

from algos.sac import SAC, Config
from tests.conftest import random_batch


def test_log_prob_is_the_squashed_gaussian_density():
    agent = SAC(3, 2, Config(hidden_sizes=[16, 16], jit_compile=False), seed=0)
    obs = tf.constant(np.random.default_rng(0).normal(size=(1000, 3)).astype(np.float32))
    gen_state = agent.tf_rng.state.numpy().copy()
    a, logp = agent._sample(obs)
    agent.tf_rng.reset(gen_state)
    out = agent.actor(obs).numpy()
    mean, log_std = out[:, :2], np.clip(out[:, 2:], -20, 2)
    eps = agent.tf_rng.normal(mean.shape).numpy()
    u = mean + np.exp(log_std) * eps
    np.testing.assert_allclose(a.numpy(), np.tanh(u), rtol=1e-5, atol=1e-6)
    gauss = (-0.5 * eps**2 - log_std - 0.5 * np.log(2 * np.pi)).sum(1)
    expected = gauss - np.log(1 - np.tanh(u) ** 2 + 1e-12).sum(1)
    close = np.abs(u).max(1) < 5  # away from saturation, where the naive formula is exact
    np.testing.assert_allclose(logp.numpy()[close], expected[close], rtol=1e-3, atol=1e-3)


def test_temperature_falls_when_entropy_is_above_target():
    agent = SAC(3, 1, Config(hidden_sizes=[16, 16], jit_compile=False), seed=0)
    b = random_batch(64, 3, 1)
    stats = [agent.update(b) for _ in range(5)]
    assert stats[0]["entropy"] > -1.0  # initial policy is wide: entropy above -dim(A)
    assert float(np.exp(agent.log_alpha.numpy())) < 1.0
