"""algos/ is a library: usable from your own loop, importing only TensorFlow and NumPy."""

import numpy as np

import algos
from algos.ppo import PPO, Config


def test_algos_import_only_tensorflow_and_numpy(cli):
    # TensorFlow itself may pull optional packages in; what algos/ adds on top must be algos only
    code = (
        "import sys, numpy, tensorflow; before = {m.split('.')[0] for m in sys.modules}; "
        "import algos, algos.ppo, algos.onpolicy; "
        "added = {m.split('.')[0] for m in sys.modules} - before - {'algos'}; "
        "print(sorted(added)); sys.exit(1 if added else 0)"
    )
    out = cli("-c", code)
    assert out.returncode == 0, out.stdout + out.stderr


def test_algos_source_imports_nothing_but_stdlib_tensorflow_numpy():
    import ast
    import sys
    from pathlib import Path

    allowed = {"numpy", "tensorflow", "algos", "__future__"} | set(sys.stdlib_module_names)
    for path in Path(algos.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


def test_ppo_update_from_a_user_loop_and_ratio_one_at_start():
    agent = PPO(3, 2, Config(num_envs=1, rollout_steps=64, num_minibatches=4, epochs=2), seed=0)
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(64, 3)).astype(np.float32)
    actions = np.stack([agent.get_action(o) for o in obs])
    assert actions.shape == (64, 2) and actions.dtype == np.float32
    batch = {
        "obs": obs,
        "actions": actions,
        "rewards": rng.normal(size=64),
        "next_obs": np.roll(obs, -1, 0),
        "terminated": np.zeros(64, bool),
        "truncated": np.zeros(64, bool),
    }
    # the old log-probs recomputed in update are the behaviour policy's: ratio exactly 1 at first
    mean = agent.actor.mean(agent.normalize_obs(obs)).numpy()
    std = np.exp(agent.actor.log_std.numpy())
    data = agent._prepare(dict(batch))
    expected = (-0.5 * ((actions - mean) / std) ** 2 - np.log(std) - 0.5 * np.log(2 * np.pi)).sum(1)
    np.testing.assert_allclose(data["logp"], expected, rtol=1e-4, atol=1e-4)
    stats = agent.update(batch)
    assert set(stats) >= {"policy_loss", "value_loss", "approx_kl", "clip_fraction"}
    assert all(np.isfinite(v) for v in stats.values())
    assert agent.env_steps == 128  # two batches seen by _prepare/update


def _ppo_batch(agent: PPO, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    obs = rng.normal(size=(n, 3)).astype(np.float32)
    return {
        "obs": obs,
        "actions": np.stack([agent.get_action(o) for o in obs]),
        "rewards": rng.normal(size=n) * 10,
        "next_obs": np.roll(obs, -1, 0),
        "terminated": np.zeros(n, bool),
        "truncated": np.zeros(n, bool),
    }


def test_ppo_target_kl_ends_the_update_early_and_off_takes_every_step():
    def run(target_kl: float) -> tuple[dict[str, float], np.ndarray]:
        cfg = Config(num_envs=1, rollout_steps=256, num_minibatches=8, epochs=10)
        cfg.learning_rate, cfg.target_kl = 1e-2, target_kl  # big steps: the KL grows fast
        agent = PPO(3, 2, cfg, seed=0)
        stats = agent.update(_ppo_batch(agent, 256))
        return stats, agent.actor.log_std.numpy()

    off, log_std_off = run(0.0)
    assert off["steps_taken"] == 1.0
    tight, log_std_tight = run(1e-4)
    # the first minibatch sees the rollout's own policy (KL 0) and is taken; some later one is not
    assert 0 < tight["steps_taken"] < 1.0
    assert tight["approx_kl"] <= 1.5e-4  # the averaged KLs are those of the steps taken
    assert not np.allclose(log_std_tight, log_std_off)
