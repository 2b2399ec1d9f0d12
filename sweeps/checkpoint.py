"""Checkpoints inside a run folder, written atomically, read back without unpickling.

Layout of ``<run_dir>/checkpoint/``:

- ``agent.*`` — ``tf.train.Checkpoint(agent=agent)``: networks, targets, optimiser slots, TF RNGs;
- ``state.json`` — the run's bookkeeping, the agent's non-TF state (normalisers, NumPy RNG), the
  environments' simulator states, the rows recorded so far;
- ``<name>.npz`` — registered loop state such as the replay buffer (``allow_pickle=False``).

A new checkpoint is written to ``checkpoint.tmp/`` and swapped in by renames; the previous one
survives as ``checkpoint.old/`` until the swap is complete, so a crash at any moment leaves a
complete checkpoint behind.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

CURRENT, OLD, TMP = "checkpoint", "checkpoint.old", "checkpoint.tmp"


class CheckpointError(RuntimeError):
    """A checkpoint that exists but cannot be read back."""


def find(run_dir: Path) -> Path | None:
    """The newest complete checkpoint of a run, if any."""
    for name in (CURRENT, OLD):
        path = run_dir / name
        if (path / "state.json").is_file():
            return path
    return None


def _fsync_tree(path: Path) -> None:
    for file in path.rglob("*"):
        if file.is_file():
            with open(file, "rb") as f:
                os.fsync(f.fileno())


def save(run_dir: Path, agent: tf.Module, state: dict[str, Any], extras: dict[str, Any]) -> None:
    tmp, current, old = run_dir / TMP, run_dir / CURRENT, run_dir / OLD
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tf.train.Checkpoint(agent=agent).write(str(tmp / "agent"))
    for name, obj in extras.items():
        arrays = {k: np.asarray(v) for k, v in obj.numpy_state().items()}
        np.savez(tmp / f"{name}.npz", **arrays)
    (tmp / "state.json").write_text(json.dumps(state), encoding="utf-8")
    _fsync_tree(tmp)
    if current.exists():
        shutil.rmtree(old, ignore_errors=True)
        current.rename(old)
    tmp.rename(current)
    shutil.rmtree(old, ignore_errors=True)


def load_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads((path / "state.json").read_text(encoding="utf-8"))
        if not isinstance(state, dict) or "step" not in state:
            raise ValueError("state.json has no step")
        return state
    except (OSError, ValueError) as err:
        raise CheckpointError(f"corrupted checkpoint {path}: {err}") from None


def load_agent(path: Path, agent: tf.Module) -> None:
    try:
        status = tf.train.Checkpoint(agent=agent).read(str(path / "agent"))
        status.assert_existing_objects_matched()
    except (tf.errors.OpError, AssertionError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointError(f"corrupted checkpoint {path}: {first}") from None


NPZ_ERRORS = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)


def read_extras(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """Every array of the checkpoint's ``.npz`` files (the replay buffer's), by file stem: a
    truncated or damaged file is a ``CheckpointError`` now, before the run writes anything. Read
    once: a replay buffer's file can be gigabytes."""
    extras = {}
    for npz in sorted(Path(path).glob("*.npz")):
        try:
            with np.load(npz, allow_pickle=False) as data:
                extras[npz.stem] = {key: data[key] for key in data.files}
        except NPZ_ERRORS as err:
            raise CheckpointError(f"corrupted checkpoint {path} ({npz.name}): {err}") from None
    return extras


def load_extra(path: Path, name: str, obj: Any, arrays: dict[str, np.ndarray] | None) -> None:
    """Load ``obj`` from its arrays of :func:`read_extras` (``None``: its file is missing)."""
    try:
        if arrays is None:
            raise FileNotFoundError(f"no {name}.npz")
        obj.load_numpy_state(arrays)
    except NPZ_ERRORS as err:
        raise CheckpointError(f"corrupted checkpoint {path} ({name}.npz): {err}") from None


def remove(run_dir: Path) -> None:
    """Delete a run's checkpoints (after it finished: they are no longer needed)."""
    for name in (CURRENT, OLD, TMP):
        shutil.rmtree(run_dir / name, ignore_errors=True)
