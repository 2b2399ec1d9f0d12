"""sweeps.perf's printing helpers (the measurements themselves are benchmarks, never tests)."""

from sweeps.perf import _hms


def test_durations_keep_seconds_under_an_hour():
    # an on-policy 500k run can take under a minute: "0h00m" would hide it
    assert _hms(29.4) == "0m29s"
    assert _hms(247) == "4m07s"
    assert _hms(3900) == "1h05m"


def _estimate(threads, capsys):
    import argparse

    from sweeps.perf import _estimate_suite

    args = argparse.Namespace(suite="bench", task="HalfCheetah-v4", threads=threads)
    rates = {"cpu_steps_per_s": 10_000.0, "steps_per_s": 5_000.0, "eval_cpu_s": 1.0, "eval_s": 2.0}
    _estimate_suite(args, [("a2c", rates, None)])
    return capsys.readouterr().out


def test_suite_estimate_is_for_one_thread_runs_only(capsys):
    # make bench runs one one-thread run per core: a two-thread rate would misstate its wall time
    assert "no `make bench` estimate" in _estimate(2, capsys)
    out = _estimate(1, capsys)
    # 10 tasks x 5 seeds; idle: 500k / 10k + 52 evaluations x 1 s = 102 s per run
    assert "a2c    50 runs x 1m42s each (idle;" in out


def test_ceilings_are_the_simulator_and_the_update_matmuls():
    from sweeps.ceilings import update_flop
    from sweeps.perf import ceiling_rows

    measured = {"env_steps_per_s": 20_000.0, "matmul_gflop": 100.0, "obs_dim": 17, "act_dim": 6}
    td3 = {"learning_starts": 1000, "batch_size": 256, "hidden_sizes": [256, 256]}
    td3["policy_delay"] = 2
    rows = [("ppo", {}, None, {"rollout_steps": 2048}), ("td3", {}, None, td3)]
    (ppo_row, td3_row) = ceiling_rows(rows, measured)
    assert ppo_row == ("ppo", "env.step", 20_000.0)
    update_s = update_flop("td3", 17, 6, td3) / 100e9
    assert td3_row[0] == "td3" and "0.41 GFLOP" in td3_row[1]
    assert td3_row[2] == 1 / (1 / 20_000 + update_s)


def test_rounds_report_each_figures_median_and_any_failure():
    from sweeps.perf import median_of

    rounds = [{"steps_per_s": v, "eval_s": e} for v, e in ((100.0, 3.0), (130.0, 1.0), (90.0, 2.0))]
    assert median_of(rounds) == {"steps_per_s": 100.0, "eval_s": 2.0}
    assert median_of([*rounds, {"error": "exit 1: boom"}]) == {"error": "exit 1: boom"}
