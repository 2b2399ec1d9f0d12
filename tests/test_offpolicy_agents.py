"""DDPG, TD3 and SAC as a library: the contract of algos/__init__.py, bounds, targets, state."""

import numpy as np
import pytest
import tensorflow as tf

from algos import load_algo

ALGOS = ("ddpg", "td3", "sac")


class Box:  # only .shape / .low / .high are read
    def __init__(self, low, high):
        self.low, self.high = np.asarray(low, np.float32), np.asarray(high, np.float32)
        self.shape = self.low.shape


def make(name, low=(-3.0, 0.0), high=(3.0, 0.4), jit=False, **cfg):
    m = load_algo(name)
    config = m.Config(hidden_sizes=[32, 32], jit_compile=jit, **cfg)
    agent = m.Agent.from_spaces(Box([-1] * 5, [1] * 5), Box(low, high), config, seed=0)
    return m, agent


def batch(agent, n=64, seed=0):
    rng = np.random.default_rng(seed)
    obs = rng.normal(size=(n, 5)).astype(np.float32)
    return {
        "obs": obs,
        "actions": agent.get_action(obs),
        "rewards": rng.normal(size=n).astype(np.float32),
        "next_obs": rng.normal(size=(n, 5)).astype(np.float32),
        "terminated": (rng.uniform(size=n) < 0.1).astype(np.float32),
    }


@pytest.mark.parametrize("name", ALGOS)
def test_contract_attributes(name):
    m, agent = make(name)
    assert isinstance(agent, tf.Module)
    assert m.Agent.on_policy is False and m.Agent.action_kind == "continuous"
    assert m.__doc__ and "arXiv" in m.__doc__


@pytest.mark.parametrize("name", ALGOS)
def test_actions_are_within_the_task_bounds_not_just_unit(name):
    _, agent = make(name)
    obs = np.random.default_rng(1).normal(size=(500, 5)).astype(np.float32) * 10
    for deterministic in (False, True):
        a = agent.get_action(obs, deterministic=deterministic)
        assert a.shape == (500, 2) and a.dtype == np.float32
        assert np.all(a[:, 0] >= -3) and np.all(a[:, 0] <= 3)
        assert np.all(a[:, 1] >= 0) and np.all(a[:, 1] <= 0.4)
    assert agent.get_action(obs[0]).shape == (2,)
    # exploration spreads over the range of the wide dimension, not just ±1
    assert np.ptp(agent.get_action(np.zeros((2000, 5), np.float32))[:, 0]) > 0.5


@pytest.mark.parametrize("name", ALGOS)
def test_update_from_a_user_loop_moves_networks_and_targets_softly(name):
    _, agent = make(name, tau=0.01)
    target = agent.critics_target.trainable_variables[0]
    before_t = target.numpy().copy()
    before_q = agent.critics.trainable_variables[0].numpy().copy()
    for i in range(4):
        stats = agent.update(batch(agent, seed=i))
    assert set(stats) >= {"critic_loss", "actor_loss", "q_mean"}
    assert all(np.isfinite(v) for v in stats.values())
    after_q = agent.critics.trainable_variables[0].numpy()
    moved_q = np.abs(after_q - before_q).max()
    moved_t = np.abs(target.numpy() - before_t).max()
    assert moved_q > 0 and 0 < moved_t < moved_q  # targets follow slowly
    assert int(agent.num_updates.numpy()) == 4


@pytest.mark.parametrize("name", ALGOS)
def test_stacked_updates_equal_sequential_updates(name):
    _, a1 = make(name)
    _, a2 = make(name)
    batches = [batch(a1, seed=i) for i in range(3)]
    for b in batches:
        a1.update(b)
    a2.update({k: np.stack([b[k] for b in batches]) for k in batches[0]})
    for v1, v2 in zip(a1.trainable_variables, a2.trainable_variables, strict=True):
        np.testing.assert_allclose(v1.numpy(), v2.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ALGOS)
def test_act_obs_of_the_train_call_equals_a_fresh_forward(name):
    _, agent = make(name)
    b = batch(agent)
    obs = np.random.default_rng(5).normal(size=(1, 5)).astype(np.float32)
    agent.train_stacked({k: v[None] for k, v in b.items()}, act_obs=obs)
    cached = agent.get_action(obs, deterministic=True)
    fresh = agent.get_action(obs.copy(), deterministic=True)  # another object: NumPy forward
    np.testing.assert_allclose(cached, fresh, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ALGOS)
def test_checkpoint_and_numpy_state_restore_exactly(name, tmp_path):
    _, agent = make(name)
    for i in range(2):
        agent.update(batch(agent, seed=i))
    tf.train.Checkpoint(agent=agent).write(str(tmp_path / "ck"))
    state = agent.numpy_state()
    import json

    state = json.loads(json.dumps(state))  # JSON-compatible
    _, other = make(name)
    tf.train.Checkpoint(agent=other).read(str(tmp_path / "ck")).assert_existing_objects_matched()
    other.load_numpy_state(state)
    obs = np.ones((3, 5), np.float32)
    np.testing.assert_array_equal(agent.get_action(obs), other.get_action(obs))
    b = batch(agent, seed=9)
    assert agent.update(b) == other.update(b)


@pytest.mark.parametrize("name", ("ddpg", "td3"))
def test_jit_compiled_update_matches_graph_update(name):
    # (SAC's policy samples differ: tf.random.Generator draws other numbers under XLA)
    extra = {"target_noise": 0.0} if name == "td3" else {}
    _, a1 = make(name, **extra)
    m, a2 = make(name, jit=True, **extra)
    b = batch(a1)
    s1, s2 = a1.update(b), a2.update(b)
    for k in s1:
        assert s1[k] == pytest.approx(s2[k], rel=1e-3, abs=1e-4)


@pytest.mark.parametrize("name", ALGOS)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("batch_size", 0, "batch_size must be > 0"),
        ("gamma", 1.5, "gamma must be in"),
        ("tau", 0.0, "tau must be in"),
        ("learning_starts", -1, "learning_starts must be >= 0"),
        ("hidden_sizes", [], "hidden_sizes"),
        ("train_freq", 0, "train_freq must be > 0"),
    ],
)
def test_bad_hyperparameters_are_clear_errors(name, field, value, message):
    m = load_algo(name)
    with pytest.raises(ValueError, match=message):
        m.Config(**{field: value})


def test_unbounded_action_space_is_refused():
    m = load_algo("td3")
    with pytest.raises(ValueError, match="bounded action space"):
        m.Agent.from_spaces(Box([-1], [1]), Box([-np.inf], [np.inf]), m.Config(), seed=0)


@pytest.mark.parametrize("name", ALGOS)
def test_noise_replay_and_random_actions_draw_from_independent_streams(name):
    """One run seed, three generators (exploration noise, replay sampling, the action space's
    warm-up actions): each starts from a state of its own, and the same one on a rebuild."""
    from algos.replay import ReplayBuffer
    from envs import make_vec_env

    def first_words(seed):
        _, agent = make(name)
        buffer = ReplayBuffer(5, 2, capacity=10, seed=seed)
        env = make_vec_env("Pendulum-v1", 1, seed)
        rngs = (agent.rng, buffer.rng, env.action_space.np_random)
        words = [tuple(r.bit_generator.random_raw(4)) for r in rngs]
        env.close()
        return words

    words = first_words(0)
    assert len(set(words)) == 3
    assert words == first_words(0)
