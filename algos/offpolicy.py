"""Parts shared by the off-policy agents (DDPG, TD3, SAC).

- ``EnsembleMLP``: ``n`` independent MLPs evaluated as one batched matmul per layer (the twin
  critics of TD3/SAC cost the op count of one);
- ``ActionScale``: maps the task's action bounds to and from [-1, 1]. Networks and the replay
  batch the critics see use [-1, 1]; ``get_action`` returns actions in the task's bounds
  (Humanoid ±0.4, InvertedPendulum ±3), which is also what ``update`` expects back;
- ``polyak``: soft target update θ' ← (1 - τ) θ' + τ θ;
- ``OffPolicyAgent``: building from spaces, the batch format, ``update`` and the fused multi-update
  step the harness uses, NumPy acting with a cached copy of the policy weights, and state.

The batch ``update`` takes is a dict of arrays [B, ...] (or [K, B, ...] for K updates in one call):

    obs, actions, rewards, next_obs, terminated

``terminated`` is 1 only where the task ended the episode: a time-limit truncation bootstraps
from Q(next_obs, ·), and ``next_obs`` there is the real last observation, not the reset one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from algos.export import ExportedPolicy
from algos.networks import MLP
from algos.seeding import stream_rng

BATCH_KEYS = ("obs", "actions", "rewards", "next_obs", "terminated")


class EnsembleMLP(tf.Module):
    """``n`` ReLU MLPs with PyTorch's default Linear init, stacked: weights [n, fan_in, fan_out].

    ``__call__(x)`` takes x [B, in] (the same input for every member) and returns [n, B, out].
    """

    def __init__(
        self, n: int, in_dim: int, hidden: Sequence[int], out_dim: int, seed: int, name: str
    ) -> None:
        super().__init__(name=name)
        sizes = [in_dim, *hidden, out_dim]
        self.weights: list[tf.Variable] = []
        self.biases: list[tf.Variable] = []
        rng = np.random.default_rng(seed)
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            bound = 1.0 / np.sqrt(fan_in)
            w = rng.uniform(-bound, bound, size=(n, fan_in, fan_out)).astype(np.float32)
            b = rng.uniform(-bound, bound, size=(n, 1, fan_out)).astype(np.float32)
            self.weights.append(tf.Variable(w, name=f"w{i}"))
            self.biases.append(tf.Variable(b, name=f"b{i}"))

    def __call__(self, x: tf.Tensor, members: slice | None = None) -> tf.Tensor:
        """Outputs [n, B, out]; ``members`` (a slice) evaluates only those members."""
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if members is not None:
                w, b = w[members], b[members]
            if i == 0 and x.shape.rank == 2:
                x = tf.einsum("bi,nio->nbo", x, w) + b
            else:
                x = tf.matmul(x, w) + b
            if i < last:
                x = tf.nn.relu(x)
        return x


class Critics(tf.Module):
    """``n`` Q-networks Q_i(s, a) on concat(s, a); ``__call__`` returns [n, B]."""

    def __init__(self, n: int, obs_dim: int, act_dim: int, hidden: Sequence[int], seed: int):
        super().__init__(name="critics")
        self.net = EnsembleMLP(n, obs_dim + act_dim, hidden, 1, seed, name="q")

    def __call__(
        self, obs: tf.Tensor, actions: tf.Tensor, members: slice | None = None
    ) -> tf.Tensor:
        return tf.squeeze(self.net(tf.concat([obs, actions], -1), members), -1)


class ActionScale:
    """Affine map between [-1, 1] and the task's action box [low, high]."""

    def __init__(self, low: np.ndarray, high: np.ndarray) -> None:
        low, high = np.asarray(low, np.float32), np.asarray(high, np.float32)
        if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
            raise ValueError("off-policy agents need a bounded action space (finite low/high)")
        self.low, self.high = low, high
        self.center = (high + low) / 2.0
        self.half = (high - low) / 2.0

    def to_env(self, a: np.ndarray) -> np.ndarray:
        return (self.center + self.half * a).astype(np.float32)

    def to_unit(self, a: tf.Tensor) -> tf.Tensor:
        return (a - self.center) / self.half


