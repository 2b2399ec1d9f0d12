"""DQN: the library contract, the TD targets, ε-greedy, state, the CLI's action-kind check and a
learning test on CartPole-v1."""

import json

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from algos import load_algo
from algos.dqn import DQN, Config


class Box:  # only .shape is read
    def __init__(self, dim):
        self.shape = (dim,)


class Discrete:  # only .n is read
    def __init__(self, n):
        self.n = n


def make(jit=False, total_steps=1000, seed=0, **cfg):
    config = Config(hidden_sizes=[32, 32], jit_compile=jit, **cfg)
    return DQN.from_spaces(Box(5), Discrete(3), config, seed=seed, total_steps=total_steps)


def batch(n=64, seed=0, stacked=None):
    rng = np.random.default_rng(seed)
    lead = (n,) if stacked is None else (stacked, n)
    return {
        "obs": rng.normal(size=(*lead, 5)).astype(np.float32),
        "actions": rng.integers(3, size=lead),
        "rewards": rng.normal(size=lead).astype(np.float32),
        "next_obs": rng.normal(size=(*lead, 5)).astype(np.float32),
        "terminated": (rng.uniform(size=lead) < 0.2).astype(np.float32),
    }


def test_contract_attributes():
    m = load_algo("dqn")
    agent = make()
    assert isinstance(agent, tf.Module) and m.Agent is DQN
    assert DQN.on_policy is False and DQN.action_kind == "discrete"
    assert agent.obs_dim == 5 and agent.n_actions == 3 and agent.act_dim == 1
    assert m.__doc__ and "Mnih" in m.__doc__ and "arXiv:1509.06461" in m.__doc__


def test_continuous_action_space_is_refused():
    class Box2(Box):
        low, high = np.zeros(2), np.ones(2)

    with pytest.raises(ValueError, match="discrete action space"):
        DQN.from_spaces(Box(5), Box2(2), Config(), seed=0, total_steps=10)


def test_actions_are_ints_greedy_when_deterministic_and_epsilon_decays_linearly():
    agent = make(total_steps=1000, exploration_fraction=0.5, start_e=1.0, end_e=0.1)
    obs = np.random.default_rng(1).normal(size=(400, 5)).astype(np.float32)
    greedy = agent.get_action(obs, deterministic=True)
    assert greedy.shape == (400,) and greedy.dtype == np.int64
    np.testing.assert_array_equal(greedy, np.argmax(agent.q_values(obs), -1))
    assert agent.act_steps == 0 and agent.epsilon() == 1.0  # greedy acting is not exploring
    single = agent.get_action(obs[0])
    assert isinstance(single, int) and 0 <= single < 3
    # ε = 1: uniform over the three actions
    a = agent.get_action(obs)
    assert set(np.unique(a)) == {0, 1, 2} and np.mean(a == greedy) < 0.6
    assert agent.act_steps == 401
    agent.act_steps = 250  # halfway through the 500-step decay
    assert agent.epsilon() == pytest.approx(0.55)
    agent.act_steps = 10_000
    assert agent.epsilon() == pytest.approx(0.1)
    assert np.mean(agent.get_action(obs) == greedy) > 0.85  # ε = 0.1 of 3 actions: ~93%


def q_numpy(net, x):
    return net.numpy_forward(net.numpy_params(), x)


@pytest.mark.parametrize("loss", ["mse", "huber"])
@pytest.mark.parametrize("double_q", [False, True])
def test_one_update_is_one_adam_step_on_the_td_loss(double_q, loss):
    agent = make(double_q=double_q, loss=loss, learning_rate=1e-3)
    b = batch()
    # target network differs from the online one, so DQN and Double DQN targets differ
    for v in agent.q_target.trainable_variables:
        v.assign(v * 1.5)
    q_next_t = q_numpy(agent.q_target, b["next_obs"])
    if double_q:
        best = np.argmax(q_numpy(agent.q, b["next_obs"]), -1)
        q_next = q_next_t[np.arange(64), best]
    else:
        q_next = q_next_t.max(-1)
    y = b["rewards"] + 0.99 * (1 - b["terminated"]) * q_next
    q = q_numpy(agent.q, b["obs"])[np.arange(64), b["actions"]]
    err = np.abs(q - y)
    expected = np.where(err <= 1, 0.5 * err**2, err - 0.5) if loss == "huber" else err**2
    before = [v.numpy().copy() for v in agent.q.trainable_variables]
    stats = agent.update(b)
    assert stats["loss"] == pytest.approx(expected.mean(), rel=1e-4)
    assert stats["q_mean"] == pytest.approx(q.mean(), rel=1e-4, abs=1e-5)
    # Adam's first step moves every weight by about lr (sign of its gradient)
    after = [v.numpy() for v in agent.q.trainable_variables]
    moved = np.concatenate([np.abs(a - b0).ravel() for a, b0 in zip(after, before, strict=True)])
    assert moved.max() == pytest.approx(1e-3, rel=1e-2)


