"""Learning curves: a panel per task, eval return against env steps, a line per algorithm."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.stats import bootstrap_ci  # noqa: E402
from analysis.style import algo_colors  # noqa: E402


def curve_stats(curves: pd.DataFrame) -> pd.DataFrame:
    """Per (task, algo, step): mean over seeds and its 95% bootstrap CI."""
    rows = []
    for (task, algo, step), g in curves.groupby(["task", "algo", "step"], sort=True):
        values = g["return_mean"].to_numpy(float)
        low, high = bootstrap_ci(values, resamples=2000)
        rows.append(
            {
                "task": task,
                "algo": algo,
                "step": step,
                "mean": values.mean(),
                "ci_low": low,
                "ci_high": high,
                "n": len(values),
            }
        )
    return pd.DataFrame(rows, columns=["task", "algo", "step", "mean", "ci_low", "ci_high", "n"])


def plot_curves(curves: pd.DataFrame, path: Path, title: str) -> None:
    stats = curve_stats(curves)
    tasks = sorted(stats["task"].unique()) or ["(no runs)"]
    cols = min(3, len(tasks))
    rows = math.ceil(len(tasks) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.6 * rows), squeeze=False)
    algos = sorted(stats["algo"].unique())
    colors = algo_colors(algos)
    for ax, task in zip(axes.flat, tasks, strict=False):
        for algo in algos:
            s = stats[(stats["task"] == task) & (stats["algo"] == algo)]
            if s.empty:
                continue
            n = int(s["n"].max())
            ax.plot(s["step"], s["mean"], color=colors[algo], label=f"{algo} (n={n})")
            ax.fill_between(s["step"], s["ci_low"], s["ci_high"], color=colors[algo], alpha=0.2)
        ax.set_title(task)
        ax.set_xlabel("env steps")
        ax.set_ylabel("eval return")
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(tasks) :]:
        ax.set_visible(False)
    fig.suptitle(f"{title}: mean over seeds, 95% bootstrap CI")
    fig.tight_layout(rect=(0, 0, 1, 0.98))  # leave the top strip to the suptitle
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(path)
