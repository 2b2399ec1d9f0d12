import numpy as np
import pytest

from algos.td3 import TD3, Config


def test_actor_and_targets_move_only_every_policy_delay_updates():
    agent = TD3(4, 2, Config(hidden_sizes=[16, 16], jit_compile=False), seed=0)
    rng = np.random.default_rng(0)
    b = {
        "obs": rng.normal(size=(32, 4)),
        "actions": rng.uniform(-1, 1, (32, 2)),
        "rewards": rng.normal(size=32),
        "next_obs": rng.normal(size=(32, 4)),
        "terminated": np.zeros(32),
    }
    w = agent.actor.weights[0]
    t = agent.critics_target.trainable_variables[0]
    w0, t0 = w.numpy().copy(), t.numpy().copy()
    agent.update(b)  # update 1: critics only
    assert np.array_equal(w.numpy(), w0) and np.array_equal(t.numpy(), t0)
    agent.update(b)  # update 2: actor and targets too
    assert not np.array_equal(w.numpy(), w0) and not np.array_equal(t.numpy(), t0)


def test_termination_stops_bootstrapping_truncation_does_not():
    agent = TD3(3, 1, Config(hidden_sizes=[16, 16], jit_compile=False, target_noise=0.0), seed=0)
    obs = np.ones((4, 3), np.float32)
    b = {
        "obs": obs,
        "actions": np.zeros((4, 1)),
        "rewards": np.zeros(4),
        "next_obs": obs,
        "terminated": np.array([1, 1, 0, 0]),
    }
    # with reward 0: terminated rows regress to 0, the others to gamma * Q'(s', mu'(s'))
    q_next = agent.critics_target(obs, np.tanh(agent.actor_target(obs))).numpy().min(0)
    q = agent.critics(obs, np.zeros((4, 1), np.float32)).numpy()
    y = np.array([0, 0, 0.99 * q_next[2], 0.99 * q_next[3]])
    expected = ((q - y) ** 2).mean(1).sum()
    assert agent.update(b)["critic_loss"] == pytest.approx(expected, rel=1e-4)
