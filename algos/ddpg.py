"""Deep Deterministic Policy Gradient, DDPG (Lillicrap et al. 2015, arXiv:1509.02971).

DDPG is Q-learning with a deterministic actor for continuous actions. A critic Q_θ(s, a) is
regressed on the one-step target from slowly moving target networks,

    y = r + γ (1 - terminated) · Q_θ'(s', μ_φ'(s')),    L(θ) = mean((Q_θ(s, a) - y)²),

and the actor follows the deterministic policy gradient ∇_φ mean Q_θ(s, μ_φ(s)). The targets
track the learned networks by Polyak averaging, θ' ← τθ + (1 - τ)θ'. Exploration adds noise to
μ(s): Gaussian N(0, σ²) (the "OurDDPG" variant of Fujimoto et al. 2018) or, as in the paper, a
temporally correlated Ornstein-Uhlenbeck process x ← x - θ_ou x + σ ε (``noise_type: ou``;
the paper used θ_ou 0.15, σ 0.2), restarted at every episode.

Networks work in [-1, 1] (tanh output); actions are mapped to the task's bounds and noise scales
are fractions of the half-range. Defaults are Tianshou's ``mujoco_ddpg.py`` (the 500k reference
the benchmark compares with), which is the TD3 author's ``OurDDPG.py`` with a larger learning
rate: 256-256 ReLU networks with PyTorch's default init, Adam 1e-3 for both networks (eps 1e-8;
SB3-zoo and SpinningUp use 1e-3 too), batch 256, γ 0.99, τ 0.005, Gaussian σ 0.1, 25,000 random
warm-up steps, one critic and one actor update per environment step. Truncations bootstrap,
terminations do not. OurDDPG's 3e-4 (CleanRL's too) was the first default; on HalfCheetah-v4
(seed 0, 500k steps) it ended at 9260.9, below Tianshou's 10440.0 ± 593.1, and 1e-3 at 11246.6
(mean of the last 10 evaluations 9026.8 vs 10882.9; ``results/ablations/ddpg_ourddpg`` and
``ddpg_lr1e-3``).
Original paper settings (400-300 networks, lr 1e-4/1e-3, τ 0.001, batch 64, OU noise, critic
weight decay) are not the default: they did worse in Fujimoto et al.'s comparison.

Use from your own loop exactly like TD3 (``algos/td3.py``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from algos.offpolicy import DeterministicActorCritic, check_common


@dataclass
class Config:
    """DDPG hyperparameters; defaults: Tianshou mujoco_ddpg.py (OurDDPG with Adam 1e-3)."""

    buffer_size: int = 1_000_000
    learning_starts: int = 25_000  # uniformly random actions before the first update
    batch_size: int = 256
    gamma: float = 0.99
    tau: float = 0.005
    actor_lr: float = 1e-3
    critic_lr: float = 1e-3
    adam_eps: float = 1e-8
    hidden_sizes: list[int] = field(default_factory=lambda: [256, 256])
    noise_type: str = "gaussian"  # "gaussian" or "ou" (Ornstein-Uhlenbeck)
    exploration_noise: float = 0.1  # Gaussian std / OU sigma, fraction of the half-range
    ou_theta: float = 0.15
    preact_penalty: float = 0.0  # λ·mean(pre-tanh²) in the actor loss; 0 = reference
    train_freq: int = 1  # env steps between training calls; each call does train_freq updates
    jit_compile: bool = True  # XLA-compile the update (measured faster on CPU)

    def __post_init__(self) -> None:
        check_common(self)
        if self.noise_type not in ("gaussian", "ou"):
            raise ValueError(f"noise_type must be 'gaussian' or 'ou', got {self.noise_type!r}")
        if not 0.0 <= self.ou_theta <= 1.0:
            raise ValueError(f"ou_theta must be in [0, 1], got {self.ou_theta!r}")


class DDPG(DeterministicActorCritic):
    """DDPG: one critic, no target smoothing, actor updated every step."""

    n_critics = 1

    def config_dict(self) -> dict:
        return asdict(self.config)


Agent = DDPG
