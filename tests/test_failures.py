"""Failures are contained: a failed run is recorded, the sweep goes on, and says so at the end."""

import json
import signal

import pytest
import yaml


def test_nan_loss_fails_one_run_and_the_sweep_goes_on(cli, tmp_path, toy_algo):
    name = toy_algo("toy_fail")
    out = cli(
        "-m",
        "sweeps.bench",
        "quick",
        "--algos",
        name,
        "--tasks",
        "InvertedPendulum-v4",
        "--seeds",
        "0,1",
        "--steps",
        "256",
        "--results",
        str(tmp_path),
        "--jobs",
        "1",
        "--",
        "algo.fail_on_seed=1",
        "eval_every=128",
        "eval_episodes=1",
    )
    assert out.returncode == 1, out.stdout + out.stderr
    runs = tmp_path / "quick" / name / "InvertedPendulum-v4"
    ok = json.loads((runs / "seed_0" / "summary.json").read_text())
    bad = json.loads((runs / "seed_1" / "summary.json").read_text())
    assert ok["status"] == "done" and ok["steps"] == 256
    assert bad["status"] == "failed" and "non-finite loss" in bad["reason"]
    assert "sweep: 1/2 runs done, 1 failed" in out.stdout
    assert "seed_1: failed: FloatingPointError: non-finite loss" in out.stderr
    table = (tmp_path / "quick" / "table.md").read_text()
    assert "1 failed" in table and "(1)" in table  # the failed seed is not in the mean


def test_single_failed_run_exits_nonzero(cli, tmp_path, toy_algo):
    name = toy_algo("toy_fail1")
    out = cli(
        "-m",
        "sweeps.train",
        f"algo={name}",
        "task=InvertedPendulum-v4",
        "steps=128",
        "eval_every=64",
        "eval_episodes=1",
        "algo.fail_on_seed=0",
        f"results_dir={tmp_path}",
    )
    assert out.returncode == 1
    summary = tmp_path / "bench" / name / "InvertedPendulum-v4" / "seed_0" / "summary.json"
    assert json.loads(summary.read_text())["status"] == "failed"


