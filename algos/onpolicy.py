"""Parts shared by the on-policy agents (PPO, TRPO, A2C).

- ``GaussianActor``: diagonal Gaussian policy with a state-independent log-std parameter.
- ``RewardScaler``: divides rewards by the running std of the discounted return.
- ``OnPolicyAgent``: acting (NumPy, weights frozen during a rollout), observation normalisation and
  turning a batch of raw transitions into advantages and returns.

The batch an on-policy agent's ``update`` takes is a dict of arrays shaped [T, N, ...] (time,
environment), or [T, ...] for a single environment:

    obs, actions, rewards, next_obs, terminated, truncated

``next_obs[t]`` is the observation that followed step t; where an episode ended at t it is that
episode's last observation (Gymnasium's ``final_obs``), not the reset one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from algos.export import ExportedPolicy
from algos.gae import gae
from algos.networks import MLP
from algos.normalization import RunningMeanStd
from algos.seeding import stream_rng

BATCH_KEYS = ("obs", "actions", "rewards", "next_obs", "terminated", "truncated")
LOG_2PI = float(np.log(2.0 * np.pi))


class GaussianActor(tf.Module):
    """π(a|s) = N(μ_θ(s), diag(exp(2·log_std))), with log_std a free parameter."""

    def __init__(
        self,
        obs_dim: int,
        act_dim: int,
        hidden: Sequence[int],
        activation: str,
        log_std_init: float,
        seed: int,
    ) -> None:
        super().__init__(name="actor")
        self.mean = MLP(obs_dim, hidden, act_dim, activation=activation, out_gain=0.01, seed=seed)
        self.log_std = tf.Variable(tf.fill((act_dim,), float(log_std_init)), name="log_std")

    def log_prob(self, obs: tf.Tensor, actions: tf.Tensor) -> tf.Tensor:
        mean = self.mean(obs)
        z = (actions - mean) * tf.exp(-self.log_std)
        return tf.reduce_sum(-0.5 * tf.square(z) - self.log_std - 0.5 * LOG_2PI, axis=-1)

    def entropy(self) -> tf.Tensor:
        return tf.reduce_sum(self.log_std + 0.5 * (1.0 + LOG_2PI))

    def kl_from(self, obs: tf.Tensor, old_mean: tf.Tensor, old_log_std: tf.Tensor) -> tf.Tensor:
        """Mean KL(π_old || π_θ) over ``obs`` (closed form for diagonal Gaussians)."""
        mean, log_std = self.mean(obs), self.log_std
        kl = (
            log_std
            - old_log_std
            + (tf.exp(2.0 * old_log_std) + tf.square(old_mean - mean))
            / (2.0 * tf.exp(2.0 * log_std))
            - 0.5
        )
        return tf.reduce_mean(tf.reduce_sum(kl, axis=-1))


class RewardScaler:
    """Scale rewards by the running std of the discounted return (no mean subtraction), clip ±10.

    The discounted return is carried per environment across batches and reset at episode ends.
    The running std is updated with a whole rollout before that rollout is scaled (SB3's
    ``VecNormalize`` updates it step by step): the same statistics after the first rollout, and
    the first rollout is scaled by its own std instead of a std that starts at 1.
    """

    def __init__(self, gamma: float, clip: float = 10.0) -> None:
        self.gamma, self.clip = gamma, clip
        self.rms = RunningMeanStd(())
        self.ret: np.ndarray | None = None

    def __call__(self, rewards: np.ndarray, dones: np.ndarray) -> np.ndarray:
        if self.ret is None or self.ret.shape != rewards.shape[1:]:
            self.ret = np.zeros(rewards.shape[1:], np.float64)
        if rewards.shape[1:] == (1,):  # one env: the same recursion on Python floats, faster
            ret, gamma, out = float(self.ret[0]), self.gamma, []
            for r, done in zip(rewards[:, 0].tolist(), dones[:, 0].tolist(), strict=True):
                ret = ret * gamma + r
                out.append(ret)
                if done:
                    ret = 0.0
            returns = np.asarray(out, np.float64)[:, None]
            self.ret = np.array([ret], np.float64)
        else:
            returns = np.empty_like(rewards, dtype=np.float64)
            for t in range(rewards.shape[0]):
                self.ret = self.ret * self.gamma + rewards[t]
                returns[t] = self.ret
                self.ret = self.ret * (1.0 - dones[t])
        self.rms.update(returns.reshape(-1))
        scaled = rewards / np.sqrt(self.rms.var + 1e-8)
        return np.clip(scaled, -self.clip, self.clip).astype(np.float32)

    def state_dict(self) -> dict:
        return {"rms": self.rms.state_dict(), "ret": None if self.ret is None else self.ret.copy()}

    def load_state_dict(self, state: dict) -> None:
        self.rms.load_state_dict(state["rms"])
        self.ret = None if state["ret"] is None else np.asarray(state["ret"], np.float64)


def time_major(batch: dict[str, np.ndarray], obs_dim: int) -> dict[str, np.ndarray]:
    """Check a batch's keys and bring every array to [T, N, ...] (adds N=1 when missing)."""
    missing = [k for k in BATCH_KEYS if k not in batch]
    if missing:
        raise KeyError(f"batch is missing {missing}; an on-policy batch needs {list(BATCH_KEYS)}")
    obs = np.asarray(batch["obs"])
    single_env = obs.ndim == 2 and obs.shape[-1] == obs_dim
    out = {}
    for key in BATCH_KEYS:
        arr = np.asarray(batch[key])
        out[key] = arr[:, None] if single_env else arr
    return out


