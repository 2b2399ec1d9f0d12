"""Twin Delayed DDPG, TD3 (Fujimoto, van Hoof & Meger 2018, arXiv:1802.09477).

TD3 learns a deterministic policy μ_φ(s) and two Q-functions Q_θ1, Q_θ2 from a replay buffer,
fixing DDPG's overestimation with three changes:

1. clipped double-Q learning: both critics regress on the smaller target estimate,

       y = r + γ (1 - terminated) · min_{i=1,2} Q_θ'i(s', ã'),

2. target policy smoothing: ã' = clip(μ_φ'(s') + clip(ε, -c, c), low, high), ε ~ N(0, σ̃²),
   so the target is an average of Q over a small action neighbourhood,
3. delayed policy updates: the actor (gradient ascent on Q_θ1(s, μ_φ(s))) and the targets
   (θ' ← τθ + (1 - τ)θ', φ' ← τφ + (1 - τ)φ') change once every ``policy_delay`` critic updates.

The critic loss is Σ_i mean((Q_θi(s, a) - y)²). Exploration adds N(0, σ²) to μ(s) and clips to
the action bounds. Noise scales are fractions of the action half-range: the networks work in
[-1, 1] and actions are mapped to the task's bounds (Humanoid ±0.4, InvertedPendulum ±3), as the
author's code does by multiplying with ``max_action``.

Hyperparameters follow the author's code (sfujim/TD3 main.py, HEAD) and CleanRL's
``td3_continuous_action.py``: 256-256 ReLU networks with PyTorch's default init, Adam 3e-4 (eps
1e-8, not Keras' 1e-7), batch 256, γ 0.99, τ 0.005, σ 0.1, σ̃ 0.2, c 0.5, delay 2, 25,000
uniformly random warm-up steps, one update per environment step. Time-limit truncations
bootstrap (the author's ``done_bool``), terminations do not.

Use from your own loop::

    agent = TD3(obs_dim, act_dim, Config(), low=env.action_space.low, high=env.action_space.high)
    a = agent.get_action(obs)           # within [low, high], exploration noise included
    ...                                 # store (obs, a, r, next_obs, terminated) in a buffer
    stats = agent.update(buffer.sample(256))
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from algos.offpolicy import DeterministicActorCritic, check_common


@dataclass
class Config:
    """TD3 hyperparameters; defaults: TD3 author's main.py (HEAD) / CleanRL."""

    buffer_size: int = 1_000_000
    learning_starts: int = 25_000  # uniformly random actions before the first update
    batch_size: int = 256
    gamma: float = 0.99
    tau: float = 0.005
    actor_lr: float = 3e-4
    critic_lr: float = 3e-4
    adam_eps: float = 1e-8
    hidden_sizes: list[int] = field(default_factory=lambda: [256, 256])
    exploration_noise: float = 0.1  # std of the Gaussian action noise, fraction of half-range
    target_noise: float = 0.2
    noise_clip: float = 0.5
    policy_delay: int = 2
    preact_penalty: float = 0.0  # λ·mean(pre-tanh²) in the actor loss; 0 = reference
    train_freq: int = 1  # env steps between training calls; each call does train_freq updates
    jit_compile: bool = True  # XLA-compile the update (measured faster on CPU)

    def __post_init__(self) -> None:
        check_common(self)
        if self.target_noise < 0 or self.noise_clip < 0:
            raise ValueError("target_noise and noise_clip must be >= 0")
        if self.policy_delay < 1:
            raise ValueError(f"policy_delay must be >= 1, got {self.policy_delay}")


class TD3(DeterministicActorCritic):
    """TD3: twin critics, target policy smoothing, delayed actor updates."""

    n_critics = 2

    def config_dict(self) -> dict:
        return asdict(self.config)


Agent = TD3
