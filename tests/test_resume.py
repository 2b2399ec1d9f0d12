"""Kill a run with SIGKILL mid-training, re-run the same command, and check what survives."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd

from tests.conftest import REPO

ARGS = [
    "algo=ppo",
    "task=Hopper-v4",
    "seed=3",
    "steps=8192",
    "eval_every=2048",
    "eval_episodes=2",
    "checkpoint_every=1024",
    "algo.num_envs=1",
    "algo.rollout_steps=512",
    "algo.num_minibatches=8",
    "algo.epochs=4",
    "suite=r",
]


def sweep_cmd(results):
    return [sys.executable, "-m", "sweeps.train", "-m", *ARGS, f"results_dir={results}"]


def env():
    return {**os.environ, "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


def test_sigkill_then_rerun_resumes_exactly(tmp_path):
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    run_dir = killed / "r" / "ppo" / "Hopper-v4" / "seed_3"
    # a finished neighbour run that must not be re-run
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sweeps.train",
            *ARGS[:2],
            "seed=4",
            *ARGS[3:],
            f"results_dir={killed}",
        ],
        cwd=REPO,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    neighbour = killed / "r" / "ppo" / "Hopper-v4" / "seed_4" / "summary.json"
    neighbour_before = neighbour.read_text()

    proc = subprocess.Popen(
        [sys.executable, "-m", "sweeps.train", *ARGS, f"results_dir={killed}"],
        cwd=REPO,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 240
    while time.time() < deadline:
        state = run_dir / "checkpoint" / "state.json"
        if state.exists() and json.loads(state.read_text())["step"] >= 3072:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (run_dir / "summary.json").exists(), "the run finished before it was killed"

    again = subprocess.run(
        sweep_cmd(killed)[:4] + [*ARGS[1:2], "seed=3,4", *ARGS[3:], f"results_dir={killed}"],
        cwd=REPO,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert "resuming from step" in again.stderr and "already done" in again.stderr
    assert neighbour.read_text() == neighbour_before  # the finished run was not re-run

    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "done" and summary["steps"] == 8192
    assert summary["resumed_from_step"] >= 3072
    assert not (run_dir / "checkpoint").exists()  # removed once the run is done
    evals = pd.read_csv(run_dir / "eval.csv")
    assert list(evals["step"]) == [0, 2048, 4096, 6144, 8192]
    train = pd.read_csv(run_dir / "train.csv")
    assert not train.duplicated().any() and train["step"].is_monotonic_increasing

    # the same run without interruption: identical rows and final return
    ref = subprocess.run(sweep_cmd(clean), cwd=REPO, env=env(), capture_output=True, text=True)
    assert ref.returncode == 0, ref.stderr[-2000:]
    ref_dir = clean / "r" / "ppo" / "Hopper-v4" / "seed_3"
    ref_summary = json.loads((ref_dir / "summary.json").read_text())
    assert summary["final_return"] == ref_summary["final_return"]
    ref_evals = pd.read_csv(ref_dir / "eval.csv")
    cols = ["step", "return_mean", "return_std", "length_mean"]
    pd.testing.assert_frame_equal(evals[cols], ref_evals[cols])
    pd.testing.assert_frame_equal(train, pd.read_csv(ref_dir / "train.csv"))
    updates = pd.read_csv(run_dir / "updates.csv")  # PPO's losses, KL, ... per evaluation
    assert list(updates["step"]) == [2048, 4096, 6144, 8192]
    pd.testing.assert_frame_equal(updates, pd.read_csv(ref_dir / "updates.csv"))


def signal_midway(cmd, log, marker, signum, *, merge_stdout=False, preexec_fn=None):
    """Run ``cmd`` logging to ``log``, send ``signum`` once ``marker`` shows there; (rc, log text).

    The log holds stderr, and stdout too with ``merge_stdout``."""
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=env(),
            stdout=out if merge_stdout else subprocess.DEVNULL,
            stderr=subprocess.STDOUT if merge_stdout else out,
            preexec_fn=preexec_fn,
        )
        deadline = time.time() + 240
        while time.time() < deadline and marker not in log.read_text():
            time.sleep(0.05)
        proc.send_signal(signum)
        rc = proc.wait(timeout=240)
    return rc, log.read_text()


def test_sigterm_checkpoints_where_the_run_stands_and_stops_the_sweep(tmp_path):
    # no periodic checkpoint within the run: any checkpoint is the one the signal asked for
    args = [a for a in ARGS if not a.startswith(("checkpoint_every", "seed"))]
    cmd = [sys.executable, "-m", "sweeps.train", "-m", *args, "seed=3,4", "checkpoint_every=10000"]
    cmd.append(f"results_dir={tmp_path}")
    run_dir = tmp_path / "r" / "ppo" / "Hopper-v4" / "seed_3"
    rc, text = signal_midway(cmd, tmp_path / "stderr.txt", "step 4096/8192", signal.SIGTERM)
    assert rc == 128 + signal.SIGTERM, text[-2000:]
    assert "SIGTERM received: stopping after the current update" in text
    state = json.loads((run_dir / "checkpoint" / "state.json").read_text())
    assert 4096 <= state["step"] < 8192 and state["step"] % 512 == 0  # after an update
    assert f"stopped by SIGTERM at step {state['step']}: checkpoint saved" in text
    assert not (run_dir / "summary.json").exists()  # as a SIGKILL leaves it: it resumes
    assert not (tmp_path / "r" / "ppo" / "Hopper-v4" / "seed_4").exists()  # the sweep stopped

    again = subprocess.run(cmd, cwd=REPO, env=env(), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"resuming from step {state['step']}" in again.stderr
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "done" and summary["resumed_from_step"] == state["step"]
    assert list(pd.read_csv(run_dir / "eval.csv")["step"]) == [0, 2048, 4096, 6144, 8192]
    assert (tmp_path / "r" / "ppo" / "Hopper-v4" / "seed_4" / "summary.json").exists()


def test_ctrl_c_on_a_bench_sweep_reaches_its_runs_once_and_they_checkpoint(tmp_path):
    # SIGINT to the sweep's process: it passes it on once, the run saves where it stands
    overrides = [a for a in ARGS[4:] if not a.startswith(("checkpoint_every", "suite"))]
    cmd = [sys.executable, "-m", "sweeps.bench", "quick", "--algos", "ppo", "--tasks"]
    cmd += ["Hopper-v4", "--seeds", "3", "--steps", "8192", "--results", str(tmp_path)]
    cmd += ["--jobs", "1", "--no-analysis", "--", *overrides, "checkpoint_every=10000"]
    run_dir = tmp_path / "quick" / "ppo" / "Hopper-v4" / "seed_3"
    rc, text = signal_midway(
        cmd,
        tmp_path / "out.txt",
        "step 4096/8192",
        signal.SIGINT,
        merge_stdout=True,
        # a test suite run in the background (`make test &`) ignores SIGINT, and the sweep
        # would inherit that and rightly keep ignoring it: give it the terminal's default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert rc == 128 + signal.SIGINT, text[-2000:]
    assert text.count("SIGINT received: stopping after the current update") == 1
    assert "sweep stopped by SIGINT (the run in progress checkpointed where it stood)" in text
    assert "Traceback" not in text
    state = json.loads((run_dir / "checkpoint" / "state.json").read_text())
    assert 4096 <= state["step"] < 8192
    assert not (run_dir / "summary.json").exists()


def test_a_signal_ignored_at_start_stays_ignored(tmp_path):
    # under nohup SIGHUP is ignored: a closed terminal must not stop the run
    args = [a for a in ARGS if not a.startswith(("steps", "checkpoint_every"))]
    cmd = [sys.executable, "-m", "sweeps.train", *args, "steps=4096", f"results_dir={tmp_path}"]
    rc, text = signal_midway(
        cmd,
        tmp_path / "stderr.txt",
        "step 2048/4096",
        signal.SIGHUP,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    assert rc == 0, text[-2000:]
    assert "SIGHUP" not in text
    summary = json.loads(
        (tmp_path / "r" / "ppo" / "Hopper-v4" / "seed_3" / "summary.json").read_text()
    )
    assert summary["status"] == "done" and summary["steps"] == 4096
