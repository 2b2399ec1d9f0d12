"""The off-policy training loop: one env, a replay buffer, ``train_freq`` updates per call.

For the first ``learning_starts`` steps actions are uniform over the action box (the env's
seeded action space); after that the agent acts and, every ``train_freq`` env steps, takes
``train_freq`` gradient steps (``gradient_steps`` where the agent's config has it) on fresh
uniform batches in one compiled call (``train_freq: 1`` is one update per env step, as in the
papers). Transitions store ``terminated`` only, with the real last observation on an episode
end, so time-limit truncations bootstrap. Discrete actions are stored as their index (float).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from algos.replay import ReplayBuffer

if TYPE_CHECKING:
    from sweeps.runner import Run


def train(run: Run) -> None:
    env, agent, spec = run.env, run.agent, run.spec
    cfg = agent.config
    if env.num_envs != 1:
        raise ValueError("the off-policy loop steps one environment")
    obs = run.reset_env()
    # one filler row per episode end: a run of `steps` needs fewer than 2 * steps rows
    capacity = max(2, min(cfg.buffer_size, 2 * spec.steps))
    buffer = ReplayBuffer(agent.obs_dim, agent.act_dim, capacity, seed=spec.seed)
    run.register_state("replay", buffer)
    space = env.action_space
    batch, freq, starts = cfg.batch_size, cfg.train_freq, cfg.learning_starts
    # gradient steps per training call: train_freq unless the agent sets it (DQN: 1 per 10 steps)
    n_updates = getattr(cfg, "gradient_steps", freq)
    while run.step < spec.steps:
        if run.step < starts:
            action = space.sample()
            if action.dtype.kind == "f":  # Box actions as float32; Discrete ones stay integers
                action = action.astype(np.float32)
        else:
            action = agent.get_action(obs)
        next_obs, reward, terminated, truncated, info = env.step(action)
        done = bool(terminated[0] or truncated[0])
        real_next = run.true_next_obs(next_obs, terminated, truncated, info)
        buffer.add(obs[0], action[0], reward[0], real_next[0], terminated[0], done)
        run.count_steps(reward, terminated, truncated)
        if done:
            agent.reset_noise()
        obs = next_obs
        if run.step > starts and (run.step - starts) % freq == 0 and len(buffer) > 0:
            # the same call evaluates the updated policy at `obs`, for the next get_action
            run.after_update(agent.train_stacked(buffer.sample(batch, n_updates), act_obs=obs))
        run.maybe_checkpoint()
        run.maybe_evaluate()
