"""Where each cell that reads "below" a reference is looked into.

``<results>/ablations/investigations.yaml`` maps bench cells to sections of
``<results>/ablations/README.md``, the notes of the ablations and diagnoses made for them:

    - algo: sac
      task: Humanoid-v4
      section: "SAC Humanoid (issue 9): later to walk than Tianshou's seeds, no ablation yet"
      finding: seeds start walking later than Tianshou's; two candidate causes queued

``section`` is a heading of that README, word for word; ``finding`` (optional) is one line. A cell
may have several entries. ``make table`` lists every "below" cell of the bench table on the front
page with its sections as links, and says "not investigated yet" for a cell that has none, so a
gap no one has looked at shows. An entry whose cell is no longer below is kept as history and
not listed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.table import _fmt

INDEX = Path("ablations") / "investigations.yaml"
NOTES = Path("ablations") / "README.md"
KEYS = ("algo", "task", "section", "finding")
REQUIRED = ("algo", "task", "section")


class InvestigationIndexError(ValueError):
    """The index cannot be used; the message names the file, the entry and what is allowed."""


@dataclass(frozen=True)
class Investigation:
    algo: str
    task: str
    section: str
    anchor: str  # the section's link target in NOTES
    finding: str = ""


def github_anchors(markdown: str) -> dict[str, str]:
    """Each heading's text → its anchor as GitHub renders it: lower case, punctuation dropped,
    spaces to hyphens, ``-1``, ``-2`` ... after repeats. Headings inside code fences are not
    headings."""
    anchors: dict[str, str] = {}
    seen: dict[str, int] = {}
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        match = re.match(r"#{1,6}\s+(.+?)\s*#*\s*$", line)
        if in_fence or not match:
            continue
        text = match.group(1)
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.setdefault(text, slug if count == 0 else f"{slug}-{count}")
    return anchors


def load_index(results: Path) -> dict[tuple[str, str], list[Investigation]]:
    """The index under ``results``, keyed by (algo, task); empty when there is none.

    Raises InvestigationIndexError on a file that is not a list of entries, an entry with a key
    outside KEYS or without one of REQUIRED, or a section that is not a heading of NOTES.
    """
    path = results / INDEX
    if not path.exists():
        return {}
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise InvestigationIndexError(f"{path}: not valid YAML{at}: {problem}") from None
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise InvestigationIndexError(
            f"{path}: expected a list of entries with keys {', '.join(KEYS)}; "
            f"found a {type(entries).__name__}"
        )
    notes = results / NOTES
    if not notes.exists():
        raise InvestigationIndexError(f"{path}: its sections live in {notes}, which is missing")
    headings = github_anchors(notes.read_text(encoding="utf-8"))
    index: dict[tuple[str, str], list[Investigation]] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, entry {number}"
        if not isinstance(entry, dict):
            keys = ", ".join(KEYS)
            raise InvestigationIndexError(f"{where}: expected a mapping with keys {keys}")
        unknown = sorted(set(map(str, entry)) - set(KEYS))
        missing = [k for k in REQUIRED if k not in entry]
        if unknown or missing:
            problem = f"unknown key(s) {', '.join(unknown)}" if unknown else ""
            if missing:
                problem += ("; " if problem else "") + f"missing {', '.join(missing)}"
            raise InvestigationIndexError(f"{where}: {problem}; keys: {', '.join(KEYS)}")
        values = {k: entry.get(k, "") for k in KEYS}
        bad = [k for k, v in values.items() if not isinstance(v, str) or (k in REQUIRED and not v)]
        if bad:
            raise InvestigationIndexError(f"{where}: {', '.join(bad)} must be non-empty text")
        section = values["section"].strip()
        if section not in headings:
            near = difflib.get_close_matches(section, list(headings), n=1, cutoff=0.5)
            hint = f' (did you mean "{near[0]}"?)' if near else ""
            raise InvestigationIndexError(
                f'{where} ({values["algo"]} {values["task"]}): section "{section}" is not a '
                f"heading of {notes}{hint}"
            )
        item = Investigation(
            algo=values["algo"],
            task=values["task"],
            section=section,
            anchor=headings[section],
            finding=" ".join(values["finding"].split()),
        )
        index.setdefault((item.algo, item.task), []).append(item)
    return index


def verdict_counts(table: pd.DataFrame) -> str:
    """One line: how many of the cells an algorithm can act in got each overall verdict."""
    counts = table["verdict"].value_counts()
    order = ("reproduced", "below", "no reference", "not run")
    total = sum(int(counts.get(v, 0)) for v in order)
    parts = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in order)
    return f"Verdicts over the {total} cells whose algorithm can act in the task: {parts}."


def _link(item: Investigation) -> str:
    link = f"[{item.section}]({NOTES.as_posix()}#{item.anchor})"
    return f"{link}: {item.finding}" if item.finding else link


def _references(row: pd.Series, verdict: str) -> list[str]:
    """The names of the references whose verdict for the cell is ``verdict``."""
    sampled = " (sampled)" if row.get("tianshou_metric") == "stochastic" else ""
    names = {"rlpack": "rlpack", "tianshou": f"Tianshou{sampled}", "cleanrl": "CleanRL"}
    return [name for key, name in names.items() if row.get(f"verdict_{key}") == verdict]


def below_section(
    table: pd.DataFrame, index: dict[tuple[str, str], list[Investigation]]
) -> list[str]:
    """The front page's list of "below" cells: the references each misses and meets, its *z*
    against Tianshou, and its investigations (links into NOTES) or "not investigated yet"."""
    below = table[table["verdict"] == "below"].copy()
    lines = ["## Cells below a reference", "", verdict_counts(table), ""]
    if below.empty:
        return lines + ["No cell reads below a reference.", ""]
    below["every"] = [not _references(row, "reproduced") for _, row in below.iterrows()]
    below = below.sort_values(["every", "task", "algo"], ascending=[False, True, True])
    looked_into = sum((a, t) in index for a, t in zip(below["algo"], below["task"], strict=True))
    n, every = len(below), int(below["every"].sum())
    lines += [
        f"{n} {'cell reads' if n == 1 else 'cells read'} **below**: the 95% CI does not reach "
        f"at least one published reference. {every} {'falls' if every == 1 else 'fall'} short "
        f"of every reference {'it has' if every == 1 else 'they have'} (listed first); "
        f"{looked_into} of the {n} {'has' if looked_into == 1 else 'have'} an investigation, "
        f"recorded in `{INDEX.as_posix()}` and written up in the sections linked. *z*: against "
        "Tianshou's seed spread, as in *Cells* and *Last 100k steps* below.",
        "",
        "| task | algo | n | below | reproduced | z, final | z, last 100k | investigated in |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, row in below.iterrows():
        found = index.get((row["algo"], row["task"]), [])
        where = "; ".join(_link(i) for i in found)
        missed = ", ".join(_references(row, "below"))
        met = ", ".join(_references(row, "reproduced")) or "—"
        lines.append(
            f"| {row['task']} | {row['algo']} | {int(row['n_seeds'])} | {missed} | {met} | "
            f"{_fmt(row.get('tianshou_z'), 2)} | {_fmt(row.get('tianshou_late_z'), 2)} | "
            f"{where or 'not investigated yet'} |"
        )
    return lines + [""]
