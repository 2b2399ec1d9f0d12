"""Hydra entry point for one run (or, with -m, a multirun sweep).

python -m sweeps.train algo=ppo task=Hopper-v4 seed=0 steps=500000 [suite=bench]
    [results_dir=results] [eval_every=10000] [eval_episodes=10] [algo.<hp>=<value>]
python -m sweeps.train -m algo=ppo task=Hopper-v4,Walker2d-v4 seed=0,1,2
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sweeps.config import ConfigError, check_existing_run, validate


def _multirun() -> bool:
    try:
        return HydraConfig.get().mode == RunMode.MULTIRUN
    except ValueError:
        return False


def _user_error(err: object) -> str:
    """One line on stderr; exit 2 for a single run, go on with the rest of a multirun."""
    print(f"error: {err}", file=sys.stderr, flush=True)
    if _multirun():
        return "invalid"
    sys.exit(2)


def _already_done(spec) -> str:
    print(
        f"[{spec.algo} {spec.task} seed={spec.seed}] already done: {spec.run_dir}",
        file=sys.stderr,
        flush=True,
    )
    return "skipped"


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def main(cfg: DictConfig) -> str:
    raw = OmegaConf.to_container(cfg, resolve=True)
    try:
        spec = validate(raw)
        status = check_existing_run(spec)
    except ConfigError as err:
        return _user_error(err)
    if status == "done":
        return _already_done(spec)

    from sweeps import runlock

    with runlock.hold(spec.run_dir) as mine:
        if not mine:
            message = (
                f"[{spec.algo} {spec.task} seed={spec.seed}] skipped: another process is "
                f"training {spec.run_dir} (it holds {spec.run_dir / runlock.LOCK_NAME})"
            )
            print(message, file=sys.stderr, flush=True)
            if not _multirun():
                sys.exit(1)
            return "busy"
        # it may have finished between the check above and taking the lock
        if check_existing_run(spec) == "done":
            return _already_done(spec)
        from sweeps.checkpoint import CheckpointError
        from sweeps.runner import Run, StopRequested, configure_threads  # imports TensorFlow

        configure_threads(spec.threads)
        run = Run(spec)
        try:
            summary = run.execute()
        except CheckpointError as err:
            return _user_error(f"{err}; delete that folder to restart the run from zero")
        except StopRequested as stop:
            # a stop signal stops the process, not just this run: the rest of a multirun too
            sys.exit(128 + stop.signum)
        if run.stop_signal is not None:  # it came during the last step: the run finished first
            sys.exit(128 + run.stop_signal)
    if summary["status"] != "done" and not _multirun():
        sys.exit(1)
    return summary["status"]


def unwritable(path: Path) -> str | None:
    """Why ``path`` cannot be used as a results directory, or None if it can."""
    probe = path.absolute()
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        return f"results_dir {path} is not usable: {probe} is a file, not a directory"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"results_dir {path} is not writable (no write permission on {probe})"
    return None


def default_algo() -> str:
    """The algorithm ``conf/config.yaml`` picks when the command line names none."""
    import yaml

    from sweeps.config import CONF_DIR

    conf = yaml.safe_load((CONF_DIR / "config.yaml").read_text())
    return next(d["algo"] for d in conf["defaults"] if isinstance(d, dict) and "algo" in d)


def precheck(argv: list[str]) -> str | None:
    """Errors Hydra would report less clearly, found from the overrides before Hydra starts."""
    from sweeps.config import algo_keys, available_algos, unknown_hyperparameter

    algos = [default_algo()]
    for arg in argv:
        if arg.startswith("results_dir="):
            problem = unwritable(Path(arg.split("=", 1)[1]))
            if problem:
                return problem
        if arg.startswith("algo="):
            algos = [n.strip() for n in arg.split("=", 1)[1].split(",")]
            unknown = [n for n in algos if n not in available_algos()]
            if unknown:
                return (
                    f"unknown algorithm {unknown[0]!r}; available: {', '.join(available_algos())}"
                )
    # algo.<key>=...: Hydra's answer to a misspelt key is six lines on how to append one; a key
    # added on purpose (+algo.<key>=...) is left to validate(), which rejects it in one line
    keys = [m.group(1) for m in (re.match(r"algo\.([^=]+)=", arg) for arg in argv) if m]
    for name in algos if keys else []:
        valid = algo_keys(name)
        unknown = [k for k in keys if k not in valid]
        if unknown:
            return unknown_hyperparameter(name, unknown, valid)
    return None


if __name__ == "__main__":
    problem = precheck(sys.argv[1:])
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
    main()
