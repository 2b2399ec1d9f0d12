"""The front page's list of "below" cells and the index that links them to their investigations."""

import re
from pathlib import Path

import pytest

from analysis.__main__ import main as analysis_main
from analysis.investigations import (
    InvestigationIndexError,
    github_anchors,
    load_index,
)
from tests.test_analysis import make_run

REPO = Path(__file__).resolve().parent.parent

NOTES = """# Ablations

## PPO (issue 9): Hopper's `entropy_coef` × 3

text

```
## not a heading: inside a code fence
```

## PPO (issue 9): Hopper's `entropy_coef` × 3

## SAC Humanoid: later to walk
"""


def test_anchors_follow_githubs_rules():
    anchors = github_anchors(NOTES)
    assert anchors == {
        "Ablations": "ablations",
        # lower case; backticks, colon, apostrophe, parentheses and × dropped; spaces to hyphens
        "PPO (issue 9): Hopper's `entropy_coef` × 3": "ppo-issue-9-hoppers-entropy_coef--3",
        "SAC Humanoid: later to walk": "sac-humanoid-later-to-walk",
    }
    # a repeated heading is reached as <slug>-1 on GitHub; the index links to the first one
    assert github_anchors("## A\n## A\n## A b\n") == {"A": "a", "A b": "a-b"}


def bench_results(tmp_path, index: str | None) -> Path:
    """ppo Hopper below every reference, sac Hopper below Tianshou (its only one), trpo Hopper
    above both; the index, when given, beside ablations/README.md."""
    for seed in range(2):
        make_run(tmp_path, "ppo", "Hopper-v4", seed, 100.0 + seed, suite="bench")
        make_run(tmp_path, "trpo", "Hopper-v4", seed, 5000.0 + seed, suite="bench")
        make_run(tmp_path, "sac", "Hopper-v4", seed, 200.0 + seed, suite="bench")
    (tmp_path / "ablations").mkdir()
    (tmp_path / "ablations" / "README.md").write_text(NOTES)
    if index is not None:
        (tmp_path / "ablations" / "investigations.yaml").write_text(index)
    return tmp_path


def test_front_page_lists_every_below_cell_with_its_investigation(tmp_path):
    results = bench_results(
        tmp_path,
        "- algo: sac\n  task: Hopper-v4\n  section: 'SAC Humanoid: later to walk'\n"
        "  finding: >-\n    seeds start\n    late\n"
        "- algo: trpo\n  task: Hopper-v4\n  section: 'SAC Humanoid: later to walk'\n",
    )
    assert analysis_main(["table", "--suite", "bench", "--results", str(results)]) == 0
    page = (results / "README.md").read_text()
    section = page.split("## Cells below a reference", 1)[1].split("## Table", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| Hopper-v4")]
    # below every reference it has (rlpack and Tianshou) first, then the one below Tianshou only
    assert rows[0].startswith("| Hopper-v4 | ppo | 2 | rlpack, Tianshou | — |")
    assert rows[0].endswith("| not investigated yet |")
    assert rows[1].startswith("| Hopper-v4 | sac | 2 | Tianshou | — |")
    assert rows[1].endswith(
        "| [SAC Humanoid: later to walk](ablations/README.md#sac-humanoid-later-to-walk): "
        "seeds start late |"
    )
    assert len(rows) == 2  # trpo reproduces both: its index entry is history, not listed
    assert "2 cells read **below**" in section and "2 fall short of every reference they" in section
    assert "1 of the 2 has an investigation" in section
    # the bench suite's other cells have no runs here
    counts = re.search(
        r"Verdicts over the (\d+) cells whose algorithm can act in the task: 1 reproduced, "
        r"2 below, 0 no reference, (\d+) not run\.",
        section,
    )
    assert counts and int(counts[1]) == 3 + int(counts[2])


def test_front_page_without_an_index_marks_every_below_cell(tmp_path):
    results = bench_results(tmp_path, None)
    assert analysis_main(["table", "--suite", "bench", "--results", str(results)]) == 0
    page = (results / "README.md").read_text()
    assert page.count("| not investigated yet |") == 2


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (
            "- algo: sac\n  task: Hopper-v4\n  section: 'SAC Humanoid: late to walk'\n",
            'entry 1 (sac Hopper-v4): section "SAC Humanoid: late to walk" is not a heading of ',
            # ... <results>/ablations/README.md, then the nearest heading
        ),
        (
            "- algo: sac\n  task: Hopper-v4\n  sektion: x\n",
            "entry 1: unknown key(s) sektion; missing section; keys: algo, task, section, finding",
        ),
        ("- algo: sac\n  task: ''\n  section: x\n", "entry 1: task must be non-empty text"),
        ("algo: sac\n", "expected a list of entries with keys algo, task, section, finding"),
        ("- [sac\n", "not valid YAML at line 2, column 1: expected ',' or ']'"),
    ],
)
def test_a_broken_index_is_one_line_and_nothing_is_written(tmp_path, capsys, index, message):
    results = bench_results(tmp_path, index)
    table = results / "bench" / "table.md"
    table.write_text("the previous table\n")
    assert analysis_main(["table", "--suite", "bench", "--results", str(results)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err and "investigations.yaml" in err
    if "not a heading" in message:
        assert err.endswith('README.md (did you mean "SAC Humanoid: later to walk"?)\n')
    assert table.read_text() == "the previous table\n"  # nothing regenerated over it
    assert not (results / "README.md").exists()


def test_the_committed_index_names_existing_sections_and_tasks():
    index = load_index(REPO / "results")
    assert index, "results/ablations/investigations.yaml has no entries"
    from envs import MUJOCO_TASKS
    from sweeps.config import available_algos

    for algo, task in index:
        assert algo in available_algos() and task in MUJOCO_TASKS, (algo, task)


def test_a_missing_notes_file_is_named(tmp_path):
    (tmp_path / "ablations").mkdir()
    (tmp_path / "ablations" / "investigations.yaml").write_text("- {algo: a, task: t, section: s}")
    with pytest.raises(InvestigationIndexError, match="README.md, which is missing"):
        load_index(tmp_path)


def test_one_below_cell_reads_in_the_singular(tmp_path):
    make_run(tmp_path, "ppo", "Hopper-v4", 0, 100.0, suite="bench")
    assert analysis_main(["table", "--suite", "bench", "--results", str(tmp_path)]) == 0
    page = (tmp_path / "README.md").read_text()
    assert "1 cell reads **below**" in page and "1 falls short of every reference it has" in page
    assert "0 of the 1 have an investigation" in page
