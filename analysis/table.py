"""The benchmark table: per (task, algo) the final return over seeds, beside the references."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.load import Runs
from analysis.stats import bootstrap_ci

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "results" / "reference"
TABLE_COLUMNS = ["task", "algo", "n_seeds", "steps", "mean", "std", "ci_low", "ci_high"]


def base_task(task: str) -> str:
    """``Hopper-v4`` → ``Hopper``: references use other task versions (-v2/-v3)."""
    return task.rsplit("-v", 1)[0]


def load_rlpack(reference_dir: Path = REFERENCE_DIR) -> dict[tuple[str, str], float]:
    """rlpack's 500k returns keyed by (base task, lowercase algo)."""
    path = reference_dir / "rlpack_mujoco.csv"
    if not path.exists():
        return {}
    ref = pd.read_csv(path)
    ref = ref[ref["budget_steps"] == 500_000]
    return {
        (base_task(t), a.lower()): float(r)
        for t, a, r in zip(ref["task"], ref["algo"], ref["return"], strict=True)
    }


def consistent_steps(runs: Runs) -> pd.DataFrame:
    """Keep, per (task, algo), only runs with the cell's largest step count; note the others."""
    df = runs.summaries
    if df.empty:
        return df
    target = df.groupby(["task", "algo"])["steps"].transform("max")
    odd = df[df["steps"] != target]
    for row in odd.itertuples():
        runs.notes.append(
            f"{row.algo}/{row.task}/seed_{row.seed}: {row.steps} steps, the other "
            "seeds of its cell ran longer; left out of the mean"
        )
    return df[df["steps"] == target]


def aggregate(runs: Runs) -> pd.DataFrame:
    """Tidy table: one row per (task, algo) with mean, std and 95% bootstrap CI over seeds."""
    df = consistent_steps(runs)
    rows = []
    for (task, algo), cell in df.groupby(["task", "algo"], sort=True):
        values = cell["final_return"].to_numpy(float)
        low, high = bootstrap_ci(values)
        rows.append(
            {
                "task": task,
                "algo": algo,
                "n_seeds": len(values),
                "steps": int(cell["steps"].max()),
                "mean": values.mean(),
                "std": values.std(ddof=1) if len(values) > 1 else 0.0,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _cell(row: pd.Series | None, ref: float | None) -> str:
    ours = "—" if row is None else f"{row['mean']:.1f} ± {row['std']:.1f} ({row['n_seeds']})"
    return ours if ref is None else f"{ours} · rlpack {ref:.1f}"


def to_markdown(table: pd.DataFrame, runs: Runs, suite: str) -> str:
    """Tasks as rows, algorithms as columns: ``mean ± std (n)`` and rlpack's 500k value."""
    rlpack = load_rlpack()
    lines = [f"# Benchmark table: suite `{suite}`", ""]
    if table.empty:
        lines.append("No finished runs yet.")
    else:
        algos = sorted(table["algo"].unique())
        lines += ["| task | " + " | ".join(algos) + " |", "|---" * (len(algos) + 1) + "|"]
        for task in sorted(table["task"].unique()):
            cells = []
            for algo in algos:
                match = table[(table["task"] == task) & (table["algo"] == algo)]
                row = None if match.empty else match.iloc[0]
                cells.append(_cell(row, rlpack.get((base_task(task), algo))))
            lines.append(f"| {task} | " + " | ".join(cells) + " |")
        steps = sorted(table["steps"].unique())
        lines += [
            "",
            "Cells: mean ± sample std of the final evaluation return over seeds "
            "(n = seeds); each run's final return is the mean of its last evaluation "
            f"({', '.join(str(s) for s in steps)} env steps). 95% bootstrap CIs are in "
            "`table.csv`. rlpack: its published 500k value (Gym `-v2` tasks; seeds and "
            "metric not stated), see `results/reference/`.",
        ]
    skipped = runs.failed + runs.unfinished + runs.notes
    if skipped:
        lines += [
            "",
            f"Left out of the numbers: {len(runs.unfinished)} unfinished, "
            f"{len(runs.failed)} failed, {len(runs.notes)} other.",
        ]
        lines += [f"- failed: {x}" for x in runs.failed]
        lines += [f"- unfinished: {x}" for x in runs.unfinished]
        lines += [f"- {x}" for x in runs.notes]
    return "\n".join(lines) + "\n"


def write_table(runs: Runs, suite_dir: Path, suite: str) -> pd.DataFrame:
    from sweeps.recorder import atomic_write

    table = aggregate(runs)
    atomic_write(suite_dir / "table.csv", table.to_csv(index=False, float_format="%.4f"))
    atomic_write(suite_dir / "table.md", to_markdown(table, runs, suite))
    return table
