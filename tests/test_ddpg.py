import numpy as np
import pytest

from algos.ddpg import DDPG, Config


def test_ou_noise_is_correlated_and_restarts_at_episode_end():
    cfg = Config(hidden_sizes=[16, 16], noise_type="ou", exploration_noise=0.2, jit_compile=False)
    agent = DDPG(3, 1, cfg, seed=0)
    obs = np.zeros(3, np.float32)
    base = agent.get_action(obs, deterministic=True)
    noise = np.array([agent.get_action(obs)[0] - base[0] for _ in range(2000)])
    lag1 = np.corrcoef(noise[:-1], noise[1:])[0, 1]
    assert lag1 > 0.6  # Gaussian noise would give ~0
    agent.reset_noise()
    assert np.all(agent.ou_state == 0)


def test_gaussian_noise_is_scaled_to_the_bounds():
    agent = DDPG(3, 1, Config(hidden_sizes=[16, 16], jit_compile=False), low=-3.0, high=3.0)
    obs = np.zeros((5000, 3), np.float32)
    noise = agent.get_action(obs) - agent.get_action(obs, deterministic=True)
    assert np.std(noise) == pytest.approx(0.3, rel=0.1)  # 0.1 of the half-range 3


def test_bad_noise_type_is_a_clear_error():
    with pytest.raises(ValueError, match="noise_type must be 'gaussian' or 'ou'"):
        Config(noise_type="pink")