def polyak(targets: Sequence[tf.Variable], sources: Sequence[tf.Variable], tau: float) -> None:
    """θ' ← θ' + τ (θ - θ'), in place."""
    for t, s in zip(targets, sources, strict=True):
        t.assign(t + tau * (s - t))


def copy_weights(targets: Sequence[tf.Variable], sources: Sequence[tf.Variable]) -> None:
    for t, s in zip(targets, sources, strict=True):
        t.assign(s)


def actor_mlp(obs_dim: int, out_dim: int, hidden: Sequence[int], seed: int, name: str) -> MLP:
    return MLP(obs_dim, hidden, out_dim, activation="relu", init="torch", seed=seed, name=name)


class OffPolicyAgent(tf.Module):
    """Common machinery; subclasses build networks and implement ``_update_step``.

    Subclasses set ``self.config``, ``self.actor`` (an :class:`MLP` whose first ``act_dim``
    outputs, through tanh, are the deterministic action) and call :meth:`_setup_common` last.
    """

    on_policy = False
    action_kind = "continuous"
    stochastic_policy = False  # SAC overrides; DDPG/TD3 noise is exploration, not the policy
    config: Any
    actor: MLP

    def __init__(
        self,
        obs_dim: int,
        act_dim: int,
        config: Any,
        *,
        low: np.ndarray | None = None,
        high: np.ndarray | None = None,
        seed: int = 0,
        total_steps: int | None = None,
        name: str = "agent",
    ) -> None:
        super().__init__(name=name)
        self.obs_dim, self.act_dim = int(obs_dim), int(act_dim)
        low = -np.ones(act_dim, np.float32) if low is None else low
        high = np.ones(act_dim, np.float32) if high is None else high
        self.scale = ActionScale(
            np.broadcast_to(low, (act_dim,)), np.broadcast_to(high, (act_dim,))
        )
        self.config = config
        self.seed = seed
        self.total_steps = total_steps
        self.rng = stream_rng(seed, "exploration")  # exploration noise
        self.tf_rng = tf.random.Generator.from_seed(seed + 12345)  # target / policy noise
        self.num_updates = tf.Variable(0, dtype=tf.int64, trainable=False, name="num_updates")
        tf.random.set_seed(seed)

    @classmethod
    def from_spaces(
        cls,
        observation_space,
        action_space,
        config: Any,
        *,
        seed: int,
        total_steps: int | None = None,
    ) -> OffPolicyAgent:
        return cls(
            int(np.prod(observation_space.shape)),
            int(np.prod(action_space.shape)),
            config,
            low=np.asarray(action_space.low, np.float32).reshape(-1),
            high=np.asarray(action_space.high, np.float32).reshape(-1),
            seed=seed,
            total_steps=total_steps,
        )

    def _setup_common(self) -> None:
        obs_dim, act_dim = self.obs_dim, self.act_dim
        spec = [
            tf.TensorSpec([None, None, obs_dim], tf.float32),
            tf.TensorSpec([None, None, act_dim], tf.float32),
            tf.TensorSpec([None, None], tf.float32),
            tf.TensorSpec([None, None, obs_dim], tf.float32),
            tf.TensorSpec([None, None], tf.float32),
            tf.TensorSpec([None, obs_dim], tf.float32),
        ]
        self._train = tf.function(
            self._train_many, input_signature=spec, jit_compile=bool(self.config.jit_compile)
        )
        self._train_graph = None  # its concrete function, traced on the first call
        self._center = tf.constant(self.scale.center)
        self._half = tf.constant(self.scale.half)
        self._np_params: list | None = None
        self._cached_obs: np.ndarray | None = None  # policy output computed by the train call
        self._cached_out: np.ndarray | None = None
        self._no_obs = np.zeros((0, obs_dim), np.float32)

    # -- acting ---------------------------------------------------------------------------
    def _policy_params(self) -> list:
        if self._np_params is None:
            self._np_params = self.actor.numpy_params()
        return self._np_params

    def _policy_out(self, obs: np.ndarray) -> np.ndarray:
        obs = np.asarray(obs, np.float32)
        cached = self._cached_obs
        if cached is not None and cached.shape == obs.shape and np.array_equal(cached, obs):
            return self._cached_out  # computed by the last training call, after its updates
        return self.actor.numpy_forward(self._policy_params(), obs)

    def get_action(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """Action(s) in the task's bounds for one observation [obs_dim] or a batch [N, obs_dim]."""
        raise NotImplementedError

    def reset_noise(self) -> None:
        """Called at episode ends; stateful exploration noise (OU) restarts."""

    def export_policy(self) -> ExportedPolicy:
        """The deterministic policy, tanh of the actor's mean scaled to the bounds, in TF only."""
        actor, act_dim = self.actor, self.act_dim
        center = tf.constant(self.scale.center, tf.float32)
        half = tf.constant(self.scale.half, tf.float32)

        def head(obs: tf.Tensor) -> tf.Tensor:
            return center + half * tf.tanh(actor(obs)[:, :act_dim])

        return ExportedPolicy(self.obs_dim, head, [actor])

    # -- learning -------------------------------------------------------------------------
    def update(self, batch: dict[str, np.ndarray]) -> dict[str, float]:
        """One gradient update per batch: arrays [B, ...], or [K, B, ...] for K updates.

        ``actions`` are in the task's bounds (as ``get_action`` returns them).
        """
        missing = [k for k in BATCH_KEYS if k not in batch]
        if missing:
            raise KeyError(f"batch is missing {missing}; an off-policy batch needs {BATCH_KEYS}")
        arrays = {}
        obs = np.asarray(batch["obs"], np.float32)
        stacked = obs.ndim == 3
        for key in BATCH_KEYS:
            arr = np.asarray(batch[key], np.float32)
            arrays[key] = arr if stacked else arr[None]
        return self.train_stacked(arrays)

    def train_stacked(
        self, b: dict[str, np.ndarray], act_obs: np.ndarray | None = None
    ) -> dict[str, float]:
        """K updates in one compiled call on batches stacked [K, B, ...] (the harness's path).

        With ``act_obs`` [N, obs_dim] the same call also evaluates the updated policy there, so
        the next ``get_action(act_obs)`` costs no extra TensorFlow call.
        """
        obs_in = self._no_obs if act_obs is None else act_obs
        if self._train_graph is None:
            self._train_graph = self._train.get_concrete_function()
        # the concrete function skips tf.function's per-call argument binding and signature
        # matching: about 1 ms of a ~9 ms TD3 step on one core (measured), once per env step
        arrays = (b["obs"], b["actions"], b["rewards"], b["next_obs"], b["terminated"], obs_in)
        stats, out = self._train_graph(*(tf.convert_to_tensor(a, tf.float32) for a in arrays))
        self._np_params = None  # the policy changed: refresh the NumPy copy on next use
        if act_obs is None:
            self._cached_obs = self._cached_out = None
        else:
            self._cached_obs = np.array(act_obs, np.float32)
            self._cached_out = out.numpy()
        return dict(zip(self.stat_names, stats.numpy().tolist(), strict=True))

    def _train_many(self, obs, actions, rewards, next_obs, terminated, act_obs):
        k = tf.shape(obs)[0]
        unit_actions = (actions - self._center) / self._half
        stats = self._update_step(obs[0], unit_actions[0], rewards[0], next_obs[0], terminated[0])
        for i in tf.range(1, k):
            stats = self._update_step(
                obs[i], unit_actions[i], rewards[i], next_obs[i], terminated[i]
            )
        return tf.stack(stats), self.actor(act_obs)

    stat_names: tuple[str, ...] = ()

    def _update_step(self, obs, actions, rewards, next_obs, terminated) -> list[tf.Tensor]:
        """One update on a batch [B, ...], actions in [-1, 1]; stats in ``stat_names`` order."""
        raise NotImplementedError

    # -- state ----------------------------------------------------------------------------
    def numpy_state(self) -> dict:
        # the cached policy output too: a resumed run then acts bit-for-bit as the original
        cached = None
        if self._cached_obs is not None:
            cached = [self._cached_obs.tolist(), self._cached_out.tolist()]
        return {"rng": self.rng.bit_generator.state, "cached_policy": cached}

    def load_numpy_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
        self._np_params = None
        self._cached_obs = self._cached_out = None
        if state.get("cached_policy") is not None:
            obs, out = state["cached_policy"]
            self._cached_obs = np.asarray(obs, np.float32)
            self._cached_out = np.asarray(out, np.float32)


class DeterministicActorCritic(OffPolicyAgent):
    """μ(s) = tanh(MLP(s)) with ``n_critics`` Q-networks: DDPG (n=1) and TD3 (n=2).

    Per update: critics regress on y = r + γ (1 - terminated) min_i Q'_i(s', ã'), with
    ã' = clip(μ'(s') + clip(σ̃ ε, -c, c), -1, 1) (σ̃ = 0 for DDPG); every ``policy_delay`` updates
    the actor ascends Q_1(s, μ(s)) and all targets move by Polyak averaging.
    Config fields used: hidden_sizes, actor_lr, critic_lr, adam_eps, gamma, tau, batch_size,
    exploration_noise, jit_compile, and (optional) noise_type, ou_theta, target_noise,
    noise_clip, policy_delay, preact_penalty.

    A tanh actor can saturate: once its pre-activations are large, tanh' is 0 in float32 and
    the critic's gradient no longer reaches the actor, whatever the critic prefers (seen on
    InvertedDoublePendulum for TD3 and DDPG, results/ablations/README.md). Two statistics watch
    for it at no extra cost, from the target actor's pre-activations on the batch's next
    observations (computed for the critic target anyway): ``target_preact_abs``, their mean
    absolute value, and ``target_saturated``, the fraction of action components with
    |tanh| > 0.999. ``preact_penalty`` λ > 0 adds λ·mean(pre²) of the actor to its loss, which
    pulls a saturated actor back to where tanh passes gradient; 0 (the default) is the reference
    algorithm.
    """

    n_critics = 1
    stat_names = ("critic_loss", "actor_loss", "q_mean", "target_preact_abs", "target_saturated")

    def __init__(self, obs_dim: int, act_dim: int, config: Any, **kwargs: Any) -> None:
        super().__init__(obs_dim, act_dim, config, **kwargs)
        from algos.optim import Adam

        cfg, seed = config, self.seed
        h = list(cfg.hidden_sizes)
        self.actor = actor_mlp(obs_dim, act_dim, h, seed, "actor")
        self.actor_target = actor_mlp(obs_dim, act_dim, h, seed, "actor_target")
        self.critics = Critics(self.n_critics, obs_dim, act_dim, h, seed + 1)
        self.critics_target = Critics(self.n_critics, obs_dim, act_dim, h, seed + 1)
        copy_weights(self.actor_target.trainable_variables, self.actor.trainable_variables)
        copy_weights(self.critics_target.trainable_variables, self.critics.trainable_variables)
        self.actor_opt = Adam(self.actor.trainable_variables, cfg.actor_lr, eps=cfg.adam_eps)
        self.critic_opt = Adam(self.critics.trainable_variables, cfg.critic_lr, eps=cfg.adam_eps)
        self.target_noise = float(getattr(cfg, "target_noise", 0.0))
        self.noise_clip = float(getattr(cfg, "noise_clip", 0.0))
        self.policy_delay = int(getattr(cfg, "policy_delay", 1))
        self.noise_type = getattr(cfg, "noise_type", "gaussian")
        self.preact_penalty = float(getattr(cfg, "preact_penalty", 0.0))
        self.ou_state = np.zeros(act_dim, np.float32)
        self.last_actor_loss = tf.Variable(0.0, trainable=False, name="last_actor_loss")
        self._setup_common()

    def get_action(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        a = np.tanh(self._policy_out(obs))
        if not deterministic:
            sigma = self.config.exploration_noise
            if self.noise_type == "ou":
                # Ornstein-Uhlenbeck (dt = 1): x ← x - θ x + σ ε, shared over a batch of obs
                eps = self.rng.standard_normal(self.act_dim).astype(np.float32)
                self.ou_state += -self.config.ou_theta * self.ou_state + sigma * eps
                a = a + self.ou_state
            else:
                a = a + sigma * self.rng.standard_normal(a.shape).astype(np.float32)
            a = np.clip(a, -1.0, 1.0)
        return self.scale.to_env(a)

    def reset_noise(self) -> None:
        self.ou_state[:] = 0.0

    def _update_step(self, obs, actions, rewards, next_obs, terminated):
        cfg = self.config
        self.num_updates.assign_add(1)
        next_pre = self.actor_target(next_obs)
        next_a = tf.tanh(next_pre)
        if self.target_noise > 0:
            noise = self.tf_rng.normal(tf.shape(next_a)) * self.target_noise
            noise = tf.clip_by_value(noise, -self.noise_clip, self.noise_clip)
            next_a = tf.clip_by_value(next_a + noise, -1.0, 1.0)
        q_next = tf.reduce_min(self.critics_target(next_obs, next_a), axis=0)
        y = tf.stop_gradient(rewards + cfg.gamma * (1.0 - terminated) * q_next)
        critic_vars = self.critics.trainable_variables
        with tf.GradientTape() as tape:
            q = self.critics(obs, actions)
            critic_loss = tf.reduce_sum(tf.reduce_mean(tf.square(q - y), axis=1))
        self.critic_opt.apply(tape.gradient(critic_loss, critic_vars))

        def actor_step() -> tf.Tensor:
            actor_vars = self.actor.trainable_variables
            with tf.GradientTape() as tape:
                pre = self.actor(obs)
                q_pi = self.critics(obs, tf.tanh(pre), slice(0, 1))[0]
                actor_loss = -tf.reduce_mean(q_pi)
                if self.preact_penalty > 0:  # decided when tracing: λ = 0 adds nothing
                    actor_loss += self.preact_penalty * tf.reduce_mean(tf.square(pre))
            self.actor_opt.apply(tape.gradient(actor_loss, actor_vars))
            polyak(self.actor_target.trainable_variables, actor_vars, cfg.tau)
            polyak(self.critics_target.trainable_variables, critic_vars, cfg.tau)
            self.last_actor_loss.assign(actor_loss)
            return actor_loss

        if self.policy_delay == 1:
            actor_step()
        else:
            tf.cond(
                self.num_updates % self.policy_delay == 0,
                actor_step,
                lambda: tf.identity(self.last_actor_loss),
            )
        # before the target smoothing noise: the policy's own actions
        saturated = tf.reduce_mean(tf.cast(tf.abs(next_pre) > np.arctanh(0.999), tf.float32))
        return [
            critic_loss,
            tf.identity(self.last_actor_loss),
            tf.reduce_mean(q),
            tf.reduce_mean(tf.abs(next_pre)),
            saturated,
        ]

    def numpy_state(self) -> dict:
        return {**super().numpy_state(), "ou_state": self.ou_state.tolist()}

    def load_numpy_state(self, state: dict) -> None:
        super().load_numpy_state(state)
        self.ou_state[:] = state["ou_state"]


def check_common(cfg: Any) -> None:
    """Validate the hyperparameters every off-policy Config has; raises ValueError."""
    for name in ("buffer_size", "batch_size", "actor_lr", "critic_lr", "adam_eps", "train_freq"):
        if not getattr(cfg, name) > 0:
            raise ValueError(f"{name} must be > 0, got {getattr(cfg, name)!r}")
    if cfg.learning_starts < 0:
        raise ValueError(f"learning_starts must be >= 0, got {cfg.learning_starts!r}")
    if not 0.0 <= cfg.gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {cfg.gamma!r}")
    if not 0.0 < cfg.tau <= 1.0:
        raise ValueError(f"tau must be in (0, 1], got {cfg.tau!r}")
    if not cfg.hidden_sizes or any(h <= 0 for h in cfg.hidden_sizes):
        raise ValueError(f"hidden_sizes must be positive layer widths, got {cfg.hidden_sizes}")
    if getattr(cfg, "exploration_noise", 0.0) < 0:
        raise ValueError(f"exploration_noise must be >= 0, got {cfg.exploration_noise!r}")
    if getattr(cfg, "preact_penalty", 0.0) < 0:
        raise ValueError(f"preact_penalty must be >= 0, got {cfg.preact_penalty!r}")
