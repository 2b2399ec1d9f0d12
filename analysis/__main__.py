"""Regenerate a suite's tables, curves and aggregate statistics from whatever runs exist.

    python -m analysis table  [--suite bench] [--results results]
    python -m analysis curves [--suite bench] [--results results]
    python -m analysis all    [--suite bench] [--results results]

``table`` writes table.md/table.csv (verdicts against the references), runtime.csv, runs.csv (a
row per run), the aggregate statistics per action family (aggregate.csv,
probability_of_improvement.csv, aggregate_<actions>.png) and, for the bench suite,
``<results>/README.md``, which lists the cells below a reference with their investigations
(``analysis.investigations``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # algos are imported to read action kinds

import pandas as pd
import yaml

from analysis.aggregate import (
    interval_estimates,
    normalised_scores,
    plot_aggregate,
    probability_of_improvement,
)
from analysis.curves import plot_curves
from analysis.investigations import InvestigationIndexError, below_section, load_index
from analysis.load import load_curves, load_runs
from analysis.table import consistent_steps, write_table


def universe(suite: str) -> dict:
    """Every (algo, task) cell the suite should have, and which of them are n/a."""
    from envs import CLASSIC_TASKS, MUJOCO_TASKS, action_kind
    from sweeps.bench import SUITES_DIR
    from sweeps.config import available_algos

    path = SUITES_DIR / f"{suite}.yaml"
    if not path.exists():  # an ad-hoc suite: its cells are the runs it has
        return {}
    tasks = list(yaml.safe_load(path.read_text())["tasks"])
    algos = available_algos()
    kind = {t: "continuous" for t in MUJOCO_TASKS} | {t: "discrete" for t in CLASSIC_TASKS}
    kinds = {}
    for algo, agent_kind in agent_action_kinds(algos).items():
        for task in tasks:
            kinds[(algo, task)] = agent_kind == (kind.get(task) or action_kind(task))
    return {"algos": algos, "tasks": tasks, "kinds": kinds}


def agent_action_kinds(algos: list[str]) -> dict[str, str]:
    """Each algorithm's action kind (``continuous``, ``discrete``); ``other`` for a name that is
    not a known algorithm (runs of a removed one)."""
    from sweeps.config import available_algos
    from sweeps.quiet import load_algo

    known = set(available_algos())
    return {a: load_algo(a).Agent.action_kind if a in known else "other" for a in algos}


def action_families(algos: list[str]) -> dict[str, list[str]]:
    """Algorithms grouped by the kind of actions they take.

    An aggregate compares algorithms on the tasks they all have runs on; DQN cannot act in a
    MuJoCo task, so one aggregate over every algorithm would never have a task.
    """
    families: dict[str, list[str]] = {}
    for algo, kind in agent_action_kinds(algos).items():
        families.setdefault(kind, []).append(algo)
    return families


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of the non-empty frames; the first frame (its header) when none has rows."""
    full = [f for f in frames if not f.empty]
    if full:
        return pd.concat(full, ignore_index=True)
    return frames[0] if frames else pd.DataFrame()


def aggregate_outputs(runs, suite_dir: Path, suite: str):
    """aggregate.csv, probability_of_improvement.csv and aggregate_<actions>.png, per family."""
    from sweeps.recorder import atomic_write

    df = consistent_steps(runs)
    all_estimates, all_poi, notes = [], [], []
    for kind, algos in sorted(action_families(sorted(df["algo"].unique())).items()):
        matrix = normalised_scores(df, algos)
        estimates = interval_estimates(matrix)
        pairs = [(x, y) for x in algos for y in algos if x != y]
        poi = probability_of_improvement(matrix, pairs)
        all_estimates.append(estimates.assign(actions=kind))
        all_poi.append(poi.assign(actions=kind))
        notes += [f"{kind}-action algorithms: {n}" for n in matrix.notes]
        png = suite_dir / f"aggregate_{kind}.png"
        if matrix.scores:
            title = f"suite {suite}, {kind}-action algorithms ({', '.join(algos)})"
            plot_aggregate(matrix, estimates, png, title)
        else:
            png.unlink(missing_ok=True)  # a plot of runs that are gone would mislead
    estimates, poi = _stack(all_estimates), _stack(all_poi)
    atomic_write(suite_dir / "aggregate.csv", estimates.to_csv(index=False, float_format="%.4f"))
    atomic_write(
        suite_dir / "probability_of_improvement.csv", poi.to_csv(index=False, float_format="%.4f")
    )
    return estimates, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("what", choices=["table", "curves", "all"])
    parser.add_argument("--suite", default="bench")
    parser.add_argument("--results", default="results")
    args = parser.parse_args(argv)
    results = Path(args.results)
    suite_dir = results / args.suite
    if not suite_dir.is_dir():
        print(
            f"error: no suite folder {suite_dir} (run a sweep first, or pass --suite/--results)",
            file=sys.stderr,
        )
        return 2
    index = {}
    if args.what in ("table", "all") and args.suite == "bench":
        # read before anything is written: a broken index must not leave a half-updated suite
        try:
            index = load_index(results)
        except InvestigationIndexError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    runs = load_runs(results, args.suite)
    print(
        f"{args.suite}: {len(runs)} finished runs, {len(runs.failed)} failed, "
        f"{len(runs.unfinished)} unfinished, {len(runs.notes)} skipped"
    )
    if args.what in ("table", "all"):
        table = write_table(runs, suite_dir, args.suite, **universe(args.suite))
        estimates, notes = aggregate_outputs(runs, suite_dir, args.suite)
        print(f"wrote {suite_dir / 'table.md'}, table.csv, runtime.csv, runs.csv, aggregate.csv")
        if args.suite == "bench":
            from analysis.report import write_report

            md = (suite_dir / "table.md").read_text(encoding="utf-8")
            command = "python -m analysis " + " ".join(argv if argv is not None else sys.argv[1:])
            report = write_report(
                results,
                args.suite,
                md,
                estimates,
                notes,
                command,
                runs.summaries,
                below=below_section(table, index),
            )
            print(f"wrote {report}")
        del table
    if args.what in ("curves", "all"):
        # the runs the table uses: a run with a shorter budget than its cell's stays out of both
        curves, notes = load_curves(consistent_steps(runs))
        for note in notes:
            print(f"note: {note}")
        plot_curves(curves, suite_dir / "curves.png", f"suite {args.suite}")
        print(f"wrote {suite_dir / 'curves.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
