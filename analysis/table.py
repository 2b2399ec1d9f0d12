"""The benchmark table: per (task, algo) the final return over seeds, its 95% bootstrap CI, the
reference values beside it and a verdict; plus the runtime table.

Verdicts, per reference and overall:

- ``reproduced``: the upper end of the 95% CI reaches or passes the reference;
- ``below``: it does not;
- ``not run``: no finished run for the cell yet;
- ``n/a``: the algorithm cannot act in the task (discrete vs continuous actions);
- ``no reference``: nobody published a 500k value for the cell.

Tianshou's PPO/TRPO/A2C references are returns of the sampled (stochastic) policy
(``analysis.reference.TIANSHOU_SAMPLED_EVAL``): those cells are compared with our sampled-policy
final returns when every seed of the cell recorded one, and with the deterministic ones otherwise;
``tianshou_metric`` says which. rlpack does not state its metric: it is compared with the
deterministic return. CleanRL's DQN values (classic control) are returns of its training episodes
(ε-greedy, ε = 0.05 by then); they are compared with the greedy evaluation, the table's metric
(``results/reference/README.md`` gives our training-episode returns beside them).

The overall verdict is ``reproduced`` only if every available reference is reproduced.

``tianshou_z`` is a diagnostic beside the verdict: (cell mean − Tianshou's mean) / Tianshou's
seed-to-seed std, on the metric the verdict used. A cell "below" at z = −0.3 lies well inside
Tianshou's own spread over its 10 seeds; at z = −2 it does not. Verdicts never use it.
``tianshou_late_z`` is the same over the last 100k steps: the mean over seeds of each run's last 10
evaluations against Tianshou's seed mean and std of per-seed means over (400k, 500k].
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.load import SUMMARY_COLUMNS, Runs
from analysis.reference import (
    TIANSHOU_SAMPLED_EVAL,
    base_task,
    cleanrl,
    rlpack,
    tianshou,
    tianshou_window,
)
from analysis.stats import bootstrap_ci

TABLE_COLUMNS = [
    "task",
    "algo",
    "n_seeds",
    "steps",
    "mean",
    "std",
    "ci_low",
    "ci_high",
    "stochastic_mean",
    "stochastic_ci_low",
    "stochastic_ci_high",
    "late_mean",
    "late_stochastic_mean",
    "rlpack",
    "tianshou",
    "tianshou_std",
    "tianshou_z",
    "tianshou_late",
    "tianshou_late_std",
    "tianshou_late_z",
    "cleanrl",
    "cleanrl_std",
    "verdict_rlpack",
    "verdict_tianshou",
    "tianshou_metric",
    "verdict_cleanrl",
    "verdict",
]


# the verdict columns: one per reference, then the overall one
VERDICT_SUFFIXES = ("_rlpack", "_tianshou", "_cleanrl", "")


def consistent_steps(runs: Runs) -> pd.DataFrame:
    """Keep, per (task, algo), only runs with the cell's largest step count; note the others."""
    df = runs.summaries
    if df.empty:
        return df
    target = df.groupby(["task", "algo"])["steps"].transform("max")
    for row in df[df["steps"] != target].itertuples():
        note = (
            f"{row.algo}/{row.task}/seed_{row.seed}: {row.steps} steps while other seeds of "
            "its cell ran longer; left out of the mean"
        )
        if note not in runs.notes:  # the table, the aggregate and the curves each call this
            runs.notes.append(note)
    return df[df["steps"] == target]


def _verdict(ci_high: float | None, ref: float | None) -> str:
    if ref is None:
        return "no reference"
    if ci_high is None:
        return "not run"
    return "reproduced" if ci_high >= ref else "below"


def _z(mean: float, ref: float | None, ref_std: float | None) -> float | None:
    """(mean - ref) / ref_std; None without a reference or with a zero spread (e.g. 1000 ± 0)."""
    if ref is None or pd.isna(ref_std) or not ref_std > 0:  # pd.isna(None) is True
        return None
    return (mean - ref) / ref_std


def _overall(verdicts: list[str]) -> str:
    real = [v for v in verdicts if v != "no reference"]
    if not real:
        return "no reference"
    return "reproduced" if all(v == "reproduced" for v in real) else "below"


