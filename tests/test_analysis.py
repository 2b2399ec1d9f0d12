"""analysis/ on synthetic run folders: broken inputs are noted and skipped, never crash."""

import json

import pandas as pd

from analysis.__main__ import main as analysis_main
from analysis.load import load_runs
from analysis.table import aggregate


def make_run(
    root,
    algo,
    task,
    seed,
    final,
    status="done",
    steps=1000,
    evals=True,
    stochastic=None,
    suite="s",
    cpu=None,
):
    run = root / suite / algo / task / f"seed_{seed}"
    run.mkdir(parents=True)
    if evals:
        pd.DataFrame({"step": [0, steps], "return_mean": [0.0, final]}).to_csv(
            run / "eval.csv", index=False
        )
    summary = {
        "algo": algo,
        "task": task,
        "seed": seed,
        "steps": steps,
        "final_return": final,
        "status": status,
        "wall_time_s": 1.0,
        "steps_per_s": 100.0,
    }
    if stochastic is not None:
        summary["final_return_stochastic"] = stochastic
    if cpu is not None:
        summary["provenance"] = {"cpu": cpu, "cpu_count": 2}
    if status == "failed":
        summary.update(final_return=None, reason="FloatingPointError: non-finite value_loss")
    (run / "summary.json").write_text(json.dumps(summary))
    return run


def test_failed_unfinished_corrupt_and_mismatched_runs_are_left_out(tmp_path):
    make_run(tmp_path, "ppo", "Hopper-v4", 0, 100.0)
    make_run(tmp_path, "ppo", "Hopper-v4", 1, 300.0)
    make_run(tmp_path, "ppo", "Hopper-v4", 2, 0.0, status="failed")
    make_run(tmp_path, "ppo", "Hopper-v4", 3, 5000.0, steps=500)  # shorter run: not mixed in
    (make_run(tmp_path, "ppo", "Hopper-v4", 4, 1.0) / "summary.json").write_text('{"algo": "pp')
    unfinished = tmp_path / "s" / "ppo" / "Hopper-v4" / "seed_5"
    unfinished.mkdir()
    (unfinished / "eval.csv").write_text("step,return_mean\n0,1\n")
    runs = load_runs(tmp_path, "s")
    assert len(runs.failed) == 1 and "non-finite" in runs.failed[0]
    assert runs.unfinished == ["ppo/Hopper-v4/seed_5"]
    table = aggregate(runs)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["n_seeds"] == 2 and row["mean"] == 200.0
    assert any("unreadable summary.json" in n for n in runs.notes)
    assert any("seed_3" in n and "500 steps" in n for n in runs.notes)


def test_analysis_cli_handles_empty_and_missing_suites(tmp_path, capsys):
    assert analysis_main(["all", "--suite", "nothing", "--results", str(tmp_path)]) == 2
    (tmp_path / "empty").mkdir()
    assert analysis_main(["all", "--suite", "empty", "--results", str(tmp_path)]) == 0
    assert "No finished runs yet" in (tmp_path / "empty" / "table.md").read_text()


def test_table_markdown_notes_skipped_runs(tmp_path):
    make_run(tmp_path, "ppo", "Hopper-v4", 0, 2000.0)
    make_run(tmp_path, "ppo", "Hopper-v4", 1, 0.0, status="failed")
    assert analysis_main(["table", "--suite", "s", "--results", str(tmp_path)]) == 0
    md = (tmp_path / "s" / "table.md").read_text()
    # rlpack 2100.74 is above the CI, Tianshou's 1975.8 below it: overall "below"
    # one seed: no spread and no interval are shown (the verdict still uses its return)
    assert "| Hopper-v4 | 2000.0 (1) below |" in md
    assert (
        # last 10: make_run's eval.csv has two evaluations, too few for a last-10 mean
        "| Hopper-v4 | ppo | 1 | 2000.0 | — (one seed) | — | — | 2100.7 | "
        "1975.8 ± 705.2 | 0.03 | — | below | reproduced | deterministic | no reference |" in md
    )
    assert "1 failed" in md and "seed_1" in md