def test_target_is_a_hard_copy_every_interval_updates():
    agent = make(target_update_interval=3)
    target0 = agent.q_target.trainable_variables[0]
    start = target0.numpy().copy()
    agent.update(batch(seed=0, stacked=2))  # two steps: target untouched
    np.testing.assert_array_equal(target0.numpy(), start)
    agent.update(batch(seed=1))  # third step: copied
    np.testing.assert_array_equal(target0.numpy(), agent.q.trainable_variables[0].numpy())
    assert int(agent.num_updates.numpy()) == 3


def test_stacked_updates_equal_sequential_updates_and_actions_shape_is_free():
    a1, a2 = make(), make()
    batches = [batch(seed=i) for i in range(3)]
    for b in batches:
        a1.update({**b, "actions": b["actions"].astype(np.float32)[:, None]})  # [B, 1] floats
    a2.update({k: np.stack([b[k] for b in batches]) for k in batches[0]})  # [K, B] ints
    for v1, v2 in zip(a1.trainable_variables, a2.trainable_variables, strict=True):
        np.testing.assert_allclose(v1.numpy(), v2.numpy(), rtol=1e-5, atol=1e-6)


def test_jit_compiled_update_matches_graph_update():
    a1, a2 = make(), make(jit=True)
    b = batch()
    s1, s2 = a1.update(b), a2.update(b)
    for k in s1:
        assert s1[k] == pytest.approx(s2[k], rel=1e-4, abs=1e-5)


def test_q_values_of_the_train_call_equal_a_fresh_forward():
    agent = make()
    obs = np.random.default_rng(5).normal(size=(1, 5)).astype(np.float32)
    b = {k: v.astype(np.float32) for k, v in batch(stacked=1).items()}
    b["actions"] = b["actions"][..., None]  # the replay buffer's [K, B, 1]
    agent.train_stacked(b, act_obs=obs)
    cached = agent.q_values(obs)
    assert cached is agent._cached_out
    np.testing.assert_allclose(cached, agent.q_values(obs.copy()), rtol=1e-5, atol=1e-6)


def test_checkpoint_and_numpy_state_restore_exactly(tmp_path):
    agent = make()
    obs = np.ones((7, 5), np.float32)
    for i in range(2):
        agent.update(batch(seed=i))
        agent.get_action(obs)
    tf.train.Checkpoint(agent=agent).write(str(tmp_path / "ck"))
    state = json.loads(json.dumps(agent.numpy_state()))  # JSON-compatible
    other = make()
    tf.train.Checkpoint(agent=other).read(str(tmp_path / "ck")).assert_existing_objects_matched()
    other.load_numpy_state(state)
    assert other.act_steps == agent.act_steps == 14
    for _ in range(3):
        np.testing.assert_array_equal(agent.get_action(obs), other.get_action(obs))
    b = batch(seed=9)
    assert agent.update(b) == other.update(b)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("batch_size", 0, "batch_size must be > 0"),
        ("gamma", 1.5, "gamma must be in"),
        ("tau", 0.0, "tau must be in"),
        ("learning_starts", -1, "learning_starts must be >= 0"),
        ("hidden_sizes", [], "hidden_sizes"),
        ("gradient_steps", 0, "gradient_steps must be > 0"),
        ("target_update_interval", 0, "target_update_interval must be > 0"),
        ("end_e", 1.5, "end_e must be in"),
        ("exploration_fraction", -0.1, "exploration_fraction must be in"),
        ("loss", "l1", "loss must be one of huber, mse"),
        ("max_grad_norm", -1.0, "max_grad_norm must be >= 0"),
    ],
)
def test_bad_hyperparameters_are_clear_errors(field, value, message):
    with pytest.raises(ValueError, match=message):
        Config(**{field: value})


def test_total_steps_is_required_for_the_schedule():
    with pytest.raises(ValueError, match="total_steps"):
        DQN(5, 3, Config())


@pytest.mark.parametrize(
    ("algo", "task", "message"),
    [
        (
            "dqn",
            "HalfCheetah-v4",
            "dqn cannot act in HalfCheetah-v4: dqn needs discrete actions, "
            "HalfCheetah-v4 has continuous actions",
        ),
        (
            "td3",
            "CartPole-v1",
            "td3 cannot act in CartPole-v1: td3 needs continuous actions, "
            "CartPole-v1 has discrete actions",
        ),
    ],
)
def test_action_kind_mismatch_is_one_line_exit_2_and_writes_nothing(
    cli, tmp_path, algo, task, message
):
    out = cli("-m", "sweeps.train", f"algo={algo}", f"task={task}", f"results_dir={tmp_path}")
    assert out.returncode == 2
    # one line, no traceback (building HalfCheetah to read its action space makes MuJoCo 3.2+
    # print a deprecation warning about the model file: that line is MuJoCo's, not ours)
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    ours = [ln for ln in lines if not ln.startswith("WARNING: compiler attribute")]
    assert ours == [f"error: {message}"], out.stderr
    assert not list(tmp_path.rglob("*")), list(tmp_path.rglob("*"))


