"""Copy finished runs from a results folder elsewhere (cluster scratch, another disk) into this one.

    python -m sweeps.collect FROM [--suite bench] [--results results] [--dry-run]

Long sweeps often train outside the repository, where checkpoints and TensorBoard events can grow
(``make bench RESULTS=/scratch/runs``). This brings back what the table needs and git should keep:
each finished run's ``config.yaml``, ``eval.csv``, ``train.csv``, ``updates.csv`` and
``summary.json``, never checkpoints, events or saved policies. Only runs whose ``summary.json`` says
``done`` are copied; unfinished and failed ones are listed. A run already here is left alone when
its files are the same and reported as a conflict when they differ, as is an unfinished run here
(files without a ``summary.json``, or a checkpoint): nothing here is overwritten.
Each file is written atomically and ``summary.json`` last, so a concurrent ``make table`` never
counts a half-copied run. Run ``make table`` afterwards.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

SMALL_FILES = ("config.yaml", "eval.csv", "train.csv", "updates.csv", "summary.json")
REQUIRED = ("config.yaml", "eval.csv", "summary.json")


@dataclass
class Collected:
    """What :func:`collect` did with each run folder of the source, by its relative path."""

    copied: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # already here, same files
    conflicts: list[str] = field(default_factory=list)  # here with other contents: kept
    # conflicts where the run here is unfinished: its relative path -> the files it has here
    unfinished_here: dict[str, list[str]] = field(default_factory=dict)
    unfinished: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def collect(source: Path, target: Path, suite: str, dry_run: bool = False) -> Collected:
    """Copy ``source/<suite>``'s finished runs into ``target/<suite>`` (see the module doc)."""
    from analysis.load import run_dirs
    from sweeps.bench import run_status
    from sweeps.recorder import atomic_write

    done = Collected()
    for run_dir in run_dirs(source / suite):
        rel = run_dir.relative_to(source / suite).as_posix()
        status = run_status(run_dir)  # "done", "failed: <reason>", or None without a summary
        if status is None or any(not (run_dir / name).is_file() for name in REQUIRED):
            done.unfinished.append(rel)
            continue
        if status != "done":
            done.failed.append(f"{rel} (failed)")
            continue
        files = {  # updates.csv is newer than the other files: older runs lack it
            n: (run_dir / n).read_text(encoding="utf-8")
            for n in SMALL_FILES
            if (run_dir / n).is_file()
        }
        dest = target / suite / rel
        if (dest / "summary.json").is_file():
            same = all(
                (dest / n).is_file() and (dest / n).read_text(encoding="utf-8") == text
                for n, text in files.items()
            )
            (done.present if same else done.conflicts).append(rel)
            continue
        # a run here without a summary is unfinished (perhaps training now): never mix files
        # of two runs in one folder, nor mark a run done under a process that still writes it
        local = [n for n in (*SMALL_FILES, "checkpoint") if (dest / n).exists()]
        if local:
            done.conflicts.append(rel)
            done.unfinished_here[rel] = local
            continue
        if not dry_run:
            for name, text in files.items():  # summary.json last: the run counts once it is there
                if name != "summary.json":
                    atomic_write(dest / name, text)
            atomic_write(dest / "summary.json", files["summary.json"])
        done.copied.append(rel)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sweeps.collect",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", type=Path, help="the other results folder (holds <suite>/)")
    parser.add_argument("--suite", default="bench")
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--dry-run", action="store_true", help="list what would be copied")
    args = parser.parse_args(argv)
    if not (args.source / args.suite).is_dir():
        print(f"error: no suite folder {args.source / args.suite}", file=sys.stderr)
        return 2
    if (args.source / args.suite).resolve() == (args.results / args.suite).resolve():
        print("error: the source and --results are the same folder", file=sys.stderr)
        return 2
    done = collect(args.source, args.results, args.suite, dry_run=args.dry_run)
    verb = "would copy" if args.dry_run else "copied"
    for rel in done.copied:
        print(f"{verb}: {rel}")
    for rel in done.conflicts:
        if rel in done.unfinished_here:
            print(
                f"conflict: an unfinished run is here, {rel} "
                f"({', '.join(done.unfinished_here[rel])}); kept ours "
                "(finish or remove it, then collect again)",
                file=sys.stderr,
            )
        else:
            print(f"conflict: {rel} differs from the run already here; kept ours", file=sys.stderr)
    print(
        f"{args.suite}: {verb} {len(done.copied)} finished runs into {args.results / args.suite}; "
        f"{len(done.present)} already here, {len(done.conflicts)} conflicts, "
        f"{len(done.unfinished)} unfinished and {len(done.failed)} failed left where they are"
    )
    return 1 if done.conflicts else 0


if __name__ == "__main__":
    sys.exit(main())
