"""The on-policy loop steps sync sub-envs itself, exactly as SyncVectorEnv (same-step autoreset)."""

from types import SimpleNamespace

import numpy as np
import pytest

from envs import make_vec_env
from sweeps.onpolicy_loop import train


class RecordingAgent:
    """Acts with fixed pseudo-random actions and records every batch it is given."""

    on_policy = True

    def __init__(self, act_dim: int, rollout_steps: int) -> None:
        self.rollout_steps = rollout_steps
        self.rng = np.random.default_rng(0)
        self.act_dim = act_dim
        self.batches: list[dict] = []

    def get_action(self, obs, deterministic=False):
        return self.rng.uniform(-3, 3, size=(obs.shape[0], self.act_dim)).astype(np.float32)

    def update(self, batch):
        self.batches.append({k: np.array(v) for k, v in batch.items()})
        return {"loss": 0.0}


class FakeRun:
    """The services of sweeps.runner.Run that the loop calls."""

    def __init__(self, env, agent, steps: int) -> None:
        self.env, self.agent = env, agent
        self.spec = SimpleNamespace(steps=steps, seed=0)
        self.step, self.next_eval, self.evals, self.updates = 0, 10**9, 0, 0

    def reset_env(self):
        return self.env.reset(seed=list(range(self.env.num_envs)))[0]

    def count_steps(self, reward, terminated, truncated):
        self.step += self.env.num_envs

    def maybe_evaluate(self):
        self.evals += 1

    def after_update(self, stats):
        self.updates += 1

    def maybe_checkpoint(self):
        pass


@pytest.mark.parametrize("n", [1, 2])
def test_loop_transitions_match_sync_vector_env_same_step_autoreset(n):
    # InvertedPendulum ends episodes early and often: many autoresets in 300 steps
    env = make_vec_env("InvertedPendulum-v4", n, 0)
    agent = RecordingAgent(1, rollout_steps=64)
    run = FakeRun(env, agent, steps=300)
    train(run)
    batch = {k: np.concatenate([b[k] for b in agent.batches]) for k in agent.batches[0]}
    horizon = 300 // n
    assert run.step == 300 and batch["obs"].shape == (horizon, n, 4)
    assert run.updates == -(-horizon // 64)

    # the same actions through SyncVectorEnv.step on an identically seeded env
    ref = make_vec_env("InvertedPendulum-v4", n, 0)
    obs, _ = ref.reset(seed=list(range(n)))
    ends = 0
    for t in range(horizon):
        np.testing.assert_array_equal(batch["obs"][t], obs)
        obs, reward, term, trunc, info = ref.step(batch["actions"][t])
        np.testing.assert_array_equal(batch["rewards"][t], reward)
        np.testing.assert_array_equal(batch["terminated"][t], term)
        np.testing.assert_array_equal(batch["truncated"][t], trunc)
        expected_next = obs.copy()
        done = term | trunc
        if done.any():
            ends += int(done.sum())
            expected_next[done] = np.stack(info["final_obs"][done])
        np.testing.assert_array_equal(batch["next_obs"][t], expected_next)
    assert ends >= 3
