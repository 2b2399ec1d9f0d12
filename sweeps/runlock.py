"""One process per run folder: an advisory lock, so that two sweeps can share a queue.

Launching the same sweep twice (a second ``make bench`` while the first runs in the background,
two SLURM arrays over the same grid, a sweep re-run after a crash that left a worker alive) would
otherwise train one run folder from two processes, each overwriting the other's CSVs and
checkpoints. Each run takes an exclusive ``flock`` on ``<run folder>/.lock`` for as long as it
trains; a process that finds the lock held skips that run and goes on with the rest of its sweep.
The kernel drops the lock when its holder exits, however it exits, so a crash never leaves a stale
lock behind. The file itself stays (removing it would race with a process opening it); it is
git-ignored and holds the pid of the last process that took it.
"""

from __future__ import annotations

import fcntl
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".lock"


@contextmanager
def hold(run_dir: Path) -> Iterator[bool]:
    """Try to take ``run_dir``'s lock without waiting; yield whether this process holds it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        except OSError as err:  # a file system without locks (Lustre mounted without -o flock)
            warnings.warn(
                f"cannot lock {run_dir / LOCK_NAME} ({err.strerror}); training it unlocked: "
                "do not launch the same sweep twice on this file system",
                stacklevel=3,
            )
            yield True
            return
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
