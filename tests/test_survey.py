"""sweeps/survey.py and ``sweeps.bench --plan``: each run's state and the time left."""

import json

from sweeps import bench, runlock
from sweeps.survey import format_survey, survey


def _summary(run, status="done", wall=100.0, steps=1000):
    run.mkdir(parents=True, exist_ok=True)
    s = {"status": status, "steps": steps, "wall_time_s": wall, "reason": "boom"}
    (run / "summary.json").write_text(json.dumps(s))


def _checkpoint(run, step):
    (run / "checkpoint").mkdir(parents=True)
    (run / "checkpoint" / "state.json").write_text(json.dumps({"step": step}))


def test_every_state_and_the_time_left(tmp_path):
    cell = tmp_path / "bench" / "td3" / "Hopper-v4"
    done, failed, paused, busy, fresh = (cell / f"seed_{k}" for k in range(5))
    _summary(done)  # 0.1 s per step
    _summary(failed, status="failed")
    _checkpoint(paused, 400)
    _checkpoint(busy, 500)
    (busy / "eval.csv").write_text("step,return_mean\n0,1.0\n500,2.0\n600,3.0\n")
    other = tmp_path / "bench" / "sac" / "Ant-v4" / "seed_0"  # a cell with no finished run
    runs = [done, failed, paused, busy, fresh, other]
    with runlock.hold(busy) as held:
        assert held
        states = survey(runs, 1000)
        lines = format_survey(states, 2, tmp_path / "bench", detail=True)
    by_dir = {s.run_dir: s for s in states}
    assert [by_dir[r].state for r in runs] == [
        "done",
        "failed",
        "interrupted",
        "training",
        "not started",
        "not started",
    ]
    # an interrupted run retrains from its checkpoint; a training one goes on from its last eval
    assert by_dir[paused].seconds_left == 60.0
    assert by_dir[busy].seconds_left == 40.0 and by_dir[busy].step == 600
    assert by_dir[fresh].seconds_left == 100.0
    assert by_dir[other].seconds_left is None
    assert lines[0] == "6 runs: 1 done, 1 training, 1 interrupted, 2 not started, 1 failed"
    # 200 s of runs on 2 jobs, but no less than the longest run (100 s)
    assert lines[1].startswith("time left: about 2 min with 2 in parallel (3 min of runs")
    assert lines[1].endswith("; 1 run(s) of cells with no finished run yet")
    assert "  td3/Hopper-v4/seed_2: interrupted (resumes from step 400), ~1 min left" in lines
    assert "  td3/Hopper-v4/seed_3: training at step 600 (checkpoint 500), ~1 min left" in lines
    assert "  sac/Ant-v4/seed_0: not started" in lines
    # the probe neither creates folders nor keeps the lock
    assert not other.exists()
    with runlock.hold(busy) as held:
        assert held


def test_plan_launches_nothing(tmp_path, capsys):
    _summary(tmp_path / "quick" / "ppo" / "Hopper-v4" / "seed_0", steps=5000)
    argv = ["quick", "--algos", "ppo", "--tasks", "Hopper-v4", "--seeds", "0,1"]
    assert bench.main([*argv, "--results", str(tmp_path), "--plan"]) == 0
    out = capsys.readouterr().out
    assert "2 runs: 1 done, 1 not started" in out
    assert "ppo/Hopper-v4/seed_1: not started, ~2 min left" in out  # 100 s for 5000 steps
    assert not (tmp_path / "quick" / "ppo" / "Hopper-v4" / "seed_1").exists()
