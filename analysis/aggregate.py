"""Aggregate statistics across tasks (Agarwal et al., NeurIPS 2021, "Deep RL at the Edge of the
Statistical Precipice"), computed with their library, rliable.

Scores are normalised per task: 0 = the measured return of a uniform-random policy
(``results/reference/random_returns.csv``), 1 = the best published 500k return for the task in
either reference table. Then, per algorithm, over all (task, seed) scores:

- IQM (interquartile mean) and mean, with stratified-bootstrap 95% CIs (seeds resampled within
  each task);
- probability of improvement P(X > Y) between algorithms, with CIs;
- performance profiles: the fraction of runs whose normalised score exceeds τ.

Bootstraps use a fixed seed, so the intervals themselves reproduce.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from rliable import library as rly
from rliable import metrics

from analysis.reference import base_task, best_reference, random_returns
from analysis.style import algo_colors

BOOTSTRAP_SEED = 0
REPS = 2000
TAUS = np.linspace(0.0, 1.5, 31)


@dataclass
class ScoreMatrix:
    """Normalised scores per algorithm, shaped (runs, tasks), on a common task set.

    ``runs_per_task[algo]`` is the number of rows of ``scores[algo]``: algorithms may differ.
    """

    scores: dict[str, np.ndarray]
    tasks: list[str]
    runs_per_task: dict[str, int]
    notes: list[str] = field(default_factory=list)


def normalised_scores(
    summaries: pd.DataFrame, algos: list[str], column: str = "final_return"
) -> ScoreMatrix:
    """Rectangular score matrices of ``column`` for ``algos`` on the tasks that all of them have
    runs for.

    rliable needs, per algorithm, the same number of runs on every task: each of an algorithm's
    cells keeps its first ``n`` seeds, ``n`` being the smallest seed count among that algorithm's
    cells. Algorithms may have different ``n`` (rliable bootstraps each one on its own), so one
    algorithm with a single seed per task does not take the other algorithms' intervals away.
    """
    rand, best = random_returns(), best_reference()
    notes: list[str] = []
    df = summaries[summaries["algo"].isin(algos)]
    tasks = []
    for task in sorted(df["task"].unique()):
        key = base_task(task)
        have = set(df[df["task"] == task]["algo"])
        if key not in rand or key not in best:
            notes.append(f"{task}: no random-policy or reference return to normalise with")
        elif not set(algos) <= have:
            notes.append(f"{task}: no runs of {', '.join(sorted(set(algos) - have))} yet")
        else:
            tasks.append(task)
    if not tasks:
        return ScoreMatrix({}, [], {}, notes)
    counts = df[df["task"].isin(tasks)].groupby(["algo", "task"]).size()
    scores, runs = {}, {}
    for algo in algos:
        n = runs[algo] = int(counts[algo].min())
        if (counts[algo] > n).any():
            notes.append(f"{algo}: {n} seed(s) per task used (the smallest count among its cells)")
        cols = []
        for task in tasks:
            cell = df[(df["algo"] == algo) & (df["task"] == task)].sort_values("seed")
            raw = cell[column].to_numpy(float)[:n]
            lo, hi = rand[base_task(task)], best[base_task(task)]
            cols.append((raw - lo) / (hi - lo))
        scores[algo] = np.stack(cols, axis=1)
    return ScoreMatrix(scores, tasks, runs, notes)


def runs_caption(matrix: ScoreMatrix) -> str:
    """E.g. ``runs per task 3 (ppo, trpo), 1 (sac): 95% stratified-bootstrap CIs where ≥ 2,
    none with 1``; the algorithms are named only when their counts differ."""
    by_n: dict[int, list[str]] = {}
    for algo, n in sorted(matrix.runs_per_task.items()):
        by_n.setdefault(n, []).append(algo)
    parts = [f"{n} ({', '.join(a)})" for n, a in sorted(by_n.items(), reverse=True)]
    if len(parts) == 1:
        parts = [str(next(iter(by_n)))]
    ns = by_n.keys()
    if min(ns, default=0) >= 2:
        ci = "95% stratified-bootstrap CIs"
    elif max(ns, default=0) >= 2:
        ci = "95% stratified-bootstrap CIs where ≥ 2, none with 1"
    else:
        ci = "no CIs"
    return f"runs per task {', '.join(parts)}: {ci}"


def with_ci(point: float, low: float, high: float) -> str:
    """``0.732 [0.701, 0.760]``, or the point alone with the reason when there is no interval."""
    if pd.isna(low):
        return f"{point:.3f} [no CI: one run per task]"
    return f"{point:.3f} [{low:.3f}, {high:.3f}]"


def _rs() -> np.random.RandomState:
    return np.random.RandomState(BOOTSTRAP_SEED)


def get_interval_estimates(
    score_dict: dict, func: Callable[..., Any], **kwargs: Any
) -> tuple[dict, dict]:
    """``rly.get_interval_estimates`` key by key, reproducible, with NaN intervals where a key has
    one run per task (for a pair of score matrices, where either has).

    rliable 1.2.0's ``StratifiedBootstrap`` draws its resampling indices from NumPy's *global*
    generator (``np.random.choice``), ignoring ``random_state``; so the global generator is
    seeded before each key (and restored after): a key's interval then does not depend on which
    keys come before it. arch's deprecation warning about ``random_state`` is silenced.
    """
    points, cis = {}, {}
    saved = np.random.get_state()
    try:
        for key, value in score_dict.items():
            matrices = value if isinstance(value, tuple) else (value,)
            if min(np.asarray(m).shape[0] for m in matrices) < 2:
                # the bootstrap resamples runs within each task: with one run there is nothing
                # to resample, and a zero-width interval would claim a certainty that one seed
                # cannot give, so the bootstrap is not run at all
                points[key] = func(*matrices)
                cis[key] = np.full((2, *np.shape(points[key])), np.nan)
                continue
            np.random.seed(BOOTSTRAP_SEED)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                p, c = rly.get_interval_estimates(
                    {key: value}, func, **{**kwargs, "random_state": _rs()}
                )
            points[key], cis[key] = p[key], c[key]
    finally:
        np.random.set_state(saved)
    return points, cis


def interval_estimates(matrix: ScoreMatrix) -> pd.DataFrame:
    """IQM and mean of the normalised score per algorithm, with 95% stratified-bootstrap CIs
    (NaN with one run per task)."""

    def both(x: np.ndarray) -> np.ndarray:
        return np.array([metrics.aggregate_iqm(x), metrics.aggregate_mean(x)])

    rows = []
    if matrix.scores:
        points, cis = get_interval_estimates(matrix.scores, both, reps=REPS)
        for algo in matrix.scores:
            for i, metric in enumerate(("IQM", "mean")):
                rows.append(
                    {
                        "algo": algo,
                        "metric": metric,
                        "point": points[algo][i],
                        "ci_low": cis[algo][0, i],
                        "ci_high": cis[algo][1, i],
                        "tasks": len(matrix.tasks),
                        "runs_per_task": matrix.runs_per_task[algo],
                    }
                )
    return pd.DataFrame(
        rows, columns=["algo", "metric", "point", "ci_low", "ci_high", "tasks", "runs_per_task"]
    )


def improvement_probability(scores_x: np.ndarray, scores_y: np.ndarray) -> float:
    """P(X > Y) + P(X = Y) / 2 per task over all (run of X, run of Y) pairs, averaged over tasks.

    The same number as rliable's ``metrics.probability_of_improvement`` (a task's Mann-Whitney U
    statistic divided by n·m; tested equal), counted with one array comparison where rliable calls
    SciPy's test once per task: inside the bootstrap (pairs × resamples × tasks calls) SciPy's
    per-call overhead made up ~90% of ``make table``'s time.
    """
    x = np.asarray(scores_x, dtype=float)[:, None, :]
    y = np.asarray(scores_y, dtype=float)[None, :, :]
    u = (x > y).sum(axis=(0, 1)) + 0.5 * (x == y).sum(axis=(0, 1))  # U per task, exact
    return float(np.mean(u / (x.shape[0] * y.shape[1])))


def probability_of_improvement(matrix: ScoreMatrix, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """P(X > Y): the chance that a run of X beats a run of Y on a random task, with CIs (NaN
    with one run per task)."""
    rows = []
    if matrix.scores and pairs:
        pair_scores = {f"{x},{y}": (matrix.scores[x], matrix.scores[y]) for x, y in pairs}
        points, cis = get_interval_estimates(pair_scores, improvement_probability, reps=REPS)
        for x, y in pairs:
            k = f"{x},{y}"
            rows.append(
                {
                    "x": x,
                    "y": y,
                    "p": float(points[k]),
                    "ci_low": float(np.ravel(cis[k])[0]),
                    "ci_high": float(np.ravel(cis[k])[1]),
                }
            )
    return pd.DataFrame(rows, columns=["x", "y", "p", "ci_low", "ci_high"])


def performance_profiles(matrix: ScoreMatrix) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per algorithm: fraction of runs with normalised score > τ for τ in ``TAUS``, and CIs."""
    if not matrix.scores:
        return {}

    def profile(x: np.ndarray) -> np.ndarray:  # one comparison for all τ: it runs per resample
        return np.mean(np.ravel(x)[:, None] > TAUS, axis=0)

    points, cis = get_interval_estimates(matrix.scores, profile, reps=REPS)
    return {a: (points[a], cis[a]) for a in matrix.scores}


