"""The on-policy training loop: fixed-length rollouts from a vector env, one update per rollout."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sweeps.runner import Run


def train(run: Run) -> None:
    env, agent, spec = run.env, run.agent, run.spec
    n = env.num_envs
    obs = run.reset_env()
    obs_dim, act_shape = obs.shape[1], env.single_action_space.shape
    while run.step < spec.steps:
        horizon = min(agent.rollout_steps, math.ceil((spec.steps - run.step) / n))
        buf = {
            "obs": np.empty((horizon, n, obs_dim), np.float32),
            "next_obs": np.empty((horizon, n, obs_dim), np.float32),
            "actions": np.empty((horizon, n, *act_shape), np.float32),
            "rewards": np.empty((horizon, n), np.float32),
            "terminated": np.empty((horizon, n), bool),
            "truncated": np.empty((horizon, n), bool),
        }
        for t in range(horizon):
            action = agent.get_action(obs)
            next_obs, reward, terminated, truncated, info = env.step(action)
            buf["obs"][t], buf["actions"][t], buf["rewards"][t] = obs, action, reward
            buf["terminated"][t], buf["truncated"][t] = terminated, truncated
            buf["next_obs"][t] = run.true_next_obs(next_obs, terminated, truncated, info)
            run.count_steps(reward, terminated, truncated)
            obs = next_obs
            # the policy is fixed during a rollout: evaluating now is evaluating it
            run.maybe_evaluate()
        run.after_update(agent.update(buf))
        run.maybe_checkpoint()
