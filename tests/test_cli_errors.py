"""User mistakes on the command line: one clear line, exit code 2, nothing written."""

import pytest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["algo=nope"], "unknown algorithm 'nope'; available: "),
        (["task=Hoper-v4"], "unknown task 'Hoper-v4'"),
        (["steps=0"], "steps must be >= 1"),
        (["algo.learning_rate=fast"], "algo.learning_rate must be a number"),
    ],
)
def test_bad_input_is_one_line_without_traceback_and_writes_nothing(cli, tmp_path, args, message):
    out = cli("-m", "sweeps.train", *args, f"results_dir={tmp_path}")
    assert out.returncode == 2
    # exactly one line: TensorFlow's start-up notices (oneDNN CPUs) are held back, sweeps/quiet.py
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], out.stderr
    assert not list(tmp_path.rglob("*.*")), list(tmp_path.rglob("*"))


def test_typo_in_hyperparameter_name_is_rejected(cli, tmp_path):
    out = cli("-m", "sweeps.train", "algo.learning_rat=0.1", f"results_dir={tmp_path}")
    assert out.returncode != 0
    assert "learning_rat" in out.stderr
    assert not list(tmp_path.rglob("*.*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tasks", "Hoper-v4"], "error: unknown task 'Hoper-v4'"),
        (["--tasks", "Hopper-v3"], "error: task Hopper-v3 cannot be built here"),
        (["--steps", "0"], "error: --steps must be a positive number of env steps, got 0"),
        (["--algos", "dqn", "--tasks", "Hopper-v4"], "error: no run to make"),
    ],
)
def test_bad_sweep_input_is_one_line(tmp_path, args, message):
    from sweeps import bench

    with pytest.raises(SystemExit) as err:
        bench.main(["quick", *args, "--results", str(tmp_path), "--plan"])
    assert str(err.value).startswith(message)
    assert not list(tmp_path.rglob("*"))