def check_anneal_steps(cfg: Any) -> None:
    """Shared validation of ``anneal_steps``; raises ValueError."""
    if cfg.anneal_steps < 0:
        raise ValueError(
            f"anneal_steps must be >= 0 (0 anneals over the run), got {cfg.anneal_steps!r}"
        )


def check_anneal_horizon(cfg: Any, run_steps: int | None) -> None:
    """An ``anneal_steps`` shorter than the run is an error: the LR would sit at 0 after it."""
    horizon = getattr(cfg, "anneal_steps", 0)
    if getattr(cfg, "anneal_lr", False) and run_steps and 0 < horizon < run_steps:
        raise ValueError(
            f"anneal_steps={horizon} is shorter than the run (steps={run_steps}): the learning "
            f"rate would be 0 for the last {run_steps - horizon} steps; use anneal_steps=0 "
            "(anneal over the run), a value >= steps, or anneal_lr=false"
        )


class OnPolicyAgent(tf.Module):
    """Acting and batch preparation common to PPO, TRPO and A2C.

    Subclasses call ``tf.Module.__init__``, build ``self.actor`` (a :class:`GaussianActor`) and
    ``self.critic`` (an MLP with one output), then call :meth:`_setup_common`.
    """

    on_policy = True
    action_kind = "continuous"
    stochastic_policy = True  # a Gaussian policy: evaluation also records its sampled return
    actor: GaussianActor
    critic: MLP

    def _setup_common(
        self,
        obs_dim: int,
        act_dim: int,
        *,
        gamma: float,
        gae_lambda: float,
        normalize_obs: bool,
        scale_rewards: bool,
        seed: int,
    ) -> None:
        self.obs_dim, self.act_dim = obs_dim, act_dim
        self.gamma, self.gae_lambda = gamma, gae_lambda
        check_anneal_horizon(self.config, getattr(self, "total_steps", None))
        self.obs_rms = RunningMeanStd((obs_dim,)) if normalize_obs else None
        self.reward_scaler = RewardScaler(gamma) if scale_rewards else None
        self.rng = stream_rng(seed, "policy")  # sampled actions
        self.env_steps = 0  # transitions consumed by update(), drives LR annealing
        self._values_fn = tf.function(
            lambda x: tf.squeeze(self.critic(x), -1),
            input_signature=[tf.TensorSpec([None, obs_dim], tf.float32)],
        )
        self._logp_fn = tf.function(
            self.actor.log_prob,
            input_signature=[
                tf.TensorSpec([None, obs_dim], tf.float32),
                tf.TensorSpec([None, act_dim], tf.float32),
            ],
        )
        self._refresh_numpy_policy()

    def annealed_lr(self, base_lr: float) -> float:
        """``base_lr`` decayed linearly to 0 over ``config.anneal_steps`` env steps, or over the
        run (``total_steps``) when that is 0; constant with ``anneal_lr`` off or no horizon.

        A horizon longer than the run reproduces a reference that anneals over its own, longer
        budget and is read part-way (Tianshou's 500k values come from 3M-step schedules)."""
        cfg = self.config
        horizon = getattr(cfg, "anneal_steps", 0) or self.total_steps
        if not cfg.anneal_lr or not horizon:
            return base_lr
        return base_lr * max(1.0 - self.env_steps / horizon, 0.0)

    @property
    def rollout_steps(self) -> int:
        return self.config.rollout_steps

    @property
    def num_envs(self) -> int:
        return self.config.num_envs

    @classmethod
    def from_spaces(
        cls, observation_space, action_space, config, *, seed: int, total_steps: int | None = None
    ):
        """Build from Gymnasium-like spaces (only ``.shape`` is read)."""
        return cls(
            int(np.prod(observation_space.shape)),
            int(np.prod(action_space.shape)),
            config,
            seed=seed,
            total_steps=total_steps,
        )

    # -- acting ---------------------------------------------------------------------------
    def _policy_tensors(self) -> list[tf.Tensor]:
        """The actor's weights, biases and log-std as tensors: an update graph returns them, so
        that :meth:`_refresh_numpy_policy` needs no further TensorFlow calls."""
        out = []
        for w, b in zip(self.actor.mean.weights, self.actor.mean.biases, strict=True):
            out += [tf.identity(w), tf.identity(b)]
        return [*out, tf.identity(self.actor.log_std)]

    def _refresh_numpy_policy(self, policy: Sequence[tf.Tensor] | None = None) -> None:
        """Snapshot the policy for NumPy inference; called after every update.

        ``policy`` is :meth:`_policy_tensors` as returned by an update graph (read from the
        variables when omitted). The snapshot includes the observation normaliser's statistics,
        which also change only in ``update``: acting then costs a handful of NumPy calls per step.
        """
        if policy is None:
            policy = self._policy_tensors()
        arrays = [t.numpy() for t in policy]
        self._np_params = list(zip(arrays[:-1:2], arrays[1:-1:2], strict=True))
        self._np_act = self.actor.mean._act_np
        self._np_std = np.exp(arrays[-1])
        if self.obs_rms is not None:
            self._obs_mean = self.obs_rms.mean.astype(np.float32)
            self._obs_denom = np.sqrt(self.obs_rms.var + 1e-8).astype(np.float32)

    def normalize_obs(self, obs: np.ndarray) -> np.ndarray:
        """Observations normalised with the statistics of the current policy (float32).

        ``RunningMeanStd.normalize`` (clipped to ±10) in float32, with the statistics
        snapshotted at the last update; acting and ``update`` both use this one function.
        """
        obs = np.asarray(obs, np.float32)
        if self.obs_rms is None:
            return obs
        x = obs - self._obs_mean
        x /= self._obs_denom
        np.minimum(np.maximum(x, -10.0, out=x), 10.0, out=x)
        return x

    def _mean_action(self, obs: np.ndarray) -> np.ndarray:
        x = self.normalize_obs(obs)
        params = self._np_params
        last = len(params) - 1
        for i, (w, b) in enumerate(params):
            x = x @ w
            x += b
            if i < last:
                x = self._np_act(x)
        return x

    def get_action(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """Action(s) for one observation [obs_dim] or a batch [N, obs_dim].

        Sampled actions are unbounded Gaussian samples: clip them to the action space for the
        environment (``envs.make_env`` does), but hand the unclipped ones to ``update``.
        """
        mean = self._mean_action(obs)
        if deterministic:
            return mean
        noise = self.rng.standard_normal(mean.shape, dtype=np.float32)
        noise *= self._np_std
        noise += mean
        return noise

    def rollout_policy(
        self, horizon: int, num_envs: int
    ) -> Callable[[np.ndarray, int], np.ndarray]:
        """``act(obs [num_envs, obs_dim], t)``: the sampled actions for step ``t`` of a rollout.

        The policy is fixed for a whole rollout, so the exploration noise σ·ε for all
        ``horizon`` steps is drawn at once: the same random stream, and the same actions, as
        ``horizon`` calls of :meth:`get_action`, with fewer NumPy calls per step.
        """
        noise = self.rng.standard_normal((horizon, num_envs, self.act_dim), dtype=np.float32)
        noise *= self._np_std
        mean_action = self._mean_action

        def act(obs: np.ndarray, t: int) -> np.ndarray:
            action = mean_action(obs)
            action += noise[t]
            return action

        return act

    # -- learning -------------------------------------------------------------------------
    def _prepare_inputs(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The NumPy half of :meth:`_prepare`: normalised observations and scaled rewards.

        Observations are normalised with the statistics the rollout acted with; the statistics
        are then updated with this batch, for the next rollout. Returns flat ``obs``,
        ``next_obs``, ``actions`` [T·N, ...] and ``rewards``, ``terminated``, ``truncated``
        [T, N].
        """
        b = time_major(batch, self.obs_dim)
        T, N = b["rewards"].shape[:2]
        raw_obs = b["obs"].reshape(T * N, -1)
        obs = self.normalize_obs(raw_obs)
        next_obs = self.normalize_obs(b["next_obs"].reshape(T * N, -1))
        actions = b["actions"].reshape(T * N, -1).astype(np.float32)
        terminated = b["terminated"].astype(bool)
        truncated = b["truncated"].astype(bool)
        rewards = b["rewards"].astype(np.float32)
        if self.reward_scaler is not None:
            rewards = self.reward_scaler(rewards, np.logical_or(terminated, truncated))
        if self.obs_rms is not None:
            self.obs_rms.update(raw_obs)
        self.env_steps += T * N
        return {
            "obs": obs,
            "next_obs": next_obs,
            "actions": actions,
            "rewards": rewards,
            "terminated": terminated,
            "truncated": truncated,
        }

    def _prepare(
        self, batch: dict[str, np.ndarray], log_probs: bool = True
    ) -> dict[str, np.ndarray]:
        """Normalise, scale rewards, compute V, old log-probs, GAE advantages and returns.

        ``log_probs=False`` skips the old log-probs (an agent without importance ratios).
        The observations are normalised with the statistics the rollout acted with, so the old
        log-probs recomputed here are exactly the behaviour policy's.
        """
        d = self._prepare_inputs(batch)
        obs, actions, rewards = d["obs"], d["actions"], d["rewards"]
        T, N = rewards.shape
        both = self._values_fn(np.concatenate([obs, d["next_obs"]])).numpy()
        values, next_values = both[: T * N].reshape(T, N), both[T * N :].reshape(T, N)
        adv, returns = gae(
            rewards,
            values,
            next_values,
            d["terminated"],
            d["truncated"],
            self.gamma,
            self.gae_lambda,
        )
        logp = self._logp_fn(obs, actions).numpy() if log_probs else None
        return {
            "obs": obs,
            "actions": actions,
            "logp": logp,
            "advantages": adv.reshape(-1),
            "returns": returns.reshape(-1).astype(np.float32),
            "values": values.reshape(-1),
        }

    # -- checkpointing: tf.Variables are tracked by tf.Module; the rest is plain data -----
    def export_policy(self) -> ExportedPolicy:
        """The deterministic policy (Gaussian mean) as a self-contained TF module."""
        rms = self.obs_rms
        return ExportedPolicy(
            self.obs_dim,
            self.actor.mean,
            [self.actor],
            obs_mean=None if rms is None else rms.mean,
            obs_var=None if rms is None else rms.var,
        )

    def numpy_state(self) -> dict:
        """Everything outside tf.Variables, as JSON-compatible data."""
        return {
            "obs_rms": _to_lists(self.obs_rms.state_dict()) if self.obs_rms else None,
            "reward_scaler": (
                _to_lists(self.reward_scaler.state_dict()) if self.reward_scaler else None
            ),
            "env_steps": self.env_steps,
            "rng": self.rng.bit_generator.state,
        }

    def load_numpy_state(self, state: dict) -> None:
        if self.obs_rms is not None:
            self.obs_rms.load_state_dict(state["obs_rms"])
        if self.reward_scaler is not None:
            self.reward_scaler.load_state_dict(state["reward_scaler"])
        self.env_steps = int(state["env_steps"])
        self.rng.bit_generator.state = state["rng"]
        self._refresh_numpy_policy()


def _to_lists(obj):
    """NumPy arrays → lists, recursively, for JSON."""
    if isinstance(obj, dict):
        return {k: _to_lists(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return obj
