"""Reload a run's saved policy (a SavedModel, no training code) and evaluate it.

    python -m sweeps.evaluate RUN_DIR [--episodes 10] [--seed 12345]

Prints the mean and std of the return over fresh episodes of the deterministic policy, then
what the return is made of: the per-episode means of the task's reward terms (Gymnasium's MuJoCo
tasks report them in ``info`` as ``reward_*``, e.g. Ant's ``reward_forward``, ``reward_ctrl``,
``reward_survive``), the episode length, and how hard the policy pushes its actions (mean |a| as a
fraction of the bound, and the share of action components at the bound). Two policies with the
same return can differ in all of these: a run that "collapsed" may still walk, paying for it in
control cost.

    python -m sweeps.evaluate RUN_DIR --eval-sets 0,1,2,3,4,5 [--last 10]

Evaluates the policy instead on the exact episodes (reset seeds) that the last ``--last``
evaluations of a run with each of those seeds used, one line per seed. Every algorithm's run with
seed k meets the same evaluation episodes (a paired design), so a hard set lowers every seed-k cell
alike; one fixed policy's return across the sets measures how hard each set is.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import numpy as np
import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def load_run(run_dir: Path):
    """(task, policy, env options) of a run folder; exits clearly if it has no saved policy.

    The env options are the ``make_env`` keywords the run trained with (``action_scaling``: the
    saved policy then acts in [-1, 1], as it did in training; ``contact_forces``: it sees the
    observations it trained on).
    """
    from sweeps.quiet import import_tensorflow

    import_tensorflow()  # without its start-up notices (sweeps/quiet.py)
    import tensorflow as tf

    config_path, policy_path = run_dir / "config.yaml", run_dir / "policy"
    if not config_path.is_file():
        raise SystemExit(f"error: {run_dir} is not a run folder (no config.yaml)")
    if not (policy_path / "saved_model.pb").is_file():
        if (run_dir / "summary.json").is_file():
            # a run committed to git: its small files travel, policy/ does not (.gitignore)
            raise SystemExit(
                f"error: {run_dir} is finished but its saved policy (policy/) is not here: git does"
                " not carry policies, so evaluate it where it ran, or re-run it"
                " (make bench ALGOS=... TASKS=... SEEDS=... RESULTS=<elsewhere>)"
            )
        raise SystemExit(f"error: {run_dir} has no saved policy (policy/): is the run finished?")
    from sweeps.config import env_options

    config = yaml.safe_load(config_path.read_text())
    return config["task"], tf.saved_model.load(str(policy_path)), env_options(config)


def act(policy, obs: np.ndarray) -> np.ndarray:
    return policy.act(np.asarray(obs, np.float32)[None]).numpy()[0]


def rollout(env, policy, seed: int) -> dict[str, float]:
    """One episode of the deterministic policy: its return, length, summed ``reward_*`` terms and
    action statistics (``action_abs``: mean |a| / bound; ``action_at_bound``: share within 1%)."""
    obs, _ = env.reset(seed=seed)
    bound = np.maximum(np.abs(env.action_space.low), np.abs(env.action_space.high))
    stats = dict.fromkeys(("return", "length", "action_abs", "action_at_bound"), 0.0)
    done = False
    while not done:
        action = act(policy, obs)
        obs, reward, terminated, truncated, info = env.step(action)
        ratio = np.abs(np.clip(action, -bound, bound)) / bound
        stats["return"] += float(reward)
        stats["length"] += 1
        stats["action_abs"] += float(ratio.mean())
        stats["action_at_bound"] += float((ratio >= 0.99).mean())
        for key, value in info.items():
            if key.startswith("reward_") and np.ndim(value) == 0:
                stats[key] = stats.get(key, 0.0) + float(value)
        done = terminated or truncated
    stats["action_abs"] /= stats["length"]
    stats["action_at_bound"] /= stats["length"]
    return stats


def parse_seeds(text: str) -> list[int]:
    try:
        seeds = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        seeds = []
    if not seeds or min(seeds) < 0:
        raise SystemExit(
            f"error: --eval-sets {text!r}: give run seeds as non-negative integers, e.g. 0,1,2"
        )
    return seeds


def eval_set_indices(run_dir: Path, last: int) -> tuple[list[int], int]:
    """The last ``last`` evaluation indices (one per eval.csv row) and episodes per evaluation."""
    eval_csv = run_dir / "eval.csv"
    rows = []
    if eval_csv.is_file():
        with eval_csv.open() as f:
            rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"error: {run_dir} has no evaluations in eval.csv for --eval-sets")
    return list(range(max(0, len(rows) - last), len(rows))), int(rows[-1]["episodes"])


def report_eval_sets(run_dir: Path, task: str, env, policy, seeds: list[int], last: int) -> int:
    from sweeps.runner import eval_seeds

    indices, episodes = eval_set_indices(run_dir, last)
    print(
        f"{run_dir}: {task}, the episodes of evaluations {indices[0]}-{indices[-1]} "
        f"({len(indices) * episodes} per set) of runs with each seed:"
    )
    for seed in seeds:
        resets = [s for k in indices for s in eval_seeds(seed, k, episodes)]
        returns = [rollout(env, policy, s)["return"] for s in resets]
        sem = np.std(returns, ddof=1) / np.sqrt(len(returns)) if len(returns) > 1 else 0.0
        print(f"  set of seed {seed}: return {np.mean(returns):.2f} ± {sem:.2f} (standard error)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sweeps.evaluate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument(
        "--eval-sets",
        help="comma-separated run seeds: evaluate on the episodes their runs' evaluations used",
    )
    parser.add_argument("--last", type=int, default=10, help="with --eval-sets: last N evaluations")
    args = parser.parse_args(argv)
    if args.episodes < 1:
        raise SystemExit("error: --episodes must be >= 1")
    eval_set_seeds = parse_seeds(args.eval_sets) if args.eval_sets is not None else None
    if args.last < 1:
        raise SystemExit("error: --last must be >= 1")
    task, policy, options = load_run(args.run_dir)
    from envs import make_env

    env = make_env(task, **options)
    if eval_set_seeds is not None:
        return report_eval_sets(args.run_dir, task, env, policy, eval_set_seeds, args.last)
    episodes = [rollout(env, policy, args.seed + i) for i in range(args.episodes)]
    mean = {key: float(np.mean([e.get(key, 0.0) for e in episodes])) for key in episodes[0]}
    returns = [e["return"] for e in episodes]
    print(
        f"{args.run_dir}: {task}, {args.episodes} episodes: return "
        f"{np.mean(returns):.1f} ± {np.std(returns):.1f}"
    )
    terms = ", ".join(f"{k} {v:.1f}" for k, v in mean.items() if k.startswith("reward_"))
    if terms:
        print(f"  reward terms (per-episode means): {terms}")
    print(
        f"  length {mean['length']:.1f}; actions: mean |a| {mean['action_abs']:.2f} of the bound, "
        f"{100 * mean['action_at_bound']:.1f}% of components at the bound"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