def test_verdicts_not_run_and_na_cells(tmp_path):
    for seed, value in enumerate([2000.0, 2300.0, 2600.0]):
        make_run(tmp_path, "ppo", "Hopper-v4", seed, value)
    runs = load_runs(tmp_path, "s")
    kinds = {
        ("ppo", "CartPole-v1"): False,
        ("ppo", "Hopper-v4"): True,
        ("ppo", "Walker2d-v4"): True,
    }
    table = aggregate(
        runs, algos=["ppo"], tasks=["CartPole-v1", "Hopper-v4", "Walker2d-v4"], kinds=kinds
    ).set_index("task")
    hopper = table.loc["Hopper-v4"]
    assert hopper["ci_high"] >= 2100.74 and hopper["verdict"] == "reproduced"
    assert table.loc["CartPole-v1", "verdict"] == "n/a"
    assert table.loc["Walker2d-v4", "verdict"] == "not run"
    assert table.loc["Walker2d-v4", "n_seeds"] == 0


def test_runtime_table_and_aggregate_files(tmp_path):
    for seed in range(3):
        make_run(tmp_path, "ppo", "Hopper-v4", seed, 1000.0 + 100 * seed)
        make_run(tmp_path, "trpo", "Hopper-v4", seed, 500.0 + 100 * seed)
    assert analysis_main(["table", "--suite", "s", "--results", str(tmp_path)]) == 0
    runtime = pd.read_csv(tmp_path / "s" / "runtime.csv")
    assert set(runtime["algo"]) == {"ppo", "trpo"} and (runtime["steps_per_s"] == 100).all()
    assert runtime["peak_memory_mb"].isna().all()  # runs that did not record it: none made up
    agg = pd.read_csv(tmp_path / "s" / "aggregate.csv")
    assert set(agg["metric"]) == {"IQM", "mean"}
    poi = pd.read_csv(tmp_path / "s" / "probability_of_improvement.csv")
    row = poi[(poi["x"] == "ppo") & (poi["y"] == "trpo")].iloc[0]
    assert row["p"] > 0.8  # every ppo run beats the trpo runs but one tie-free pair
    assert (tmp_path / "s" / "aggregate_continuous.png").exists()


def test_discrete_action_runs_do_not_keep_the_mujoco_tasks_out_of_the_aggregate(tmp_path):
    # DQN cannot act in Hopper: one aggregate over every algorithm would have no task at all
    for seed in range(2):
        make_run(tmp_path, "ppo", "Hopper-v4", seed, 1000.0 + 100 * seed, suite="bench")
        make_run(tmp_path, "trpo", "Hopper-v4", seed, 500.0 + 100 * seed, suite="bench")
        make_run(tmp_path, "dqn", "CartPole-v1", seed, 500.0, suite="bench")
    assert analysis_main(["table", "--suite", "bench", "--results", str(tmp_path)]) == 0
    agg = pd.read_csv(tmp_path / "bench" / "aggregate.csv")
    continuous = agg[agg["actions"] == "continuous"]
    assert set(continuous["algo"]) == {"ppo", "trpo"}
    assert (continuous["tasks"] == 1).all() and (continuous["runs_per_task"] == 2).all()
    # DQN's family is aggregated on its own: CartPole between its random return (22.9) and
    # CleanRL's 488.69
    discrete = agg[agg["actions"] == "discrete"]
    assert set(discrete["algo"]) == {"dqn"} and (discrete["tasks"] == 1).all()
    iqm = discrete[discrete["metric"] == "IQM"]["point"].iloc[0]
    assert abs(iqm - (500.0 - 22.9) / (488.69 - 22.9)) < 1e-3  # aggregate.csv keeps 4 decimals
    poi = pd.read_csv(tmp_path / "bench" / "probability_of_improvement.csv")
    assert set(poi["x"]) == {"ppo", "trpo"}  # no pair across families
    assert (tmp_path / "bench" / "aggregate_continuous.png").exists()
    assert (tmp_path / "bench" / "aggregate_discrete.png").exists()
    front = (tmp_path / "README.md").read_text()
    assert "| continuous | ppo |" in front and "aggregate_continuous.png" in front
    assert "| discrete | dqn |" in front


