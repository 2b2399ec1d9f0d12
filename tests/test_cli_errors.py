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
@pytest.mark.parametrize("tf_log_level", ["2", None], ids=["tf-log-level-2", "tf-log-level-unset"])
def test_bad_input_is_one_line_without_traceback_and_writes_nothing(
    cli, tmp_path, args, message, tf_log_level
):
    # unset, as in a plain shell: TensorFlow's start-up notices (oneDNN, cpu_feature_guard) print
    out = cli("-m", "sweeps.train", *args, f"results_dir={tmp_path}", tf_log_level=tf_log_level)
    assert out.returncode == 2
    # exactly one line: TensorFlow's start-up notices are held back, sweeps/quiet.py
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], out.stderr
    assert not list(tmp_path.rglob("*.*")), list(tmp_path.rglob("*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["algo.learning_rat=0.1"], "for ppo: learning_rat (did you mean learning_rate?); valid: "),
        (["algo=td3", "algo.polcy_delay=3"], "for td3: polcy_delay (did you mean policy_delay?)"),
        # a multirun over algorithms: the key must exist for each of them
        (["-m", "algo=ppo,td3", "algo.clip_range=0.1"], "for td3: clip_range; valid: "),
        # added on purpose with Hydra's +: validate() rejects it, also in one line
        (
            ["+algo.learning_rat=0.1"],
            "for ppo: learning_rat (did you mean learning_rate?); valid: ",
        ),
    ],
)
def test_typo_in_hyperparameter_name_is_one_line_naming_the_valid_ones(
    cli, tmp_path, args, message
):
    # Hydra's own answer would be six lines on how to add a key to a struct config
    out = cli("-m", "sweeps.train", *args, f"results_dir={tmp_path}", tf_log_level=None)
    assert out.returncode == 2, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: unknown hyperparameter(s) "), out.stderr
    assert message in lines[0], lines[0]
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
