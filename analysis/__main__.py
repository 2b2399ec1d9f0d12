"""Regenerate a suite's table and curves from whatever runs exist.

python -m analysis table  [--suite bench] [--results results]
python -m analysis curves [--suite bench] [--results results]
python -m analysis all    [--suite bench] [--results results]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.curves import plot_curves
from analysis.load import load_curves, load_runs
from analysis.table import write_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("what", choices=["table", "curves", "all"])
    parser.add_argument("--suite", default="bench")
    parser.add_argument("--results", default="results")
    args = parser.parse_args(argv)
    suite_dir = Path(args.results) / args.suite
    if not suite_dir.is_dir():
        print(
            f"error: no suite folder {suite_dir} (run a sweep first, or pass --suite/--results)",
            file=sys.stderr,
        )
        return 2
    runs = load_runs(args.results, args.suite)
    print(
        f"{args.suite}: {len(runs)} finished runs, {len(runs.failed)} failed, "
        f"{len(runs.unfinished)} unfinished, {len(runs.notes)} skipped"
    )
    if args.what in ("table", "all"):
        table = write_table(runs, suite_dir, args.suite)
        print(f"wrote {suite_dir / 'table.md'} and table.csv ({len(table)} cells)")
    if args.what in ("curves", "all"):
        curves, notes = load_curves(runs)
        for note in notes:
            print(f"note: {note}")
        plot_curves(curves, suite_dir / "curves.png", f"suite {args.suite}")
        print(f"wrote {suite_dir / 'curves.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
