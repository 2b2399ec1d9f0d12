"""Seeded environments with float32 observations and termination kept apart from truncation."""

from __future__ import annotations

import functools
import warnings

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode

from algos.seeding import stream_seed
from envs.registry import resolve_task
from envs.state import Restorable

CONTACT_FORCES = ("observed", "zeroed")
# Tasks whose observation ends with MuJoCo's external contact forces (cfrc_ext, 6 per body).
CONTACT_FORCE_TASKS = ("Humanoid", "HumanoidStandup")


def check_contact_forces(value: str, task: str) -> None:
    """Raise ``ValueError`` unless ``value`` is a ``contact_forces`` setting ``task`` allows."""
    if value not in CONTACT_FORCES:
        allowed = ", ".join(CONTACT_FORCES)
        raise ValueError(f"contact_forces must be one of {allowed}, got {value!r}")
    if value == "zeroed" and resolve_task(task).split("-")[0] not in CONTACT_FORCE_TASKS:
        raise ValueError(
            "contact_forces=zeroed needs a task that observes contact forces "
            f"({', '.join(CONTACT_FORCE_TASKS)}), got {task}"
        )


def _build(
    task: str, action_scaling: bool = False, contact_forces: str = "observed", **kwargs
) -> gym.Env:
    check_contact_forces(contact_forces, task)
    with warnings.catch_warnings():
        # Gymnasium warns that -v4 is "out of date" (-v4 is this benchmark's deliberate default)
        # and that float64 bounds lose precision as float32 (intended: observations are float32).
        warnings.filterwarnings("ignore", message=".*is out of date.*")
        warnings.filterwarnings("ignore", message=".*precision lowered by casting.*")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        env = gym.make(resolve_task(task), disable_env_checker=True, **kwargs)
        space = env.observation_space
        if isinstance(space, gym.spaces.Box) and space.dtype != np.float32:
            env = gym.wrappers.DtypeObservation(env, np.float32)
    if contact_forces == "zeroed":
        env = ZeroContactForces(env)
    if isinstance(env.action_space, gym.spaces.Box):
        # Gaussian policies sample unbounded actions; the env sees them clipped to the bounds
        # (in the task's units), or clipped to [-1, 1] and mapped onto the bounds.
        env = ScaleFromUnit(env) if action_scaling else ClipToBounds(env)
    return Restorable(env)


class ZeroContactForces(gym.ObservationWrapper):
    """Zero the trailing contact-force block of Humanoid(-Standup)'s observation.

    mujoco-py 2.x never computed ``cfrc_ext`` (openai/gym#1541), so the ``-v2``/``-v3`` tasks that
    Tianshou's references ran observed zeros there; Gymnasium computes them. Zeroing keeps the
    observation's size, as those runs had it. The reward is untouched (``-v4`` Humanoid has no
    contact cost; HumanoidStandup's impact cost and ``-v5``'s contact cost stay as computed).
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        raw = env.unwrapped
        structure = getattr(raw, "observation_structure", None)  # -v5 names its blocks
        self.n_forces = int(structure["cfrc_ext"] if structure else raw.data.cfrc_ext.size)

    def observation(self, observation):
        observation = observation.copy()
        observation[-self.n_forces :] = 0.0
        return observation


class ClipToBounds(gym.ActionWrapper):
    """Clip actions to the task's bounds, keeping ``action_space`` the task's box.

    (Gymnasium's ``ClipAction`` widens ``action_space`` to ±inf, which hides the bounds from the
    agents that scale to them and makes ``action_space.sample()`` Gaussian instead of uniform.)
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        # read once: ``action_space`` walks the wrapper chain on every access
        self._low, self._high = env.action_space.low, env.action_space.high

    def action(self, action):
        # np.minimum/np.maximum: the same values as np.clip, without its Python dispatch layers
        return np.minimum(np.maximum(action, self._low), self._high)


