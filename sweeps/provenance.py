"""Where a run's numbers came from: code version and library versions."""

from __future__ import annotations

import os
import platform
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# what "dirty" looks at: the code and its pins, not results/ (a sweep writes there as it runs)
CODE_PATHS = ("algos", "envs", "sweeps", "analysis", "pyproject.toml", "Makefile")


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@lru_cache(maxsize=1)
def provenance() -> dict[str, object]:
    """The code version and library versions of this process, read once, on the first call:
    ``sweeps.runner`` calls it when it is imported, so a checkout changed while a long run
    trains does not get credited with that run."""
    status = _git("status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS)
    return {
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": None if status is None else bool(status),
        "python": platform.python_version(),
        "tensorflow": _version("tensorflow-cpu") or _version("tensorflow"),
        "gymnasium": _version("gymnasium"),
        "mujoco": _version("mujoco"),
        "numpy": _version("numpy"),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
    }
