import numpy as np
import pytest

from envs import MUJOCO_TASKS, make_env, make_vec_env, resolve_task
from envs.registry import UnknownTaskError


def test_registry_has_the_ten_rlpack_tasks_as_v4():
    assert len(MUJOCO_TASKS) == 10 and all(t.endswith("-v4") for t in MUJOCO_TASKS)


def test_resolve_task_accepts_v4_v5_and_short_names_and_rejects_unknown():
    assert resolve_task("Hopper-v4") == "Hopper-v4"
    assert resolve_task("Hopper-v5") == "Hopper-v5"
    assert resolve_task("Hopper") == "Hopper-v4"
    with pytest.raises(UnknownTaskError, match="Hopper-v4"):
        resolve_task("Hoper-v4")


def test_float32_observations_and_seeded_resets():
    a, b = make_env("HalfCheetah-v4"), make_env("HalfCheetah-v4")
    oa, _ = a.reset(seed=3)
    ob, _ = b.reset(seed=3)
    assert oa.dtype == np.float32 and a.observation_space.dtype == np.float32
    np.testing.assert_array_equal(oa, ob)


def test_time_limit_is_truncation_not_termination():
    env = make_env("Reacher-v4", seed=0)  # 50-step limit, never terminates
    for t in range(50):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        assert not terminated
        assert truncated == (t == 49)


def test_vector_env_returns_final_obs_on_episode_end():
    env = make_vec_env("Reacher-v4", num_envs=2, seed=0)
    obs, _ = env.reset(seed=[0, 1])
    for _ in range(50):
        obs, _, _, truncated, info = env.step(np.zeros((2, 2), np.float32))
    assert truncated.all() and info["final_obs"][0].shape == (11,)
    assert not np.array_equal(info["final_obs"][0], obs[0])  # obs is already the reset one


def _wrapper(env, cls):
    while not isinstance(env, cls):
        env = env.env
    return env


def test_action_scaling_maps_the_unit_box_onto_the_bounds():
    from envs.make import ScaleFromUnit

    env = make_env("InvertedPendulum-v4", seed=0, action_scaling=True)  # bounds ±3
    assert env.action_space.low.tolist() == [-1.0] and env.action_space.high.tolist() == [1.0]
    scale = _wrapper(env, ScaleFromUnit)
    mapped = [scale.action(np.array([a], np.float32))[0] for a in (-5.0, -1.0, 0.5, 1.0, 7.0)]
    np.testing.assert_allclose(mapped, [-3.0, -3.0, 1.5, 3.0, 3.0])
    # where the bounds are ±1 the mapping is the plain clip: same steps, bit for bit
    a = make_env("HalfCheetah-v4", seed=0)
    b = make_env("HalfCheetah-v4", seed=0, action_scaling=True)
    rng = np.random.default_rng(0)
    for _ in range(20):
        act = rng.normal(scale=2.0, size=6).astype(np.float32)
        assert np.array_equal(a.step(act)[0], b.step(act)[0])


def test_actions_are_clipped_to_the_task_bounds_in_its_units():
    from envs.make import ClipToBounds

    env = make_env("Humanoid-v4", seed=0)  # bounds ±0.4, kept as the action space
    np.testing.assert_allclose(env.action_space.high, 0.4)
    clip = _wrapper(env, ClipToBounds)
    rng = np.random.default_rng(0)
    act = rng.normal(scale=1.0, size=17).astype(np.float32)
    act[0] = np.nan  # passes through as NaN, as np.clip leaves it
    out = clip.action(act)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.clip(act, -0.4, 0.4).astype(np.float32))


@pytest.mark.parametrize("task", ["Humanoid-v4", "HalfCheetah-v4"])
def test_unit_actions_are_clipped_as_np_clip_then_mapped(task):
    from envs.make import ScaleFromUnit

    env = make_env(task, seed=0, action_scaling=True)
    scale = _wrapper(env, ScaleFromUnit)
    box = scale.env.action_space
    rng = np.random.default_rng(0)
    act = rng.normal(scale=1.5, size=box.shape).astype(np.float32)
    act[0] = np.nan
    out = scale.action(act)
    unit = np.clip(act, -1.0, 1.0)
    expected = (
        unit if task == "HalfCheetah-v4" else box.low + (unit + 1.0) * (box.high - box.low) / 2
    )
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("task", ["Humanoid-v4", "HumanoidStandup-v5"])
def test_zeroed_contact_forces_are_the_trailing_cfrc_ext_block_and_nothing_else(task):
    # Gymnasium computes cfrc_ext and observes it last; "zeroed" gives the zeros mujoco-py 2.x
    # observed there, same size, same dynamics and reward
    observed = make_env(task, seed=0)
    zeroed = make_env(task, seed=0, contact_forces="zeroed")
    n = 84 if task.endswith("v4") else 78  # 6 per body (v5 leaves out the world body)
    rng = np.random.default_rng(0)
    saw_contact = False
    for _ in range(30):
        act = rng.uniform(-0.4, 0.4, observed.action_space.shape).astype(np.float32)
        o, r, *_ = observed.step(act)
        z, rz, *_ = zeroed.step(act)
        assert z.shape == o.shape and r == rz
        forces = observed.unwrapped.data.cfrc_ext.flat[-n:]
        np.testing.assert_array_equal(o[-n:], forces.astype(np.float32))
        np.testing.assert_array_equal(z[:-n], o[:-n])
        assert not z[-n:].any()
        saw_contact |= bool(np.abs(o[-n:]).max() > 1.0)
    assert saw_contact  # the block compared really holds forces (the body lands within 30 steps)


def test_contact_forces_zeroed_elsewhere_or_misspelt_is_a_clear_error():
    with pytest.raises(ValueError, match="needs a task that observes contact forces.*Hopper-v4"):
        make_env("Hopper-v4", contact_forces="zeroed")
    with pytest.raises(ValueError, match="contact_forces must be one of"):
        make_env("Humanoid-v4", contact_forces="zero")