def test_bench_plan_never_pairs_dqn_with_a_continuous_task():
    from sweeps.bench import load_suite, plan

    suite = load_suite("bench")
    assert {"CartPole-v1", "Acrobot-v1", "MountainCar-v0"} <= set(suite["tasks"])
    groups = plan(suite, ["dqn", "td3"], None)
    assert groups["discrete"] == [["dqn"], ["CartPole-v1", "Acrobot-v1", "MountainCar-v0"]]
    assert "dqn" not in groups["continuous"][0] and "CartPole-v1" not in groups["continuous"][1]


@pytest.mark.slow
def test_dqn_learns_cartpole(tmp_path, algo_config):
    from sweeps.config import validate
    from sweeps.runner import Run

    # SB3-zoo's CartPole-v1 settings (hyperparams/dqn.yml: Huber, grad norm 10, lr 2.3e-3, batch
    # 64, 128 updates per 256 steps, target refreshed once per training call, ε → 0.04 over 16%)
    # with a 64-64 network and 30k steps instead of 256-256 and 50k, to stay short. Untrained:
    # 9-41. Evaluations swing (DQN on CartPole forgets and relearns), so the test asks for the best
    # evaluation, not the last, and a threshold far above the untrained policy rather than 500:
    # with the random streams of algos/seeding.py, seeds 0-4 reached best evaluations of 245.8,
    # 500, 500, 500 and 196.4; with the earlier single stream 500, 500, 500, 342.4 and 500.
    algo = algo_config(
        "dqn",
        learning_starts=1000,
        learning_rate=2.3e-3,
        batch_size=64,
        buffer_size=30_000,
        hidden_sizes=[64, 64],
        train_freq=64,
        gradient_steps=32,
        target_update_interval=32,
        end_e=0.04,
        exploration_fraction=0.16,
        loss="huber",
        max_grad_norm=10.0,
    )
    spec = validate(
        {
            "results_dir": str(tmp_path),
            "suite": "learn",
            "threads": 1,
            "algo": algo,
            "task": "CartPole-v1",
            "seed": 0,
            "steps": 30_000,
            "eval_every": 2500,
            "eval_episodes": 5,
        }
    )
    summary = Run(spec, log=lambda _msg: None).execute()
    evals = pd.read_csv(spec.run_dir / "eval.csv")
    assert summary["status"] == "done" and summary["steps"] == 30_000
    assert evals["return_mean"].iloc[0] < 50
    assert evals["return_mean"].max() >= 150


def cartpole_spec(algo_config, results, **run):
    from sweeps.config import validate

    algo = algo_config(
        "dqn",
        hidden_sizes=[16, 16],
        learning_starts=200,
        train_freq=10,
        gradient_steps=2,
        target_update_interval=10,
        batch_size=32,
        jit_compile=False,
    )
    settings = {
        "algo": algo,
        "task": "CartPole-v1",
        "seed": 1,
        "steps": 700,
        "suite": "t",
        "results_dir": str(results),
        "eval_every": 350,
        "eval_episodes": 2,
        "threads": 1,
        "checkpoint_every": 0,
    }
    return validate({**settings, **run})


def test_dqn_run_through_the_off_policy_loop(tmp_path, algo_config):
    from sweeps.runner import Run

    run = Run(cartpole_spec(algo_config, tmp_path), log=lambda _msg: None)
    summary = run.execute()
    assert summary["status"] == "done", summary["reason"]
    buffer, agent = run.extra_state["replay"], run.agent
    actions = buffer.actions[: buffer.rows, 0]
    assert set(np.unique(actions)) == {0.0, 1.0}  # indices, warm-up ones included
    assert int(agent.num_updates.numpy()) == 2 * (700 - 200) // 10
    assert agent.act_steps == 500  # the ε clock counts the steps the agent acted
    evals = pd.read_csv(run.spec.run_dir / "eval.csv")
    assert list(evals["step"]) == [0, 350, 700]


def test_interrupted_dqn_run_resumes_exactly(tmp_path, algo_config):
    from sweeps.runner import Run

    clean = Run(cartpole_spec(algo_config, tmp_path / "clean"), log=lambda _msg: None).execute()
    assert clean["status"] == "done"
    broken = Run(
        cartpole_spec(algo_config, tmp_path / "killed", checkpoint_every=250),
        log=lambda _msg: None,
    )
    evaluate = broken.maybe_evaluate

    def crash_at_600() -> None:
        if broken.step == 600:
            raise KeyboardInterrupt("simulated kill")  # no summary is written
        evaluate()

    broken.maybe_evaluate = crash_at_600
    with pytest.raises(KeyboardInterrupt):
        broken.execute()
    resumed = Run(
        cartpole_spec(algo_config, tmp_path / "killed", checkpoint_every=250),
        log=lambda _msg: None,
    ).execute()
    assert resumed["status"] == "done" and resumed["resumed_from_step"] == 500
    for name in ("eval.csv", "train.csv"):
        a = pd.read_csv(tmp_path / "clean" / "t" / "dqn" / "CartPole-v1" / "seed_1" / name)
        b = pd.read_csv(tmp_path / "killed" / "t" / "dqn" / "CartPole-v1" / "seed_1" / name)
        cols = [c for c in a.columns if c != "wall_time_s"]
        pd.testing.assert_frame_equal(a[cols], b[cols])
