"""Compare a new algorithm against baselines, per task and across tasks.

    python -m analysis.compare NEW [--base ppo,td3,sac] [--suite bench] [--results results]
                               [--metric final|last10|auc]

NEW and each baseline are an algorithm (``sac``: its runs in ``<results>/<suite>``) or an
algorithm in another suite folder under ``<results>`` (``sac@variants/fixed_alpha/bench``): a
hyperparameter variant run into a results folder of its own, compared with the default.

Writes ``compare_<algo>.md`` and ``compare_<algo>.png`` beside NEW's runs (``<results>/<suite>``
or the folder after its ``@``): per task, the new algorithm's mean and 95% CI beside each
baseline's, the difference of means with its bootstrap CI and Welch's t-test p-value; across
tasks, IQM with stratified-bootstrap CIs and the probability of improvement of NEW over each
baseline. Cells with fewer than two seeds on either side say so instead of pretending to a test.

The metric is a run's final return (the table's; default), the mean of its last 10 evaluations
(``last10``: the end of the run, steadier than one evaluation), or the mean return over the whole
run (``auc``: the area under the learning curve per step, which rewards learning sooner). Other
metrics than ``final`` write ``compare_<algo>_<metric>.md`` / ``.png``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

from analysis.aggregate import (
    interval_estimates,
    normalised_scores,
    probability_of_improvement,
    runs_caption,
    with_ci,
)
from analysis.load import LATE_EVALS, curve_mean, load_runs
from analysis.stats import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, bootstrap_ci
from analysis.style import algo_colors
from analysis.table import consistent_steps

MIN_SEEDS = 2

# --metric -> (column of the runs' frame, what it is, for the report)
METRICS = {
    "final": ("final_return", "Final return (the last evaluation)"),
    "last10": ("late_return", f"Mean return of the last {LATE_EVALS} evaluations"),
    "auc": (
        "curve_mean",
        "Mean return over the whole run (area under the learning curve, trapezoid rule over "
        "the evaluations from step 0, divided by the steps)",
    ),
}


def diff_ci(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Percentile bootstrap 95% CI of mean(a) - mean(b), resampling each side independently."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    ma = a[rng.integers(0, a.size, (BOOTSTRAP_RESAMPLES, a.size))].mean(1)
    mb = b[rng.integers(0, b.size, (BOOTSTRAP_RESAMPLES, b.size))].mean(1)
    low, high = np.quantile(ma - mb, [0.025, 0.975])
    return float(low), float(high)


def per_task(
    df: pd.DataFrame, new: str, bases: list[str], column: str = "final_return"
) -> pd.DataFrame:
    rows = []
    for task in sorted(df[df["algo"] == new]["task"].unique()):
        a = df[(df["algo"] == new) & (df["task"] == task)][column].to_numpy(float)
        for base in bases:
            b = df[(df["algo"] == base) & (df["task"] == task)][column].to_numpy(float)
            row = {
                "task": task,
                "base": base,
                "n_new": a.size,
                "n_base": b.size,
                "mean_new": a.mean(),
                "mean_base": b.mean() if b.size else np.nan,
            }
            row["ci_new"], row["ci_base"] = bootstrap_ci(a), bootstrap_ci(b)
            if a.size >= MIN_SEEDS and b.size >= MIN_SEEDS:
                row["diff"] = a.mean() - b.mean()
                row["diff_ci"] = diff_ci(a, b)
                # both sides constant (e.g. every seed at InvertedPendulum's 1000): no test, not
                # p = 0 for any difference
                same = a.std() == 0 and b.std() == 0
                row["p_welch"] = (
                    np.nan if same else float(sps.ttest_ind(a, b, equal_var=False).pvalue)
                )
            else:
                row["diff"], row["diff_ci"], row["p_welch"] = np.nan, None, np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def _ci(ci) -> str:
    return "—" if ci is None or np.isnan(ci[0]) else f"[{ci[0]:.1f}, {ci[1]:.1f}]"


def parse_spec(spec: str, suite: str) -> tuple[str, str]:
    """``sac`` -> (``sac``, suite); ``sac@variants/x/bench`` -> (``sac``, ``variants/x/bench``)."""
    algo, sep, where = spec.partition("@")
    if not algo or (sep and not where) or "@" in where:
        raise SystemExit(f"error: {spec!r} is not ALGO or ALGO@FOLDER (e.g. sac@variants/x/bench)")
    if sep and (Path(where).is_absolute() or ".." in Path(where).parts):
        raise SystemExit(f"error: {spec!r}: FOLDER is a folder under --results, without '..'")
    return algo, where or suite


def runs_of(
    results: Path, specs: dict[str, tuple[str, str]]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """One frame of the finished runs named by ``specs`` (spec -> (algo, folder), as parsed by
    :func:`parse_spec`), each spec's runs labelled with the spec.

    Returns the frame, the specs that have no finished run, and a note for each run of the
    specs' algorithms left out (failed, unfinished, unreadable, or shorter than its cell); a suite
    folder that does not exist is an error naming the folders that do.
    """
    frames, missing, loaded, skipped = [], [], {}, []
    loaded_notes: dict[str, list[str]] = {}
    for spec, (algo, where) in specs.items():
        if where not in loaded:
            if not (results / where).is_dir():
                # <suite>/<algo>/<task>/seed_<k>/summary.json: the suite folder is 4 levels up
                known = {
                    p.relative_to(results).parents[3].as_posix()
                    for p in results.glob("**/seed_*/summary.json")
                    if len(p.relative_to(results).parts) >= 5
                }
                raise SystemExit(
                    f"error: {spec}: no folder {results / where}; suite folders with runs under "
                    f"{results}: {', '.join(sorted(known)) or 'none'}"
                )
            runs = load_runs(results, where)
            loaded[where] = consistent_steps(runs)
            # every note starts with the run's <algo>/<task>/seed_<k>
            loaded_notes[where] = (
                [f"{x} (failed)" for x in runs.failed]
                + [f"{x} (unfinished)" for x in runs.unfinished]
                + runs.notes
            )
        df = loaded[where]
        skipped += [f"{where}/{n}" for n in loaded_notes[where] if n.startswith(f"{algo}/")]
        mine = df[df["algo"] == algo].assign(algo=spec)
        if mine.empty:
            have = ", ".join(sorted(set(df["algo"]))) or "none"
            missing.append(f"{spec} (algorithms with runs in {results / where}: {have})")
        else:
            frames.append(mine)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return frame, missing, skipped


def same_budget(df: pd.DataFrame, new: str) -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    """Leave out, per task, a baseline's runs whose step budget differs from NEW's there.

    A 60k-step variant beside 500k-step baselines compares budgets, not algorithms (and ``auc``
    divides each run by its own span). The budget is the one asked for (``steps_target``): PPO's
    64 envs end a 500k run at 500,032. Returns the runs kept and, per (task, baseline) left out,
    why."""
    excluded: dict[tuple[str, str], str] = {}
    drop = pd.Series(False, index=df.index)
    for task, rows in df.groupby("task"):
        ours = rows[rows["algo"] == new]["steps_target"]
        if ours.empty:
            continue
        budget = int(ours.max())  # one per cell: consistent_steps kept the cell's largest
        for base, theirs in rows[rows["algo"] != new].groupby("algo"):
            steps = int(theirs["steps_target"].max())
            if steps != budget:
                excluded[(task, base)] = f"{steps:,} steps against {new}'s {budget:,}"
                drop[theirs.index] = True
    return df[~drop], excluded


def with_metric(df: pd.DataFrame, metric: str) -> tuple[pd.DataFrame, list[str]]:
    """The runs that have ``metric`` (adding its column if it is computed here), and a note for
    each run left out because its ``eval.csv`` cannot give it."""
    column = METRICS[metric][0]
    if column not in df:
        df = df.assign(
            **{column: [curve_mean(Path(r.run_dir), int(r.steps)) for r in df.itertuples()]}
        )
    lacking = df[df[column].isna()]
    notes = [
        f"{r.algo} {r.task} seed {r.seed}: its eval.csv gives no {metric} value "
        f"({r.run_dir}); left out"
        for r in lacking.itertuples()
    ]
    return df.drop(lacking.index), notes


def compare(results: Path, suite: str, new: str, bases: list[str], metric: str = "final") -> Path:
    from sweeps.recorder import atomic_write

    if metric not in METRICS:
        raise SystemExit(f"error: unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    column, described = METRICS[metric]
    specs = {spec: parse_spec(spec, suite) for spec in [new, *bases]}
    df, missing, skipped = runs_of(results, specs)
    if df.empty or new not in set(df["algo"]):
        raise SystemExit(f"error: no finished runs of {missing[0]}")
    df, excluded = same_budget(df, new)
    df, lacking = with_metric(df, metric)
    if new not in set(df["algo"]):
        raise SystemExit(f"error: no run of {new} has a {metric} value: {'; '.join(lacking)}")
    bases = [b for b in bases if b in set(df["algo"])]
    table = per_task(df, new, bases, column)
    sources = ", ".join(f"{spec} from `{results / specs[spec][1]}`" for spec in [new, *bases])
    title = f"# {new} against {', '.join(bases) or 'no baseline'}"
    lines = [title + ("" if metric == "final" else f", on {metric}"), "", f"Runs: {sources}.", ""]
    if missing:
        lines += [f"No finished runs for baseline(s) {'; '.join(missing)}: left out.", ""]
    lines += [
        "## Per task",
        "",
        f"{described}, mean over seeds (n) with 95% bootstrap CI; the difference of means "
        f"with its bootstrap CI and Welch's t-test p-value (needs ≥ {MIN_SEEDS} seeds "
        "per side).",
        "",
        f"| task | baseline | {new} | baseline | difference | p (Welch) |",
        "|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        new_cell = f"{r.mean_new:.1f} ({r.n_new}) {_ci(r.ci_new)}"
        base_cell = (
            "not run" if r.n_base == 0 else f"{r.mean_base:.1f} ({r.n_base}) {_ci(r.ci_base)}"
        )
        other_budget = excluded.get((r.task, r.base))
        if other_budget:
            base_cell, diff, p = f"left out: {other_budget}", "other budget", "—"
        elif r.diff_ci is None:
            diff, p = f"too few seeds (need ≥ {MIN_SEEDS} per side)", "—"
        else:
            p = "— (both constant)" if np.isnan(r.p_welch) else f"{r.p_welch:.3g}"
            diff = f"{r.diff:+.1f} {_ci(r.diff_ci)}"
        lines.append(f"| {r.task} | {r.base} | {new_cell} | {base_cell} | {diff} | {p} |")
    matrix = normalised_scores(df, [new, *bases], column)
    estimates = interval_estimates(matrix)
    poi = probability_of_improvement(matrix, [(new, b) for b in bases])
    lines += ["", "## Across tasks", ""]
    if not matrix.scores:
        lines.append("No task has runs of every algorithm compared: nothing to aggregate.")
    else:
        lines += [
            f"Normalised scores (0 = random policy, 1 = best published 500k return) on "
            f"{len(matrix.tasks)} task(s): {', '.join(matrix.tasks)}; "
            f"{runs_caption(matrix)}.",
            "",
        ]
        single = sorted(a for a, n in matrix.runs_per_task.items() if n < MIN_SEEDS)
        if single:
            lines += [
                f"With one run per task the bootstrap cannot resample seeds: no CIs for "
                f"{', '.join(single)}, nor for a probability of improvement that involves "
                f"{'it' if len(single) == 1 else 'them'}. Run more seeds.",
                "",
            ]
        lines += ["| algo | IQM [95% CI] | mean [95% CI] |", "|---|---|---|"]
        for algo in [new, *bases]:
            e = estimates[estimates["algo"] == algo].set_index("metric")
            cells = [with_ci(*e.loc[m, ["point", "ci_low", "ci_high"]]) for m in ("IQM", "mean")]
            lines.append(f"| {algo} | {cells[0]} | {cells[1]} |")
        lines += ["", f"| P({new} > baseline) | point [95% CI] |", "|---|---|"]
        for r in poi.itertuples():
            lines.append(f"| {r.y} | {with_ci(r.p, r.ci_low, r.ci_high)} |")
    lines += [f"- {n}" for n in [*matrix.notes, *lacking]]
    lines += [
        f"- left out, other budget: {base} on {task} ({why})"
        for (task, base), why in sorted(excluded.items())
    ]
    lines += [f"- left out: {n}" for n in skipped]
    new_algo, new_folder = specs[new]
    stem = f"compare_{new_algo}" + ("" if metric == "final" else f"_{metric}")
    out = results / new_folder / f"{stem}.md"
    atomic_write(out, "\n".join(lines) + "\n")
    _plot(df, new, bases, matrix, estimates, out.with_suffix(".png"), column, metric)
    return out


def _plot(df, new, bases, matrix, estimates, path: Path, column: str, metric: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    algos = [new, *bases]
    colors = algo_colors(algos)
    # a variant's folder on a line of its own, upright and small enough to sit beside the others
    ticks = [a.replace("@", "\n@") for a in algos]
    tick_style = (
        {"rotation": 0, "fontsize": 7} if any("@" in a for a in algos) else {"rotation": 30}
    )
    tasks = sorted(df[df["algo"] == new]["task"].unique())
    fig, axes = plt.subplots(
        1, len(tasks) + 1, figsize=(3.2 * (len(tasks) + 1), 3.6), squeeze=False
    )
    for ax, task in zip(axes[0], tasks, strict=False):
        for i, algo in enumerate(algos):
            v = df[(df["algo"] == algo) & (df["task"] == task)][column].to_numpy(float)
            if v.size:
                low, high = bootstrap_ci(v)
                ax.errorbar(
                    [i],
                    [v.mean()],
                    yerr=[[v.mean() - low], [high - v.mean()]],
                    fmt="o",
                    color=colors[algo],
                    capsize=4,
                )
                ax.plot(np.full(v.size, i + 0.15), v, ".", color=colors[algo], alpha=0.5)
        ax.set_xticks(range(len(algos)), ticks, **tick_style)
        ax.set_title(task, fontsize=9)
        ax.grid(alpha=0.3)
    ax = axes[0][-1]
    iqm = estimates[estimates["metric"] == "IQM"].set_index("algo")
    for i, algo in enumerate(algos):
        if algo in iqm.index:
            r = iqm.loc[algo]
            ax.errorbar(
                [i],
                [r["point"]],
                yerr=[[r["point"] - r["ci_low"]], [r["ci_high"] - r["point"]]],
                fmt="s",
                color=colors[algo],
                capsize=4,
            )
    ax.set_xticks(range(len(algos)), ticks, **tick_style)
    ax.set_title("IQM, normalised", fontsize=9)
    ax.grid(alpha=0.3)
    fig.suptitle(f"{new} vs baselines on {metric}: mean and 95% CI per task; IQM across tasks")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m analysis.compare",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("new")
    p.add_argument("--base", default="ppo,td3,sac")
    p.add_argument("--suite", default="bench")
    p.add_argument("--results", default="results")
    p.add_argument("--metric", default="final", choices=list(METRICS))
    args = p.parse_args(argv)
    bases = [b for b in args.base.split(",") if b and b != args.new]
    out = compare(Path(args.results), args.suite, args.new, bases, args.metric)
    print(f"wrote {out} and {out.with_suffix('.png').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
