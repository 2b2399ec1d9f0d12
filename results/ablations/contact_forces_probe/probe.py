"""TD3 on Humanoid-v4 from a plain loop (the library API, bench hyperparameters), contact forces
observed or zeroed: the target actor's saturation over the first updates after the warm-up.

usage (from the repository root, MODE observed or zeroed):
  PYTHONPATH=. .venv/bin/python results/ablations/contact_forces_probe/probe.py MODE SEED [UPDATES]
"""

import sys
import time

import numpy as np

from algos.td3 import TD3, Config
from envs import make_env

mode, seed = sys.argv[1], int(sys.argv[2])
n_updates = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
warmup = 25_000  # the bench's learning_starts: uniform random actions
env = make_env("Humanoid-v4", seed, contact_forces=mode)
obs_dim, act_dim = env.observation_space.shape[0], env.action_space.shape[0]
low, high = env.action_space.low, env.action_space.high
agent = TD3(obs_dim, act_dim, Config(), low=low, high=high, seed=seed)
size = warmup + n_updates
buf = {
    "obs": np.zeros((size, obs_dim), np.float32),
    "actions": np.zeros((size, act_dim), np.float32),
    "rewards": np.zeros(size, np.float32),
    "next_obs": np.zeros((size, obs_dim), np.float32),
    "terminated": np.zeros(size, np.float32),
}
rng = np.random.default_rng(seed)
obs, episode_return, returns, stats = env.reset(seed=seed)[0], 0.0, [], []
start = time.time()
for t in range(size):
    action = env.action_space.sample() if t < warmup else agent.get_action(obs)
    next_obs, reward, terminated, truncated, _ = env.step(action)
    episode_return += reward
    for key, value in zip(buf, (obs, action, reward, next_obs, terminated), strict=True):
        buf[key][t] = value
    obs = next_obs
    if terminated or truncated:
        returns.append(episode_return)
        obs, episode_return = env.reset()[0], 0.0
    if t >= warmup:
        batch = rng.integers(0, t + 1, 256)
        s = agent.update({k: v[batch] for k, v in buf.items()})
        stats.append((float(s["target_preact_abs"]), float(s["target_saturated"])))
        done = t - warmup + 1
        if done % 1000 == 0:
            pre, sat = np.mean(stats[-1000:], axis=0)
            print(
                f"{mode} seed {seed} updates {done}: |pre| {pre:.2f} saturated {sat:.3f} "
                f"last-10 train return {np.mean(returns[-10:]):.1f} ({time.time() - start:.0f}s)",
                flush=True,
            )
