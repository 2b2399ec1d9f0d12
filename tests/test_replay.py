"""The replay buffer: observations stored once, next_obs right across episode ends and wraps."""

import numpy as np
import pytest

from algos.replay import ReplayBuffer


def stream(n, seed=0, episode_len=5):
    """Transitions (obs, action, reward, next_obs, terminated, done) of a fake env whose
    observations encode the step number, with episode ends every ``episode_len`` steps."""
    rng = np.random.default_rng(seed)
    obs = np.full(3, 0.0, np.float32)
    for t in range(n):
        done = (t + 1) % episode_len == 0
        terminated = done and t % 2 == 0
        next_obs = np.full(3, t + 1, np.float32)
        yield obs, rng.uniform(-1, 1, 2).astype(np.float32), float(t), next_obs, terminated, done
        obs = np.full(3, -(t + 1), np.float32) if done else next_obs  # reset obs differs


def check_sample(buf, n=2000):
    b = buf.sample(n)
    t = b["rewards"].astype(int)  # reward = step index
    np.testing.assert_array_equal(b["next_obs"][:, 0], t + 1)  # true next obs, even at ends
    first = b["obs"][:, 0]
    assert np.all((first == t) | (first == -t))  # reset obs is -t at episode starts
    done_at = (t + 1) % 5 == 0
    np.testing.assert_array_equal(b["terminated"], (done_at & (t % 2 == 0)).astype(np.float32))
    return t


def test_next_obs_is_the_real_one_across_episode_ends():
    buf = ReplayBuffer(3, 2, capacity=100, seed=0)
    for tr in stream(40):
        buf.add(*tr)
    assert len(buf) == 40  # every transition sampleable: the last one ended an episode
    assert buf.rows == 48  # one filler row per episode end
    t = check_sample(buf)
    assert set(t) == set(range(40))


def test_pending_transition_is_not_sampled_until_its_successor_arrives():
    buf = ReplayBuffer(3, 2, capacity=100, seed=0)
    for tr in stream(3):
        buf.add(*tr)
    assert len(buf) == 2
    assert set(check_sample(buf)) == {0, 1}


def test_wraparound_keeps_only_recent_transitions_and_stays_consistent():
    buf = ReplayBuffer(3, 2, capacity=50, seed=1)
    for tr in stream(300):
        buf.add(*tr)
    t = check_sample(buf)
    assert t.min() >= 300 - 50 and t.max() == 299


def test_non_contiguous_adds_keep_their_own_next_obs():
    buf = ReplayBuffer(2, 1, capacity=10, seed=0)
    a = np.zeros(1, np.float32)
    buf.add(np.array([0, 0], np.float32), a, 0.0, np.array([1, 1], np.float32), False, False)
    buf.add(np.array([5, 5], np.float32), a, 1.0, np.array([6, 6], np.float32), True, True)
    b = buf.sample(100)
    nxt = np.where(b["rewards"][:, None] == 0, [[1, 1]], [[6, 6]])
    np.testing.assert_array_equal(b["next_obs"], nxt)


def test_stacked_sampling_shape():
    buf = ReplayBuffer(3, 2, capacity=100)
    for tr in stream(30):
        buf.add(*tr)
    b = buf.sample(8, num_batches=4)
    assert b["obs"].shape == (4, 8, 3) and b["actions"].shape == (4, 8, 2)
    assert b["rewards"].shape == b["terminated"].shape == (4, 8)


def test_numpy_state_round_trip_through_npz(tmp_path):
    buf = ReplayBuffer(3, 2, capacity=64, seed=3)
    for tr in stream(50):
        buf.add(*tr)
    state = buf.numpy_state()
    assert all(isinstance(v, (np.ndarray, int)) for v in state.values())
    np.savez(tmp_path / "r.npz", **{k: np.asarray(v) for k, v in state.items()})
    loaded = dict(np.load(tmp_path / "r.npz", allow_pickle=False))
    other = ReplayBuffer(3, 2, capacity=64, seed=99)
    other.load_numpy_state(loaded)
    for k in ReplayBuffer.KEYS:
        np.testing.assert_array_equal(other.sample(16)[k], buf.sample(16)[k])
    # both continue identically
    for tr in stream(5, seed=1):
        buf.add(*tr)
        other.add(*tr)
    np.testing.assert_array_equal(other.sample(32)["obs"], buf.sample(32)["obs"])


def test_empty_buffer_and_bad_capacity_are_clear_errors():
    with pytest.raises(ValueError, match="capacity"):
        ReplayBuffer(3, 2, capacity=1)
    with pytest.raises(ValueError, match="no complete transition"):
        ReplayBuffer(3, 2, capacity=10).sample(4)
