"""The off-policy training loop: one env, a replay buffer, ``train_freq`` updates per call.

For the first ``learning_starts`` steps actions are uniform over the action box (the env's
seeded action space); after that the agent acts and, every ``train_freq`` env steps, takes
``train_freq`` gradient steps (``gradient_steps`` where the agent's config has it) on fresh
uniform batches in one compiled call (``train_freq: 1`` is one update per env step, as in the
papers). Transitions store ``terminated`` only, with the real last observation on an episode
end, so time-limit truncations bootstrap. Discrete actions are stored as their index (float).

Speed (HalfCheetah-v4, 256-256 networks, batch 256, one update per env step, on the 2-core
AMD EPYC dev box while it was shared with other jobs; the issue-4 report has the table):

- the update is arithmetic-bound: ~0.41 GFLOP per TD3 update against ~45-70 GFLOP/s per core
  for 256x256 matmuls here (TensorFlow and torch alike), so ~6-9 ms per update on one core;
- ``jit_compile: true`` (XLA) cut a TD3 update from 16.5 to 11.0 ms by fusing the ~200 small
  element-wise ops of Adam, Polyak averaging and the losses: the default;
- the twin critics are one batched network, and TD3's actor step evaluates only Q1;
- one compiled call per env step does the update *and* the next action's forward pass, so the
  loop makes a single TensorFlow call per step; sampling stays in NumPy (~50 µs a batch, under
  1% of a step), so the buffer is one NumPy copy that checkpoints without conversion;
- ``train_freq: K`` fuses K updates per call (same update-to-data ratio; the policy acts up to
  K-1 updates stale): ~10% faster per update at K=8 with 256-wide networks, far more with small
  networks where the 0.3-0.7 ms per-call overhead dominates; the default stays 1 (the papers);
- threads: on the loaded box one TF thread per run beat two (11.9 vs 15.8 ms per TD3 update);
  ``make bench`` runs one single-thread run per core, the setting to keep.
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
        # evaluate before checkpointing: a checkpoint taken at an evaluation step then holds
        # that evaluation, and a resumed run does not redo it one step late
        run.maybe_evaluate()
        run.maybe_checkpoint()
