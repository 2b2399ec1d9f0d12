"""Where a sweep stands: each run's state and the time left, from the run folders alone.

``python -m sweeps.bench bench --plan`` prints this instead of launching anything; a sweep prints
its summary line when it starts. A run is

- ``done`` or ``failed`` (its ``summary.json``);
- ``training``: another process holds its lock (``sweeps/runlock.py``) right now;
- ``interrupted``: it has a checkpoint and nobody trains it; re-running the sweep resumes it;
- ``not started``: nothing to resume (a folder without a checkpoint starts over).

Time left is estimated per run from the wall time per step of the finished runs of the same
(algorithm, task) in the same suite folder (evaluation and start-up included), and for the sweep as
the larger of the longest run left and the total divided by the parallel jobs. Only JSON and CSV
are read, and TensorFlow is not imported, so this is instant on any machine.
"""

from __future__ import annotations

import fcntl
import json
import os
import statistics
from dataclasses import dataclass
from pathlib import Path


@dataclass
class RunState:
    run_dir: Path
    state: str  # done, failed, training, interrupted, not started
    step: int = 0  # latest evaluation recorded (training) or checkpoint step (interrupted)
    checkpoint_step: int = 0
    seconds_left: float | None = None  # None: no finished run of the cell to take a rate from


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run_status(run_dir: Path) -> str | None:
    """``"done"``, ``"failed: <reason>"``, or None while a run has no summary."""
    summary = _read_json(run_dir / "summary.json")
    if summary is None:
        return None
    status = summary.get("status")
    return status if status == "done" else f"failed: {summary.get('reason')}"


def _lock_held(run_dir: Path) -> bool:
    """Whether a training process holds ``run_dir``'s lock (probed without creating anything).

    The probe takes a shared lock for a moment: a run starting in that instant finds its folder
    busy and is skipped by its sweep (reported as such), never trained twice.
    """
    try:
        fd = os.open(run_dir / ".lock", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # a file system without locks: nothing to tell
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _checkpoint_step(run_dir: Path) -> int:
    for name in ("checkpoint", "checkpoint.old"):  # sweeps/checkpoint.py's layout
        state = _read_json(run_dir / name / "state.json")
        if state is not None and isinstance(state.get("step"), int):
            return state["step"]
    return 0


def _last_eval_step(run_dir: Path) -> int:
    try:
        lines = (run_dir / "eval.csv").read_text(encoding="utf-8").strip().splitlines()
        return int(float(lines[-1].split(",")[0])) if len(lines) > 1 else 0
    except (OSError, ValueError, IndexError):
        return 0


def seconds_per_step(cell_dir: Path) -> float | None:
    """Median wall seconds per env step over the finished runs in ``<suite>/<algo>/<task>/``."""
    rates = []
    for summary_path in cell_dir.glob("seed_*/summary.json"):
        s = _read_json(summary_path)
        if s and s.get("status") == "done" and s.get("wall_time_s") and s.get("steps"):
            rates.append(float(s["wall_time_s"]) / float(s["steps"]))
    return statistics.median(rates) if rates else None


def survey(run_dirs: list[Path], steps: int) -> list[RunState]:
    out = []
    rates: dict[Path, float | None] = {}  # per cell: its seeds share one rate
    for run_dir in run_dirs:
        status = run_status(run_dir)
        if status is not None:
            state = "done" if status == "done" else "failed"
            out.append(RunState(run_dir, state, steps, steps, 0.0))
            continue
        ckpt = _checkpoint_step(run_dir) if run_dir.is_dir() else 0
        if run_dir.is_dir() and _lock_held(run_dir):
            state, reached = "training", max(ckpt, _last_eval_step(run_dir))
        elif ckpt:
            state, reached = "interrupted", ckpt
        else:
            state, reached = "not started", 0
        if run_dir.parent not in rates:
            rates[run_dir.parent] = seconds_per_step(run_dir.parent)
        rate = rates[run_dir.parent]
        # an interrupted run retrains from its checkpoint; a training one goes on from where it is
        left = None if rate is None else max(steps - reached, 0) * rate
        out.append(RunState(run_dir, state, reached, ckpt, left))
    return out


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def format_survey(states: list[RunState], jobs: int, root: Path, detail: bool) -> list[str]:
    """A summary line, the estimate, and (``detail``) one line per unfinished run."""
    counts: dict[str, int] = {}
    for s in states:
        counts[s.state] = counts.get(s.state, 0) + 1
    order = ("done", "training", "interrupted", "not started", "failed")
    lines = [
        f"{len(states)} runs: " + ", ".join(f"{counts[k]} {k}" for k in order if counts.get(k))
    ]
    todo = [s for s in states if s.state in ("training", "interrupted", "not started")]
    known = [s.seconds_left for s in todo if s.seconds_left is not None]
    if todo:
        text = "time left: "
        if known:
            wall = max(max(known), sum(known) / max(jobs, 1))
            text += (
                f"about {_hours(wall)} with {jobs} in parallel ({_hours(sum(known))} of runs, "
                "at the wall time per step of the finished runs of each cell)"
            )
        unknown = len(todo) - len(known)
        if unknown:
            text += ("; " if known else "") + f"{unknown} run(s) of cells with no finished run yet"
        lines.append(text)
    if detail:
        for s in states:
            if s.state == "done":
                continue
            where = os.path.relpath(s.run_dir, root)
            extra = ""
            if s.state == "training":
                extra = f" at step {s.step} (checkpoint {s.checkpoint_step})"
            elif s.state == "interrupted":
                extra = f" (resumes from step {s.checkpoint_step})"
            eta = "" if s.seconds_left is None else f", ~{_hours(s.seconds_left)} left"
            lines.append(f"  {where}: {s.state}{extra}{eta}")
    return lines
