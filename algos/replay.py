"""Replay buffer for the off-policy agents (DDPG, TD3, SAC), storing each observation once.

A transition (s, a, r, s', terminated) is one *row*: its observation, action, reward and
termination flag. Its next observation is not stored with it: it is the observation of the
following row, which for a stream of steps from one environment is the next transition's own
``s``. Where an episode ends (or the stream is not contiguous) the last observation goes into a
*filler row* that is never sampled, so every next observation is ``obs[(i + 1) % capacity]``.
This halves the memory of the usual two observation arrays (Humanoid: 376 floats a step), at the
price of one filler row per episode (a thousandth of the rows for 1000-step episodes).

Row ``i`` may be sampled when ``valid[i]``: it is a real transition whose next row has been
written. Rows are overwritten oldest first, so a row always dies before its successor.

Sampling is uniform over the valid rows (rejection of filler rows). ``numpy_state`` and
``load_numpy_state`` carry the whole buffer as arrays and ints, so it can be saved without pickle.
"""

from __future__ import annotations

import numpy as np

from algos.seeding import stream_rng

_MASK64 = (1 << 64) - 1


def rng_state_to_array(rng: np.random.Generator) -> np.ndarray:
    """A PCG64 generator's state as six uint64 words (no pickle, no 128-bit ints)."""
    st = rng.bit_generator.state
    if st["bit_generator"] != "PCG64":
        raise ValueError("only PCG64 generators are supported")
    s, inc = st["state"]["state"], st["state"]["inc"]
    words = [s >> 64, s & _MASK64, inc >> 64, inc & _MASK64, st["has_uint32"], st["uinteger"]]
    return np.array(words, dtype=np.uint64)


def rng_state_from_array(rng: np.random.Generator, words: np.ndarray) -> None:
    w = [int(x) for x in np.asarray(words, dtype=np.uint64)]
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": (w[0] << 64) | w[1], "inc": (w[2] << 64) | w[3]},
        "has_uint32": w[4],
        "uinteger": w[5],
    }