def plot_aggregate(matrix: ScoreMatrix, estimates: pd.DataFrame, path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    algos = sorted(matrix.scores)
    colors = algo_colors(algos)
    for ax, metric in zip(axes[:2], ("IQM", "mean"), strict=True):
        sub = estimates[estimates["metric"] == metric].set_index("algo")
        for i, algo in enumerate(algos):
            r = sub.loc[algo]
            ax.plot([r["ci_low"], r["ci_high"]], [i, i], lw=6, alpha=0.4, color=colors[algo])
            ax.plot([r["point"]], [i], "|", ms=14, color="k")
        ax.set_yticks(range(len(algos)), algos)
        ax.set_title(f"{metric} of normalised score")
        ax.grid(alpha=0.3, axis="x")
    for algo, (point, ci) in sorted(performance_profiles(matrix).items()):
        axes[2].plot(TAUS, point, label=algo, color=colors[algo])
        axes[2].fill_between(TAUS, ci[0], ci[1], alpha=0.2, color=colors[algo])
    axes[2].set_xlabel("normalised score τ")
    axes[2].set_ylabel("fraction of runs with score > τ")
    axes[2].set_title("performance profile")
    axes[2].grid(alpha=0.3)
    if algos:
        axes[2].legend(fontsize=8)
    fig.suptitle(f"{title}: {len(matrix.tasks)} tasks; {runs_caption(matrix)}")
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(path)
