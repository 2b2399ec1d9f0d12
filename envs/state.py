"""Save and restore an environment mid-episode, so a resumed run continues the same episodes.

``Restorable`` is the outermost wrapper of every environment ``make_env`` builds. It remembers the
last observation it returned and exposes the simulator state as JSON-compatible data:
MuJoCo's full integration state (``mj_getState``), or a classic-control env's ``state``; the
env's random generator; and the ``TimeLimit`` step counter.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np


def _time_limit(env: gym.Env) -> gym.wrappers.TimeLimit | None:
    while isinstance(env, gym.Wrapper):
        if isinstance(env, gym.wrappers.TimeLimit):
            return env
        env = env.env
    return None


class Restorable(gym.Wrapper):
    """Remembers the last observation; ``get_state`` / ``set_state`` capture the whole env."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.last_obs: np.ndarray | None = None
        self.pending_state: dict | None = None

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        self.last_obs = obs
        return obs, info

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.last_obs = obs
        return obs, reward, terminated, truncated, info

    def get_state(self) -> dict[str, Any]:
        raw = self.env.unwrapped
        state: dict[str, Any] = {"obs": np.asarray(self.last_obs).tolist()}
        if hasattr(raw, "model") and hasattr(raw, "data"):
            import mujoco

            kind = mujoco.mjtState.mjSTATE_INTEGRATION
            buf = np.empty(mujoco.mj_stateSize(raw.model, kind))
            mujoco.mj_getState(raw.model, raw.data, buf, kind)
            state["mujoco"] = buf.tolist()
        elif hasattr(raw, "state"):
            state["classic"] = np.asarray(raw.state, dtype=np.float64).tolist()
            if hasattr(raw, "steps_beyond_terminated"):
                state["steps_beyond_terminated"] = raw.steps_beyond_terminated
        else:
            raise TypeError(f"cannot capture the state of {type(raw).__name__}")
        state["rng"] = raw.np_random.bit_generator.state
        limit = _time_limit(self.env)
        state["elapsed_steps"] = None if limit is None else limit._elapsed_steps
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        raw = self.env.unwrapped
        if "mujoco" in state:
            import mujoco

            kind = mujoco.mjtState.mjSTATE_INTEGRATION
            mujoco.mj_setState(raw.model, raw.data, np.asarray(state["mujoco"]), kind)
            mujoco.mj_forward(raw.model, raw.data)
        else:
            raw.state = np.asarray(state["classic"], dtype=np.float64)
            if "steps_beyond_terminated" in state:
                raw.steps_beyond_terminated = state["steps_beyond_terminated"]
        raw.np_random.bit_generator.state = state["rng"]
        limit = _time_limit(self.env)
        if limit is not None:
            limit._elapsed_steps = state["elapsed_steps"]
        self.last_obs = np.asarray(state["obs"], dtype=self.observation_space.dtype)

    def apply_pending_state(self) -> np.ndarray:
        """Apply ``pending_state`` (set per sub-env through ``VectorEnv.set_attr``)."""
        self.set_state(self.pending_state)
        self.pending_state = None
        return self.last_obs


def get_vector_state(env: gym.vector.VectorEnv) -> list[dict[str, Any]]:
    """The state of every sub-environment (sync or async vector env)."""
    return list(env.call("get_state"))


def set_vector_state(env: gym.vector.VectorEnv, states: list[dict[str, Any]]) -> np.ndarray:
    """Restore every sub-environment; returns the batch of current observations."""
    env.set_attr("pending_state", states)
    return np.stack(env.call("apply_pending_state"))
