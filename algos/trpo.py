"""Trust Region Policy Optimization (Schulman et al. 2015, arXiv:1502.05477).

TRPO maximises the importance-sampled surrogate advantage of a new policy π_θ over the policy
π_old that collected the rollout, while keeping the mean KL divergence between the two within a
trust region δ:

    maximise_θ  L(θ) = E_t[ π_θ(a_t | s_t) / π_old(a_t | s_t) · Â_t ]
    subject to  D̄_KL(θ) = E_t[ KL(π_old(·|s_t) ‖ π_θ(·|s_t)) ] ≤ δ.

Linearising L and taking the second-order expansion of D̄_KL around θ_old gives the natural
gradient step: with g = ∇_θ L and H = ∇²_θ D̄_KL (the Fisher information matrix),

    s = H⁻¹ g,    Δθ = sqrt(2δ / sᵀ H s) · s,

the largest step along s whose quadratic KL estimate equals δ. H is never formed: conjugate
gradient solves H s = g from Hessian-vector products H v = ∇_θ((∇_θ D̄_KL)ᵀ v) (double
backpropagation), with damping, (H + c·I) v. Because the quadratic model is only approximate, a
backtracking line search tries Δθ, βΔθ, β²Δθ, ... and accepts the first step whose actual mean
KL is within δ and whose surrogate L improves on L(θ_old); if none does, the policy is left
unchanged. The value function is regressed separately (Adam, several epochs on the λ-returns),
and the advantages come from generalised advantage estimation (Schulman et al. 2016),
normalised over the whole batch.

Defaults follow Tianshou's ``mujoco_trpo.py`` (the reference the benchmark compares with) and
SB3-contrib's ``TRPO``: δ = 0.01, 10 CG iterations with damping 0.1, line search ×0.8 up to 10
times, 64-64 tanh actor and critic, critic Adam lr 1e-3 (linearly annealed) for 20 full-batch
steps per update, γ = 0.99, λ = 0.95, running observation normalisation, and reward scaling by
the std of the discounted return (as SB3-zoo's VecNormalize does). The critic's rate reaches 0 at
the end of the run, where Tianshou's reaches 0 at 3M steps (its 500k values are read from 3M-step
runs); ``anneal_steps=3000000`` reproduces that: Ant-v4 seed 0 ended at 1555.5 against the
default's 1768.8, no gain (``results/ablations/README.md``, TRPO). The whole update (CG, line
search and critic) is one XLA-compiled TensorFlow function.

Actions are mapped as Tianshou maps them (``action_scaling``, since 2026-12-02, as PPO's): the
policy acts in [-1, 1], clipped and mapped onto the task's bounds, which differ from ±1 only on
Humanoid, HumanoidStandup (±0.4) and InvertedPendulum (±3). Seeds 0-2 without / with the
mapping, mean final return: Humanoid-v4 493.0 / 597.0 (3 of 3 seeds higher with it),
HumanoidStandup-v4 141120.9 / 143275.0, InvertedPendulum-v4 635.8 / 867.7
(``results/ablations/trpo_actscale``).

Use from your own loop::

    agent = TRPO(obs_dim, act_dim, Config(), seed=0, total_steps=500_000)
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
    """TRPO hyperparameters; defaults are Tianshou ``mujoco_trpo.py`` / SB3-contrib ``TRPO``."""

    rollout_steps: int = 1024  # env steps per environment between updates
    num_envs: int = 1
    max_kl: float = 0.01  # trust region δ on the mean KL(π_old ‖ π_θ)
    cg_iters: int = 10
    cg_damping: float = 0.1
    backtrack_iters: int = 10
    backtrack_coef: float = 0.8
    critic_lr: float = 1e-3
    anneal_lr: bool = True
    anneal_steps: int = 0  # LR reaches 0 at this env step; 0 = at the end of the run
    critic_epochs: int = 20
    critic_batch_size: int = 0  # 0: the whole batch in one step per epoch
    gamma: float = 0.99
    gae_lambda: float = 0.95
    normalize_advantages: bool = True
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
            "max_kl",
            "cg_iters",
            "backtrack_iters",
            "critic_lr",
            "critic_epochs",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.cg_damping < 0:
            raise ValueError(f"cg_damping must be >= 0, got {self.cg_damping!r}")
        if not 0.0 < self.backtrack_coef < 1.0:
            raise ValueError(f"backtrack_coef must be in (0, 1), got {self.backtrack_coef!r}")
        if self.critic_batch_size < 0:
            raise ValueError(
                f"critic_batch_size must be >= 0 (0 = whole batch), got {self.critic_batch_size}"
            )
        for name in ("gamma", "gae_lambda"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)!r}")
        if not self.hidden_sizes or any(h <= 0 for h in self.hidden_sizes):
            raise ValueError(f"hidden_sizes must be positive layer widths, got {self.hidden_sizes}")
        if self.activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {self.activation!r}")


def _flat(tensors: list[tf.Tensor]) -> tf.Tensor:
    return tf.concat([tf.reshape(t, [-1]) for t in tensors], axis=0)


class TRPO(OnPolicyAgent):
    """TRPO: conjugate-gradient natural gradient and a KL line search; see the module docstring."""

    def __init__(
        self,
        obs_dim: int,
        act_dim: int,
        config: Config | None = None,
        *,
        seed: int = 0,
        total_steps: int | None = None,
    ) -> None:
        super().__init__(name="trpo")
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
        self.actor_params = list(self.actor.trainable_variables)
        self.critic_params = list(self.critic.trainable_variables)
        self._shapes = [v.shape for v in self.actor_params]
        self._sizes = [int(np.prod(s)) for s in self._shapes]
        self.critic_optimizer = Adam(self.critic_params, cfg.critic_lr)
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
            self._train_step,
            input_signature=[
                tf.TensorSpec([None, obs_dim], tf.float32),
                tf.TensorSpec([None, act_dim], tf.float32),
                vec(),
                vec(),
                vec(),
                tf.TensorSpec([], tf.float32),
            ],
            jit_compile=True,
        )

    def update(self, batch: dict[str, np.ndarray]) -> dict[str, float]:
        """One TRPO policy step and the critic's regression on a rollout; returns diagnostics."""
        cfg = self.config
        lr = self.annealed_lr(cfg.critic_lr)
        data = self._prepare(batch)
        stats, policy = self._train(
            data["obs"],
            data["actions"],
            data["logp"],
            data["advantages"],
            data["returns"],
            np.float32(lr),
        )
        self._refresh_numpy_policy(policy)
        out = {k: float(v) for k, v in stats.items()}
        out["critic_learning_rate"] = lr
        return out

    # -- the update, one graph ------------------------------------------------------------
    def _set_actor(self, flat: tf.Tensor) -> None:
        for var, part, shape in zip(
            self.actor_params, tf.split(flat, self._sizes), self._shapes, strict=True
        ):
            var.assign(tf.reshape(part, shape))

    def _surrogate(self, obs, actions, logp_old, adv):
        return tf.reduce_mean(tf.exp(self.actor.log_prob(obs, actions) - logp_old) * adv)

    def _hessian_vector_product(self, obs, old_mean, old_log_std, v):
        """(∇² mean KL(π_old ‖ π_θ) + damping·I) v, by double backpropagation (reference)."""
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                kl = self.actor.kl_from(obs, old_mean, old_log_std)
            grad = _flat(inner.gradient(kl, self.actor_params))
            grad_v = tf.reduce_sum(grad * tf.stop_gradient(v))
        hv = _flat(outer.gradient(grad_v, self.actor_params))
        return hv + self.config.cg_damping * v

    def _fisher_vector_product(self, obs, old_mean, old_log_std, v):
        """(∇² mean KL(π_old ‖ π_θ) + damping·I) v at θ = θ_old, the point CG works at.

        There the Hessian of the mean KL is the Fisher information of the Gaussian policy,
        block-diagonal: J_μᵀ diag(σ⁻²) J_μ / n for the mean network (J_μ the Jacobian of the
        means over the batch) and 2·I for log σ; the cross terms vanish since μ = μ_old. One
        forward-mode pass gives J_μ v and one backward pass J_μᵀ(·): about half the cost of
        double backpropagation (:meth:`_hessian_vector_product`, which gives the same vector).
        """
        del old_mean  # the product is taken at θ_old, where μ_θ = μ_old
        parts = [
            tf.reshape(part, shape)
            for part, shape in zip(tf.split(v, self._sizes), self._shapes, strict=True)
        ]
        is_log_std = [var is self.actor.log_std for var in self.actor_params]
        mean_vars = [var for var, ls in zip(self.actor_params, is_log_std, strict=True) if not ls]
        mean_tangents = [t for t, ls in zip(parts, is_log_std, strict=True) if not ls]
        with tf.GradientTape() as tape:
            with tf.autodiff.ForwardAccumulator(mean_vars, mean_tangents) as acc:
                mu = self.actor.mean(obs)
            jv = acc.jvp(mu)
        n = tf.cast(tf.shape(obs)[0], tf.float32)
        weights = tf.stop_gradient(jv * tf.exp(-2.0 * old_log_std) / n)
        mean_products = iter(tape.gradient(mu, mean_vars, output_gradients=weights))
        products = [
            2.0 * t if ls else next(mean_products) for t, ls in zip(parts, is_log_std, strict=True)
        ]
        return _flat(products) + self.config.cg_damping * v

    def _conjugate_gradient(self, fvp, b):
        """Approximately solve F x = b (F symmetric positive definite) from products F v."""
        x = tf.zeros_like(b)
        r, p = b, b
        rr = tf.reduce_sum(r * r)
        for _ in tf.range(self.config.cg_iters):
            if rr > 1e-10:
                fp = fvp(p)
                alpha = rr / (tf.reduce_sum(p * fp) + 1e-8)
                x = x + alpha * p
                r = r - alpha * fp
                rr_new = tf.reduce_sum(r * r)
                p = r + (rr_new / rr) * p
                rr = rr_new
        return x

    def _train_step(self, obs, actions, logp_old, advantages, returns, critic_lr):
        cfg = self.config
        self.critic_optimizer.lr.assign(critic_lr)
        if cfg.normalize_advantages:
            advantages = (advantages - tf.reduce_mean(advantages)) / (
                tf.math.reduce_std(advantages) + 1e-8
            )
        old_mean = tf.stop_gradient(self.actor.mean(obs))
        old_log_std = tf.stop_gradient(tf.identity(self.actor.log_std))
        old_params = _flat([tf.identity(v) for v in self.actor_params])

        with tf.GradientTape() as tape:
            surr_old = self._surrogate(obs, actions, logp_old, advantages)
        g = _flat(tape.gradient(surr_old, self.actor_params))

        def fvp(v):
            return self._fisher_vector_product(obs, old_mean, old_log_std, v)

        direction = self._conjugate_gradient(fvp, g)
        shs = tf.reduce_sum(direction * fvp(direction))
        full_step = tf.sqrt(2.0 * cfg.max_kl / (shs + 1e-8)) * direction

        # backtracking line search on the actual KL and surrogate
        accepted = tf.constant(False)
        tries = tf.constant(0.0)
        kl = tf.constant(0.0)
        surr = surr_old
        coef = tf.constant(1.0)
        for _ in tf.range(cfg.backtrack_iters):
            if not accepted:
                self._set_actor(old_params + coef * full_step)
                kl_try = self.actor.kl_from(obs, old_mean, old_log_std)
                surr_try = self._surrogate(obs, actions, logp_old, advantages)
                ok = tf.logical_and(kl_try <= cfg.max_kl, surr_try > surr_old)
                ok = tf.logical_and(ok, tf.math.is_finite(surr_try))
                accepted = ok
                kl = tf.where(ok, kl_try, kl)
                surr = tf.where(ok, surr_try, surr)
                tries += 1.0
                coef = coef * cfg.backtrack_coef
        if not accepted:
            self._set_actor(old_params)

        # critic: several epochs of Adam on the λ-returns
        n = tf.shape(obs)[0]
        mb_size = n if cfg.critic_batch_size == 0 else tf.minimum(cfg.critic_batch_size, n)
        n_mb = n // mb_size
        value_loss = tf.constant(0.0)
        for _ in tf.range(cfg.critic_epochs):
            perm = tf.argsort(self.shuffle_rng.uniform([n]))
            batches = tf.reshape(perm[: n_mb * mb_size], [n_mb, mb_size])
            for i in tf.range(n_mb):
                idx = batches[i]
                mb_obs, mb_ret = tf.gather(obs, idx), tf.gather(returns, idx)
                with tf.GradientTape() as tape:
                    values = tf.squeeze(self.critic(mb_obs), -1)
                    loss = tf.reduce_mean(tf.square(values - mb_ret))
                grads = tape.gradient(loss, self.critic_params)
                self.critic_optimizer.apply(grads)
                value_loss = loss
        return {
            "surrogate_gain": surr - surr_old,
            "kl": kl,
            "line_search_tries": tries,
            "step_accepted": tf.cast(accepted, tf.float32),
            "value_loss": value_loss,
            "entropy": self.actor.entropy(),
            "grad_norm": tf.norm(g),
        }, self._policy_tensors()

    def config_dict(self) -> dict:
        return asdict(self.config)


Agent = TRPO
