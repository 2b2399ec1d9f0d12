"""Deep Q-Network, DQN (Mnih et al. 2015, "Human-level control through deep reinforcement
learning", Nature 518:529), with Double DQN (van Hasselt, Guez & Silver 2016, arXiv:1509.06461)
as an option.

DQN learns the optimal action-value function Q*(s, a) of a task with a finite action set, with a
neural network Q_θ trained on transitions (s, a, r, s', terminated) drawn uniformly from a replay
buffer. Each gradient step regresses Q_θ(s, a) on a bootstrapped one-step target computed with a
*target network* Q_θ', a copy of Q_θ refreshed every ``target_update_interval`` updates
(θ' ← τ θ + (1 - τ) θ', τ = 1 being the paper's hard copy):

    DQN target:         y = r + γ (1 - terminated) · max_a' Q_θ'(s', a')
    Double DQN target:  y = r + γ (1 - terminated) · Q_θ'(s', argmax_a' Q_θ(s', a'))

Double DQN lets the online network choose the next action and the target network value it, which
removes most of the max operator's overestimation bias. The loss is the Huber loss of the TD
error δ = Q_θ(s, a) - y (the paper's "clip the error term to [-1, 1]", ``loss: huber``) or its
square (``loss: mse``, CleanRL's and the default here),

    L(θ) = mean_batch H(δ),   H(δ) = δ²/2 if |δ| ≤ 1, else |δ| - 1/2,

minimised with Adam; y is held constant (no gradient through the target). Exploration is
ε-greedy: with probability ε a uniformly random action, else argmax_a Q_θ(s, a); ε decays
linearly from ``start_e`` to ``end_e`` over the first ``exploration_fraction × total_steps``
steps the agent acts, then stays at ``end_e``. ``deterministic=True`` is the greedy policy.

Defaults are CleanRL's ``dqn.py`` for classic control (the same settings for CartPole-v1,
Acrobot-v1 and MountainCar-v0; shared/research/algo_details.md §7): a 120-84 ReLU MLP with
PyTorch's default Linear init, Adam 2.5e-4 (eps 1e-8, PyTorch's, not Keras' 1e-7), a 10,000-step
buffer, batch 128, γ 0.99, 10,000 warm-up steps, one gradient step per 10 env steps, a hard
target copy every 500 env steps (50 updates), ε 1 → 0.05 over half of training, squared TD
error, no gradient clipping. One departure: the gradient steps are taken 10 at a time every 100
env steps rather than one every 10 (the same ratio; a fifth of the TensorFlow call overhead).
Time-limit truncations bootstrap (``terminated`` only stops it), as in CleanRL and SB3.

The Huber loss needs a larger learning rate (SB3-zoo's 6e-4 to 4e-3): with CleanRL's Adam 2.5e-4
it diverges. Fitted on 9,500 uniformly random CartPole transitions (target copied every 50
updates), Huber drove mean Q past 1,500 within 4,000 updates, both here and in PyTorch
(smooth_l1_loss), where rewards of 1 and γ = 0.99 bound it by 100. The squared error stays near
60 in both.

The ε schedule counts the steps the agent acts (``get_action`` with ``deterministic=False``). The
harness's off-policy loop acts uniformly at random for its first ``learning_starts`` steps
without calling the agent, so there the decay starts after the warm-up (CleanRL's starts at step
0, with ε ≈ 1 during its warm-up anyway: a shift of 2% of the run at the defaults).

Use from your own loop (actions are integer indices; the batch's ``actions`` may be [B] or
[B, 1], any numeric dtype)::

    agent = DQN(obs_dim, n_actions, Config(), seed=0, total_steps=500_000)
    a = agent.get_action(obs)           # an int for one obs [obs_dim], int64 [N] for a batch
    ...                                 # store (obs, a, r, next_obs, terminated) in a buffer
    stats = agent.update(batch)         # loss, q_mean, epsilon
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from algos.export import ExportedPolicy
from algos.networks import MLP
from algos.optim import Adam
from algos.seeding import stream_rng

BATCH_KEYS = ("obs", "actions", "rewards", "next_obs", "terminated")
LOSSES = ("huber", "mse")


@dataclass
class Config:
    """DQN hyperparameters; defaults: CleanRL ``dqn.py`` (classic control)."""

    buffer_size: int = 10_000
    learning_starts: int = 10_000  # uniformly random actions (in the harness) before learning
    batch_size: int = 128
    gamma: float = 0.99
    learning_rate: float = 2.5e-4
    adam_eps: float = 1e-8
    hidden_sizes: list[int] = field(default_factory=lambda: [120, 84])
    train_freq: int = 100  # env steps between training calls
    gradient_steps: int = 10  # gradient steps per training call (CleanRL: 1 every 10 steps)
    target_update_interval: int = 50  # gradient steps between target updates
    tau: float = 1.0  # 1 = hard copy
    start_e: float = 1.0
    end_e: float = 0.05
    exploration_fraction: float = 0.5  # of total_steps, to decay ε from start_e to end_e
    double_q: bool = False
    loss: str = "mse"  # "mse" (CleanRL) or "huber" (δ = 1; Mnih et al., SB3)
    max_grad_norm: float = 0.0  # global-norm clipping; 0 = none (CleanRL; SB3: 10)
    jit_compile: bool = True  # XLA-compile the update

    def __post_init__(self) -> None:
        positive = (
            "buffer_size",
            "batch_size",
            "learning_rate",
            "adam_eps",
            "train_freq",
            "gradient_steps",
            "target_update_interval",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.learning_starts < 0:
            raise ValueError(f"learning_starts must be >= 0, got {self.learning_starts!r}")
        if not 0.0 <= self.gamma <= 1.0:
            raise ValueError(f"gamma must be in [0, 1], got {self.gamma!r}")
        if not 0.0 < self.tau <= 1.0:
            raise ValueError(f"tau must be in (0, 1], got {self.tau!r}")
        for name in ("start_e", "end_e", "exploration_fraction"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")
        if not self.hidden_sizes or any(h <= 0 for h in self.hidden_sizes):
            raise ValueError(f"hidden_sizes must be positive layer widths, got {self.hidden_sizes}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        if self.max_grad_norm < 0:
            raise ValueError(f"max_grad_norm must be >= 0, got {self.max_grad_norm!r}")


class DQN(tf.Module):
    """DQN / Double DQN for a discrete action space of ``n_actions`` actions.

    For the harness's replay buffer the agent has ``act_dim = 1``: the action index, stored as a
    float. ``update`` and ``train_stacked`` take the off-policy batch format of
    ``algos/offpolicy.py`` (arrays [B, ...], or [K, B, ...] for K updates in one call).
    """

    on_policy = False
    action_kind = "discrete"
    stat_names = ("loss", "q_mean")

    def __init__(
        self,
        obs_dim: int,
        n_actions: int,
        config: Config,
        *,
        seed: int = 0,
        total_steps: int | None = None,
        name: str = "agent",
    ) -> None:
        super().__init__(name=name)
        if total_steps is None or total_steps < 1:
            raise ValueError("DQN needs total_steps (>= 1): its ε schedule is a fraction of it")
        if n_actions < 1:
            raise ValueError(f"n_actions must be >= 1, got {n_actions}")
        self.obs_dim, self.n_actions, self.act_dim = int(obs_dim), int(n_actions), 1
        self.config, self.seed, self.total_steps = config, seed, int(total_steps)
        self.exploration_steps = config.exploration_fraction * self.total_steps
        self.rng = stream_rng(seed, "exploration")  # ε-greedy draws
        self.act_steps = 0  # exploratory steps taken, the ε schedule's clock
        h = list(config.hidden_sizes)
        self.q = self._mlp(h, seed, "q")
        self.q_target = self._mlp(h, seed, "q_target")
        for t, s in zip(self.q_target.trainable_variables, self.q.trainable_variables, strict=True):
            t.assign(s)
        self.opt = Adam(self.q.trainable_variables, config.learning_rate, eps=config.adam_eps)
        self.num_updates = tf.Variable(0, dtype=tf.int64, trainable=False, name="num_updates")
        spec = [
            tf.TensorSpec([None, None, obs_dim], tf.float32),
            tf.TensorSpec([None, None, 1], tf.float32),
            tf.TensorSpec([None, None], tf.float32),
            tf.TensorSpec([None, None, obs_dim], tf.float32),
            tf.TensorSpec([None, None], tf.float32),
            tf.TensorSpec([None, obs_dim], tf.float32),
        ]
        self._train = tf.function(
            self._train_many, input_signature=spec, jit_compile=bool(config.jit_compile)
        )
        self._train_fn: Any = None  # its concrete function, traced on first use (cheaper calls)
        self._np_params: list | None = None
        self._cached_obs: np.ndarray | None = None  # Q-values computed by the last train call
        self._cached_out: np.ndarray | None = None
        self._no_obs = np.zeros((0, obs_dim), np.float32)

    def _mlp(self, hidden: list[int], seed: int, name: str) -> MLP:
        return MLP(
            self.obs_dim,
            hidden,
            self.n_actions,
            activation="relu",
            init="torch",
            seed=seed,
            name=name,
        )

    @classmethod
    def from_spaces(
        cls,
        observation_space: Any,
        action_space: Any,
        config: Config,
        *,
        seed: int,
        total_steps: int | None = None,
    ) -> DQN:
        n = getattr(action_space, "n", None)
        if n is None:
            raise ValueError("DQN needs a discrete action space (one with .n actions)")
        return cls(
            int(np.prod(observation_space.shape)),
            int(n),
            config,
            seed=seed,
            total_steps=total_steps,
        )

    # -- acting ---------------------------------------------------------------------------
    def epsilon(self) -> float:
        """ε at the current point of the schedule."""
        cfg = self.config
        if self.exploration_steps <= 0:
            return float(cfg.end_e)
        slope = (cfg.end_e - cfg.start_e) / self.exploration_steps
        return float(max(cfg.end_e, cfg.start_e + slope * self.act_steps))

    def q_values(self, obs: np.ndarray) -> np.ndarray:
        """Q_θ(s, ·) for one observation [obs_dim] ([n_actions]) or a batch [N, obs_dim]."""
        if obs is self._cached_obs:  # computed in the last training call, after its updates
            return self._cached_out
        if self._np_params is None:
            self._np_params = self.q.numpy_params()
        return self.q.numpy_forward(self._np_params, np.asarray(obs, np.float32))

    def export_policy(self) -> ExportedPolicy:
        """The greedy policy, argmax_a Q(s, a), in TF only."""
        q = self.q
        return ExportedPolicy(self.obs_dim, lambda obs: tf.argmax(q(obs), axis=-1), [q])

    def get_action(self, obs: np.ndarray, deterministic: bool = False) -> int | np.ndarray:
        """ε-greedy action index(es); ``deterministic=True`` is greedy and leaves ε unchanged."""
        greedy = np.argmax(self.q_values(obs), axis=-1)
        if not deterministic:
            eps = self.epsilon()
            self.act_steps += int(greedy.size)
            explore = self.rng.random(greedy.shape) < eps
            random = self.rng.integers(self.n_actions, size=greedy.shape)
            greedy = np.where(explore, random, greedy)
        if np.ndim(obs) == 1:
            return int(greedy)
        return greedy.astype(np.int64)

    def reset_noise(self) -> None:
        """Called at episode ends; ε-greedy keeps no per-episode state."""

    # -- learning -------------------------------------------------------------------------
    def update(self, batch: dict[str, np.ndarray]) -> dict[str, float]:
        """One gradient step per batch: arrays [B, ...], or [K, B, ...] for K steps.

        ``actions`` are integer indices, shaped [B] or [B, 1] (or [K, B] / [K, B, 1]).
        """
        missing = [k for k in BATCH_KEYS if k not in batch]
        if missing:
            raise KeyError(f"batch is missing {missing}; a DQN batch needs {BATCH_KEYS}")
        obs = np.asarray(batch["obs"], np.float32)
        if obs.ndim not in (2, 3):
            raise ValueError(f"obs must be [B, obs_dim] or [K, B, obs_dim], got {obs.shape}")
        lead = obs.shape[:-1]
        arrays = {k: np.asarray(batch[k], np.float32) for k in BATCH_KEYS}
        arrays["actions"] = arrays["actions"].reshape(*lead, 1)
        arrays["rewards"] = arrays["rewards"].reshape(lead)
        arrays["terminated"] = arrays["terminated"].reshape(lead)
        if obs.ndim == 2:
            arrays = {k: v[None] for k, v in arrays.items()}
        return self.train_stacked(arrays)

    def train_stacked(
        self, b: dict[str, np.ndarray], act_obs: np.ndarray | None = None
    ) -> dict[str, float]:
        """K gradient steps in one compiled call on batches stacked [K, B, ...] (the harness's).

        With ``act_obs`` [N, obs_dim] the same call also computes the updated Q-values there, so
        the next ``get_action(act_obs)`` (same array object) costs no extra TensorFlow call.
        """
        obs_in = self._no_obs if act_obs is None else act_obs
        if self._train_fn is None:
            # calling the concrete function skips tf.function's argument binding: ~2 ms a call
            self._train_fn = self._train.get_concrete_function()
        stats, out = self._train_fn(
            b["obs"], b["actions"], b["rewards"], b["next_obs"], b["terminated"], obs_in
        )
        self._np_params = None  # the network changed: refresh the NumPy copy on next use
        if act_obs is None:
            self._cached_obs = self._cached_out = None
        else:
            self._cached_obs, self._cached_out = act_obs, out.numpy()
        result = dict(zip(self.stat_names, stats.numpy().tolist(), strict=True))
        result["epsilon"] = self.epsilon()
        return result

    def _train_many(self, obs, actions, rewards, next_obs, terminated, act_obs):
        k = tf.shape(obs)[0]
        stats = self._update_step(obs[0], actions[0], rewards[0], next_obs[0], terminated[0])
        for i in tf.range(1, k):
            stats = self._update_step(obs[i], actions[i], rewards[i], next_obs[i], terminated[i])
        return tf.stack(stats), self.q(act_obs)

    def _update_step(self, obs, actions, rewards, next_obs, terminated) -> list[tf.Tensor]:
        cfg = self.config
        chosen = tf.one_hot(tf.cast(actions[:, 0], tf.int32), self.n_actions)
        q_next_target = self.q_target(next_obs)
        if cfg.double_q:
            best = tf.argmax(self.q(next_obs), axis=-1, output_type=tf.int32)
            q_next = tf.reduce_sum(q_next_target * tf.one_hot(best, self.n_actions), -1)
        else:
            q_next = tf.reduce_max(q_next_target, axis=-1)
        y = tf.stop_gradient(rewards + cfg.gamma * (1.0 - terminated) * q_next)
        variables = self.q.trainable_variables
        with tf.GradientTape() as tape:
            q = tf.reduce_sum(self.q(obs) * chosen, -1)
            err = q - y
            if cfg.loss == "huber":
                abs_err = tf.abs(err)
                quad = tf.minimum(abs_err, 1.0)
                loss = tf.reduce_mean(0.5 * tf.square(quad) + (abs_err - quad))
            else:
                loss = tf.reduce_mean(tf.square(err))
        grads = tape.gradient(loss, variables)
        if cfg.max_grad_norm > 0:
            grads, _ = tf.clip_by_global_norm(grads, cfg.max_grad_norm)
        self.opt.apply(grads)
        self.num_updates.assign_add(1)

        def refresh_target() -> tf.Tensor:
            for t, s in zip(self.q_target.trainable_variables, variables, strict=True):
                t.assign(t + cfg.tau * (s - t))
            return tf.constant(True)

        tf.cond(
            self.num_updates % cfg.target_update_interval == 0,
            refresh_target,
            lambda: tf.constant(False),
        )
        return [loss, tf.reduce_mean(q)]

    # -- state ----------------------------------------------------------------------------
    def numpy_state(self) -> dict:
        """The ε-greedy RNG and the ε schedule's clock (JSON-compatible)."""
        return {"rng": self.rng.bit_generator.state, "act_steps": self.act_steps}

    def load_numpy_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.act_steps = int(state["act_steps"])
        self._np_params = None
        self._cached_obs = self._cached_out = None

    def config_dict(self) -> dict:
        return asdict(self.config)


Agent = DQN
