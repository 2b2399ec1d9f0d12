"""A toy on-policy algorithm, used by tests as "a new algorithm dropped into algos/".

It acts with a Gaussian around a learned mean that ignores the observation, and nudges that mean
toward actions with above-average reward. ``fail_on_seed`` makes the update return a NaN loss
for one seed, to exercise failure containment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf


@dataclass
class Config:
    rollout_steps: int = 64
    num_envs: int = 1
    step_size: float = 0.1
    fail_on_seed: int = -1

    def __post_init__(self) -> None:
        if self.rollout_steps <= 0:
            raise ValueError(f"rollout_steps must be > 0, got {self.rollout_steps}")


class Agent(tf.Module):
    on_policy = True
    action_kind = "continuous"

    def __init__(self, act_dim: int, config: Config, seed: int) -> None:
        super().__init__(name="toy")
        self.config, self.seed = config, seed
        self.mean = tf.Variable(tf.zeros(act_dim))
        self.rng = np.random.default_rng(seed)

    rollout_steps = property(lambda self: self.config.rollout_steps)
    num_envs = property(lambda self: self.config.num_envs)

    @classmethod
    def from_spaces(cls, observation_space, action_space, config, *, seed, total_steps=None):
        return cls(int(np.prod(action_space.shape)), config, seed)

    def get_action(self, obs, deterministic=False):
        obs = np.asarray(obs)
        shape = (*obs.shape[:-1], self.mean.shape[0])
        mean = np.broadcast_to(self.mean.numpy(), shape)
        noise = 0.0 if deterministic else self.rng.standard_normal(shape)
        return (mean + noise).astype(np.float32)

    def update(self, batch):
        actions = np.asarray(batch["actions"]).reshape(-1, self.mean.shape[0])
        rewards = np.asarray(batch["rewards"]).reshape(-1)
        weights = rewards - rewards.mean()
        direction = (weights[:, None] * (actions - self.mean.numpy())).mean(0)
        self.mean.assign_add(self.config.step_size * direction.astype(np.float32))
        loss = float("nan") if self.seed == self.config.fail_on_seed else float(-weights.std())
        return {"loss": loss}

    def numpy_state(self):
        return {"rng": self.rng.bit_generator.state}

    def load_numpy_state(self, state):
        self.rng.bit_generator.state = state["rng"]
