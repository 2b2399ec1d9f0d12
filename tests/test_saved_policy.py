"""Saved policies, evaluation, video and TensorBoard summaries of a finished run."""

import numpy as np
import pytest
import tensorflow as tf

from sweeps.config import validate
from sweeps.runner import Run


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    import yaml

    from tests.conftest import REPO

    algo = yaml.safe_load((REPO / "sweeps/conf/algo/ppo.yaml").read_text())
    # action_scaling: the policy acts in [-1, 1], mapped onto InvertedPendulum's ±3; evaluate
    # and video must build their env the same way (test_run_options_follow_the_policy)
    algo.update(num_envs=1, rollout_steps=256, num_minibatches=4, epochs=2, action_scaling=True)
    spec = validate(
        {
            "algo": algo,
            "task": "InvertedPendulum-v4",
            "seed": 0,
            "steps": 1024,
            "suite": "p",
            "results_dir": str(tmp_path_factory.mktemp("r")),
            "eval_every": 512,
            "eval_episodes": 2,
            "threads": 1,
        }
    )
    run = Run(spec, log=lambda _m: None)
    assert run.execute()["status"] == "done"
    return run


def test_saved_policy_loads_without_training_code_and_matches_the_agent(finished_run):
    policy = tf.saved_model.load(str(finished_run.spec.run_dir / "policy"))
    obs = np.random.default_rng(0).normal(size=(7, 4)).astype(np.float32)
    expected = finished_run.agent.get_action(obs, deterministic=True)
    np.testing.assert_allclose(policy.act(obs).numpy(), expected, rtol=1e-4, atol=1e-5)


def test_run_options_follow_the_policy(finished_run):
    from envs import make_env
    from sweeps.evaluate import load_run

    task, _, options = load_run(finished_run.spec.run_dir)
    assert task == "InvertedPendulum-v4"
    assert options == {"action_scaling": True, "contact_forces": "observed"}
    space = make_env(task, **options).action_space  # the unit box the policy was trained in
    assert space.low.tolist() == [-1.0] and space.high.tolist() == [1.0]


def test_evaluate_command_reports_mean_and_std(cli, finished_run):
    out = cli("-m", "sweeps.evaluate", str(finished_run.spec.run_dir), "--episodes", "3")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "InvertedPendulum-v4, 3 episodes: return" in out.stdout and "±" in out.stdout
    assert "of components at the bound" in out.stdout


def test_rollout_splits_the_return_into_the_tasks_reward_terms():
    from envs import make_env
    from sweeps.evaluate import rollout

    class FullThrottle:  # every action component at +bound: control cost at its largest
        def act(self, obs):
            return tf.ones((obs.shape[0], 2))

    stats = rollout(make_env("Reacher-v4"), FullThrottle(), seed=0)
    # Reacher's reward is exactly reward_dist + reward_ctrl, and ctrl = -|a|^2 = -2 each step
    assert stats["length"] == 50 and stats["action_at_bound"] == 1.0
    assert stats["reward_ctrl"] == pytest.approx(-2.0 * 50, rel=1e-5)
    assert stats["reward_dist"] + stats["reward_ctrl"] == pytest.approx(stats["return"], rel=1e-5)


def test_evaluate_on_other_seeds_evaluation_sets(cli, finished_run):
    # the episodes of the run's own evaluations under its own seed reproduce its eval.csv
    import pandas as pd

    run_dir = finished_run.spec.run_dir
    out = cli("-m", "sweeps.evaluate", str(run_dir), "--eval-sets", "0,3", "--last", "1")
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if "set of seed" in line]
    assert len(lines) == 2
    last = pd.read_csv(run_dir / "eval.csv")["return_mean"].iloc[-1]
    own = float(lines[0].split("return ")[1].split(" ")[0])
    assert finished_run.spec.seed == 0 and own == pytest.approx(last, abs=0.01)


def test_evaluate_rejects_bad_eval_sets(cli, finished_run):
    out = cli("-m", "sweeps.evaluate", str(finished_run.spec.run_dir), "--eval-sets", "a,1")
    assert out.returncode != 0 and "non-negative integers" in out.stderr


def test_evaluate_refuses_a_folder_without_policy(cli, tmp_path):
    out = cli("-m", "sweeps.evaluate", str(tmp_path))
    assert out.returncode != 0 and "not a run folder" in out.stderr


def test_evaluate_explains_a_finished_run_without_its_policy(cli, tmp_path):
    # a run cloned from git: config and summary came along, policy/ is git-ignored
    (tmp_path / "config.yaml").write_text("task: Hopper-v4\n")
    (tmp_path / "summary.json").write_text("{}")
    out = cli("-m", "sweeps.evaluate", str(tmp_path))
    assert out.returncode != 0 and "git does not carry policies" in out.stderr


def test_tensorboard_scalars_are_written(finished_run):
    tags = set()
    for path in (finished_run.spec.run_dir / "tb").glob("events.out.tfevents*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            tags |= {v.tag for v in event.summary.value}
    assert {"eval/return_mean", "train/episode_return", "update/policy_loss"} <= tags


def test_video_renders_a_gif(cli, finished_run, tmp_path):
    out_file = tmp_path / "v.gif"
    out = cli(
        "-m",
        "sweeps.video",
        str(finished_run.spec.run_dir),
        "--out",
        str(out_file),
        "--max-steps",
        "20",
    )
    if out.returncode == 2 and "cannot render" in out.stderr:
        pytest.skip(f"no offscreen GL on this machine: {out.stderr.strip()[-200:]}")
    assert out.returncode == 0, out.stderr[-2000:]
    from PIL import Image

    gif = Image.open(out_file)
    assert gif.size == (480, 480) and gif.n_frames >= 5


def test_own_loop_example_runs(cli):
    out = cli(
        "-m", "sweeps.examples.ppo_own_loop", "--task", "InvertedPendulum-v4", "--steps", "2048"
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "episodes" in out.stdout and "approx KL" in out.stdout
