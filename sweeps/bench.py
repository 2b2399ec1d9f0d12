"""Run a suite as Hydra multiruns, then regenerate its table and curves.

    python -m sweeps.bench bench [--algos ppo,td3] [--tasks Hopper-v4] [--seeds 0,1]
        [--steps 500000] [--results results] [--jobs N] [--launcher joblib] [--plan]
        [-- hydra overrides]

A suite (``sweeps/suites/<name>.yaml``) lists algorithms, tasks, seeds and budgets. Each algorithm
runs only on tasks whose action space it handles: the suite becomes one Hydra multirun per kind
of action space. Runs already done are skipped by the runs themselves, so re-running the same
command resumes a sweep. ``--plan`` lists where each run of the sweep stands (done, training in
another process, interrupted, not started) with an estimate of the time left, and launches nothing.

SIGTERM, SIGINT (Ctrl-C) or SIGHUP stops the sweep: no further multirun starts, and the signal
is passed on once to the multirun in progress. With the basic launcher (``--jobs 1``) its run
trains in that process and checkpoints where it stands; joblib's workers are stopped by joblib
itself, so their runs go on from their last periodic checkpoint. Re-running resumes.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

from sweeps.config import available_algos
from sweeps.survey import format_survey, run_status, survey

SUITES_DIR = Path(__file__).parent / "suites"


def run_forwarding_stop(cmd: list[str], env: dict[str, str]) -> tuple[int, int | None]:
    """Run ``cmd``; return its exit status and the stop signal this process received, if any.

    A SIGTERM, SIGINT or SIGHUP here is sent on to the child's process group, whose runs then
    checkpoint and stop. The child has a session of its own, so a terminal's Ctrl-C reaches it
    once, through this process: twice (directly and forwarded) would stop its runs at once.
    """
    child = subprocess.Popen(cmd, env=env, start_new_session=True)
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        try:
            os.killpg(child.pid, signum)
        except ProcessLookupError:  # it has just exited
            pass

    previous = {
        s: signal.signal(s, forward)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        if signal.getsignal(s) is not signal.SIG_IGN  # nohup: the runs ignore it too
    }
    try:
        rc = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return rc, (received[0] if received else None)


def load_suite(name: str) -> dict:
    path = SUITES_DIR / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in SUITES_DIR.glob("*.yaml")))
        raise SystemExit(f"error: unknown suite {name!r}; available: {known}")
    return yaml.safe_load(path.read_text())


def _split(value: str | None) -> list[str] | None:
    if value is None or not value.strip():
        return None
    return [v.strip() for v in value.replace(" ", ",").split(",") if v.strip()]


def plan(suite: dict, algos: list[str] | None, tasks: list[str] | None) -> dict[str, list]:
    """Group (algo, task) pairs into multiruns that Hydra's cartesian product can express."""
    from envs import action_kind, check_usable, resolve_task
    from sweeps.quiet import load_algo

    algos = algos or (available_algos() if suite["algos"] == "all" else list(suite["algos"]))
    unknown = sorted(set(algos) - set(available_algos()))
    if unknown:
        raise SystemExit(
            f"error: unknown algorithm(s) {', '.join(unknown)}; "
            f"available: {', '.join(available_algos())}"
        )
    try:
        tasks = [resolve_task(t) for t in (tasks or suite["tasks"])]
        for t in tasks:
            check_usable(t)
    except ValueError as err:  # UnknownTaskError included
        raise SystemExit(f"error: {err}") from None
    task_kind = {t: action_kind(t) for t in tasks}
    groups: dict[str, list] = {}
    for algo in algos:
        kind = load_algo(algo).Agent.action_kind
        fit = [t for t in tasks if task_kind[t] == kind]
        if fit:
            groups.setdefault(kind, [[], fit])[0].append(algo)
    return groups


