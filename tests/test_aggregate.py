"""Aggregate statistics: normalisation, IQM, reproducible CIs, probability of improvement."""

import numpy as np
import pandas as pd
from scipy import stats

from analysis.aggregate import (
    improvement_probability,
    interval_estimates,
    normalised_scores,
    probability_of_improvement,
    runs_caption,
    with_ci,
)
from analysis.reference import best_reference, random_returns


def summaries(values: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    rows = [
        {"algo": a, "task": t, "seed": i, "final_return": v, "steps": 1000}
        for (a, t), vs in values.items()
        for i, v in enumerate(vs)
    ]
    return pd.DataFrame(rows)


def test_scores_are_normalised_between_random_and_best_reference():
    rand, best = random_returns(), best_reference()
    assert {"Hopper", "HalfCheetah"} <= set(rand) and {"Hopper", "HalfCheetah"} <= set(best)
    df = summaries(
        {
            ("ppo", "Hopper-v4"): [rand["Hopper"], best["Hopper"]],
            ("ppo", "HalfCheetah-v4"): [best["HalfCheetah"], rand["HalfCheetah"]],
        }
    )
    m = normalised_scores(df, ["ppo"])
    assert m.tasks == ["HalfCheetah-v4", "Hopper-v4"] and m.runs_per_task == {"ppo": 2}
    np.testing.assert_allclose(m.scores["ppo"], [[1.0, 0.0], [0.0, 1.0]], atol=1e-9)


def test_iqm_matches_trimmed_mean_and_cis_reproduce():
    rng = np.random.default_rng(0)
    rand, best = random_returns(), best_reference()
    values = {}
    for algo, level in (("a", 0.3), ("b", 0.6)):
        for task in ("Hopper", "Walker2d", "HalfCheetah"):
            norm = level + 0.2 * rng.standard_normal(5)
            values[(algo, f"{task}-v4")] = list(rand[task] + norm * (best[task] - rand[task]))
    m = normalised_scores(summaries(values), ["a", "b"])
    first, second = interval_estimates(m), interval_estimates(m)
    pd.testing.assert_frame_equal(first, second)  # fixed bootstrap seed
    iqm = first[(first["algo"] == "a") & (first["metric"] == "IQM")].iloc[0]
    expected = stats.trim_mean(m.scores["a"].reshape(-1), proportiontocut=0.25)
    assert np.isclose(iqm["point"], expected)
    assert iqm["ci_low"] < iqm["point"] < iqm["ci_high"]
    poi = probability_of_improvement(m, [("b", "a")]).iloc[0]
    assert 0.7 < poi["p"] <= 1.0 and poi["ci_low"] <= poi["p"] <= poi["ci_high"]
    # each algorithm is bootstrapped from its own seed: its interval does not change when
    # another algorithm joins the table
    alone = interval_estimates(normalised_scores(summaries(values), ["a"]))
    pd.testing.assert_frame_equal(alone, first[first["algo"] == "a"].reset_index(drop=True))


def test_tasks_missing_an_algorithm_are_left_out_with_a_note():
    df = summaries(
        {
            ("a", "Hopper-v4"): [1.0, 2.0],
            ("b", "Hopper-v4"): [1.0, 2.0],
            ("a", "Walker2d-v4"): [1.0, 2.0],
        }
    )
    m = normalised_scores(df, ["a", "b"])
    assert m.tasks == ["Hopper-v4"]
    assert any("Walker2d-v4" in n for n in m.notes)


def test_one_run_per_task_gives_points_without_intervals():
    # a bootstrap over one seed per task would return a zero-width interval: false certainty
    one = {("a", t): [v] for t, v in [("Hopper-v4", 1000.0), ("Walker2d-v4", 2000.0)]}
    one |= {("b", t): [v] for t, v in [("Hopper-v4", 500.0), ("Walker2d-v4", 900.0)]}
    m = normalised_scores(summaries(one), ["a", "b"])
    est = interval_estimates(m)
    assert est["point"].notna().all() and est["ci_low"].isna().all() and est["ci_high"].isna().all()
    poi = probability_of_improvement(m, [("a", "b")]).iloc[0]
    assert poi["p"] == 1.0 and np.isnan(poi["ci_low"]) and np.isnan(poi["ci_high"])
    assert with_ci(0.5, np.nan, np.nan) == "0.500 [no CI: one run per task]"
    assert with_ci(0.5, 0.25, 0.75) == "0.500 [0.250, 0.750]"


def test_algorithms_keep_their_own_seed_counts():
    # one algorithm with a single seed per task must not take the others' intervals away
    rng = np.random.default_rng(1)
    tasks = ("Hopper-v4", "Walker2d-v4")
    values = {("a", t): list(1000.0 + 300.0 * rng.standard_normal(3)) for t in tasks}
    values[("a", "Walker2d-v4")].append(5000.0)  # a fourth seed on one task only: not used
    values |= {("b", t): [800.0] for t in tasks}
    m = normalised_scores(summaries(values), ["a", "b"])
    assert m.runs_per_task == {"a": 3, "b": 1}
    assert m.scores["a"].shape == (3, 2) and m.scores["b"].shape == (1, 2)
    assert any(n.startswith("a: 3 seed(s)") for n in m.notes)
    est = interval_estimates(m).set_index(["algo", "metric"])
    assert (est.loc["a", "ci_low"] < est.loc["a", "ci_high"]).all()
    assert est.loc["b", "ci_low"].isna().all() and est.loc["b", "ci_high"].isna().all()
    assert list(est.loc["a", "runs_per_task"]) == [3, 3]
    poi = probability_of_improvement(m, [("a", "b")]).iloc[0]
    assert np.isnan(poi["ci_low"]) and np.isnan(poi["ci_high"])  # b's side has one run
    assert runs_caption(m) == (
        "runs per task 3 (a), 1 (b): 95% stratified-bootstrap CIs where ≥ 2, none with 1"
    )


def test_improvement_probability_equals_rliables_mann_whitney_version():
    from rliable import metrics

    rng = np.random.default_rng(0)
    cases = [
        (rng.normal(size=(3, 10)), rng.normal(size=(3, 10))),
        (rng.normal(size=(5, 4)), rng.normal(0.5, size=(2, 4))),  # other run counts
        # ties: discrete scores, and a task where both are the same constant (1000s)
        (rng.integers(0, 3, (4, 6)).astype(float), rng.integers(0, 3, (3, 6)).astype(float)),
        (np.full((3, 2), 1000.0), np.full((3, 2), 1000.0)),
    ]
    for x, y in cases:
        assert improvement_probability(x, y) == metrics.probability_of_improvement(x, y)
        assert improvement_probability(y, x) == metrics.probability_of_improvement(y, x)
    # each pair of runs counts once per task: 1 when X is always above, 0.5 for identical runs
    assert improvement_probability(np.ones((2, 3)), np.zeros((4, 3))) == 1.0
    assert improvement_probability(np.zeros((2, 3)), np.zeros((2, 3))) == 0.5
