"""The benchmark's tasks.

The ten MuJoCo tasks of the rlpack table, as Gymnasium ``-v4`` ids: Gymnasium's maintained
equivalents of the ``-v2`` tasks rlpack used (same models and rewards, official ``mujoco``
bindings instead of mujoco-py). ``-v5`` is one override away (``task=Hopper-v5``); another
registered Gymnasium id works if it builds here and exposes a MuJoCo or classic-control state to
checkpoint (``envs.check_usable``; the ``-v2``/``-v3`` MuJoCo ids need mujoco-py and are refused),
and a short name (``Hopper``) means the default version.
"""

from __future__ import annotations

import gymnasium as gym

DEFAULT_MUJOCO_VERSION = "v4"

MUJOCO_TASKS: tuple[str, ...] = tuple(
    f"{name}-{DEFAULT_MUJOCO_VERSION}"
    for name in (
        "Ant",
        "HalfCheetah",
        "Hopper",
        "Humanoid",
        "HumanoidStandup",
        "InvertedDoublePendulum",
        "InvertedPendulum",
        "Reacher",
        "Swimmer",
        "Walker2d",
    )
)
CLASSIC_TASKS: tuple[str, ...] = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0")
TASK_GROUPS: dict[str, tuple[str, ...]] = {"mujoco": MUJOCO_TASKS, "classic": CLASSIC_TASKS}

_SHORT = {t.split("-")[0]: t for t in (*MUJOCO_TASKS, *CLASSIC_TASKS)}


class UnknownTaskError(ValueError):
    pass


def resolve_task(task: str) -> str:
    """Full Gymnasium id for ``task`` (``Hopper`` → ``Hopper-v4``); error listing valid ids."""
    if task in gym.registry:
        return task
    if task in _SHORT:
        return _SHORT[task]
    known = ", ".join((*MUJOCO_TASKS, *CLASSIC_TASKS))
    raise UnknownTaskError(
        f"unknown task {task!r}: not a registered Gymnasium id. Benchmark tasks: {known} "
        "(MuJoCo tasks also as -v5, e.g. Hopper-v5)"
    )


def check_task(task: str) -> str:
    """Resolve ``task`` and check it can be built here (e.g. MuJoCo installed)."""
    return resolve_task(task)
