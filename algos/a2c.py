"""Advantage Actor-Critic, synchronous (A2C; Mnih et al. 2016, arXiv:1602.01783).

A2C is the synchronous variant of A3C: N environments are stepped together with the current
policy for a few steps each (5 here), and the N·n transitions make one batch for one gradient
step of the actor and the critic. Each step's advantage is estimated from an n-step return that
bootstraps from the critic at the end of the fragment (here with generalised advantage
estimation, which is the n-step advantage at λ = 1):

    Â_t = Σ_{l=0}^{n-t-1} (γλ)^l δ_{t+l},   δ_t = r_t + γ V(s_{t+1}) - V(s_t),
    R_t = Â_t + V(s_t),

and the loss is the policy gradient with the critic as baseline, the value regression and an
entropy bonus,

    loss = -E_t[ Â_t · log π_θ(a_t | s_t) ] + c_v · E_t[ (V_φ(s_t) - R_t)² ] - c_e · H[π_θ],

minimised with RMSprop (α = 0.99, ε = 1e-5 outside the square root, as in PyTorch; Keras'
defaults differ) after clipping the global gradient norm.

The layout follows Tianshou's ``mujoco_a2c.py`` (the 500k reference this benchmark compares
with): 16 environments × 5 steps per update, RMSprop lr 7e-4 annealed linearly to 0 over 3M env
steps (Tianshou's runs are 3M long and its 500k value is read part-way, where the rate is still
5/6 of the start; annealing to 0 within a 500k run halves the average rate), γ = 0.99,
λ = 0.95, c_v = 0.5, gradient norm 0.5, no advantage normalisation, separate 64-64 tanh actor
and critic with orthogonal init, log-std init -0.5, running observation normalisation. The
reward normalisation and the entropy coefficient come as SB3's pair: rewards divided by the
running std σ of the discounted return (VecNormalize) and c_e = 0.

Why not Tianshou's pair (c_e = 0.01 with *return* scaling, where the critic predicts returns / σ
and the advantages stay in reward units; ``scale_rewards: false, scale_value_targets: true,
entropy_coef: 0.01`` selects it): scaled rewards shrink the advantages by σ, so c_e = 0.01 beside
them weighs σ times more than in Tianshou. That mix was this project's first default, and ended
HalfCheetah-v4 seed 0 at 779 (500k steps). Measured, seed 0, 500k, deterministic eval (sampled in
brackets): SB3's pair 1612 (894) on HalfCheetah, 2131 (1443) on Walker2d; Tianshou's pair
1174 (965) on HalfCheetah, and it left InvertedPendulum seed 0 at ~50 after 100k steps (the policy
std collapsed; our Gaussian acts in the task's units, Tianshou's in [-1, 1] scaled by the bounds).

Use from your own loop::

    agent = A2C(obs_dim, act_dim, Config(), seed=0, total_steps=500_000)
    a = agent.get_action(obs)            # obs [num_envs, obs_dim]; clip a for env.step
    ...                                  # collect rollout_steps vector steps
    stats = agent.update(batch)          # arrays [T, N, ...]: obs, actions, rewards, next_obs,
                                         # terminated, truncated
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from algos.networks import MLP
from algos.normalization import RunningMeanStd
from algos.onpolicy import GaussianActor, OnPolicyAgent, _to_lists, check_anneal_steps
from algos.optim import RMSprop


@dataclass
class Config:
    """A2C hyperparameters; defaults are Tianshou ``mujoco_a2c.py`` (MuJoCo)."""

    rollout_steps: int = 5  # env steps per environment between updates (the n of n-step)
    num_envs: int = 16
    async_envs: bool = False  # step the envs in subprocesses (gymnasium AsyncVectorEnv)
    learning_rate: float = 7e-4
    anneal_lr: bool = True
    anneal_steps: int = 3_000_000  # LR reaches 0 at this env step; 0 = at the end of the run
    rms_alpha: float = 0.99
    rms_eps: float = 1e-5
    gamma: float = 0.99
    gae_lambda: float = 0.95
    value_coef: float = 0.5
    entropy_coef: float = 0.0  # SB3's, with reward scaling (Tianshou: 0.01 with return scaling)
    max_grad_norm: float = 0.5
    normalize_advantages: bool = False
    normalize_obs: bool = True
    scale_rewards: bool = True  # SB3's VecNormalize: rewards / std of the discounted return
    scale_value_targets: bool = False  # Tianshou's return scaling (use with scale_rewards off)
    hidden_sizes: list[int] = field(default_factory=lambda: [64, 64])
    activation: str = "tanh"
    log_std_init: float = -0.5
    action_scaling: bool = False  # act in [-1, 1] mapped onto the bounds (Tianshou); envs.make

    def __post_init__(self) -> None:
        check_anneal_steps(self)
        for name in ("rollout_steps", "num_envs", "learning_rate", "rms_eps", "max_grad_norm"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("gamma", "gae_lambda"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")
        if not 0.0 <= self.rms_alpha < 1.0:
            raise ValueError(f"rms_alpha must be in [0, 1), got {self.rms_alpha!r}")
        for name in ("value_coef", "entropy_coef"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if not self.hidden_sizes or any(h <= 0 for h in self.hidden_sizes):
            raise ValueError(f"hidden_sizes must be positive layer widths, got {self.hidden_sizes}")
        if self.activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {self.activation!r}")


class A2C(OnPolicyAgent):
    """Synchronous advantage actor-critic; see the module docstring."""

    def __init__(
        self,
        obs_dim: int,
        act_dim: int,
        config: Config | None = None,
        *,
        seed: int = 0,
        total_steps: int | None = None,
    ) -> None:
        super().__init__(name="a2c")
        self.config = cfg = config or Config()
        self.total_steps = total_steps  # LR annealing horizon; None disables annealing
        tf.random.set_seed(seed)
        self.actor = GaussianActor(
            obs_dim, act_dim, cfg.hidden_sizes, cfg.activation, cfg.log_std_init, seed
        )
        self.critic = MLP(
            obs_dim,
            cfg.hidden_sizes,
            1,
            activation=cfg.activation,
            out_gain=1.0,
            seed=seed + 1,
            name="critic",
        )
        self.params = [*self.actor.trainable_variables, *self.critic.trainable_variables]
        # running std of the λ-returns: the critic's unit when scale_value_targets is on
        self.return_rms = RunningMeanStd(()) if cfg.scale_value_targets else None
        self.optimizer = RMSprop(self.params, cfg.learning_rate, cfg.rms_alpha, cfg.rms_eps)
        self._setup_common(
            obs_dim,
            act_dim,
            gamma=cfg.gamma,
            gae_lambda=cfg.gae_lambda,
            normalize_obs=cfg.normalize_obs,
            scale_rewards=cfg.scale_rewards,
            seed=seed,
        )
        # one compiled call per update: values, GAE and the gradient step (an update comes every
        # 5 vector steps, so per-call overhead counts)
        self._train = tf.function(
            self._train_step,
            input_signature=[
                tf.TensorSpec([None, obs_dim], tf.float32),
                tf.TensorSpec([None, obs_dim], tf.float32),
                tf.TensorSpec([None, act_dim], tf.float32),
                tf.TensorSpec([None, None], tf.float32),
                tf.TensorSpec([None, None], tf.bool),
                tf.TensorSpec([None, None], tf.bool),
                tf.TensorSpec([], tf.float32),
                tf.TensorSpec([], tf.float32),
            ],
            jit_compile=True,
        )
        self._train_fn: Any = None  # its concrete function, traced on the first update

    def update(self, batch: dict[str, np.ndarray]) -> dict[str, float]:
        """One gradient step on a rollout of ``num_envs × rollout_steps`` transitions."""
        cfg = self.config
        lr = self.annealed_lr(cfg.learning_rate)
        d = self._prepare_inputs(batch)
        rms = self.return_rms
        value_scale = 1.0 if rms is None else float(np.sqrt(rms.var + 1e-8))
        if self._train_fn is None:
            self._train_fn = self._train.get_concrete_function()
        # the concrete function skips tf.function's argument binding and signature matching:
        # about a third of an update's CPU time (0.47 of 1.44 ms, measured), once per 80 env steps
        stats, policy, returns = self._train_fn(
            d["obs"],
            d["next_obs"],
            d["actions"],
            d["rewards"],
            d["terminated"],
            d["truncated"],
            np.float32(lr),
            np.float32(value_scale),
        )
        if rms is not None:
            rms.update(returns.numpy())  # for the next update, as Tianshou does
        self._refresh_numpy_policy(policy)
        out = {k: float(v) for k, v in stats.items()}
        out["learning_rate"] = lr
        return out

    def _train_step(self, obs, next_obs, actions, rewards, terminated, truncated, lr, value_scale):
        cfg = self.config
        self.optimizer.lr.assign(lr)
        shape = tf.shape(rewards)
        with tf.GradientTape() as tape:
            values = tf.squeeze(self.critic(obs), -1)  # in units of value_scale
            # GAE advantages and λ-returns, as algos.gae.gae, from the critic before the step
            v = tf.reshape(tf.stop_gradient(values), shape) * value_scale
            next_v = tf.reshape(tf.squeeze(self.critic(next_obs), -1), shape) * value_scale
            not_terminal = 1.0 - tf.cast(terminated, tf.float32)
            not_end = 1.0 - tf.cast(tf.logical_or(terminated, truncated), tf.float32)
            deltas = rewards + cfg.gamma * tf.stop_gradient(next_v) * not_terminal - v
            gl = cfg.gamma * cfg.gae_lambda
            adv = tf.scan(
                lambda running, x: x[0] + gl * x[1] * running,
                (deltas, not_end),
                initializer=tf.zeros_like(deltas[0]),
                reverse=True,
            )
            returns = tf.reshape(adv + v, [-1])
            advantages = tf.reshape(adv, [-1])
            if cfg.normalize_advantages:
                advantages = (advantages - tf.reduce_mean(advantages)) / (
                    tf.math.reduce_std(advantages) + 1e-8
                )
            logp = self.actor.log_prob(obs, actions)
            policy_loss = -tf.reduce_mean(advantages * logp)
            value_loss = tf.reduce_mean(tf.square(values - returns / value_scale))
            entropy = self.actor.entropy()
            loss = policy_loss + cfg.value_coef * value_loss - cfg.entropy_coef * entropy
        grads = tape.gradient(loss, self.params)
        grads, grad_norm = tf.clip_by_global_norm(grads, cfg.max_grad_norm)
        self.optimizer.apply(grads)
        stats = {
            "policy_loss": policy_loss,
            "value_loss": value_loss,
            "entropy": entropy,
            "grad_norm": grad_norm,
        }
        return stats, self._policy_tensors(), returns

    def numpy_state(self) -> dict:
        state = super().numpy_state()
        if self.return_rms is not None:
            state["return_rms"] = _to_lists(self.return_rms.state_dict())
        return state

    def load_numpy_state(self, state: dict) -> None:
        super().load_numpy_state(state)
        if self.return_rms is not None:
            self.return_rms.load_state_dict(state["return_rms"])

    def config_dict(self) -> dict:
        return asdict(self.config)


Agent = A2C