def test_dqn_cells_are_judged_against_cleanrl(tmp_path):
    # CleanRL dqn.py at 500k: Acrobot -91.54 ± 7.20, MountainCar -194.95 ± 8.48 (3 seeds)
    for seed, (acrobot, car) in enumerate([(-85.0, -200.0), (-88.0, -199.0)]):
        make_run(tmp_path, "dqn", "Acrobot-v1", seed, acrobot)
        make_run(tmp_path, "dqn", "MountainCar-v0", seed, car)
    table = aggregate(load_runs(tmp_path, "s")).set_index("task")
    acro, car = table.loc["Acrobot-v1"], table.loc["MountainCar-v0"]
    assert acro["cleanrl"] == -91.54 and acro["cleanrl_std"] == 7.2
    assert acro["verdict_cleanrl"] == "reproduced" and acro["verdict"] == "reproduced"
    assert car["verdict_cleanrl"] == "below" and car["verdict"] == "below"
    assert car["verdict_rlpack"] == "no reference" and car["verdict_tianshou"] == "no reference"
    md = tmp_path / "t.md"
    from analysis.table import runtime_table, to_markdown

    runs = load_runs(tmp_path, "s")
    md.write_text(to_markdown(aggregate(runs), runtime_table(runs), runs, "s"))
    assert "| Acrobot-v1 | dqn | 2 |" in md.read_text() and "-91.5 ± 7.2 |" in md.read_text()


def test_runtimes_are_kept_apart_per_cpu_and_the_front_page_names_each_machine(tmp_path):
    # one cell, two machines: a mean wall time over both would describe neither
    for seed, cpu in enumerate(["AMD EPYC", "Intel(R) Xeon(R) Processor", "AMD EPYC"]):
        make_run(tmp_path, "ppo", "Hopper-v4", seed, 2000.0, suite="bench", cpu=cpu)
    make_run(tmp_path, "trpo", "Hopper-v4", 0, 900.0, suite="bench")  # no provenance recorded
    assert analysis_main(["table", "--suite", "bench", "--results", str(tmp_path)]) == 0
    runtime = pd.read_csv(tmp_path / "bench" / "runtime.csv")
    ppo = runtime[runtime["algo"] == "ppo"].set_index("cpu")["n"].to_dict()
    assert ppo == {"AMD EPYC": 2, "Intel(R) Xeon(R) Processor": 1}
    assert runtime[runtime["algo"] == "trpo"]["cpu"].tolist() == ["unknown"]
    assert "| Hopper-v4 | ppo | AMD EPYC | 2 |" in (tmp_path / "bench" / "table.md").read_text()
    page = (tmp_path / "README.md").read_text()
    assert (
        "- runs made on: AMD EPYC (2 cores): 2 runs; Intel(R) Xeon(R) Processor (2 cores): 1 run; "
        "unknown (? cores): 1 run" in page
    )


def test_front_page_counts_resumed_runs_by_origin(tmp_path):
    here = {"git_commit": "a", "cpu": "X", "cpu_flags": ["avx2"], "cpu_count": 2}
    there = {**here, "cpu_flags": ["avx2", "avx512f"]}
    for seed, segments in enumerate([None, [here, here], [here, there], "absent"]):
        run = make_run(tmp_path, "ppo", "Hopper-v4", seed, 2000.0, suite="bench", cpu="X")
        if segments is None:
            continue
        summary = json.loads((run / "summary.json").read_text())
        summary["resumed_from_step"] = 500
        if segments != "absent":
            summary["segments"] = segments
        (run / "summary.json").write_text(json.dumps(summary))
    assert analysis_main(["table", "--suite", "bench", "--results", str(tmp_path)]) == 0
    page = (tmp_path / "README.md").read_text()
    assert (
        "- 3 run(s) resumed from a checkpoint in a later process: 1 under the same code, "
        "libraries and CPU features, 1 under other ones" in page
    )
    assert "1 made before runs recorded each part's origin" in page


