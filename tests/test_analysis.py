"""analysis/ on synthetic run folders: broken inputs are noted and skipped, never crash."""

import json

import pandas as pd

from analysis.__main__ import main as analysis_main
from analysis.load import load_runs
from analysis.table import aggregate


def make_run(root, algo, task, seed, final, status="done", steps=1000, evals=True):
    run = root / "s" / algo / task / f"seed_{seed}"
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
    assert "2000.0 ± 0.0 (1) · rlpack 2100.7" in md
    assert "1 failed" in md and "seed_1" in md
