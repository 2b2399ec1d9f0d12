"""Collecting finished runs from another results folder: small files only, nothing overwritten."""

import json

from sweeps.collect import collect, main


def _run(root, rel, status="done", extra=()):
    run = root / "bench" / rel
    run.mkdir(parents=True)
    (run / "config.yaml").write_text(f"algo: x\nrel: {rel}\n")
    (run / "eval.csv").write_text("step,return_mean\n0,1.0\n")
    (run / "train.csv").write_text("step,episode_return,episode_length\n")
    if status is not None:
        (run / "summary.json").write_text(json.dumps({"status": status, "reason": "boom"}))
    for name in extra:
        path = run / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("heavy")
    return run


def test_collect_copies_finished_runs_small_files_only(tmp_path):
    src, dst = tmp_path / "scratch", tmp_path / "results"
    _run(
        src, "td3/Hopper-v4/seed_0", extra=("checkpoint/state.npz", "tb/events.out", "updates.csv")
    )
    _run(src, "td3/Hopper-v4/seed_1", status=None)  # still training
    _run(src, "td3/Hopper-v4/seed_2", status="failed")
    done = collect(src, dst, "bench")
    assert done.copied == ["td3/Hopper-v4/seed_0"]
    assert done.unfinished == ["td3/Hopper-v4/seed_1"]
    assert done.failed == ["td3/Hopper-v4/seed_2 (failed)"]
    copied = dst / "bench" / "td3" / "Hopper-v4" / "seed_0"
    names = sorted(p.name for p in copied.iterdir())
    assert names == ["config.yaml", "eval.csv", "summary.json", "train.csv", "updates.csv"]
    assert not (dst / "bench" / "td3" / "Hopper-v4" / "seed_1").exists()
    # a second pass finds it there, unchanged
    again = collect(src, dst, "bench")
    assert again.copied == [] and again.present == ["td3/Hopper-v4/seed_0"]


def test_collect_never_overwrites_a_different_run(tmp_path, capsys):
    src, dst = tmp_path / "scratch", tmp_path / "results"
    _run(src, "sac/Ant-v4/seed_0")
    ours = _run(dst, "sac/Ant-v4/seed_0")
    (ours / "eval.csv").write_text("step,return_mean\n0,2.0\n")
    before = {p.name: p.read_bytes() for p in ours.iterdir()}
    assert main([str(src), "--results", str(dst)]) == 1
    assert "conflict: sac/Ant-v4/seed_0 differs" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in ours.iterdir()} == before


def test_collect_never_finishes_an_unfinished_run_here(tmp_path, capsys):
    """A run here with files but no summary (training, or stopped) is not overwritten or marked
    done by a finished run of the same folder elsewhere."""
    src, dst = tmp_path / "scratch", tmp_path / "results"
    _run(src, "sac/Ant-v4/seed_0")
    ours = _run(dst, "sac/Ant-v4/seed_0", status=None, extra=("checkpoint/state.npz",))
    before = {p.name: p.read_bytes() for p in ours.iterdir() if p.is_file()}
    assert main([str(src), "--results", str(dst)]) == 1
    err = capsys.readouterr().err
    assert "conflict: an unfinished run is here, sac/Ant-v4/seed_0 (config.yaml" in err
    assert "checkpoint)" in err
    assert {p.name: p.read_bytes() for p in ours.iterdir() if p.is_file()} == before
    assert not (ours / "summary.json").exists()


def test_collect_dry_run_writes_nothing(tmp_path, capsys):
    src, dst = tmp_path / "scratch", tmp_path / "results"
    _run(src, "ddpg/Swimmer-v4/seed_0")
    assert main([str(src), "--results", str(dst), "--dry-run"]) == 0
    assert "would copy: ddpg/Swimmer-v4/seed_0" in capsys.readouterr().out
    assert not dst.exists()


def test_collect_refuses_a_missing_source_and_itself(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "no suite folder" in capsys.readouterr().err
    _run(tmp_path, "ppo/Hopper-v4/seed_0")
    assert main([str(tmp_path), "--results", str(tmp_path)]) == 2
    assert "the same folder" in capsys.readouterr().err
