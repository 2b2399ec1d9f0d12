"""Drop a new algorithm in (one module + one config), sweep it, and compare it with baselines."""

import pandas as pd


def test_toy_algorithm_through_a_sweep_and_compare(cli, tmp_path, toy_algo):
    name = toy_algo("toy_new")
    sweep = cli(
        "-m",
        "sweeps.bench",
        "quick",
        "--algos",
        f"{name},ppo",
        "--tasks",
        "InvertedPendulum-v4,Reacher-v4",
        "--seeds",
        "0,1",
        "--steps",
        "256",
        "--results",
        str(tmp_path),
        "--",
        "eval_every=128",
        "eval_episodes=2",
        "algo.num_envs=1",
        "algo.rollout_steps=64",
    )
    assert sweep.returncode == 0, sweep.stdout[-2000:] + sweep.stderr[-3000:]
    assert "sweep: 8/8 runs done, 0 failed" in sweep.stdout
    table = pd.read_csv(tmp_path / "quick" / "table.csv")
    assert set(table["algo"]) >= {name, "ppo"}

    out = cli(
        "-m",
        "analysis.compare",
        name,
        "--base",
        "ppo,sac",
        "--suite",
        "quick",
        "--results",
        str(tmp_path),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    md = (tmp_path / "quick" / f"compare_{name}.md").read_text()
    assert "| InvertedPendulum-v4 | ppo |" in md and "| Reacher-v4 | ppo |" in md
    assert "No finished runs for baseline(s) sac" in md
    assert f"P({name} > baseline)" in md and "| ppo |" in md
    assert "IQM" in md and "p (Welch)" in md
    assert (tmp_path / "quick" / f"compare_{name}.png").stat().st_size > 5000


def test_compare_with_one_seed_says_too_few(cli, tmp_path, toy_algo):
    name = toy_algo("toy_one")
    sweep = cli(
        "-m",
        "sweeps.bench",
        "quick",
        "--algos",
        f"{name},ppo",
        "--tasks",
        "Reacher-v4",
        "--seeds",
        "0",
        "--steps",
        "128",
        "--results",
        str(tmp_path),
        "--no-analysis",
        "--",
        "eval_every=128",
        "eval_episodes=1",
        "algo.num_envs=1",
        "algo.rollout_steps=64",
    )
    assert sweep.returncode == 0, sweep.stderr[-3000:]
    out = cli(
        "-m",
        "analysis.compare",
        name,
        "--base",
        "ppo",
        "--suite",
        "quick",
        "--results",
        str(tmp_path),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    md = (tmp_path / "quick" / f"compare_{name}.md").read_text()
    assert "too few seeds" in md and "no CI: one run per task" in md