class ReplayBuffer:
    """Ring buffer of ``capacity`` rows for one stream of transitions (one environment).

    ``add`` takes transitions in the order they happened; ``sample`` returns the batch dict the
    agents' ``update`` takes (``obs, actions, rewards, next_obs, terminated``). Arrays are
    allocated up front but pages are only touched when written, so an unused tail costs no memory.
    """

    KEYS = ("obs", "actions", "rewards", "next_obs", "terminated")

    def __init__(self, obs_dim: int, act_dim: int, capacity: int, seed: int = 0) -> None:
        if capacity < 2:
            raise ValueError(f"capacity must be >= 2, got {capacity}")
        self.obs_dim, self.act_dim, self.capacity = int(obs_dim), int(act_dim), int(capacity)
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.actions = np.zeros((capacity, act_dim), np.float32)
        self.rewards = np.zeros((capacity,), np.float32)
        self.terminated = np.zeros((capacity,), np.float32)
        self.valid = np.zeros((capacity,), bool)
        self.ptr = 0  # next row to write
        self.rows = 0  # rows written so far, capped at capacity
        self.num_valid = 0
        self.pending = -1  # a real row whose next observation has not arrived yet
        self._pending_next = np.zeros((obs_dim,), np.float32)
        self.rng = stream_rng(seed, "replay")  # which rows a batch draws

    def __len__(self) -> int:
        """Transitions that can be sampled now."""
        return self.num_valid

    def _write(self, obs: np.ndarray) -> int:
        i = self.ptr
        if self.valid[i]:
            self.valid[i] = False
            self.num_valid -= 1
        self.obs[i] = obs
        self.ptr = (i + 1) % self.capacity
        self.rows = min(self.rows + 1, self.capacity)
        return i

    def _validate(self, i: int) -> None:
        self.valid[i] = True
        self.num_valid += 1

    def add(
        self,
        obs: np.ndarray,
        action: np.ndarray,
        reward: float,
        next_obs: np.ndarray,
        terminated: bool,
        done: bool,
    ) -> None:
        """Store one transition; ``done`` (terminated or truncated) says the episode ended.

        ``next_obs`` must be the real last observation on an episode end (not the reset one);
        ``terminated`` (not truncation) is what stops bootstrapping.
        """
        if self.pending >= 0:
            if not np.array_equal(obs, self._pending_next):
                self._write(self._pending_next)  # not contiguous: keep s' in a filler row
            self._validate(self.pending)
            self.pending = -1
        i = self._write(obs)
        self.actions[i] = action
        self.rewards[i] = reward
        self.terminated[i] = float(terminated)
        if done:
            self._write(next_obs)
            self._validate(i)
        else:
            self._pending_next[:] = next_obs
            self.pending = i

    def sample_indices(self, n: int) -> np.ndarray:
        """``n`` row indices drawn uniformly (with replacement) from the valid rows."""
        if self.num_valid == 0:
            raise ValueError("the replay buffer holds no complete transition yet")
        out = np.empty(n, np.int64)
        filled = 0
        frac = self.num_valid / self.rows
        while filled < n:
            draw = int((n - filled) / frac * 1.1) + 8
            idx = self.rng.integers(0, self.rows, size=draw)
            idx = idx[self.valid[idx]][: n - filled]
            out[filled : filled + len(idx)] = idx
            filled += len(idx)
        return out

    def gather(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        """The transitions at row indices ``idx`` (any shape), as the agents' batch dict."""
        return {
            "obs": self.obs[idx],
            "actions": self.actions[idx],
            "rewards": self.rewards[idx],
            "next_obs": self.obs[(idx + 1) % self.capacity],
            "terminated": self.terminated[idx],
        }

    def sample(self, batch_size: int, num_batches: int | None = None) -> dict[str, np.ndarray]:
        """A uniform batch [B, ...], or ``num_batches`` of them stacked [K, B, ...]."""
        if num_batches is None:
            return self.gather(self.sample_indices(batch_size))
        idx = self.sample_indices(batch_size * num_batches)
        return self.gather(idx.reshape(num_batches, batch_size))

    # -- checkpointing ----------------------------------------------------------------------
    def numpy_state(self) -> dict:
        """The buffer as NumPy arrays and ints (only the rows written so far).

        The arrays are views, not copies (a copy of a full Humanoid buffer would double the
        peak memory while a checkpoint is written): save them before adding more.
        """
        n = self.rows
        return {
            "obs": self.obs[:n],
            "actions": self.actions[:n],
            "rewards": self.rewards[:n],
            "terminated": self.terminated[:n],
            "valid": self.valid[:n],
            "pending_next": self._pending_next.copy(),
            "rng": rng_state_to_array(self.rng),
            "capacity": self.capacity,
            "ptr": self.ptr,
            "rows": self.rows,
            "num_valid": self.num_valid,
            "pending": self.pending,
        }

    def load_numpy_state(self, state: dict) -> None:
        if int(state["capacity"]) != self.capacity:
            raise ValueError(
                f"saved buffer has capacity {int(state['capacity'])}, this one {self.capacity}"
            )
        n = int(state["rows"])
        self.obs[:n] = state["obs"]
        self.actions[:n] = state["actions"]
        self.rewards[:n] = state["rewards"]
        self.terminated[:n] = state["terminated"]
        self.valid[:] = False
        self.valid[:n] = state["valid"]
        self._pending_next[:] = state["pending_next"]
        rng_state_from_array(self.rng, state["rng"])
        self.ptr, self.rows = int(state["ptr"]), n
        self.num_valid, self.pending = int(state["num_valid"]), int(state["pending"])

    def nbytes(self) -> int:
        """Bytes of the arrays at full capacity."""
        arrays = (self.obs, self.actions, self.rewards, self.terminated, self.valid)
        return sum(a.nbytes for a in arrays)