def multiruns(groups: dict[str, list], overrides: dict[str, dict]) -> list[tuple]:
    """One Hydra multirun per action kind; an algorithm with suite-level hyperparameter
    overrides (e.g. a shorter warm-up in the quick suite) gets a multirun of its own, since
    ``algo.<hp>=`` applies to every algorithm of a multirun."""
    out = []
    for kind, (algos, tasks) in groups.items():
        plain = [a for a in algos if a not in overrides]
        if plain:
            out.append((f"{kind} actions", plain, tasks, []))
        for algo in algos:
            if algo in overrides:
                args = [f"algo.{k}={v}" for k, v in overrides[algo].items()]
                out.append((f"{kind} actions: {algo}", [algo], tasks, args))
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    p = argparse.ArgumentParser(
        prog="python -m sweeps.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("suite")
    p.add_argument("--algos")
    p.add_argument("--tasks")
    p.add_argument("--seeds")
    p.add_argument("--steps", type=int)
    p.add_argument("--results", default="results")
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="runs in parallel (default: one per core)",
    )
    p.add_argument(
        "--launcher",
        default=None,
        help="Hydra launcher (default: joblib if --jobs > 1, else basic)",
    )
    p.add_argument("--no-analysis", action="store_true")
    p.add_argument(
        "--plan", action="store_true", help="list each run's state and the time left; run nothing"
    )
    args = p.parse_args(argv)

    suite = load_suite(args.suite)
    seeds = _split(args.seeds) or [str(s) for s in suite["seeds"]]
    steps = suite["steps"] if args.steps is None else args.steps
    if steps < 1:
        raise SystemExit(f"error: --steps must be a positive number of env steps, got {steps}")
    groups = plan(suite, _split(args.algos), _split(args.tasks))
    if not groups:
        raise SystemExit(
            "error: no run to make: none of the algorithms can act in any of the tasks "
            "(continuous-action algorithms need MuJoCo tasks, dqn a classic-control one)"
        )
    launcher = args.launcher or ("joblib" if args.jobs > 1 else "basic")
    launcher_args = [f"hydra/launcher={launcher}"]
    if launcher == "joblib":
        launcher_args.append(f"hydra.launcher.n_jobs={args.jobs}")
    # one thread per run: runs in parallel on all cores beat one run on all cores
    env = {
        **os.environ,
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    n_runs = sum(len(a) * len(t) for a, t in groups.values()) * len(seeds)
    run_dirs = [
        Path(args.results) / args.suite / algo / task / f"seed_{seed}"
        for algos, tasks in groups.values()
        for algo in algos
        for task in tasks
        for seed in seeds
    ]
    suite_dir = Path(args.results) / args.suite
    where = format_survey(survey(run_dirs, steps), args.jobs, suite_dir, detail=args.plan)
    if args.plan:
        print(f"suite {args.suite} ({steps} steps per run) in {suite_dir}/:", *where, sep="\n")
        return 0
    print(
        f"suite {args.suite}: {n_runs} runs ({steps} steps each) with {launcher} launcher, "
        f"{args.jobs} in parallel → {suite_dir}/",
        *where,
        sep="\n",
        flush=True,
    )
    monitor = SweepMonitor(run_dirs)
    monitor.start()
    rc = 0
    for label, algos, tasks, algo_args in multiruns(groups, suite.get("algo_overrides") or {}):
        cmd = [
            sys.executable,
            "-m",
            "sweeps.train",
            "-m",
            f"algo={','.join(algos)}",
            f"task={','.join(tasks)}",
            f"seed={','.join(seeds)}",
            f"steps={steps}",
            f"suite={args.suite}",
            f"results_dir={args.results}",
            f"eval_every={suite['eval_every']}",
            f"eval_episodes={suite['eval_episodes']}",
            "threads=1",
            *algo_args,
            *launcher_args,
            *extra,
        ]
        print(f"[{label}] {' '.join(cmd[1:])}", flush=True)
        child_rc, stop = run_forwarding_stop(cmd, env)
        rc = child_rc or rc
        if stop is not None:
            monitor.stop()
            saved = (
                "the run in progress checkpointed where it stood"
                if launcher == "basic"  # it trains in the multirun's own process
                else f"runs in {launcher} workers go on from their last periodic checkpoint"
            )
            print(
                f"sweep stopped by {signal.Signals(stop).name} ({saved}); run the same command "
                "again to resume",
                file=sys.stderr,
                flush=True,
            )
            return 128 + stop
    monitor.stop()
    if not args.no_analysis:
        from analysis.__main__ import main as analysis_main

        analysis_main(["all", "--suite", args.suite, "--results", args.results])
    statuses = {d: run_status(d) for d in run_dirs}
    failed = [f"{d}: {s}" for d, s in statuses.items() if s not in ("done", None)]
    missing = [str(d) for d, s in statuses.items() if s is None]
    done = sum(s == "done" for s in statuses.values())
    print(
        f"sweep: {done}/{len(run_dirs)} runs done, {len(failed)} failed, "
        f"{len(missing)} not finished",
        flush=True,
    )
    if failed or missing:
        for line in failed:
            print(f"  failed: {line}", file=sys.stderr)
        for line in missing:
            print(f"  not finished: {line}", file=sys.stderr)
        return 1
    return rc


class SweepMonitor(threading.Thread):
    """Prints "k/N runs finished" with an ETA whenever a run of the sweep finishes.

    It watches the run folders rather than the launcher, so it works for every launcher.
    """

    def __init__(self, run_dirs: list[Path], interval: float = 10.0) -> None:
        super().__init__(daemon=True)
        self.run_dirs, self.interval = run_dirs, interval
        self._stop_event = threading.Event()
        self.already = sum(run_status(d) is not None for d in run_dirs)

    def run(self) -> None:
        start, last = time.monotonic(), self.already
        while not self._stop_event.wait(self.interval):
            finished = sum(run_status(d) is not None for d in self.run_dirs)
            if finished == last:
                continue
            last = finished
            elapsed = time.monotonic() - start
            new = finished - self.already
            remaining = len(self.run_dirs) - finished
            eta = elapsed / new * remaining if new else float("nan")
            print(
                f"[sweep] {finished}/{len(self.run_dirs)} runs finished | elapsed "
                f"{elapsed / 60:.1f} min | ETA {eta / 60:.1f} min",
                flush=True,
            )

    def stop(self) -> None:
        self._stop_event.set()


if __name__ == "__main__":
    sys.exit(main())