class ScaleFromUnit(gym.ActionWrapper):
    """Tianshou's action mapping: actions clipped to [-1, 1], mapped linearly onto the bounds.

    ``action_space`` becomes the unit box, so a policy's noise is relative to each action's
    range: a std of 0.6 is 0.24 of Humanoid's ±0.4 and 1.8 of InvertedPendulum's ±3. Where the
    bounds are already ±1 the mapping is the clip alone, bit for bit what ``ClipToBounds`` does.
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        box = env.action_space
        self._low, self._half_range = box.low, (box.high - box.low) / 2
        self._identity = _is_unit_box(box)
        self.action_space = gym.spaces.Box(-1.0, 1.0, box.shape, np.float32)

    def action(self, action):
        unit = np.minimum(np.maximum(action, -1.0), 1.0)  # np.clip's values, see ClipToBounds
        if self._identity:
            return unit
        return self._low + (unit + 1.0) * self._half_range


def make_env(
    task: str,
    seed: int | None = None,
    *,
    action_scaling: bool = False,
    contact_forces: str = "observed",
    **kwargs,
) -> gym.Env:
    """One environment: float32 observations, actions clipped to bounds, seeded on first reset.

    ``action_scaling``: the agent acts in [-1, 1], mapped onto the task's bounds
    (:class:`ScaleFromUnit`; Box actions only). ``contact_forces="zeroed"``: Humanoid(-Standup)
    observe zeros for contact forces, as under mujoco-py 2.x (:class:`ZeroContactForces`).

    Time limits stay Gymnasium's ``TimeLimit``: ``truncated`` is True at the limit and
    ``terminated`` only when the task itself ends the episode.
    """
    env = _build(task, action_scaling, contact_forces, **kwargs)
    if seed is not None:
        env.reset(seed=seed)
        env.action_space.seed(stream_seed(seed, "action_space"))
    return env


def make_vec_env(
    task: str,
    num_envs: int,
    seed: int,
    *,
    asynchronous: bool = False,
    action_scaling: bool = False,
    contact_forces: str = "observed",
    **kwargs,
) -> gym.vector.VectorEnv:
    """``num_envs`` copies of ``task`` stepped together; ``seed`` seeds the action space (its own
    stream of the seed, :mod:`algos.seeding`).

    The sub-environments are seeded by their first ``reset(seed=[...])`` (the runner uses
    ``seed * 1000 + i``; evaluation draws fresh seeds per evaluation, ``sweeps.runner.eval_seeds``).

    Autoreset happens in the same step (``AutoresetMode.SAME_STEP``): on an episode end the
    returned observation is already the reset one and the episode's last observation is in
    ``info["final_obs"]``, so every step is a real transition.
    """
    fns = [lambda: _build(task, action_scaling, contact_forces, **kwargs) for _ in range(num_envs)]
    cls = gym.vector.AsyncVectorEnv if asynchronous else gym.vector.SyncVectorEnv
    env = cls(fns, autoreset_mode=AutoresetMode.SAME_STEP)
    env.action_space.seed(stream_seed(seed, "action_space"))  # warm-up random actions
    return env


def _is_unit_box(box: gym.spaces.Box) -> bool:
    return bool(np.all(box.low == -1) and np.all(box.high == 1))


@functools.cache
def _probe(task: str) -> tuple[gym.Space, bool]:
    """The task's action space, and whether ``Restorable`` can capture its state."""
    env = _build(task)
    try:
        env.reset(seed=0)  # classic-control envs (MountainCar, Pendulum) set ``state`` on reset
        raw = env.unwrapped
        capturable = (hasattr(raw, "model") and hasattr(raw, "data")) or hasattr(raw, "state")
        return env.action_space, capturable
    finally:
        env.close()


def _action_space(task: str) -> gym.Space:
    return _probe(task)[0]


def check_usable(task: str) -> None:
    """Raise ``ValueError`` unless ``task`` (a resolved id) can be built here and checkpointed.

    Building it surfaces missing dependencies (Gymnasium's ``-v2``/``-v3`` MuJoCo tasks need
    mujoco-py) before any training; a run checkpoints its env's simulator state, which only
    MuJoCo and classic-control-style envs expose (``envs/state.py``).
    """
    try:
        capturable = _probe(task)[1]
    except Exception as err:  # ImportError, DependencyNotInstalled, ...: one line, not a trace
        raise ValueError(f"task {task} cannot be built here: {type(err).__name__}: {err}") from None
    if not capturable:
        raise ValueError(
            f"task {task} cannot be checkpointed: runs save and restore the simulator state, "
            "which MuJoCo and classic-control tasks expose and this one does not"
        )


def maps_actions(task: str) -> bool:
    """Whether ``action_scaling`` changes anything on ``task``: Box bounds other than ±1."""
    space = _action_space(task)
    return isinstance(space, gym.spaces.Box) and not _is_unit_box(space)


def action_kind(task: str) -> str:
    """``"continuous"`` (Box actions) or ``"discrete"`` (Discrete actions) for a task id."""
    space = _action_space(task)
    if isinstance(space, gym.spaces.Box):
        return "continuous"
    if isinstance(space, gym.spaces.Discrete):
        return "discrete"
    return type(space).__name__
