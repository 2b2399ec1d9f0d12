"""The on-policy training loop: fixed-length rollouts from a vector env, one update per rollout.

Speed matters here: an on-policy run spends most of its time in this loop, once per env step,
while the policy is fixed for the whole rollout. So the loop

- writes each step straight into preallocated rollout arrays;
- steps the sub-environments of a synchronous vector env itself (same-step autoreset, exactly as
  ``SyncVectorEnv`` does), skipping the vector env's per-step batching and info merging;
- leaves inference to the agent's NumPy snapshot of the policy, with the exploration noise of
  the whole rollout drawn up front (``agent.rollout_policy``; ``get_action`` otherwise).

An asynchronous vector env (subprocesses) is stepped through its own ``step``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode

if TYPE_CHECKING:
    from sweeps.runner import Run


def _sub_envs(env: gym.vector.VectorEnv) -> list[gym.Env] | None:
    """The sub-environments to step directly, or None to go through ``env.step``."""
    if (
        isinstance(env, gym.vector.SyncVectorEnv)
        and env.metadata.get("autoreset_mode", getattr(env, "autoreset_mode", None))
        == AutoresetMode.SAME_STEP
    ):
        return list(env.envs)
    return None


def train(run: Run) -> None:
    env, agent, spec = run.env, run.agent, run.spec
    n = env.num_envs
    obs = run.reset_env()
    obs_dim, act_shape = obs.shape[1], env.single_action_space.shape
    envs = _sub_envs(env)
    single = envs[0] if envs is not None and n == 1 else None
    while run.step < spec.steps:
        horizon = min(agent.rollout_steps, math.ceil((spec.steps - run.step) / n))
        buf = {
            "obs": np.empty((horizon, n, obs_dim), np.float32),
            "next_obs": np.empty((horizon, n, obs_dim), np.float32),
            "actions": np.empty((horizon, n, *act_shape), np.float32),
            "rewards": np.empty((horizon, n), np.float64),
            "terminated": np.zeros((horizon, n), bool),
            "truncated": np.zeros((horizon, n), bool),
        }
        b_obs, b_next, b_act = buf["obs"], buf["next_obs"], buf["actions"]
        b_rew, b_term, b_trunc = buf["rewards"], buf["terminated"], buf["truncated"]
        act = agent.rollout_policy(horizon, n) if hasattr(agent, "rollout_policy") else None
        for t in range(horizon):
            action = act(obs, t) if act is not None else agent.get_action(obs)
            b_obs[t] = obs
            b_act[t] = action
            if single is not None:  # one env: no per-env loop, no views
                o, r, term, trunc, _ = single.step(action[0])
                b_rew[t, 0] = r
                b_next[t, 0] = o
                if term or trunc:
                    b_term[t, 0], b_trunc[t, 0] = term, trunc
                    o, _ = single.reset()
                obs = o[None]
            elif envs is not None:
                obs = np.empty((n, obs_dim), np.float32)
                next_t, rew_t, term_t, trunc_t = b_next[t], b_rew[t], b_term[t], b_trunc[t]
                for i, sub in enumerate(envs):
                    o, r, term, trunc, _ = sub.step(action[i])
                    rew_t[i] = r
                    next_t[i] = o
                    if term or trunc:
                        term_t[i], trunc_t[i] = term, trunc
                        o, _ = sub.reset()
                    obs[i] = o
            else:
                next_obs, reward, term, trunc, info = env.step(action)
                b_rew[t], b_term[t], b_trunc[t] = reward, term, trunc
                b_next[t] = run.true_next_obs(next_obs, term, trunc, info)
                obs = next_obs
            run.count_steps(b_rew[t], b_term[t], b_trunc[t])
            # the policy is fixed during a rollout: evaluating now is evaluating it
            if run.next_eval <= run.step:
                run.maybe_evaluate()
        run.after_update(agent.update(buf))
        run.maybe_checkpoint()