def test_last_ten_evaluations_are_a_diagnostic_beside_the_final_return(tmp_path):
    # seed 0 dips at its final evaluation (the SAC Hopper pattern); seed 1 has no usable eval.csv
    run = make_run(tmp_path, "sac", "Hopper-v4", 0, 1750.0)
    returns = [0.0, 100.0] + [3000.0] * 9 + [1750.0]  # 12 evaluations: the last 10 are used
    steps = [10_000 * i for i in range(12)]
    pd.DataFrame({"step": steps, "return_mean": returns}).to_csv(run / "eval.csv", index=False)
    (make_run(tmp_path, "sac", "Hopper-v4", 1, 1900.0) / "eval.csv").write_text("garbage\n")
    runs = load_runs(tmp_path, "s")
    late = runs.summaries.set_index("seed")["late_return"]
    assert late[0] == (9 * 3000.0 + 1750.0) / 10  # evaluations 3..12
    assert pd.isna(late[1])
    row = aggregate(runs).iloc[0]
    assert row["late_mean"] == late[0]  # NaN seeds are skipped, not counted as 0
    assert row["mean"] == 1825.0 and row["verdict"] == "below"  # verdicts use the final return


def test_last_100k_is_compared_with_tianshous_window_on_the_verdicts_metric(tmp_path):
    # Tianshou Hopper over (400k, 500k]: PPO 1836.4 ± 544.6 (sampled), SAC 3296.5 ± 322.9
    # (deterministic), TRPO 938.5 without a std
    def evals(run, det, sampled):
        frame = {"step": [10_000 * i for i in range(12)], "return_mean": det}
        if sampled is not None:
            frame["stochastic_return_mean"] = sampled
        pd.DataFrame(frame).to_csv(run / "eval.csv", index=False)

    ppo = make_run(tmp_path, "ppo", "Hopper-v4", 0, 3000.0, stochastic=2000.0)
    evals(ppo, [3000.0] * 12, [0.0, 0.0] + [2381.0] * 10)  # only the last 10 count
    sac = make_run(tmp_path, "sac", "Hopper-v4", 0, 3000.0, stochastic=3100.0)
    evals(sac, [0.0, 0.0] + [2650.7] * 10, [5000.0] * 12)
    trpo = make_run(tmp_path, "trpo", "Hopper-v4", 0, 900.0, stochastic=900.0)
    evals(trpo, [900.0] * 12, [900.0] * 12)
    # a2c: sampled final, but one of the last 10 evaluations lacks a sampled return
    a2c = make_run(tmp_path, "a2c", "Hopper-v4", 0, 800.0, stochastic=800.0)
    evals(a2c, [800.0] * 12, [800.0] * 11 + [None])
    table = aggregate(load_runs(tmp_path, "s")).set_index("algo")
    assert table.loc["ppo", "late_stochastic_mean"] == 2381.0
    assert abs(table.loc["ppo", "tianshou_late_z"] - (2381.0 - 1836.4) / 544.6) < 1e-9
    assert abs(table.loc["sac", "tianshou_late_z"] - (2650.7 - 3296.5) / 322.9) < 1e-9
    assert table.loc["trpo", "tianshou_late"] == 938.5
    assert pd.isna(table.loc["trpo", "tianshou_late_z"])  # no published spread
    # judged on sampled returns, but no sampled window: no z rather than another metric's
    assert table.loc["a2c", "tianshou_metric"] == "stochastic"
    assert pd.isna(table.loc["a2c", "late_stochastic_mean"])
    assert pd.isna(table.loc["a2c", "tianshou_late_z"])
    assert analysis_main(["table", "--suite", "s", "--results", str(tmp_path)]) == 0
    page = (tmp_path / "s" / "table.md").read_text()
    assert "| Hopper-v4 | ppo | 1 | 2381.0 | stochastic | 1836.4 ± 544.6 | 1.00 |" in page
    assert "| Hopper-v4 | trpo | 1 | 900.0 | stochastic | 938.5 | — |" in page


