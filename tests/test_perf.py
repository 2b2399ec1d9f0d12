"""sweeps.perf's printing helpers (the measurements themselves are benchmarks, never tests)."""

from sweeps.perf import _hms


def test_durations_keep_seconds_under_an_hour():
    # an on-policy 500k run can take under a minute: "0h00m" would hide it
    assert _hms(29.4) == "0m29s"
    assert _hms(247) == "4m07s"
    assert _hms(3900) == "1h05m"