def test_unusable_results_dir_is_a_clear_error(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    out = cli("-m", "sweeps.train", f"results_dir={blocker}/results")
    assert out.returncode == 2
    assert "is a file, not a directory" in out.stderr and "Traceback" not in out.stderr


def test_resuming_with_other_settings_is_refused_and_changes_nothing(cli, tmp_path):
    args = [
        "-m",
        "sweeps.train",
        "task=Reacher-v4",
        "steps=100",
        "eval_every=100",
        "eval_episodes=1",
        "algo.num_envs=1",
        "algo.rollout_steps=50",
        "algo.num_minibatches=2",
        f"results_dir={tmp_path}",
    ]
    assert cli(*args).returncode == 0
    run = tmp_path / "bench" / "ppo" / "Reacher-v4" / "seed_0"
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    out = cli(*args, "algo.gamma=0.9")
    assert out.returncode == 2
    assert "made with other settings" in out.stderr and "algo.gamma" in out.stderr
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before


def test_corrupted_checkpoint_is_a_clear_error(cli, tmp_path):
    run = tmp_path / "bench" / "ppo" / "Reacher-v4" / "seed_0"
    args = [
        "-m",
        "sweeps.train",
        "task=Reacher-v4",
        "steps=400",
        "eval_every=200",
        "eval_episodes=1",
        "algo.num_envs=1",
        "algo.rollout_steps=50",
        "algo.num_minibatches=2",
        f"results_dir={tmp_path}",
    ]
    # make a config and a checkpoint as a killed run would leave them, then corrupt it
    assert cli(*args[:3], "steps=100", *args[4:]).returncode == 0
    (run / "summary.json").unlink()
    config = yaml.safe_load((run / "config.yaml").read_text())
    config["steps"] = 400
    (run / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    ckpt = run / "checkpoint"
    ckpt.mkdir()
    (ckpt / "state.json").write_text('{"step": 5')
    out = cli(*args)
    assert out.returncode == 2, out.stderr[-2000:]
    assert "corrupted checkpoint" in out.stderr and "Traceback" not in out.stderr
    assert not (run / "summary.json").exists()
    assert (ckpt / "state.json").read_text() == '{"step": 5'


def test_a_run_folder_is_trained_by_one_process_at_a_time(tmp_path):
    from sweeps import runlock

    run = tmp_path / "bench" / "ppo" / "Hopper-v4" / "seed_0"
    with runlock.hold(run) as first:
        with runlock.hold(run) as second:  # another open file: as another process would
            assert first and not second
    with runlock.hold(run) as again:  # released on exit
        assert again


def test_a_file_system_without_locks_trains_unlocked_with_a_warning(tmp_path, monkeypatch):
    import errno
    import fcntl

    import pytest

    from sweeps import runlock

    def no_locks(fd, op):
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with pytest.warns(UserWarning, match="training it unlocked"):
        with runlock.hold(tmp_path / "seed_0") as mine:
            assert mine


def test_a_run_another_process_is_training_is_skipped_and_left_untouched(cli, tmp_path, toy_algo):
    from sweeps import runlock

    name = toy_algo("toy_lock")
    common = ["task=InvertedPendulum-v4", "steps=128", "eval_every=64", "eval_episodes=1"]
    runs = tmp_path / "bench" / name / "InvertedPendulum-v4"
    with runlock.hold(runs / "seed_0"):  # stands for a second sweep's worker
        single = cli("-m", "sweeps.train", f"algo={name}", *common, f"results_dir={tmp_path}")
        multi = cli(
            "-m",
            "sweeps.train",
            "-m",
            f"algo={name}",
            "seed=0,1",
            *common,
            f"results_dir={tmp_path}",
        )
    assert single.returncode == 1 and "skipped: another process is training" in single.stderr
    # the sweep goes on with the runs nobody else holds
    assert multi.returncode == 0, multi.stderr[-2000:]
    assert "seed=0] skipped: another process is training" in multi.stderr
    assert json.loads((runs / "seed_1" / "summary.json").read_text())["status"] == "done"
    assert [p.name for p in (runs / "seed_0").iterdir()] == [runlock.LOCK_NAME]


@pytest.mark.parametrize("damage", ["env_state", "replay_npz", "replay_missing"])
def test_damaged_env_or_replay_state_is_a_checkpoint_error_that_changes_nothing(tmp_path, damage):
    """A MuJoCo state of another size (another MuJoCo) or a truncated replay file: reported as a
    corrupted checkpoint before training, not recorded as a failed run; so is a missing one."""
    from sweeps.checkpoint import CheckpointError
    from sweeps.config import validate
    from sweeps.runner import Run, StopRequested

    cfg = {
        "algo": {"name": "td3", "learning_starts": 50, "batch_size": 16, "hidden_sizes": [8, 8]},
        "task": "InvertedPendulum-v4",
        "seed": 0,
        "steps": 300,
        "suite": "s",
        "results_dir": str(tmp_path),
        "eval_every": 100,
        "eval_episodes": 1,
        "checkpoint_every": 100,
        "threads": 1,
    }
    run = Run(validate(cfg), log=lambda _msg: None)
    after_update = run.after_update

    def stop_at_150(stats):
        after_update(stats)
        if run.step >= 150:
            run.stop_signal = signal.SIGTERM  # as SIGTERM does: checkpoint, then stop

    run.after_update = stop_at_150
    with pytest.raises(StopRequested):
        run.execute()
    run_dir = validate(cfg).run_dir
    ckpt = run_dir / "checkpoint"
    if damage == "env_state":
        state = json.loads((ckpt / "state.json").read_text())
        state["env"][0]["mujoco"] = state["env"][0]["mujoco"][:-3]
        (ckpt / "state.json").write_text(json.dumps(state))
    elif damage == "replay_missing":
        next(ckpt.glob("*.npz")).unlink()
    else:
        npz = next(ckpt.glob("*.npz"))
        npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    files = {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file() and "tb" not in p.parts}
    with pytest.raises(CheckpointError, match="corrupted checkpoint"):
        Run(validate(cfg), log=lambda _msg: None).execute()
    assert not (run_dir / "summary.json").exists()
    after = {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file() and "tb" not in p.parts}
    assert after == files


def test_a_warm_up_longer_than_the_run_is_pointed_out(tmp_path):
    from sweeps.config import validate
    from sweeps.runner import Run

    cfg = {
        "algo": {"name": "td3", "hidden_sizes": [8, 8]},  # learning_starts 25,000 by default
        "task": "InvertedPendulum-v4",
        "seed": 0,
        "steps": 100,
        "suite": "s",
        "results_dir": str(tmp_path),
        "eval_every": 100,
        "eval_episodes": 1,
        "threads": 1,
    }
    said: list[str] = []
    assert Run(validate(cfg), log=said.append).execute()["status"] == "done"
    assert any("learning_starts=25000 >= steps=100: the agent never updates" in x for x in said)
