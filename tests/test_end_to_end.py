"""A tiny Hydra multirun through the real CLI, then the table checked against the runs."""

import json

import numpy as np
import pandas as pd
import yaml

from analysis.stats import bootstrap_ci


def test_multirun_writes_run_folders_and_a_table_matching_them(cli, tmp_path):
    out = cli(
        "-m",
        "sweeps.train",
        "-m",
        "algo=ppo",
        "task=InvertedPendulum-v4,Reacher-v4",
        "seed=0,1",
        "steps=600",
        "eval_every=300",
        "eval_episodes=2",
        "algo.num_envs=1",
        "algo.rollout_steps=128",
        "algo.num_minibatches=4",
        "suite=e2e",
        f"results_dir={tmp_path}",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    finals = {}
    for task in ("InvertedPendulum-v4", "Reacher-v4"):
        for seed in (0, 1):
            run = tmp_path / "e2e" / "ppo" / task / f"seed_{seed}"
            summary = json.loads((run / "summary.json").read_text())
            assert summary["status"] == "done"
            assert (summary["algo"], summary["task"], summary["seed"]) == ("ppo", task, seed)
            assert summary["steps"] == 600 and summary["steps_per_s"] > 0
            assert summary["peak_memory_mb"] > 100  # TensorFlow alone holds more
            assert summary["provenance"]["tensorflow"] and "git_commit" in summary["provenance"]
            config = yaml.safe_load((run / "config.yaml").read_text())
            assert config["algo"]["rollout_steps"] == 128 and config["task"] == task
            evals = pd.read_csv(run / "eval.csv")
            assert list(evals["step"]) == [0, 300, 600]
            assert {"return_mean", "return_std", "length_mean"} <= set(evals.columns)
            assert summary["final_return"] == evals["return_mean"].iloc[-1]
            train = pd.read_csv(run / "train.csv")
            assert list(train.columns[:3]) == ["step", "episode_return", "episode_length"]
            if task == "Reacher-v4":  # 50-step episodes: 12 end within 600 steps
                assert len(train) == 12 and (train["episode_length"] == 50).all()
            finals.setdefault(task, []).append(summary["final_return"])
            assert not list(run.glob("*.tmp")) and not (run / ".hydra").exists()

    out = cli("-m", "analysis", "all", "--suite", "e2e", "--results", str(tmp_path))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "e2e" / "table.csv")
    assert len(table) == 2
    for row in table.itertuples():
        values = np.array(finals[row.task])
        assert row.n_seeds == 2
        assert np.isclose(row.mean, values.mean(), atol=1e-3)
        assert np.isclose(row.std, values.std(ddof=1), atol=1e-3)
        low, high = bootstrap_ci(values)
        assert np.isclose(row.ci_low, low, atol=1e-3) and np.isclose(row.ci_high, high, atol=1e-3)
    md = (tmp_path / "e2e" / "table.md").read_text()
    assert "| InvertedPendulum-v4 | ppo | 2 |" in md and "| 943.3 |" in md  # rlpack's value
    assert (tmp_path / "e2e" / "curves.png").stat().st_size > 10_000


def test_done_runs_are_skipped_when_the_command_is_repeated(cli, tmp_path):
    args = (
        "-m",
        "sweeps.train",
        "algo=ppo",
        "task=Reacher-v4",
        "steps=200",
        "eval_every=100",
        "eval_episodes=1",
        "algo.num_envs=1",
        "algo.rollout_steps=100",
        "algo.num_minibatches=2",
        f"results_dir={tmp_path}",
    )
    assert cli(*args).returncode == 0
    summary = tmp_path / "bench" / "ppo" / "Reacher-v4" / "seed_0" / "summary.json"
    before = summary.read_text()
    again = cli(*args)
    assert again.returncode == 0 and "already done" in again.stderr
    assert summary.read_text() == before
