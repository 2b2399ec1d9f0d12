"""Generalised advantage estimation (Schulman et al. 2016) with time-limit-aware bootstrapping."""

from __future__ import annotations

import numpy as np


def gae(
    rewards: np.ndarray,
    values: np.ndarray,
    next_values: np.ndarray,
    terminated: np.ndarray,
    truncated: np.ndarray,
    gamma: float,
    lam: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Advantages and λ-returns for arrays shaped [T, N] (time, environment).

    ``next_values[t]`` is V of the observation that followed step t: on an episode end it must be
    the episode's final observation, not the reset one. A terminated step bootstraps nothing; a
    truncated one (time limit) bootstraps from V(final obs), since the task did not end there.
    The λ-recursion stops at every episode end, whichever kind.
    """
    if rewards.ndim == 2 and rewards.shape[1] == 1:
        return _gae_one_env(rewards, values, next_values, terminated, truncated, gamma, lam)
    not_terminal = 1.0 - terminated.astype(np.float32)
    not_end = 1.0 - np.logical_or(terminated, truncated).astype(np.float32)
    deltas = rewards + gamma * next_values * not_terminal - values
    advantages = np.zeros_like(deltas, dtype=np.float32)
    running = np.zeros(deltas.shape[1:], np.float32)
    for t in range(deltas.shape[0] - 1, -1, -1):
        running = deltas[t] + gamma * lam * not_end[t] * running
        advantages[t] = running
    return advantages, advantages + values


def _gae_one_env(rewards, values, next_values, terminated, truncated, gamma, lam):
    """Same recursion for one environment [T, 1], on Python floats: a long single-env rollout
    (PPO's 2048 steps) costs ~10x less than with per-step NumPy calls."""
    r, v, nv = rewards[:, 0].tolist(), values[:, 0].tolist(), next_values[:, 0].tolist()
    term, trunc = terminated[:, 0].tolist(), truncated[:, 0].tolist()
    out = [0.0] * len(r)
    running = 0.0
    gl = gamma * lam
    for t in range(len(r) - 1, -1, -1):
        delta = r[t] - v[t] + (0.0 if term[t] else gamma * nv[t])
        running = delta if (term[t] or trunc[t]) else delta + gl * running
        out[t] = running
    advantages = np.asarray(out, np.float32)[:, None]
    return advantages, advantages + values
