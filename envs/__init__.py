"""Task registry and environment construction (Gymnasium + official MuJoCo bindings)."""

from envs.make import action_kind, check_usable, make_env, make_vec_env
from envs.registry import CLASSIC_TASKS, MUJOCO_TASKS, TASK_GROUPS, check_task, resolve_task

__all__ = [
    "CLASSIC_TASKS",
    "MUJOCO_TASKS",
    "TASK_GROUPS",
    "action_kind",
    "check_task",
    "check_usable",
    "make_env",
    "make_vec_env",
    "resolve_task",
]
