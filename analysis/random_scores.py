"""Measure the return of a uniform-random policy on every benchmark task.

    python -m analysis.random_scores [--episodes 20] [--seed 0]

Writes ``results/reference/random_returns.csv``: the 0 of the normalised score. Measured, never
typed in: the figure depends on the task version and its termination rules.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from analysis.reference import REFERENCE_DIR
from envs import CLASSIC_TASKS, MUJOCO_TASKS, make_env


def random_return(task: str, episodes: int, seed: int) -> tuple[float, float]:
    env = make_env(task)
    env.action_space.seed(seed)
    returns = []
    for i in range(episodes):
        env.reset(seed=seed + i)
        total, done = 0.0, False
        while not done:
            _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    env.close()
    return float(np.mean(returns)), float(np.std(returns))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = []
    for task in (*MUJOCO_TASKS, *CLASSIC_TASKS):
        mean, std = random_return(task, args.episodes, args.seed)
        print(f"{task}: {mean:.2f} ± {std:.2f}", flush=True)
        rows.append(
            {
                "task": task,
                "return_mean": round(mean, 3),
                "return_std": round(std, 3),
                "episodes": args.episodes,
                "seed": args.seed,
            }
        )
    out = REFERENCE_DIR / "random_returns.csv"
    pd.DataFrame(rows).to_csv(out, index=False)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
