"""The off-policy loop through the harness: warm-up, bounds, run folder, buffer registration."""

import json

import numpy as np
import pandas as pd

from envs import make_env
from sweeps.config import validate
from sweeps.runner import Run


def test_env_action_space_keeps_the_task_bounds_and_clips():
    env = make_env("InvertedPendulum-v4", seed=0)
    assert env.action_space.low[0] == -3.0 and env.action_space.high[0] == 3.0
    samples = np.stack([env.action_space.sample() for _ in range(200)])
    assert np.abs(samples).max() <= 3.0 and np.abs(samples).max() > 2.0  # uniform, not N(0, 1)
    env.step(np.array([100.0], np.float32))  # out-of-range actions are clipped, not an error
    env.close()


def test_td3_run_writes_the_run_folder_and_registers_the_buffer(tmp_path, algo_config):
    spec = validate(
        {
            "algo": algo_config(
                "td3", hidden_sizes=[16, 16], learning_starts=300, train_freq=2, jit_compile=False
            ),
            "task": "InvertedPendulum-v4",
            "seed": 0,
            "steps": 600,
            "suite": "t",
            "results_dir": str(tmp_path),
            "eval_every": 300,
            "eval_episodes": 2,
            "threads": 1,
            "checkpoint_every": 0,
        }
    )
    run = Run(spec, log=lambda _msg: None)
    summary = run.execute()
    assert summary["status"] == "done", summary["reason"]
    assert summary["steps"] == 600
    buffer = run.extra_state["replay"]
    assert len(buffer) >= 590  # every transition but (maybe) the pending last one
    # warm-up actions are uniform over the task's bounds (±3), policy actions stay inside
    assert np.abs(buffer.actions[: buffer.rows]).max() <= 3.0
    assert np.abs(buffer.actions[:300]).max() > 2.0
    assert int(run.agent.num_updates.numpy()) == 300  # one update per step after warm-up
    evals = pd.read_csv(spec.run_dir / "eval.csv")
    assert list(evals["step"]) == [0, 300, 600]
    assert json.loads((spec.run_dir / "summary.json").read_text())["status"] == "done"
    # update statistics: one row per evaluation that had training calls before it (none in warm-up)
    updates = pd.read_csv(spec.run_dir / "updates.csv")
    assert list(updates.columns) == ["step", "update_calls", *run.agent.stat_names]
    assert list(updates["step"]) == [600] and list(updates["update_calls"]) == [150]
    assert np.isfinite(updates[list(run.agent.stat_names)].to_numpy()).all()


def test_interrupted_td3_run_resumes_exactly(tmp_path, algo_config):
    def spec(results):
        return validate(
            {
                "algo": algo_config(
                    "td3", hidden_sizes=[16, 16], learning_starts=200, jit_compile=False
                ),
                "task": "InvertedPendulum-v4",
                "seed": 1,
                "steps": 700,
                "suite": "t",
                "results_dir": str(results),
                "eval_every": 350,
                "eval_episodes": 2,
                "threads": 1,
                # checkpoints at evaluation steps: the resumed run must not redo the evaluation
                "checkpoint_every": 350,
            }
        )

    clean = Run(spec(tmp_path / "clean"), log=lambda _msg: None).execute()
    assert clean["status"] == "done"

    broken = Run(spec(tmp_path / "killed"), log=lambda _msg: None)
    evaluate = broken.maybe_evaluate

    def crash_at_600() -> None:
        if broken.step == 600:
            raise KeyboardInterrupt("simulated kill")  # not an Exception: no summary is written
        evaluate()

    broken.maybe_evaluate = crash_at_600
    try:
        broken.execute()
    except KeyboardInterrupt:
        pass
    resumed = Run(spec(tmp_path / "killed"), log=lambda _msg: None).execute()
    assert resumed["status"] == "done" and resumed["resumed_from_step"] == 350
    # the summary names both processes that trained it: same code, libraries and CPU here
    first, second = resumed["segments"]
    assert (first["from_step"], second["from_step"]) == (0, 350)
    assert {k: v for k, v in first.items() if k != "from_step"} == {
        k: v for k, v in second.items() if k != "from_step"
    }
    assert clean["segments"] == [{"from_step": 0, **clean["provenance"]}]
    for name in ("eval.csv", "train.csv", "updates.csv"):
        a = pd.read_csv(tmp_path / "clean" / "t" / "td3" / "InvertedPendulum-v4" / "seed_1" / name)
        b = pd.read_csv(tmp_path / "killed" / "t" / "td3" / "InvertedPendulum-v4" / "seed_1" / name)
        cols = [c for c in a.columns if c != "wall_time_s"]
        pd.testing.assert_frame_equal(a[cols], b[cols])
