"""Soft Actor-Critic, SAC (Haarnoja et al. 2018, arXiv:1801.01290 and arXiv:1812.05905).

SAC maximises return plus policy entropy, J(π) = Σ_t E[r_t + α H(π(·|s_t))]. The policy is a
tanh-squashed Gaussian: u = μ_φ(s) + σ_φ(s) ε, ε ~ N(0, I), a = tanh(u), with the change of
variables correction

    log π(a|s) = Σ_j [ log N(u_j; μ_j, σ_j) - log(1 - tanh(u_j)²) ],
    log(1 - tanh(u)²) = 2 (log 2 - u - softplus(-2u))       (numerically stable form).

Two soft Q-functions regress on y = r + γ (1 - terminated) (min_i Q_θ'i(s', a') - α log π(a'|s')),
a' ~ π(·|s'); the actor minimises E[α log π(a|s) - min_i Q_θi(s, a)] through the
reparameterised sample; the temperature follows automatic entropy tuning,
L(α) = -log α · E[log π(a|s) + H̄] with target entropy H̄ = -dim(A); target critics move by
Polyak averaging every update.

Networks work in [-1, 1] (so H̄ = -dim(A) means the same on every task); actions are mapped to the
task's bounds (Humanoid ±0.4, InvertedPendulum ±3). Defaults follow SB3's SAC with the
rl-zoo MuJoCo settings: 256-256 ReLU networks with PyTorch's default init, a state-dependent
log σ clipped to [-20, 2], automatic entropy tuning from α = 1 with Adam 3e-4, batch 256,
γ 0.99, τ 0.005, 10,000 random warm-up steps, one update of critics, actor and α per
environment step; but Adam 1e-3 for actor and critics (eps 1e-8, not Keras' 1e-7), the rate
of Tianshou's ``mujoco_sac.py`` (the 500k reference) and SpinningUp. SB3's 3e-4 was the first
default: seed 0 (500k steps) ended HalfCheetah-v4 at 8550.4 with it and 11189.1 with 1e-3
(Tianshou 10410.0 ± 696.7), Hopper-v4 at 1750.7 and 3210.1 (Tianshou 3153.8 ± 689.3)
(``results/ablations/sac_sb3`` and ``sac_lr1e-3``). Truncations bootstrap, terminations do
not. Evaluation uses the mean action tanh(μ(s)).

Use from your own loop like TD3 (``algos/td3.py``): ``get_action``, then ``update(batch)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from algos.offpolicy import Critics, OffPolicyAgent, actor_mlp, check_common, copy_weights, polyak
from algos.optim import Adam

LOG_2PI = float(np.log(2.0 * np.pi))
LOG_STD_MIN, LOG_STD_MAX = -20.0, 2.0


@dataclass
class Config:
    """SAC hyperparameters; defaults: SB3 SAC + rl-zoo MuJoCo, Adam 1e-3 for actor and critics."""

    buffer_size: int = 1_000_000
    learning_starts: int = 10_000  # uniformly random actions before the first update
    batch_size: int = 256
    gamma: float = 0.99
    tau: float = 0.005
    actor_lr: float = 1e-3
    critic_lr: float = 1e-3
    alpha_lr: float = 3e-4
    adam_eps: float = 1e-8
    hidden_sizes: list[int] = field(default_factory=lambda: [256, 256])
    init_alpha: float = 1.0
    autotune_alpha: bool = True  # False: keep alpha = init_alpha fixed
    target_entropy_scale: float = 1.0  # target entropy = -scale * dim(A)
    train_freq: int = 1  # env steps between training calls; each call does train_freq updates
    jit_compile: bool = True  # XLA-compile the update (measured faster on CPU)

    def __post_init__(self) -> None:
        check_common(self)
        for name in ("alpha_lr", "init_alpha"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")


class SAC(OffPolicyAgent):
    """SAC with twin critics and automatic entropy tuning; see the module docstring."""

    stat_names = ("critic_loss", "actor_loss", "q_mean", "alpha", "entropy")
    stochastic_policy = True  # tanh-Gaussian: evaluation also records its sampled return

    def __init__(self, obs_dim: int, act_dim: int, config: Config | None = None, **kw: Any):
        config = config or Config()
        super().__init__(obs_dim, act_dim, config, **kw)
        cfg, seed = config, self.seed
        h = list(cfg.hidden_sizes)
        self.actor = actor_mlp(obs_dim, 2 * act_dim, h, seed, "actor")  # mean and log std
        self.critics = Critics(2, obs_dim, act_dim, h, seed + 1)
        self.critics_target = Critics(2, obs_dim, act_dim, h, seed + 1)
        copy_weights(self.critics_target.trainable_variables, self.critics.trainable_variables)
        self.log_alpha = tf.Variable(np.log(cfg.init_alpha), dtype=tf.float32, name="log_alpha")
        self.actor_opt = Adam(self.actor.trainable_variables, cfg.actor_lr, eps=cfg.adam_eps)
        self.critic_opt = Adam(self.critics.trainable_variables, cfg.critic_lr, eps=cfg.adam_eps)
        self.alpha_opt = Adam([self.log_alpha], cfg.alpha_lr, eps=cfg.adam_eps)
        self.target_entropy = -float(cfg.target_entropy_scale) * act_dim
        self._setup_common()

    # -- policy ---------------------------------------------------------------------------
    def _sample(self, obs: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Reparameterised a ~ π(·|s) in [-1, 1] and its log-probability."""
        out = self.actor(obs)
        mean, log_std = out[:, : self.act_dim], out[:, self.act_dim :]
        log_std = tf.clip_by_value(log_std, LOG_STD_MIN, LOG_STD_MAX)
        eps = self.tf_rng.normal(tf.shape(mean))
        u = mean + tf.exp(log_std) * eps
        log_n = -0.5 * tf.square(eps) - log_std - 0.5 * LOG_2PI
        log_det = 2.0 * (np.log(2.0) - u - tf.nn.softplus(-2.0 * u))
        return tf.tanh(u), tf.reduce_sum(log_n - log_det, axis=-1)

    def get_action(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        out = self._policy_out(obs)
        mean = out[..., : self.act_dim]
        if deterministic:
            return self.scale.to_env(np.tanh(mean))
        log_std = np.clip(out[..., self.act_dim :], LOG_STD_MIN, LOG_STD_MAX)
        eps = self.rng.standard_normal(mean.shape).astype(np.float32)
        return self.scale.to_env(np.tanh(mean + np.exp(log_std) * eps))

    # -- learning -------------------------------------------------------------------------
    def _update_step(self, obs, actions, rewards, next_obs, terminated):
        cfg = self.config
        self.num_updates.assign_add(1)
        alpha = tf.exp(self.log_alpha)
        next_a, next_logp = self._sample(next_obs)
        q_next = tf.reduce_min(self.critics_target(next_obs, next_a), axis=0)
        y = rewards + cfg.gamma * (1.0 - terminated) * (q_next - alpha * next_logp)
        y = tf.stop_gradient(y)
        critic_vars = self.critics.trainable_variables
        with tf.GradientTape() as tape:
            q = self.critics(obs, actions)
            critic_loss = tf.reduce_sum(tf.reduce_mean(tf.square(q - y), axis=1))
        self.critic_opt.apply(tape.gradient(critic_loss, critic_vars))

        actor_vars = self.actor.trainable_variables
        with tf.GradientTape() as tape:
            a_pi, logp = self._sample(obs)
            q_pi = tf.reduce_min(self.critics(obs, a_pi), axis=0)
            actor_loss = tf.reduce_mean(alpha * logp - q_pi)
        self.actor_opt.apply(tape.gradient(actor_loss, actor_vars))

        if cfg.autotune_alpha:
            # d/d(log α) of -log α · mean(log π + H̄)
            self.alpha_opt.apply([-tf.reduce_mean(tf.stop_gradient(logp) + self.target_entropy)])
        polyak(self.critics_target.trainable_variables, critic_vars, cfg.tau)
        return [critic_loss, actor_loss, tf.reduce_mean(q), alpha, -tf.reduce_mean(logp)]

    def config_dict(self) -> dict:
        return asdict(self.config)


Agent = SAC
