"""A trained policy as a self-contained TensorFlow module, saved as a SavedModel.

The exported module maps a batch of raw observations to deterministic actions using only TF ops
and the policy's own variables (observation statistics are baked in as constants), so
``tf.saved_model.load(path).act(obs)`` works without this package.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf


class ExportedPolicy(tf.Module):
    """``act(obs[N, obs_dim]) -> actions``: optional observation normalisation, then ``head``.

    ``head`` maps normalised observations to actions with TF ops; ``networks`` are the modules
    whose variables it reads (tracked here, so they are saved).
    """

    def __init__(
        self,
        obs_dim: int,
        head: Callable[[tf.Tensor], tf.Tensor],
        networks: list[tf.Module],
        obs_mean: np.ndarray | None = None,
        obs_var: np.ndarray | None = None,
        clip_obs: float = 10.0,
    ) -> None:
        super().__init__(name="policy")
        self.networks = networks
        self._head = head
        self.normalize = obs_mean is not None
        self.obs_mean = tf.constant(np.zeros(obs_dim) if obs_mean is None else obs_mean, tf.float32)
        scale = np.ones(obs_dim) if obs_var is None else np.sqrt(np.asarray(obs_var) + 1e-8)
        self.obs_scale = tf.constant(scale, tf.float32)
        self.clip_obs = clip_obs
        self.act = tf.function(self._act, input_signature=[tf.TensorSpec([None, obs_dim])])

    def _act(self, obs: tf.Tensor) -> tf.Tensor:
        if self.normalize:
            obs = tf.clip_by_value(
                (obs - self.obs_mean) / self.obs_scale, -self.clip_obs, self.clip_obs
            )
        return self._head(obs)


def save_policy(policy: ExportedPolicy, path: str) -> None:
    tf.saved_model.save(policy, path, signatures={"serving_default": policy.act})
