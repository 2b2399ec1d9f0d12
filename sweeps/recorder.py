"""Writes a run folder: config.yaml, eval.csv, train.csv, updates.csv, summary.json — atomically.

Every file is written to a temporary name in the same folder and renamed into place, so a reader
(``make table`` during a sweep) sees either the previous complete file or the new one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

EVAL_COLUMNS = (
    "step",
    "return_mean",
    "return_std",
    "length_mean",
    "episodes",
    "wall_time_s",
    # stochastic policies only (blank otherwise): the same episodes with sampled actions
    "stochastic_return_mean",
    "stochastic_return_std",
)
TRAIN_COLUMNS = ("step", "episode_return", "episode_length")
# then the keys the agent's update returns (losses, Q, SAC's alpha and entropy, PPO's KL ...)
UPDATE_COLUMNS = ("step", "update_calls")


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv_text(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


class UpdateMeans:
    """Sums of the update statistics since the last ``updates.csv`` row, and their means.

    Counted per statistic: a run resumed under a newer version can report a statistic its
    earlier calls did not, and its mean must cover only the calls that reported it.
    """

    def __init__(self) -> None:
        self.calls = 0
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, stats: dict[str, float]) -> None:
        self.calls += 1
        for key, value in stats.items():
            self.sums[key] = self.sums.get(key, 0.0) + float(value)
            self.counts[key] = self.counts.get(key, 0) + 1

    def pop(self) -> tuple[int, dict[str, float]]:
        """(training calls, mean of each statistic) since the last pop; starts afresh."""
        calls, means = self.calls, {k: v / self.counts[k] for k, v in self.sums.items()}
        self.calls, self.sums, self.counts = 0, {}, {}
        return calls, means

    def state(self) -> dict[str, Any]:
        return {"update_sums": self.sums, "update_count": self.calls, "update_counts": self.counts}

    def load(self, state: dict[str, Any]) -> None:
        """From a checkpoint's state; older checkpoints lack some keys (absent: nothing yet)."""
        self.sums = {k: float(v) for k, v in state.get("update_sums", {}).items()}
        self.calls = int(state.get("update_count", 0))
        # checkpoints made before per-statistic counts: every statistic came from every call
        counts = state.get("update_counts") or dict.fromkeys(self.sums, self.calls)
        self.counts = {k: int(v) for k, v in counts.items()}


class Recorder:
    """Collects rows in memory and flushes whole files atomically."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.eval_rows: list[dict[str, Any]] = []
        self.train_rows: list[dict[str, Any]] = []
        self.update_rows: list[dict[str, Any]] = []

    def write_config(self, config: dict[str, Any]) -> None:
        atomic_write(self.run_dir / "config.yaml", yaml.safe_dump(config, sort_keys=False))

    def add_episode(self, step: int, episode_return: float, episode_length: int) -> None:
        self.train_rows.append(
            {
                "step": step,
                "episode_return": round(float(episode_return), 4),
                "episode_length": int(episode_length),
            }
        )

    def add_eval(self, row: dict[str, Any]) -> None:
        self.eval_rows.append(row)

    def add_updates(self, step: int, calls: int, means: dict[str, float]) -> None:
        """Mean of each statistic over the ``calls`` training calls since the last row."""
        row: dict[str, Any] = {"step": step, "update_calls": calls}
        row.update({k: float(f"{v:.6g}") for k, v in means.items()})
        self.update_rows.append(row)

    def flush(self) -> None:
        atomic_write(self.run_dir / "eval.csv", _csv_text(EVAL_COLUMNS, self.eval_rows))
        atomic_write(self.run_dir / "train.csv", _csv_text(TRAIN_COLUMNS, self.train_rows))
        if self.update_rows:
            # every row's keys: a run resumed under a newer version may log more statistics
            stats = tuple(
                dict.fromkeys(k for row in self.update_rows for k in row if k not in UPDATE_COLUMNS)
            )
            atomic_write(
                self.run_dir / "updates.csv", _csv_text(UPDATE_COLUMNS + stats, self.update_rows)
            )

    def write_summary(self, summary: dict[str, Any]) -> None:
        atomic_write(self.run_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
