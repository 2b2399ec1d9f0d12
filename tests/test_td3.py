import numpy as np
import pytest

from algos.td3 import TD3, Config
from tests.conftest import random_batch


def test_actor_and_targets_move_only_every_policy_delay_updates():
    agent = TD3(4, 2, Config(hidden_sizes=[16, 16], jit_compile=False), seed=0)
    b = random_batch(32, 4, 2)
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


def _saturated_td3(penalty: float) -> tuple[TD3, dict]:
    """A TD3 whose actor (and target actor) output pre-tanh ≈ +50: tanh' is 0 in float32."""
    cfg = Config(
        hidden_sizes=[16, 16],
        jit_compile=False,
        policy_delay=1,
        actor_lr=1e-2,
        preact_penalty=penalty,
    )
    agent = TD3(4, 1, cfg, seed=0)
    for actor in (agent.actor, agent.actor_target):
        actor.weights[-1].assign(np.zeros_like(actor.weights[-1].numpy()))
        actor.biases[-1].assign(np.full_like(actor.biases[-1].numpy(), 50.0))
    b = random_batch(64, 4, 1)
    return agent, b


def test_saturation_statistics_report_a_saturated_actor():
    agent, b = _saturated_td3(0.0)
    stats = agent.update(b)
    assert stats["target_saturated"] == 1.0
    assert stats["target_preact_abs"] == pytest.approx(50.0, rel=1e-3)
    fresh = TD3(4, 1, Config(hidden_sizes=[16, 16], jit_compile=False), seed=0)
    stats = fresh.update(b)
    assert stats["target_saturated"] == 0.0 and stats["target_preact_abs"] < 3.0


def test_saturated_actor_is_stuck_without_the_penalty_and_recovers_with_it():
    # without the penalty no gradient reaches a saturated actor, whatever the critic says
    stuck, b = _saturated_td3(0.0)
    before = [v.numpy().copy() for v in stuck.actor.trainable_variables]
    for _ in range(5):
        stuck.update(b)
    after = [v.numpy() for v in stuck.actor.trainable_variables]
    assert all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))
    # λ·mean(pre²) pulls the pre-activations back towards where tanh passes gradient
    freed, b = _saturated_td3(1e-3)
    obs = b["obs"].astype(np.float32)
    pre0 = freed.actor(obs).numpy().mean()
    for _ in range(200):
        freed.update(b)
    assert freed.actor(obs).numpy().mean() < pre0 - 1.0


def test_preact_penalty_must_not_be_negative():
    with pytest.raises(ValueError, match="preact_penalty must be >= 0"):
        Config(preact_penalty=-0.1)
