"""A run's summary credits the code its process loaded, not whatever the checkout holds later."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_commit_is_read_when_the_runner_is_imported():
    code = (
        "import sweeps.runner\n"
        "from sweeps.provenance import provenance\n"
        "print(provenance.cache_info().currsize)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "1"  # cached before any run ends


def test_dirty_flag_ignores_results():
    from sweeps.provenance import CODE_PATHS

    assert "results" not in CODE_PATHS and {"algos", "envs", "sweeps"} <= set(CODE_PATHS)


def test_dirty_flag_sees_a_new_untracked_algorithm(tmp_path):
    from sweeps.provenance import code_changes

    probe = REPO / "algos" / "zz_untracked_probe.py"
    probe.write_text("# an algorithm not yet committed\n")
    try:
        assert "algos/zz_untracked_probe.py" in (code_changes() or "")
    finally:
        probe.unlink()
    assert "zz_untracked_probe" not in (code_changes() or "")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux /proc only")
def test_peak_memory_restarts_for_each_run_of_a_process():
    import numpy as np

    from sweeps.runner import peak_memory_mb, reset_peak_memory

    block = np.ones(300 * 2**20 // 8)  # 300 MB touched
    before = peak_memory_mb()
    del block
    reset_peak_memory()
    after = peak_memory_mb()
    assert before is not None and after is not None and after < before - 200


@pytest.mark.skipif(not Path("/proc/cpuinfo").exists(), reason="Linux /proc only")
def test_cpu_flags_name_the_simd_features_present():
    from sweeps.provenance import SIMD_FLAGS, cpu_flags, provenance

    flags = cpu_flags()
    have = set(Path("/proc/cpuinfo").read_text().split("flags", 1)[1].split("\n", 1)[0].split())
    assert flags == [f for f in SIMD_FLAGS if f in have]
    assert provenance()["cpu_flags"] == flags


def test_a_resumed_runs_origin_is_one_mixed_or_unknown():
    from analysis.load import segments_origin

    here = {"git_commit": "a", "cpu": "X", "cpu_flags": ["avx2"], "tensorflow": "2.21.0"}
    there = {**here, "cpu_flags": ["avx2", "avx512f"]}
    assert segments_origin({"resumed_from_step": None}) == "one"  # one process, no segments
    assert segments_origin({"resumed_from_step": 5, "segments": [here, here]}) == "one"
    assert segments_origin({"resumed_from_step": 5, "segments": [here, there]}) == "mixed"
    # resumed before segments were recorded, or from such a checkpoint
    assert segments_origin({"resumed_from_step": 5}) == "unknown"
    old = {"from_step": 0, "provenance": "not recorded"}
    assert segments_origin({"resumed_from_step": 5, "segments": [old, here]}) == "unknown"
