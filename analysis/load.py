"""Read run folders under ``<results>/<suite>/`` into pandas, skipping what cannot be trusted.

Nothing here unpickles or evaluates anything: summaries are JSON, curves are CSV. A run that is
unfinished, failed or unreadable is left out of the numbers and described in ``notes``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED = ("algo", "task", "seed", "steps", "final_return", "status")
LATE_EVALS = 10  # evaluations averaged for ``late_return`` (the TD3 author's advice, sfujim/TD3#34)


def late_return(run_dir: Path, n: int = LATE_EVALS, column: str = "return_mean") -> float:
    """Mean return of a run's last ``n`` evaluations (NaN if eval.csv is unusable or lacks them).

    One evaluation is a noisy reading of a policy that still moves: SAC Hopper-v4 seed 0 read
    3252 at 490k and 1751 at 500k. This is shown beside the final return, never instead of it.
    ``column`` is ``return_mean`` (deterministic policy) or ``stochastic_return_mean`` (sampled
    actions; NaN unless each of the last ``n`` evaluations recorded it).
    """
    try:
        values = pd.to_numeric(pd.read_csv(run_dir / "eval.csv")[column], errors="coerce")
    except (OSError, ValueError, KeyError, pd.errors.ParserError):
        return float("nan")
    if column == "return_mean":
        values = values.dropna()
    if len(values) < n:  # fewer would reach back to the untrained policy of step 0
        return float("nan")
    last = values.iloc[-n:]
    # a sampled mean over fewer evaluations would not be the same window as the deterministic one
    if last.empty or last.isna().any():
        return float("nan")
    return float(last.mean())


def read_curve(run_dir: Path) -> pd.DataFrame:
    """``step`` and ``return_mean`` of a run's ``eval.csv``, rows that are not numbers dropped.

    Raises OSError, ValueError, KeyError or ParserError when the file cannot give them."""
    df = pd.read_csv(run_dir / "eval.csv")[["step", "return_mean"]]
    return df.apply(pd.to_numeric, errors="coerce").dropna()


def curve_mean(run_dir: Path, steps: int) -> float:
    """Mean return over a whole run: the area under its deterministic learning curve (trapezoid
    rule over the evaluation steps) divided by the steps it spans.

    Two runs that end at one return differ here when one got there sooner (SAC Humanoid-v4 seeds
    started walking anywhere between 300k and 490k). NaN unless eval.csv has an evaluation at
    step 0 and one at or past ``steps`` (the run's budget), so every run spans the same interval.
    """
    try:
        df = read_curve(run_dir)
    except (OSError, ValueError, KeyError, pd.errors.ParserError):
        return float("nan")
    df = df.drop_duplicates("step", keep="last").sort_values("step")
    x, y = df["step"].to_numpy(float), df["return_mean"].to_numpy(float)
    if x.size < 2 or x[0] != 0 or x[-1] < steps:
        return float("nan")
    return float(((y[1:] + y[:-1]) / 2 * np.diff(x)).sum() / (x[-1] - x[0]))


@dataclass
class Runs:
    """Finished runs (one row per run) plus notes on everything that was skipped."""

    summaries: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.summaries)


def run_dirs(suite_dir: Path) -> list[Path]:
    """Every ``<algo>/<task>/seed_<k>`` folder under a suite folder."""
    return sorted(p for p in suite_dir.glob("*/*/seed_*") if p.is_dir())


# what decides a run's numbers besides its config: a run trained in segments that differ here was
# not computed as one uninterrupted process would have computed it
ORIGIN_KEYS = ("git_commit", "cpu", "cpu_flags", "tensorflow", "numpy", "mujoco", "gymnasium")


def segments_origin(summary: dict) -> str:
    """``one`` (trained by one process, or resumed under the same code, libraries and CPU),
    ``mixed`` (resumed under other ones) or ``unknown`` (resumed, and a part was not recorded)."""
    segments = summary.get("segments")
    if not isinstance(segments, list) or not segments:
        return "unknown" if summary.get("resumed_from_step") is not None else "one"
    if not all(isinstance(seg, dict) and "git_commit" in seg for seg in segments):
        return "unknown"
    first = {k: segments[0].get(k) for k in ORIGIN_KEYS}
    return "one" if all({k: s.get(k) for k in ORIGIN_KEYS} == first for s in segments) else "mixed"


def _started_at_commit(summary: dict, provenance: dict) -> str:
    """The commit a run's first part trained under: ``provenance`` describes the latest process,
    so a resumed run's own record of its first segment comes first."""
    segments = summary.get("segments")
    first = segments[0] if isinstance(segments, list) and segments else None
    commit = first.get("git_commit") if isinstance(first, dict) else None
    return str(commit or provenance.get("git_commit") or "unknown")


def _int_or(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# a row of Runs.summaries: one finished run
SUMMARY_COLUMNS = [
    "algo",
    "task",
    "seed",
    "steps",
    "steps_target",
    "final_return",
    "final_return_stochastic",
    "late_return",
    "late_return_stochastic",
    "wall_time_s",
    "steps_per_s",
    "peak_memory_mb",
    "cpu",
    "cpu_count",
    "commit",
    "git_dirty",
    "resumed",
    "origin",
    "run_dir",
]


def load_runs(results: Path | str, suite: str) -> Runs:
    suite_dir = Path(results) / suite
    rows, runs = [], Runs(pd.DataFrame())
    for run_dir in run_dirs(suite_dir):
        rel = run_dir.relative_to(suite_dir).as_posix()
        path = run_dir / "summary.json"
        if not path.exists():
            runs.unfinished.append(rel)
            continue
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(summary, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as err:
            runs.notes.append(f"{rel}: unreadable summary.json ({err}); skipped")
            continue
        if summary.get("status") != "done":
            runs.failed.append(f"{rel}: {summary.get('reason') or summary.get('status')}")
            continue
        missing = [k for k in REQUIRED if summary.get(k) is None]
        if missing:
            runs.notes.append(f"{rel}: summary.json lacks {', '.join(missing)}; skipped")
            continue
        try:
            final = float(summary["final_return"])
        except (TypeError, ValueError):
            runs.notes.append(f"{rel}: final_return is not a number; skipped")
            continue
        try:  # optional: runs of stochastic policies made since the field exists
            sampled = float(summary.get("final_return_stochastic"))
        except (TypeError, ValueError):
            sampled = float("nan")
        prov = summary.get("provenance")
        prov = prov if isinstance(prov, dict) else {}
        rows.append(
            {
                "algo": str(summary["algo"]),
                "task": str(summary["task"]),
                "seed": summary["seed"],
                "steps": int(summary["steps"]),
                # the budget asked for: a run of 64 envs stops at 500,032 for a budget of 500,000
                "steps_target": _int_or(summary.get("steps_target"), int(summary["steps"])),
                "final_return": final,
                "final_return_stochastic": sampled,
                "late_return": late_return(run_dir),
                "late_return_stochastic": late_return(run_dir, column="stochastic_return_mean"),
                "wall_time_s": summary.get("wall_time_s"),
                "steps_per_s": summary.get("steps_per_s"),
                "peak_memory_mb": summary.get("peak_memory_mb"),  # runs before 2026-12-02: none
                # where it ran: wall times are only comparable between runs of one CPU model
                "cpu": str(prov.get("cpu") or "unknown"),
                "cpu_count": prov.get("cpu_count"),
                "commit": _started_at_commit(summary, prov),
                "git_dirty": prov.get("git_dirty"),
                "resumed": summary.get("resumed_from_step") is not None,
                "origin": segments_origin(summary),
                "run_dir": str(run_dir),
            }
        )
    runs.summaries = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    return runs


def load_curves(runs: Runs | pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Concatenate the ``eval.csv`` of every run given (``Runs``: every finished run; a frame of
    its rows: those, e.g. the table's, after ``consistent_steps``): algo, task, seed, step,
    return_mean."""
    frames, notes = [], []
    summaries = runs.summaries if isinstance(runs, Runs) else runs
    for row in summaries.itertuples():
        try:
            df = read_curve(Path(row.run_dir))
        except (OSError, ValueError, KeyError, pd.errors.ParserError) as err:
            notes.append(f"{row.algo}/{row.task}/seed_{row.seed}: unreadable eval.csv ({err})")
            continue
        frames.append(df.assign(algo=row.algo, task=row.task, seed=row.seed))
    if not frames:
        return pd.DataFrame(columns=["algo", "task", "seed", "step", "return_mean"]), notes
    return pd.concat(frames, ignore_index=True), notes
