import dataclasses
from pathlib import Path

import pytest
import yaml

from algos import load_algo
from sweeps.config import (
    ConfigError,
    algo_keys,
    available_algos,
    check_existing_run,
    validate,
)

CONF = Path(__file__).resolve().parent.parent / "sweeps" / "conf"


def base_cfg(**over):
    algo = yaml.safe_load((CONF / "algo" / "ppo.yaml").read_text())
    cfg = {
        "algo": algo,
        "task": "InvertedPendulum-v4",
        "seed": 0,
        "steps": 1000,
        "suite": "t",
        "results_dir": "/tmp/x",
        "eval_every": 100,
        "eval_episodes": 2,
        "threads": 1,
    }
    cfg.update(over)
    return cfg


@pytest.mark.parametrize("name", available_algos())
def test_algo_yaml_lists_every_hyperparameter_with_the_dataclass_defaults(name):
    values = yaml.safe_load((CONF / "algo" / f"{name}.yaml").read_text())
    assert values.pop("name") == name
    defaults = dataclasses.asdict(load_algo(name).Config())
    assert values == defaults
    assert algo_keys(name) == sorted(defaults)  # what sweeps.train checks overrides against


def test_valid_config_builds_a_spec():
    spec = validate(base_cfg(task="Hopper"))
    assert spec.task == "Hopper-v4" and spec.algo == "ppo"
    assert spec.run_dir == Path("/tmp/x/t/ppo/Hopper-v4/seed_0")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"algo": {"name": "nope"}}, "unknown algorithm 'nope'; available: .*ppo"),
        ({"task": "Hoper-v4"}, "unknown task 'Hoper-v4'.*Hopper-v4"),
        # registered, but needs mujoco-py: refused before training, in one line
        ({"task": "Hopper-v3"}, "task Hopper-v3 cannot be built here: ImportError"),
        # builds, but its state cannot be checkpointed: refused before the first checkpoint
        (
            {"task": "FrozenLake-v1", "algo": {"name": "dqn"}},
            "task FrozenLake-v1 cannot be checkpointed",
        ),
        ({"steps": 0}, "steps must be >= 1"),
        ({"steps": -5}, "steps must be >= 1"),
        ({"steps": "many"}, "steps must be an integer"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"eval_episodes": 0}, "eval_episodes must be >= 1"),
        ({"suite": "../x"}, "suite must be a plain folder name"),
        ({"contact_forces": "off"}, "contact_forces must be one of observed, zeroed, got 'off'"),
        (
            {"contact_forces": "zeroed"},
            "contact_forces=zeroed needs a task that observes contact forces.*InvertedPendulum",
        ),
    ],
)
def test_bad_run_settings_are_clear_errors(override, message):
    with pytest.raises(ConfigError, match=message):
        validate(base_cfg(**override))


@pytest.mark.parametrize(
    ("hp", "message"),
    [
        ({"learning_rat": 1e-3}, "unknown hyperparameter.*learning_rat.*valid: .*learning_rate"),
        ({"learning_rate": "fast"}, "algo.learning_rate must be a number"),
        ({"epochs": 2.5}, "algo.epochs must be an integer"),
        ({"anneal_lr": "yes"}, "algo.anneal_lr must be true or false"),
        ({"gamma": 1.5}, "gamma must be in \\[0, 1\\]"),
        ({"clip_range": 0}, "clip_range must be > 0"),
        ({"hidden_sizes": [64, "x"]}, "hidden_sizes\\[1\\] must be an integer"),
        ({"anneal_steps": 500}, "algo.anneal_steps=500 is shorter than the run \\(steps=1000\\)"),
    ],
)
def test_bad_hyperparameters_are_clear_errors(hp, message):
    cfg = base_cfg()
    cfg["algo"].update(hp)
    with pytest.raises(ConfigError, match=message):
        validate(cfg)


def test_folders_written_before_a_field_existed_stay_resumable(tmp_path):
    # runs made before ``algo.anneal_steps`` / ``eval_stochastic`` existed have neither key;
    # they annealed over the run, i.e. anneal_steps 0 (PPO's default is 3M now)
    cfg = base_cfg(results_dir=str(tmp_path))
    cfg["algo"]["anneal_steps"] = 0
    cfg["algo"]["action_scaling"] = False  # PPO maps actions by default since 2026-12-02
    spec = validate(cfg)
    old = spec.to_dict()
    del old["algo"]["anneal_steps"], old["algo"]["action_scaling"], old["eval_stochastic"]
    spec.run_dir.mkdir(parents=True)
    (spec.run_dir / "config.yaml").write_text(yaml.safe_dump(old))
    assert check_existing_run(spec) is None  # accepted: made the way anneal_steps 0 runs
    today = base_cfg(results_dir=str(tmp_path))
    today["algo"]["action_scaling"] = False
    with pytest.raises(ConfigError, match="algo.anneal_steps"):  # not today's default, 3M
        check_existing_run(validate(today))
    cfg["algo"]["action_scaling"] = True  # before the field, actions were never mapped
    with pytest.raises(ConfigError, match="algo.action_scaling"):
        check_existing_run(validate(cfg))
    del old["algo"]["log_std_init"]  # any other missing field is a difference
    (spec.run_dir / "config.yaml").write_text(yaml.safe_dump(old))
    with pytest.raises(ConfigError, match="algo.log_std_init"):
        check_existing_run(spec)


def test_action_scaling_is_no_difference_where_the_bounds_are_unit(tmp_path):
    # PPO maps actions by default since 2026-12-02; on ±1 tasks the mapping is the clip alone,
    # so the runs made before stay done there, and are refused where the bounds differ
    for task, refused in (("Hopper-v4", False), ("InvertedPendulum-v4", True)):
        cfg = base_cfg(results_dir=str(tmp_path), task=task)
        cfg["algo"]["action_scaling"] = False
        old = validate(cfg)
        old.run_dir.mkdir(parents=True)
        (old.run_dir / "config.yaml").write_text(yaml.safe_dump(old.to_dict()))
        (old.run_dir / "summary.json").write_text('{"status": "done"}')
        today = validate(base_cfg(results_dir=str(tmp_path), task=task))
        assert today.algo_config.action_scaling
        if refused:
            with pytest.raises(ConfigError, match="algo.action_scaling"):
                check_existing_run(today)
        else:
            assert check_existing_run(today) == "done"


def test_folders_written_before_contact_forces_existed_observed_them(tmp_path):
    from sweeps.config import env_options

    cfg = base_cfg(results_dir=str(tmp_path), task="Humanoid-v4")
    spec = validate(cfg)
    assert spec.contact_forces == "observed"
    old = spec.to_dict()
    del old["contact_forces"]
    assert env_options(old)["contact_forces"] == "observed"  # evaluate/video on an old folder
    spec.run_dir.mkdir(parents=True)
    (spec.run_dir / "config.yaml").write_text(yaml.safe_dump(old))
    assert check_existing_run(spec) is None
    zeroed = validate({**cfg, "contact_forces": "zeroed"})
    assert env_options(zeroed.to_dict())["contact_forces"] == "zeroed"
    with pytest.raises(ConfigError, match="contact_forces: folder has 'observed'"):
        check_existing_run(zeroed)
