"""Published reference returns and measured random-policy returns, keyed by (base task, algo).

Sources and metrics are described in ``results/reference/README.md``. Task versions differ between
the references (-v2/-v3) and our runs (-v4 by default), so cells are matched on the task's base
name (``Hopper-v4`` ↔ ``Hopper``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "results" / "reference"
BUDGET = 500_000

# Tianshou's policy-gradient policies sampled their actions at test time when its MuJoCo
# benchmark was run (thu-ml/tianshou issue #353, 2021-04, v0.4.1: "PGPolicy, A2CPolicy and
# PPOPolicy always use dist.sample()"); its examples never turned on the later
# ``deterministic_eval`` option. Its PPO/TRPO/A2C references are therefore returns of the sampled
# policy; DDPG/TD3 test without noise and SAC with its mean action (deterministic).
TIANSHOU_SAMPLED_EVAL = frozenset({"ppo", "trpo", "a2c"})


def base_task(task: str) -> str:
    """``Hopper-v4`` → ``Hopper``."""
    return task.rsplit("-v", 1)[0]


def rlpack(reference_dir: Path = REFERENCE_DIR) -> dict[tuple[str, str], float]:
    """rlpack's 500k returns, keyed by (base task, lowercase algo)."""
    path = reference_dir / "rlpack_mujoco.csv"
    if not path.exists():
        return {}
    ref = pd.read_csv(path)
    ref = ref[ref["budget_steps"] == BUDGET]
    return {
        (base_task(t), a.lower()): float(r)
        for t, a, r in zip(ref["task"], ref["algo"], ref["return"], strict=True)
    }


def _mean_std(path: Path) -> dict[tuple[str, str], tuple[float, float]]:
    if not path.exists():
        return {}
    ref = pd.read_csv(path)
    return {
        (base_task(t), a.lower()): (float(m), float(s))
        for t, a, m, s in zip(ref["task"], ref["algo"], ref["return"], ref["std"], strict=True)
    }


def tianshou(reference_dir: Path = REFERENCE_DIR) -> dict[tuple[str, str], tuple[float, float]]:
    """Tianshou's (mean, std) over 10 seeds near 500k, keyed by (base task, lowercase algo)."""
    return _mean_std(reference_dir / "tianshou_500k.csv")


def tianshou_window(
    reference_dir: Path = REFERENCE_DIR,
) -> dict[tuple[str, str], tuple[float, float]]:
    """Tianshou's (mean, std) over 10 seeds of each seed's mean test return over (400k, 500k].

    The window counterpart of ``tianshou``: 20 evaluations for DDPG/TD3/SAC, 3 for PPO/TRPO/A2C;
    std is NaN for TRPO (only its seed-mean curve was published).
    """
    return _mean_std(reference_dir / "tianshou_500k_window.csv")


def cleanrl(reference_dir: Path = REFERENCE_DIR) -> dict[tuple[str, str], tuple[float, float]]:
    """CleanRL ``dqn.py``'s (mean, std) over 3 seeds at 500k on the classic-control tasks."""
    return _mean_std(reference_dir / "cleanrl_dqn_500k.csv")


def random_returns(reference_dir: Path = REFERENCE_DIR) -> dict[str, float]:
    """Measured mean return of a uniform-random policy, keyed by base task."""
    path = reference_dir / "random_returns.csv"
    if not path.exists():
        return {}
    ref = pd.read_csv(path)
    return {base_task(t): float(r) for t, r in zip(ref["task"], ref["return_mean"], strict=True)}


def best_reference(reference_dir: Path = REFERENCE_DIR) -> dict[str, float]:
    """Per base task, the best published 500k return of any algorithm in any reference.

    This is the "1.0" of the normalised score (random policy = 0.0).
    """
    best: dict[str, float] = {}
    for (task, _), value in rlpack(reference_dir).items():
        best[task] = max(best.get(task, value), value)
    for source in (tianshou, cleanrl):
        for (task, _), (mean, _) in source(reference_dir).items():
            best[task] = max(best.get(task, mean), mean)
    return best
