"""A2C: the loss and optimiser step, vector-env batches, and a short learning test."""

import numpy as np
import pytest

from algos.a2c import A2C, Config


def train(spec_dict, tmp_path):
    import pandas as pd

    from sweeps.config import validate
    from sweeps.runner import Run

    spec = validate({"results_dir": str(tmp_path), "suite": "learn", "threads": 1, **spec_dict})
    summary = Run(spec, log=lambda _msg: None).execute()
    return summary, pd.read_csv(spec.run_dir / "eval.csv")


def _batch(agent, rng, t=5, n=4):
    obs = rng.normal(size=(t, n, agent.obs_dim)).astype(np.float32)
    actions = agent.get_action(obs.reshape(t * n, -1)).reshape(t, n, -1)
    return {
        "obs": obs,
        "actions": actions,
        "rewards": rng.normal(size=(t, n)),
        "next_obs": np.roll(obs, -1, 0),
        "terminated": np.zeros((t, n), bool),
        "truncated": np.zeros((t, n), bool),
    }


def test_one_update_is_one_rmsprop_step_on_the_a2c_loss():
    import tensorflow as tf

    cfg = Config(num_envs=4, anneal_lr=False, entropy_coef=0.01, max_grad_norm=1e6)
    agent = A2C(3, 2, cfg, seed=0)
    rng = np.random.default_rng(0)
    batch = _batch(agent, rng)
    # the same quantities, by hand: advantages from _prepare on a copy of the agent's state
    twin = A2C(3, 2, cfg, seed=0)
    data = twin._prepare(dict(batch), log_probs=False)
    obs, act = tf.constant(data["obs"]), tf.constant(data["actions"])
    adv, ret = tf.constant(data["advantages"]), tf.constant(data["returns"])
    with tf.GradientTape() as tape:
        logp = twin.actor.log_prob(obs, act)
        values = tf.squeeze(twin.critic(obs), -1)
        loss = (
            -tf.reduce_mean(adv * logp)
            + 0.5 * tf.reduce_mean(tf.square(values - ret))
            - 0.01 * twin.actor.entropy()
        )
    grads = tape.gradient(loss, twin.params)
    before = [v.numpy().copy() for v in agent.params]
    stats = agent.update(batch)
    assert set(stats) >= {"policy_loss", "value_loss", "entropy", "grad_norm"}
    for v0, v1, g in zip(before, agent.params, grads, strict=True):
        # first RMSprop step: sq = (1 - α) g², Δ = -lr · g / (sqrt(sq) + eps)
        g = g.numpy()
        expected = v0 - 7e-4 * g / (np.sqrt(0.01 * g**2) + 1e-5)
        np.testing.assert_allclose(v1.numpy(), expected, rtol=1e-3, atol=1e-6)
    assert agent.env_steps == 20


def test_value_targets_are_returns_in_units_of_their_running_std():
    # Tianshou's return scaling: V = σ · critic in the GAE, the critic regresses on returns / σ,
    # advantages stay in reward units, σ then follows the returns of this batch
    from algos.gae import gae

    cfg = Config(num_envs=4, anneal_lr=False, scale_rewards=False, scale_value_targets=True)
    agent = A2C(3, 2, cfg, seed=0)
    agent.return_rms.var = np.float64(4.0)  # σ = 2
    rng = np.random.default_rng(0)
    batch = _batch(agent, rng)
    obs = agent.normalize_obs(batch["obs"].reshape(20, -1))
    next_obs = agent.normalize_obs(batch["next_obs"].reshape(20, -1))
    critic = agent.critic(obs).numpy().reshape(5, 4)
    v, next_v = 2.0 * critic, 2.0 * agent.critic(next_obs).numpy().reshape(5, 4)
    zeros = np.zeros((5, 4), bool)
    _, returns = gae(batch["rewards"], v, next_v, zeros, zeros, 0.99, 0.95)
    stats = agent.update(batch)
    expected = np.mean((critic - returns / 2.0) ** 2)
    assert stats["value_loss"] == pytest.approx(expected, rel=1e-4)
    assert agent.return_rms.mean == pytest.approx(returns.mean(), rel=1e-3)


def test_learning_rate_anneals_linearly_to_zero():
    agent = A2C(3, 2, Config(num_envs=4, anneal_steps=0), seed=0, total_steps=40)
    rng = np.random.default_rng(0)
    lrs = [agent.update(_batch(agent, rng))["learning_rate"] for _ in range(2)]
    assert lrs == pytest.approx([7e-4, 3.5e-4])


def test_anneal_steps_sets_a_horizon_longer_than_the_run():
    # Tianshou anneals over 3M steps and is read at 500k: the LR there is still 5/6 of the start
    agent = A2C(3, 2, Config(num_envs=4, anneal_steps=120), seed=0, total_steps=20)
    rng = np.random.default_rng(0)
    lrs = [agent.update(_batch(agent, rng))["learning_rate"] for _ in range(2)]
    assert lrs == pytest.approx([7e-4, 7e-4 * (1 - 20 / 120)])


def test_anneal_steps_shorter_than_the_run_is_a_clear_error():
    with pytest.raises(ValueError, match="anneal_steps=100 is shorter than the run"):
        A2C(3, 2, Config(num_envs=4, anneal_steps=100), seed=0, total_steps=500)
    A2C(3, 2, Config(num_envs=4, anneal_steps=100, anneal_lr=False), seed=0, total_steps=500)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("num_envs", 0, "num_envs must be > 0"),
        ("anneal_steps", -1, "anneal_steps must be >= 0"),
        ("rms_alpha", 1.0, "rms_alpha must be in \\[0, 1\\)"),
        ("entropy_coef", -0.1, "entropy_coef must be >= 0"),
        ("activation", "gelu", "activation must be 'tanh' or 'relu'"),
    ],
)
def test_bad_config_is_a_clear_error(field, value, message):
    with pytest.raises(ValueError, match=message):
        Config(**{field: value})


@pytest.mark.slow
def test_a2c_learns_inverted_pendulum(tmp_path, algo_config):
    # Untrained: ~25. 16 envs x 5 steps per update, reward scaling, no entropy bonus: seed 0
    # reaches 1000 (the maximum) by 20k steps. A2C is seed-sensitive at this budget: seeds 1 and 2
    # peaked at ~70 and ~440 within 30k, so this is a regression test of seed 0, not a claim for
    # all seeds.
    summary, evals = train(
        {
            "algo": algo_config("a2c"),
            "task": "InvertedPendulum-v4",
            "seed": 0,
            "steps": 30_000,
            "eval_every": 5000,
            "eval_episodes": 5,
        },
        tmp_path,
    )
    assert summary["status"] == "done" and summary["steps"] == 30_000
    assert evals["return_mean"].iloc[0] < 100
    assert evals["return_mean"].max() >= 500


def test_return_scale_is_part_of_the_checkpointed_state():
    import json

    cfg = Config(num_envs=4, scale_rewards=False, scale_value_targets=True)
    agent = A2C(3, 2, cfg, seed=0)
    agent.update(_batch(agent, np.random.default_rng(0)))
    state = json.loads(json.dumps(agent.numpy_state()))  # what a checkpoint stores
    twin = A2C(3, 2, cfg, seed=0)
    twin.load_numpy_state(state)
    assert twin.return_rms.var == agent.return_rms.var != 1.0
    assert twin.return_rms.count == agent.return_rms.count
