"""Proximal Policy Optimization (Schulman et al. 2017, arXiv:1707.06347).

PPO alternates between collecting a fixed-length rollout with the current policy π_old and taking
several epochs of minibatch gradient steps on the clipped surrogate objective

    L_clip(θ) = E_t[ min( r_t(θ) Â_t, clip(r_t(θ), 1 - ε, 1 + ε) Â_t ) ],
    r_t(θ) = π_θ(a_t | s_t) / π_old(a_t | s_t),

which removes the incentive to move the ratio outside [1 - ε, 1 + ε]. The advantages Â_t come from
generalised advantage estimation, Â_t = Σ_l (γλ)^l δ_{t+l} with δ_t = r_t + γ V(s_{t+1}) - V(s_t).
The value function is regressed on the λ-returns Â_t + V_old(s_t) (optionally with the same clipping
around V_old), and an entropy bonus may be added:

    loss = -L_clip + c_v · L_value - c_e · H[π_θ].

The defaults are the layout of Tianshou's ``mujoco_ppo.py`` at its benchmark commit (6426a39), the
500k reference this benchmark compares with: 64 environments × 32 steps (2048 transitions) per
update, 10 epochs of minibatches of 64, Adam (lr 3e-4, eps 1e-8 as PyTorch) with the rate annealed
linearly over 3M env steps (Tianshou's 500k values are read part-way through 3M-step runs, where
the rate is still 5/6 of the start), no advantage normalisation, no value clipping, value
coefficient 0.5 with the ½ inside the loss (Tianshou's 0.25 without it), log-std init -0.5,
global gradient clipping at 0.5. Unlike Tianshou, rewards are divided by the running std of the
discounted return (VecNormalize's scaling) instead of the value targets, and the advantages are
computed once per rollout (Tianshou recomputes them every epoch). The rest follows "The 37
Implementation Details of PPO" (Huang et al., ICLR blog track 2022): separate 64-64 tanh actor
and critic with orthogonal init (gains √2, 0.01 for the policy mean, 1 for the value), a
state-independent log-std, running observation normalisation (clipped to ±10). Time-limit
truncations bootstrap from V of the final observation.

The first default was CleanRL's ``ppo_continuous_action.py`` (``num_envs=1 rollout_steps=2048
adam_eps=1e-5 anneal_steps=0 normalize_advantages=true clip_value_loss=true log_std_init=0``):
annealing the rate to 0 within a 500k run halves its average, and HalfCheetah-v4 stalled there
(seeds 0/1/2: 1563 / 1623 / 2426 at 500k; CleanRL's own is 1443 at 1M). Seed 0 with one change
each: rate annealed over 3M 4713, log-std -0.5 3177; all of Tianshou's settings 5101 (runs in
``results/ablations/``). 64 environments also make a step cheaper (one batched forward pass).

Actions are mapped as Tianshou maps them (``action_scaling``, since 2026-12-02): the policy acts
in [-1, 1], clipped and mapped onto the task's bounds, which differ from ±1 only on Humanoid,
HumanoidStandup (±0.4) and InvertedPendulum (±3). Seeds 0-2 without / with the mapping, final
return: HumanoidStandup-v4 mean 123340.5 / 129516.0 (2 of 3 seeds higher with it), Humanoid-v4
seeds 0-1 463.6, 542.4 / 728.8, 743.4; InvertedPendulum 1000 either way (``results/ablations``).

``target_kl`` (off by default, as in Tianshou) ends an update early, SB3's rule: a minibatch whose
approximate KL from the rollout's policy already exceeds 1.5 × ``target_kl`` is not stepped on,
and the remaining epochs are skipped (``steps_taken`` logs the share of steps taken).

Use from your own loop::

    agent = PPO(obs_dim, act_dim, Config(), seed=0, total_steps=500_000)
    a = agent.get_action(obs)            # unclipped sample; clip it for env.step
    ...                                  # collect rollout_steps transitions
    stats = agent.update(batch)          # obs, actions, rewards, next_obs, terminated, truncated
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import tensorflow as tf

from algos.networks import MLP
from algos.onpolicy import GaussianActor, OnPolicyAgent, check_anneal_steps
from algos.optim import Adam


@dataclass
class Config:
    """PPO hyperparameters; defaults are Tianshou's ``mujoco_ppo.py`` benchmark layout."""

    rollout_steps: int = 32  # env steps per environment between updates
    num_envs: int = 64
    epochs: int = 10
    num_minibatches: int = 32
    learning_rate: float = 3e-4
    anneal_lr: bool = True
    anneal_steps: int = 3_000_000  # LR reaches 0 at this env step; 0 = at the end of the run
    adam_eps: float = 1e-8
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_range: float = 0.2
    clip_value_loss: bool = False
    value_coef: float = 0.5
    entropy_coef: float = 0.0
    max_grad_norm: float = 0.5
    target_kl: float = 0.0  # > 0: end the update once approx-KL > 1.5 × this (SB3); 0 = off
    normalize_advantages: bool = False
    normalize_obs: bool = True
    scale_rewards: bool = True
    hidden_sizes: list[int] = field(default_factory=lambda: [64, 64])
    activation: str = "tanh"
    log_std_init: float = -0.5
    action_scaling: bool = True  # act in [-1, 1] mapped onto the bounds (Tianshou); envs.make

    def __post_init__(self) -> None:
        check_anneal_steps(self)
        positive = (
            "rollout_steps",
            "num_envs",
            "epochs",
            "num_minibatches",
            "learning_rate",
            "adam_eps",
            "clip_range",
            "max_grad_norm",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("gamma", "gae_lambda"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")
        for name in ("value_coef", "entropy_coef", "target_kl"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if self.num_minibatches > self.rollout_steps * self.num_envs:
            raise ValueError("num_minibatches must not exceed rollout_steps * num_envs")
        if not self.hidden_sizes or any(h <= 0 for h in self.hidden_sizes):
            raise ValueError(f"hidden_sizes must be positive layer widths, got {self.hidden_sizes}")
        if self.activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {self.activation!r}")


class PPO(OnPolicyAgent):
    """PPO with a clipped surrogate objective; see the module docstring."""

    def __init__(
        self,
        obs_dim: int,
        act_dim: int,
        config: Config | None = None,
        *,
        seed: int = 0,
        total_steps: int | None = None,
    ) -> None:
        super().__init__(name="ppo")
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
        self.optimizer = Adam(self.params, cfg.learning_rate, eps=cfg.adam_eps)
        self.shuffle_rng = tf.random.Generator.from_seed(seed)
        self._setup_common(
            obs_dim,
            act_dim,
            gamma=cfg.gamma,
            gae_lambda=cfg.gae_lambda,
            normalize_obs=cfg.normalize_obs,
            scale_rewards=cfg.scale_rewards,
            seed=seed,
        )
        vec = lambda: tf.TensorSpec([None], tf.float32)  # noqa: E731
        self._train = tf.function(
            self._train_epochs,
            input_signature=[
                tf.TensorSpec([None, obs_dim], tf.float32),
                tf.TensorSpec([None, act_dim], tf.float32),
                vec(),
                vec(),
                vec(),
                vec(),
                tf.TensorSpec([], tf.float32),
            ],
            jit_compile=True,  # XLA fuses the ~300 small minibatch steps: several times faster
        )

    def update(self, batch: dict[str, np.ndarray]) -> dict[str, float]:
        """One PPO update (all epochs) on a rollout; returns mean losses and diagnostics."""
        cfg = self.config
        lr = self.annealed_lr(cfg.learning_rate)
        data = self._prepare(batch)
        stats, policy = self._train(
            data["obs"],
            data["actions"],
            data["logp"],
            data["advantages"],
            data["returns"],
            data["values"],
            np.float32(lr),
        )
        self._refresh_numpy_policy(policy)
        out = {k: float(v) for k, v in stats.items()}
        out["learning_rate"] = lr
        return out

    # The whole update (epochs × minibatches) is one graph: one Python call per rollout.
    def _train_epochs(self, obs, actions, logp_old, advantages, returns, values_old, lr):
        cfg = self.config
        self.optimizer.lr.assign(lr)
        n = tf.shape(obs)[0]
        mb_size = tf.maximum(n // cfg.num_minibatches, 1)
        n_mb = n // mb_size
        totals = {
            k: tf.constant(0.0)
            for k in ("policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction")
        }
        count = tf.constant(0.0)
        use_kl = cfg.target_kl > 0  # a Python bool: without target_kl the loops never break
        stopped = tf.constant(False)
        for _ in tf.range(cfg.epochs):
            perm = tf.argsort(self.shuffle_rng.uniform([n]))
            # [n_mb, mb_size]: static minibatch shapes for XLA (a remainder is left out, as before)
            batches = tf.reshape(perm[: n_mb * mb_size], [n_mb, mb_size])
            for i in tf.range(n_mb):
                idx = batches[i]
                step = self._minibatch_step(
                    tf.gather(obs, idx),
                    tf.gather(actions, idx),
                    tf.gather(logp_old, idx),
                    tf.gather(advantages, idx),
                    tf.gather(returns, idx),
                    tf.gather(values_old, idx),
                )
                stopped = step.pop("stopped")
                if use_kl and stopped:
                    break
                totals = {k: totals[k] + step[k] for k in totals}
                count += 1.0
            if use_kl and stopped:
                break
        stats = {k: v / tf.maximum(count, 1.0) for k, v in totals.items()}
        # the share of the planned minibatch steps taken: < 1 when target_kl stopped the update
        stats["steps_taken"] = count / tf.cast(cfg.epochs * n_mb, tf.float32)
        return stats, self._policy_tensors()

    def _minibatch_step(self, obs, actions, logp_old, adv, returns, values_old):
        cfg = self.config
        if cfg.normalize_advantages:
            adv = (adv - tf.reduce_mean(adv)) / (tf.math.reduce_std(adv) + 1e-8)
        with tf.GradientTape() as tape:
            logp = self.actor.log_prob(obs, actions)
            log_ratio = logp - logp_old
            ratio = tf.exp(log_ratio)
            surrogate = tf.minimum(
                ratio * adv, tf.clip_by_value(ratio, 1 - cfg.clip_range, 1 + cfg.clip_range) * adv
            )
            policy_loss = -tf.reduce_mean(surrogate)
            values = tf.squeeze(self.critic(obs), -1)
            if cfg.clip_value_loss:
                clipped = values_old + tf.clip_by_value(
                    values - values_old, -cfg.clip_range, cfg.clip_range
                )
                v_err = tf.maximum(tf.square(values - returns), tf.square(clipped - returns))
            else:
                v_err = tf.square(values - returns)
            value_loss = 0.5 * tf.reduce_mean(v_err)
            entropy = self.actor.entropy()
            loss = policy_loss + cfg.value_coef * value_loss - cfg.entropy_coef * entropy
        # the KL between the rollout's policy and the current one, before this step (as SB3):
        # past 1.5 × target_kl the step is not taken and the update ends
        approx_kl = tf.reduce_mean((ratio - 1.0) - log_ratio)
        grads = tape.gradient(loss, self.params)
        grads, _ = tf.clip_by_global_norm(grads, cfg.max_grad_norm)
        if cfg.target_kl > 0:
            stopped = approx_kl > 1.5 * cfg.target_kl
            if not stopped:
                self.optimizer.apply(grads)
        else:
            stopped = tf.constant(False)
            self.optimizer.apply(grads)
        return {
            "stopped": stopped,
            "policy_loss": policy_loss,
            "value_loss": value_loss,
            "entropy": entropy,
            "approx_kl": approx_kl,
            "clip_fraction": tf.reduce_mean(
                tf.cast(tf.abs(ratio - 1.0) > cfg.clip_range, tf.float32)
            ),
        }

    def config_dict(self) -> dict:
        return asdict(self.config)


Agent = PPO
