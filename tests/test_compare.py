"""Drop a new algorithm in (one module + one config), sweep it, and compare it with baselines."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.compare import main as compare_main
from tests.test_analysis import make_run


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


def test_a_variant_in_its_own_results_folder_is_compared_with_the_default(tmp_path):
    """``algo@folder``: the same algorithm with other hyperparameters, run into another folder."""
    for seed, (base, variant) in enumerate([(1000.0, 2000.0), (1100.0, 2100.0), (900.0, 1900.0)]):
        for task in ("Hopper-v4", "Walker2d-v4"):
            make_run(tmp_path, "sac", task, seed, base, suite="bench")
            make_run(tmp_path, "sac", task, seed, variant, suite="variants/fixed_alpha/bench")
    assert (
        compare_main(
            ["sac@variants/fixed_alpha/bench", "--base", "sac", "--results", str(tmp_path)]
        )
        == 0
    )
    md = (tmp_path / "variants/fixed_alpha/bench/compare_sac.md").read_text()
    assert "# sac@variants/fixed_alpha/bench against sac" in md
    assert f"sac from `{tmp_path / 'bench'}`" in md
    row = next(line for line in md.splitlines() if line.startswith("| Hopper-v4 | sac |"))
    assert "2000.0 (3)" in row and "1000.0 (3)" in row and "+1000.0" in row
    assert (tmp_path / "variants/fixed_alpha/bench/compare_sac.png").exists()
    assert not (tmp_path / "bench" / "compare_sac.md").exists()


def test_compare_names_the_folders_there_are_when_one_is_missing(tmp_path, capsys):
    make_run(tmp_path, "sac", "Hopper-v4", 0, 1000.0, suite="bench")
    for spec in ("sac@variants/typo", "sac@", "sac@../bench"):
        with pytest.raises(SystemExit) as err:
            compare_main([spec, "--base", "sac", "--results", str(tmp_path)])
        assert spec in str(err.value)
    with pytest.raises(SystemExit) as err:
        compare_main(["sac@variants/typo", "--base", "sac", "--results", str(tmp_path)])
    assert "suite folders with runs under" in str(err.value) and "bench" in str(err.value)
    assert list(tmp_path.rglob("compare_*")) == []


def test_metrics_tell_a_sooner_learner_from_one_that_ends_the_same(tmp_path, capsys):
    """Same final returns, learnt at step 100 or at step 1000: ``final`` sees no difference,
    ``last10`` and ``auc`` see it; a run whose curve does not start at step 0 has no ``auc``."""
    steps = np.arange(0, 1001, 100)
    for seed in range(3):
        final = 1000.0 + 10 * seed
        for folder, learnt_at in (("bench", 1000), ("variants/early/bench", 100)):
            run = make_run(tmp_path, "sac", "Hopper-v4", seed, final, suite=folder)
            curve = np.where(steps >= learnt_at, final, 0.0)
            pd.DataFrame({"step": steps, "return_mean": curve}).to_csv(
                run / "eval.csv", index=False
            )
    late = make_run(tmp_path, "sac", "Hopper-v4", 3, 1010.0, suite="variants/early/bench")
    pd.DataFrame({"step": [500, 1000], "return_mean": [1010.0, 1010.0]}).to_csv(
        late / "eval.csv", index=False
    )

    def row(metric: str) -> str:
        args = ["sac@variants/early/bench", "--base", "sac", "--results", str(tmp_path)]
        assert compare_main([*args, "--metric", metric]) == 0
        name = "compare_sac.md" if metric == "final" else f"compare_sac_{metric}.md"
        md = (tmp_path / "variants/early/bench" / name).read_text()
        return md, next(x for x in md.splitlines() if x.startswith("| Hopper-v4 | sac |"))

    md, final = row("final")
    assert "1010.0 (4)" in final and "1010.0 (3)" in final and "+0.0" in final
    md, last10 = row("last10")
    # last 10 of 11 evaluations: all at the final return vs nine zeros and the final return;
    # seed 3 has two evaluations, too few for a mean of the last 10
    assert "1010.0 (3)" in last10 and "101.0 (3)" in last10 and "+909.0" in last10
    assert "sac@variants/early/bench Hopper-v4 seed 3: its eval.csv gives no last10 value" in md
    md, auc = row("auc")
    # trapezoid: (50 + 900) / 1000 of the final return vs 50 / 1000 of it, three seeds each
    assert "959.5 (3)" in auc and "50.5 (3)" in auc and "+909.0" in auc
    assert "sac@variants/early/bench Hopper-v4 seed 3: its eval.csv gives no auc value" in md
    assert "on auc" in md.splitlines()[0]
    assert (tmp_path / "variants/early/bench/compare_sac_auc.png").exists()
    with pytest.raises(SystemExit):
        compare_main(["sac", "--results", str(tmp_path), "--metric", "median"])
    assert "invalid choice: 'median'" in capsys.readouterr().err


def test_compare_leaves_out_other_budgets_and_names_skipped_runs(tmp_path):
    """A 600-step variant is not compared with 1000-step baselines on the same task; runs the
    loader skipped are listed; two constant sides get no p-value."""
    for seed in range(3):
        make_run(tmp_path, "td3", "Hopper-v4", seed, 900.0 + seed, suite="bench")
        make_run(tmp_path, "td3", "Hopper-v4", seed, 400.0, steps=600, suite="variants/short")
        make_run(tmp_path, "td3", "Walker2d-v4", seed, 1000.0, suite="bench")
        make_run(tmp_path, "td3", "Walker2d-v4", seed, 1200.0, suite="variants/short")
    make_run(tmp_path, "td3", "Walker2d-v4", 3, 0.0, status="failed", suite="bench")
    assert compare_main(["td3@variants/short", "--base", "td3", "--results", str(tmp_path)]) == 0
    md = (tmp_path / "variants/short/compare_td3.md").read_text()
    hopper = next(x for x in md.splitlines() if x.startswith("| Hopper-v4 | td3 |"))
    assert "left out: 1,000 steps against td3@variants/short's 600" in hopper
    assert "other budget" in hopper and "901.0" not in hopper
    assert "left out, other budget: td3 on Hopper-v4" in md
    walker = next(x for x in md.splitlines() if x.startswith("| Walker2d-v4 | td3 |"))
    assert "+200.0" in walker and "— (both constant)" in walker
    assert "left out: bench/td3/Walker2d-v4/seed_3: FloatingPointError" in md
    # the aggregate covers only the task both ran on the same budget
    assert "on 1 task(s): Walker2d-v4" in md


def test_compare_judges_the_budget_asked_for_not_the_steps_run(tmp_path):
    """64 envs end a 1000-step budget at 1032 steps: still the same budget as 1000."""
    for seed in range(2):
        make_run(tmp_path, "td3", "Hopper-v4", seed, 1000.0 + seed, suite="bench")
        run = make_run(tmp_path, "ppo", "Hopper-v4", seed, 500.0 + seed, steps=1032, suite="bench")
        summary = json.loads((run / "summary.json").read_text())
        (run / "summary.json").write_text(json.dumps({**summary, "steps_target": 1000}))
    assert compare_main(["td3", "--base", "ppo", "--results", str(tmp_path)]) == 0
    row = next(
        x
        for x in (tmp_path / "bench/compare_td3.md").read_text().splitlines()
        if x.startswith("| Hopper-v4 | ppo |")
    )
    assert "+500.0" in row and "other budget" not in row
