"""Reload a run's saved policy (a SavedModel, no training code) and evaluate it.

    python -m sweeps.evaluate RUN_DIR [--episodes 10] [--seed 12345]

Prints the mean and std of the return over fresh episodes of the deterministic policy.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def load_run(run_dir: Path):
    """(task, policy, env options) of a run folder; exits clearly if it has no saved policy.

    The env options are the ``make_env`` keywords the run trained with (``action_scaling``: the
    saved policy then acts in [-1, 1], as it did in training).
    """
    from sweeps.quiet import import_tensorflow

    import_tensorflow()  # without its start-up notices (sweeps/quiet.py)
    import tensorflow as tf

    config_path, policy_path = run_dir / "config.yaml", run_dir / "policy"
    if not config_path.is_file():
        raise SystemExit(f"error: {run_dir} is not a run folder (no config.yaml)")
    if not (policy_path / "saved_model.pb").is_file():
        raise SystemExit(f"error: {run_dir} has no saved policy (policy/): is the run finished?")
    from sweeps.config import env_options

    config = yaml.safe_load(config_path.read_text())
    algo = config.get("algo") if isinstance(config.get("algo"), dict) else {}
    return config["task"], tf.saved_model.load(str(policy_path)), env_options(algo)


def act(policy, obs: np.ndarray) -> np.ndarray:
    return policy.act(np.asarray(obs, np.float32)[None]).numpy()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sweeps.evaluate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args(argv)
    if args.episodes < 1:
        raise SystemExit("error: --episodes must be >= 1")
    task, policy, options = load_run(args.run_dir)
    from envs import make_env

    env = make_env(task, **options)
    returns = []
    for i in range(args.episodes):
        obs, _ = env.reset(seed=args.seed + i)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(act(policy, obs))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    print(
        f"{args.run_dir}: {task}, {args.episodes} episodes: return "
        f"{np.mean(returns):.1f} ± {np.std(returns):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
