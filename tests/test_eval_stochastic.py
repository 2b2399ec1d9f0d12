"""Evaluation of stochastic policies also records the sampled policy's return, from a random
stream of its own: switching it on or off changes no training number."""

import json

import pandas as pd

from algos.a2c import A2C
from algos.ddpg import DDPG
from algos.dqn import DQN
from algos.ppo import PPO
from algos.sac import SAC
from algos.td3 import TD3
from algos.trpo import TRPO


def test_which_agents_have_a_stochastic_policy():
    assert all(cls.stochastic_policy for cls in (PPO, TRPO, A2C, SAC))
    assert not any(getattr(cls, "stochastic_policy", False) for cls in (DDPG, TD3, DQN))


def test_sampled_returns_are_recorded_and_leave_training_unchanged(cli, tmp_path):
    common = [
        "-m",
        "sweeps.train",
        "algo=ppo",
        "task=InvertedPendulum-v4",
        "steps=512",
        "eval_every=256",
        "eval_episodes=3",
        "algo.num_envs=1",
        "algo.rollout_steps=128",
        "algo.num_minibatches=4",
    ]
    runs = {}
    for flag in ("true", "false"):
        out = cli(*common, f"eval_stochastic={flag}", f"results_dir={tmp_path / flag}")
        assert out.returncode == 0, out.stderr[-2000:]
        runs[flag] = tmp_path / flag / "bench" / "ppo" / "InvertedPendulum-v4" / "seed_0"
    with_s, without = (pd.read_csv(runs[f] / "eval.csv") for f in ("true", "false"))
    assert with_s["stochastic_return_mean"].notna().all() and len(with_s) == 3
    assert without["stochastic_return_mean"].isna().all()
    # the sampled evaluation drew from its own generator: training saw the same random numbers
    for name in ("train.csv",):
        assert (runs["true"] / name).read_text() == (runs["false"] / name).read_text()
    pd.testing.assert_series_equal(with_s["return_mean"], without["return_mean"])
    summary = json.loads((runs["true"] / "summary.json").read_text())
    assert summary["final_return_stochastic"] == with_s["stochastic_return_mean"].iloc[-1]
    assert (
        json.loads((runs["false"] / "summary.json").read_text())["final_return_stochastic"] is None
    )
