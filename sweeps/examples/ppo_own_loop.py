"""PPO from your own Gymnasium loop: the agent only sees arrays.

python -m sweeps.examples.ppo_own_loop [--task Hopper-v4] [--steps 100000]
"""

import argparse

import gymnasium as gym
import numpy as np

from algos.ppo import PPO, Config

parser = argparse.ArgumentParser()
parser.add_argument("--task", default="Hopper-v4")
parser.add_argument("--steps", type=int, default=100_000)
args = parser.parse_args()

env = gym.wrappers.ClipAction(gym.make(args.task))  # PPO samples unbounded Gaussian actions
obs_dim, act_dim = env.observation_space.shape[0], env.action_space.shape[0]
config = Config(num_envs=1, rollout_steps=2048)  # one env here; the default is 64 x 32
agent = PPO(obs_dim, act_dim, config, seed=0, total_steps=args.steps)

obs, _ = env.reset(seed=0)
episode_return, returns = 0.0, []
keys = ("obs", "actions", "rewards", "next_obs", "terminated", "truncated")
for _ in range(max(1, args.steps // config.rollout_steps)):
    batch = {k: [] for k in keys}
    for _ in range(config.rollout_steps):
        action = agent.get_action(obs)  # hand the unclipped sample to update()
        next_obs, reward, terminated, truncated, _ = env.step(action)
        for k, v in zip(keys, (obs, action, reward, next_obs, terminated, truncated), strict=True):
            batch[k].append(v)
        episode_return += reward
        obs = next_obs
        if terminated or truncated:  # next_obs above is the episode's real last observation
            returns.append(episode_return)
            episode_return = 0.0
            obs, _ = env.reset()
    stats = agent.update({k: np.asarray(v) for k, v in batch.items()})
    recent = np.mean(returns[-10:]) if returns else float("nan")
    print(
        f"episodes {len(returns)}, last-10 return {recent:.1f}, "
        f"policy loss {stats['policy_loss']:.3f}, approx KL {stats['approx_kl']:.4f}"
    )