def aggregate(
    runs: Runs,
    algos: list[str] | None = None,
    tasks: list[str] | None = None,
    kinds: dict[tuple[str, str], bool] | None = None,
) -> pd.DataFrame:
    """Tidy table, one row per (task, algo): statistics over seeds, references, verdicts.

    ``algos``/``tasks`` add cells that have no runs (``not run``); ``kinds[(algo, task)]`` False
    marks a cell the algorithm cannot act in (``n/a``).
    """
    df = consistent_steps(runs)
    algos = sorted(set(algos or []) | set(df["algo"]))
    tasks = sorted(set(tasks or []) | set(df["task"]))
    ref_rl, ref_ts, ref_cr = rlpack(), tianshou(), cleanrl()
    ref_late = tianshou_window()
    rows = []
    for task in tasks:
        for algo in algos:
            key = (base_task(task), algo)
            cell = df[(df["task"] == task) & (df["algo"] == algo)]
            row = {
                "task": task,
                "algo": algo,
                "n_seeds": len(cell),
                "rlpack": ref_rl.get(key),
                "tianshou": ref_ts.get(key, (None, None))[0],
                "tianshou_std": ref_ts.get(key, (None, None))[1],
                "tianshou_late": ref_late.get(key, (None, None))[0],
                "tianshou_late_std": ref_late.get(key, (None, None))[1],
                "cleanrl": ref_cr.get(key, (None, None))[0],
                "cleanrl_std": ref_cr.get(key, (None, None))[1],
            }
            if kinds is not None and kinds.get((algo, task)) is False:
                row.update({f"verdict{k}": "n/a" for k in VERDICT_SUFFIXES})
            elif cell.empty:
                row.update({f"verdict{k}": "not run" for k in VERDICT_SUFFIXES})
            else:
                values = cell["final_return"].to_numpy(float)
                low, high = bootstrap_ci(values)
                row.update(
                    steps=int(cell["steps"].max()),
                    mean=values.mean(),
                    std=values.std(ddof=1) if len(values) > 1 else float("nan"),  # one seed: none
                    ci_low=low,
                    ci_high=high,
                    # diagnostic only: mean over seeds of each run's last-10-evaluation mean
                    late_mean=cell["late_return"].mean(),
                    verdict_rlpack=_verdict(high, row["rlpack"]),
                    verdict_cleanrl=_verdict(high, row["cleanrl"]),
                )
                if row["tianshou"] is not None:
                    row["tianshou_metric"] = "deterministic"
                sampled = cell["final_return_stochastic"].to_numpy(float)
                ts_high, ts_mean = high, row["mean"]
                if len(sampled) and not pd.isna(sampled).any():
                    s_low, s_high = bootstrap_ci(sampled)
                    row.update(
                        stochastic_mean=sampled.mean(),
                        stochastic_ci_low=s_low,
                        stochastic_ci_high=s_high,
                    )
                    if algo in TIANSHOU_SAMPLED_EVAL and row["tianshou"] is not None:
                        ts_high, row["tianshou_metric"] = s_high, "stochastic"
                        ts_mean = row["stochastic_mean"]
                row["verdict_tianshou"] = _verdict(ts_high, row["tianshou"])
                row["tianshou_z"] = _z(ts_mean, row["tianshou"], row["tianshou_std"])
                # the same comparison over the last 100k steps, on the same metric: a seed's
                # mean over many evaluations is far less noisy than one 10-episode evaluation
                late_sampled = cell["late_return_stochastic"].to_numpy(float)
                if len(late_sampled) and not pd.isna(late_sampled).any():
                    row["late_stochastic_mean"] = late_sampled.mean()
                late_mean = row.get("late_stochastic_mean")
                if row.get("tianshou_metric") != "stochastic":
                    late_mean = row["late_mean"]
                if late_mean is not None and not pd.isna(late_mean):
                    row["tianshou_late_z"] = _z(
                        late_mean, row["tianshou_late"], row["tianshou_late_std"]
                    )
                row["verdict"] = _overall(
                    [row["verdict_rlpack"], row["verdict_tianshou"], row["verdict_cleanrl"]]
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


RUNTIME_COLUMNS = ["task", "algo", "cpu", "n", "wall_time_min", "steps_per_s", "peak_memory_mb"]


def runtime_table(runs: Runs) -> pd.DataFrame:
    """Mean wall time and training steps/s per (task, algo, CPU model) over finished runs.

    Runs of one cell made on different machines get a row per CPU: averaging their wall times
    would describe no machine."""
    df = runs.summaries
    if df.empty:
        return pd.DataFrame(columns=RUNTIME_COLUMNS)
    df = df.assign(peak_memory_mb=pd.to_numeric(df["peak_memory_mb"], errors="coerce"))
    g = df.groupby(["task", "algo", "cpu"])
    out = pd.DataFrame(
        {
            "n": g.size(),
            "wall_time_min": g["wall_time_s"].mean() / 60.0,
            "steps_per_s": g["steps_per_s"].mean(),
            # the largest run's: what a machine (or a SLURM job) must hold for one run
            "peak_memory_mb": g["peak_memory_mb"].max(),
        }
    ).reset_index()
    return out


# runs.csv: a summary row without its bookkeeping, the wall time in minutes
RUN_COLUMNS = ["task", "algo"] + [
    "wall_time_min" if c == "wall_time_s" else c
    for c in SUMMARY_COLUMNS
    if c not in ("task", "algo", "steps_target", "run_dir")
]


def run_table(runs: Runs) -> pd.DataFrame:
    """One row per run behind the table (finished, of its cell's step count): its returns, wall
    time, speed, memory, the CPU it ran on and the commit it started from (``origin``: whether
    a resumed run's parts share code, libraries and CPU; ``summary.json`` has each part)."""
    df = consistent_steps(runs)
    if df.empty:
        return pd.DataFrame(columns=RUN_COLUMNS)
    df = df.assign(wall_time_min=pd.to_numeric(df["wall_time_s"], errors="coerce") / 60.0)
    return df[RUN_COLUMNS].sort_values(["task", "algo", "seed"], ignore_index=True)


def _fmt(x: float | None, digits: int = 1) -> str:
    return "—" if x is None or pd.isna(x) else f"{x:.{digits}f}"


def _matrix_cell(row: pd.Series) -> str:
    if row["verdict"] in ("n/a", "not run"):
        return row["verdict"]
    spread = "" if pd.isna(row["std"]) else f" ± {row['std']:.1f}"  # no spread from one seed
    text = f"{row['mean']:.1f}{spread} ({row['n_seeds']})"
    if row["verdict"] == "no reference":
        return text
    # the mean shown is deterministic; a sampled-action reference was judged on sampled returns
    mark = " (sampled)" if row["tianshou_metric"] == "stochastic" else ""
    return f"{text} {row['verdict']}{mark}"


def _late_section(table: pd.DataFrame) -> list[str]:
    """Our last 10 evaluations beside Tianshou's mean over its last 100k steps, per cell."""
    rows = table[table["tianshou_late"].notna() & (table["n_seeds"] > 0)]
    if rows.empty:
        return []
    lines = [
        "",
        "## Last 100k steps vs Tianshou",
        "",
        "One final evaluation is 10 episodes of a policy that still moves; a run's mean over "
        "its last 100k steps is a steadier reading. *last 10*: the mean over seeds of each "
        "run's last 10 evaluations, i.e. over (400k, 500k], on the metric in *on* (as in the "
        "cells above: sampled actions for PPO/TRPO/A2C where every seed recorded them). "
        "*Tianshou, last 100k*: its 10 seeds' mean ± std of each seed's mean test return over "
        "(400k, 500k] (20 evaluations for DDPG/TD3/SAC, 3 for PPO/TRPO/A2C; no std for TRPO, "
        "whose per-seed curves were not published; values rounded to 0.1, so Reacher's "
        "spreads are coarse). *z*: (last 10 − Tianshou) / Tianshou's std, beside the final "
        "return's z from the cells above. Diagnostics: verdicts never use them.",
        "",
        "| task | algo | n | last 10 | on | Tianshou, last 100k | z, last 100k | z, final |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows.itertuples():
        sampled = r.tianshou_metric == "stochastic"
        ours = r.late_stochastic_mean if sampled else r.late_mean
        spread = "" if pd.isna(r.tianshou_late_std) else f" ± {r.tianshou_late_std:.1f}"
        lines.append(
            f"| {r.task} | {r.algo} | {r.n_seeds} | {_fmt(ours)} | {r.tianshou_metric} | "
            f"{r.tianshou_late:.1f}{spread} | {_fmt(r.tianshou_late_z, 2)} | "
            f"{_fmt(r.tianshou_z, 2)} |"
        )
    return lines


def _total_wall_time(runs: Runs) -> str:
    """What the finished runs cost in all, per algorithm: the budget a rerun of the suite needs."""
    df = runs.summaries.assign(
        hours=pd.to_numeric(runs.summaries["wall_time_s"], errors="coerce") / 3600.0
    )
    per_algo = df.groupby("algo")["hours"].agg(["size", "sum"]).sort_values("sum", ascending=False)
    unknown = int(df["hours"].isna().sum())
    missing = f" {unknown} run(s) recorded no wall time and count as none." if unknown else ""
    parts = "; ".join(f"{a} {r['sum']:.1f} h ({int(r['size'])})" for a, r in per_algo.iterrows())
    return (
        f"In all: {len(df)} runs, {df['hours'].sum():.1f} h of wall time summed over runs (runs "
        f"side by side overlap, so the sweep took less time than that on its machines); per "
        f"algorithm (runs): {parts}.{missing} `make plan` estimates a sweep's time left from "
        f"these rates."
    )


def to_markdown(table: pd.DataFrame, runtimes: pd.DataFrame, runs: Runs, suite: str) -> str:
    lines = [f"# Benchmark table: suite `{suite}`", ""]
    if table.empty:
        lines.append("No finished runs yet.")
    else:
        algos = sorted(table["algo"].unique())
        lines += ["| task | " + " | ".join(algos) + " |", "|---" * (len(algos) + 1) + "|"]
        for task in sorted(table["task"].unique()):
            cells = [
                _matrix_cell(table[(table["task"] == task) & (table["algo"] == a)].iloc[0])
                for a in algos
            ]
            lines.append(f"| {task} | " + " | ".join(cells) + " |")
        steps = sorted(int(s) for s in table["steps"].dropna().unique())
        lines += [
            "",
            "Each cell: mean ± sample std over seeds (n = seeds; no std from one seed) of the "
            "final return, the mean "
            "return of a run's last evaluation (deterministic policy, separate env) at "
            f"{', '.join(map(str, steps)) or '—'} env steps, and the verdict: **reproduced** "
            "when the 95% bootstrap CI of the mean reaches or passes every published 500k "
            "reference for the cell, **below** otherwise; *(sampled)*: Tianshou's reference "
            "was judged on the same evaluation's sampled-action returns (see *Cells*), not on "
            "the deterministic mean shown; **not run** = no finished run; "
            "**n/a** = the algorithm cannot act in the task. With so few seeds a verdict says "
            "whether the runs *fail to reach* a reference, not that they match it: the "
            "percentile bootstrap's upper end is the best seed's return for one to three seeds "
            "(a resample of the best seed alone is more likely than 2.5% when n ≤ 3), so with "
            "three seeds **reproduced** means at least one seed reached every reference; the "
            "*last 10* and *z* columns below say how far the rest are.",
            "",
            "References: rlpack's table (Gym `-v2`, seeds and metric not stated) and Tianshou's "
            "10-seed means near 500k (`-v3`; `-v2` for Reacher and the pendulums) for the MuJoCo "
            "tasks; CleanRL's `dqn.py` (3 seeds at 500k, returns of its ε-greedy training "
            "episodes) for DQN's classic-control tasks. Our runs use "
            "Gymnasium `-v4` unless the task id says otherwise: task versions differ, so "
            "verdicts are indicative. Sources: `results/reference/README.md`.",
            "",
            "## Cells",
            "",
            "*sampled*: the same final evaluation with actions sampled from the policy, for "
            "stochastic policies (mean and 95% CI over seeds; — where a seed did not record it). "
            "Tianshou's PPO/TRPO/A2C values are sampled-policy returns (its test policies sampled "
            "actions then: thu-ml/tianshou#353), so those cells are judged on *sampled* when every "
            "seed has it; *Tianshou on* names the metric used. *last 10*: the mean over seeds of "
            "each run's last 10 evaluations (deterministic; the last 20% of a run at the default "
            "`eval_every`), beside the final return to show whether a cell's final evaluation is "
            "a dip or a peak; verdicts never use it. *z*: (cell mean − Tianshou's mean) / "
            "Tianshou's seed std, on the metric named in *Tianshou on*: how far the cell lies "
            "from Tianshou's mean in units of its own seed-to-seed spread (−0.3: well inside it; "
            "−2: outside); a diagnostic, verdicts never use it.",
            "",
            "| task | algo | n | mean ± std | 95% CI | sampled | last 10 | rlpack | Tianshou | z | "
            "CleanRL | vs rlpack | vs Tianshou | Tianshou on | vs CleanRL |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in table[~table["verdict"].isin(["n/a"])].itertuples():
            ts = "—" if pd.isna(r.tianshou) else f"{r.tianshou:.1f} ± {r.tianshou_std:.1f}"
            cr = "—" if pd.isna(r.cleanrl) else f"{r.cleanrl:.1f} ± {r.cleanrl_std:.1f}"
            stats = "— | —"
            if r.n_seeds:
                stats = f"{r.mean:.1f} ± {r.std:.1f} | [{r.ci_low:.1f}, {r.ci_high:.1f}]"
                if r.n_seeds == 1:  # a bootstrap of one value is that value: no interval
                    stats = f"{r.mean:.1f} | — (one seed)"
            sampled = "—"
            if not pd.isna(r.stochastic_mean):
                sampled = (
                    f"{r.stochastic_mean:.1f} [{r.stochastic_ci_low:.1f}, "
                    f"{r.stochastic_ci_high:.1f}]"
                    if r.n_seeds > 1
                    else f"{r.stochastic_mean:.1f}"
                )
            metric = "—" if pd.isna(r.tianshou_metric) else r.tianshou_metric
            lines.append(
                f"| {r.task} | {r.algo} | {r.n_seeds} | {stats} | {sampled} | "
                f"{_fmt(r.late_mean)} | {_fmt(r.rlpack)} | {ts} | {_fmt(r.tianshou_z, 2)} | "
                f"{cr} | {r.verdict_rlpack} | {r.verdict_tianshou} | {metric} | "
                f"{r.verdict_cleanrl} |"
            )
        lines += _late_section(table)
    if not runtimes.empty:
        lines += [
            "",
            "## Runtime",
            "",
            "Mean over finished runs, per CPU model the runs ran on: wall time (training + "
            "evaluation), training env steps per second (evaluation excluded) and the largest "
            "run's peak resident memory (— for runs that did not record it).",
            "",
            "| task | algo | cpu | runs | wall time (min) | steps/s | peak memory (MB) |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in runtimes.itertuples():
            lines.append(
                f"| {r.task} | {r.algo} | {r.cpu} | {r.n} | {_fmt(r.wall_time_min)} | "
                f"{_fmt(r.steps_per_s, 0)} | {_fmt(r.peak_memory_mb, 0)} |"
            )
        lines += ["", _total_wall_time(runs)]
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


def write_table(runs: Runs, suite_dir: Path, suite: str, **universe) -> pd.DataFrame:
    from sweeps.recorder import atomic_write

    table = aggregate(runs, **universe)
    runtimes = runtime_table(runs)
    atomic_write(suite_dir / "table.csv", table.to_csv(index=False, float_format="%.4f"))
    atomic_write(suite_dir / "runtime.csv", runtimes.to_csv(index=False, float_format="%.2f"))
    atomic_write(suite_dir / "runs.csv", run_table(runs).to_csv(index=False, float_format="%.4f"))
    atomic_write(suite_dir / "table.md", to_markdown(table, runtimes, runs, suite))
    return table
