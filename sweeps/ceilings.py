"""What this CPU allows: the fastest any implementation could train, one core, per CPU-second.

Two things bound a training step whatever the framework:

- **the simulator**: ``env.step`` through the same ``make_env`` a run uses (zero actions, resets
  at episode ends). An on-policy step cannot be faster than this; its gradient math is small.
  The MuJoCo physics alone (``mj_step`` × the task's frame skip, nothing else of Gymnasium's step)
  is printed beside it, to show what the environment's own Python adds.
- **the matrix multiplies of one off-policy update**: :func:`update_flop` counts them from the
  algorithm's config (batch, hidden sizes, actor delay) and the task's dimensions, and a float32
  ``batch × h @ h × h`` product, XLA-compiled, ten dependent ones per call, gives the rate. An
  update made of nothing but those products at that rate, plus one ``env.step``, is the
  off-policy ceiling. (The first layer's thin products run slower, so the real floor is higher.)

``python -m sweeps.perf`` prints these next to the measured rates; the measurement runs in a
one-thread subprocess of its own (``--worker ceilings``).
"""

from __future__ import annotations

import time

# off-policy algorithms whose update is counted by update_flop
COUNTED = ("ddpg", "td3", "sac")


def _mlp(sizes: list[int], batch: int) -> tuple[float, float]:
    """(forward FLOP, FLOP of the input gradients of every layer but the first) of a dense MLP;
    its weight gradients cost the forward's FLOP again. A multiply-add counts as 2."""
    layers = list(zip(sizes[:-1], sizes[1:], strict=True))
    forward = sum(2.0 * batch * i * o for i, o in layers)
    inner = sum(2.0 * batch * i * o for i, o in layers[1:])
    return forward, inner


def update_flop(algo: str, obs_dim: int, act_dim: int, hp: dict) -> float:
    """Matmul FLOP per env step of an off-policy update (``train_freq`` updates per
    ``train_freq`` steps: the same per step), counting forward passes, the weight gradients of
    the networks being trained and the input gradients the chain rule needs.

    - critic step: target actor and target critic(s) forward on the next observations; each
      critic forward, its weight gradients, its inner input gradients;
    - actor step (TD3: every ``policy_delay`` updates): actor forward, critic(s) forward on its
      actions and the input gradients back to the action (the whole critic), the actor's weight
      and inner input gradients. SAC's actor outputs a mean and a log std per action and takes
      the minimum of both critics.
    """
    if algo not in COUNTED:
        raise ValueError(f"no update count for {algo!r}; counted: {', '.join(COUNTED)}")
    batch, hidden = int(hp["batch_size"]), [int(h) for h in hp["hidden_sizes"]]
    outputs = 2 * act_dim if algo == "sac" else act_dim
    actor_fwd, actor_inner = _mlp([obs_dim, *hidden, outputs], batch)
    critic_fwd, critic_inner = _mlp([obs_dim + act_dim, *hidden, 1], batch)
    critics = 1 if algo == "ddpg" else 2
    critic_step = actor_fwd + critics * (critic_fwd + critic_fwd + critic_fwd + critic_inner)
    actor_critics = critics if algo == "sac" else 1  # TD3's actor follows Q1 only
    actor_step = actor_fwd + actor_critics * 2 * critic_fwd + actor_fwd + actor_inner
    delay = int(hp.get("policy_delay", 1)) if algo == "td3" else 1
    return critic_step + actor_step / delay


def measure(task: str, batch: int = 256, hidden: int = 256, env_steps: int = 20_000) -> dict:
    """Per CPU-second of this process (run it with one thread): ``env_steps_per_s`` through
    ``make_env``, ``physics_steps_per_s`` (MuJoCo tasks; else None) and ``matmul_gflop``."""
    import numpy as np
    import tensorflow as tf

    from envs import make_env

    env = make_env(task, seed=0)
    env.reset(seed=0)
    shape = env.action_space.shape  # () for a discrete task: action 0
    action = np.zeros(shape, env.action_space.dtype) if shape else 0
    c0 = time.process_time()
    for _ in range(env_steps):
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()
    env_rate = env_steps / (time.process_time() - c0)
    physics_rate = None
    raw = env.unwrapped
    if hasattr(raw, "model") and hasattr(raw, "data") and hasattr(raw, "frame_skip"):
        import mujoco

        c0 = time.process_time()
        for _ in range(env_steps):
            mujoco.mj_step(raw.model, raw.data, nstep=raw.frame_skip)
        physics_rate = env_steps / (time.process_time() - c0)
    env.close()

    products = 10
    x = tf.random.normal((batch, hidden), seed=0)
    w = tf.random.normal((hidden, hidden), seed=1) / hidden**0.5

    @tf.function(jit_compile=True)
    def chain(x: tf.Tensor) -> tf.Tensor:
        for _ in range(products):
            x = tf.matmul(x, w)
        return x

    chain(x).numpy()  # compile
    calls, best = 200, float("inf")
    for _ in range(5):  # best of five: other load on a shared machine only slows it
        c0 = time.process_time()
        for _ in range(calls):
            y = chain(x)
        y.numpy()
        best = min(best, time.process_time() - c0)
    gflop = 2.0 * batch * hidden * hidden * products * calls / best / 1e9
    return {
        "env_steps_per_s": env_rate,
        "physics_steps_per_s": physics_rate,
        "matmul_gflop": gflop,
        "obs_dim": int(np.prod(env.observation_space.shape)),
        "act_dim": int(np.prod(env.action_space.shape)) if env.action_space.shape else 0,
    }