def test_tianshou_on_policy_cells_are_judged_on_the_sampled_policy(tmp_path):
    # Tianshou Hopper: PPO 1975.8, A2C 729.2 (sampled-policy returns), SAC 3153.8 (deterministic)
    for seed, (det, sampled) in enumerate([(1000.0, 2500.0), (1100.0, 2600.0)]):
        make_run(tmp_path, "ppo", "Hopper-v4", seed, det, stochastic=sampled)
        make_run(tmp_path, "a2c", "Hopper-v4", seed, det / 2, stochastic=sampled if seed else None)
        make_run(tmp_path, "sac", "Hopper-v4", seed, det, stochastic=9000.0)
    table = aggregate(load_runs(tmp_path, "s")).set_index("algo")
    ppo, a2c, sac = table.loc["ppo"], table.loc["a2c"], table.loc["sac"]
    assert ppo["tianshou_metric"] == "stochastic" and ppo["verdict_tianshou"] == "reproduced"
    assert ppo["verdict_rlpack"] == "below"  # rlpack's 2100.74, against the deterministic return
    assert ppo["stochastic_mean"] == 2550.0
    # one seed without a sampled return: the whole cell falls back to the deterministic one
    assert a2c["tianshou_metric"] == "deterministic" and a2c["verdict_tianshou"] == "below"
    assert pd.isna(a2c["stochastic_mean"])
    # SAC's Tianshou reference is deterministic: its sampled return does not count
    assert sac["tianshou_metric"] == "deterministic" and sac["verdict_tianshou"] == "below"
    # z: distance from Tianshou's mean in its seed stds, on the metric the verdict used
    assert abs(ppo["tianshou_z"] - (2550.0 - 1975.8) / 705.2) < 1e-9
    assert abs(sac["tianshou_z"] - (1050.0 - 3153.8) / 689.3) < 1e-9


def test_tianshou_z_is_empty_without_a_spread_or_a_reference(tmp_path):
    # Tianshou's TD3 InvertedPendulum is 1000.0 ± 0.0; rlpack-only HumanoidStandup has no Tianshou
    make_run(tmp_path, "td3", "InvertedPendulum-v4", 0, 1000.0)
    make_run(tmp_path, "ppo", "HumanoidStandup-v4", 0, 90000.0)
    table = aggregate(load_runs(tmp_path, "s")).set_index(["algo", "task"])
    assert table.loc[("td3", "InvertedPendulum-v4"), "tianshou"] == 1000.0
    assert pd.isna(table.loc[("td3", "InvertedPendulum-v4"), "tianshou_z"])
    assert pd.isna(table.loc[("ppo", "HumanoidStandup-v4"), "tianshou_z"])


def test_an_algorithm_keeps_its_colour_across_figures():
    from analysis.style import algo_colors

    everything = algo_colors(["a2c", "ddpg", "dqn", "ppo", "sac", "td3", "trpo", "myalgo", "zeta"])
    continuous = algo_colors(["sac", "td3", "ppo", "myalgo"])
    assert all(continuous[a] == everything[a] for a in continuous)
    assert len(set(everything.values())) == len(everything)  # no two algorithms share one


def test_runtime_reports_the_largest_runs_peak_memory(tmp_path):
    for seed, peak in enumerate((900.0, 1800.0, None)):
        run = make_run(tmp_path, "td3", "Hopper-v4", seed, 3000.0)
        summary = json.loads((run / "summary.json").read_text())
        summary["peak_memory_mb"] = peak
        (run / "summary.json").write_text(json.dumps(summary))
    assert analysis_main(["table", "--suite", "s", "--results", str(tmp_path)]) == 0
    runtime = pd.read_csv(tmp_path / "s" / "runtime.csv")
    assert runtime["peak_memory_mb"].tolist() == [1800.0]


def test_with_three_seeds_the_bootstrap_upper_end_is_the_best_seed():
    # what "reproduced" means for a 3-seed cell (the table's footnote says so): P(a resample of
    # the best seed alone) = 1/27 > 2.5%, so the 97.5% quantile of the resampled means is the max
    from analysis.stats import bootstrap_ci

    assert abs(bootstrap_ci([-342.6, 4846.6, 5515.6])[1] - 5515.6) < 1e-9  # SAC Ant-v4, 0-2
    assert bootstrap_ci([1.0, 2.0])[1] == 2.0
    assert bootstrap_ci([1.0, 2.0, 3.0, 4.0, 5.0])[1] < 5.0  # from five seeds on it is not


def test_matrix_says_when_a_verdict_was_judged_on_sampled_returns(tmp_path):
    # PPO Hopper: deterministic finals above both references, sampled ones below Tianshou's
    # sampled 1975.8, so the headline cell's mean reads above while its verdict is "below"
    for seed, (det, sampled) in enumerate([(2900.0, 1400.0), (3000.0, 1500.0), (3100.0, 1600.0)]):
        make_run(tmp_path, "ppo", "Hopper-v4", seed, det, stochastic=sampled)
        make_run(tmp_path, "td3", "Hopper-v4", seed, det)
    assert analysis_main(["table", "--suite", "s", "--results", str(tmp_path)]) == 0
    md = (tmp_path / "s" / "table.md").read_text()
    assert (
        "| Hopper-v4 | 3000.0 ± 100.0 (3) below (sampled) | 3000.0 ± 100.0 (3) reproduced |" in md
    )


