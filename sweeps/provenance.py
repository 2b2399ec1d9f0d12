"""Where a run's numbers came from: code version, library versions and the CPU."""

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


# the instruction-set features that decide which math kernels TensorFlow/XLA and NumPy run; two
# machines that differ here round differently (a resumed run then continues, but not bit for bit)
SIMD_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")


def cpu_flags() -> list[str]:
    """The :data:`SIMD_FLAGS` this CPU has (Linux; empty where /proc/cpuinfo is not readable)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                have = set(line.split(":", 1)[1].split())
                return [f for f in SIMD_FLAGS if f in have]
    except OSError:
        pass
    return []


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def code_changes() -> str | None:
    """``git status --porcelain`` of the code paths, new files included (a new algorithm is
    usually an untracked ``algos/<name>.py``); None outside a git checkout."""
    return _git("status", "--porcelain", "--untracked-files=all", "--", *CODE_PATHS)


@lru_cache(maxsize=1)
def provenance() -> dict[str, object]:
    """The code version and library versions of this process, read once, on the first call:
    ``sweeps.runner`` calls it when it is imported, so a checkout changed while a long run
    trains does not get credited with that run."""
    status = code_changes()
    return {
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": None if status is None else bool(status),
        "python": platform.python_version(),
        "tensorflow": _version("tensorflow-cpu") or _version("tensorflow"),
        "gymnasium": _version("gymnasium"),
        "mujoco": _version("mujoco"),
        "numpy": _version("numpy"),
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cpu_count": os.cpu_count(),
    }