def test_last_ten_needs_ten_evaluations(tmp_path):
    run = make_run(tmp_path, "sac", "Hopper-v4", 0, 500.0)
    steps = [100 * i for i in range(7)]  # seven evaluations, step 0's untrained policy among them
    pd.DataFrame({"step": steps, "return_mean": [0.0] + [500.0] * 6}).to_csv(
        run / "eval.csv", index=False
    )
    assert pd.isna(load_runs(tmp_path, "s").summaries["late_return"].iloc[0])


def test_runs_csv_lists_each_run_behind_the_table_with_its_machine_and_commit(tmp_path):
    run = make_run(tmp_path, "ppo", "Hopper-v4", 0, 2000.0, suite="bench", cpu="AMD EPYC")
    summary = json.loads((run / "summary.json").read_text())
    summary["provenance"]["git_commit"] = "abc123"
    summary["wall_time_s"] = 120.0
    (run / "summary.json").write_text(json.dumps(summary))
    make_run(tmp_path, "ppo", "Hopper-v4", 1, 900.0, suite="bench", steps=500)  # shorter: left out
    make_run(tmp_path, "trpo", "Hopper-v4", 0, 900.0, suite="bench")  # no provenance recorded
    assert analysis_main(["table", "--suite", "bench", "--results", str(tmp_path)]) == 0
    rows = pd.read_csv(tmp_path / "bench" / "runs.csv", keep_default_na=False)
    assert rows[["algo", "seed"]].values.tolist() == [["ppo", 0], ["trpo", 0]]
    ppo, trpo = rows.iloc[0], rows.iloc[1]
    assert (ppo["cpu"], ppo["commit"], ppo["wall_time_min"]) == ("AMD EPYC", "abc123", 2.0)
    assert ppo["final_return"] == 2000.0 and ppo["steps"] == 1000
    assert (trpo["cpu"], trpo["commit"]) == ("unknown", "unknown")
    assert "`bench/runs.csv`" in (tmp_path / "README.md").read_text()


def test_runs_csv_names_the_commit_a_resumed_run_started_from(tmp_path):
    # provenance is rewritten by each process that resumes a run; segments keep every part's
    run = make_run(tmp_path, "ppo", "Hopper-v4", 0, 2000.0, suite="bench", cpu="AMD EPYC")
    summary = json.loads((run / "summary.json").read_text())
    summary["provenance"]["git_commit"] = "later"
    summary["resumed_from_step"] = 500
    summary["segments"] = [
        {"from_step": 0, "git_commit": "first", "cpu": "AMD EPYC"},
        {"from_step": 500, "git_commit": "later", "cpu": "AMD EPYC"},
    ]
    (run / "summary.json").write_text(json.dumps(summary))
    assert analysis_main(["table", "--suite", "bench", "--results", str(tmp_path)]) == 0
    row = pd.read_csv(tmp_path / "bench" / "runs.csv").iloc[0]
    assert (row["commit"], row["resumed"], row["origin"]) == ("first", True, "mixed")


def test_runtime_section_totals_the_wall_time_per_algorithm(tmp_path):
    hours = {("ppo", 0): 1.5, ("ppo", 1): 2.0, ("ppo", 2): None, ("trpo", 0): 0.25}
    for (algo, seed), h in hours.items():
        run = make_run(tmp_path, algo, "Hopper-v4", seed, 2000.0)
        summary = json.loads((run / "summary.json").read_text())
        summary["wall_time_s"] = None if h is None else h * 3600
        (run / "summary.json").write_text(json.dumps(summary))
    assert analysis_main(["table", "--suite", "s", "--results", str(tmp_path)]) == 0
    md = (tmp_path / "s" / "table.md").read_text()
    assert "In all: 4 runs, 3.8 h of wall time summed over runs" in md
    assert "per algorithm (runs): ppo 3.5 h (3); trpo 0.2 h (1). 1 run(s) recorded no wall" in md
