"""Turn a Hydra config into a validated run specification, or one clear error."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from envs import action_kind, check_usable, resolve_task
from envs.make import check_contact_forces
from envs.registry import UnknownTaskError

CONF_DIR = Path(__file__).parent / "conf"
RUN_KEYS = (
    "checkpoint_every",
    "algo",
    "task",
    "seed",
    "steps",
    "suite",
    "results_dir",
    "eval_every",
    "eval_episodes",
    "threads",
    "eval_stochastic",
    "contact_forces",
)

# Settings that may differ between the sessions of one run without changing its results.
NOT_COMPARED = ("results_dir", "threads", "checkpoint_every", "eval_stochastic")


class ConfigError(ValueError):
    """A user mistake in the configuration: reported as one line, before any training."""


def available_algos() -> list[str]:
    """Algorithms with a config in ``sweeps/conf/algo/`` (each backed by ``algos/<name>.py``)."""
    return sorted(p.stem for p in (CONF_DIR / "algo").glob("*.yaml"))


def algo_keys(name: str) -> list[str]:
    """The hyperparameter names of ``sweeps/conf/algo/<name>.yaml``, read without TensorFlow (the
    same names as the algorithm's ``Config``, tested)."""
    import yaml

    values = yaml.safe_load((CONF_DIR / "algo" / f"{name}.yaml").read_text()) or {}
    return sorted(set(values) - {"name"})


def unknown_hyperparameter(name: str, keys: list[str], valid: list[str]) -> str:
    """The one-line error for ``algo.<key>`` names not among ``valid``, each with its nearest."""
    import difflib

    def named(key: str) -> str:
        near = difflib.get_close_matches(key, valid, n=2)
        return f"{key} (did you mean {' or '.join(near)}?)" if near else key

    unknown = ", ".join(named(k) for k in keys)
    return f"unknown hyperparameter(s) for {name}: {unknown}; valid: {', '.join(valid)}"


@dataclass(frozen=True)
class RunSpec:
    algo: str
    algo_module: ModuleType
    algo_config: Any  # the algorithm's Config dataclass instance
    task: str
    seed: int
    steps: int
    suite: str
    results_dir: Path
    eval_every: int
    eval_episodes: int
    threads: int
    checkpoint_every: int = 50_000
    eval_stochastic: bool = True  # also evaluate a stochastic policy by sampling (own RNG)
    contact_forces: str = "observed"  # "zeroed": Humanoid(-Standup) as mujoco-py 2.x observed them

    @property
    def run_dir(self) -> Path:
        return self.results_dir / self.suite / self.algo / self.task / f"seed_{self.seed}"

    def comparable_dict(self) -> dict[str, Any]:
        """The settings that decide a run's results (not where it is written or how fast)."""
        out = self.to_dict()
        for key in NOT_COMPARED:
            out.pop(key, None)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration, as written to ``config.yaml``."""
        return {
            "algo": {"name": self.algo, **dataclasses.asdict(self.algo_config)},
            "task": self.task,
            "seed": self.seed,
            "steps": self.steps,
            "suite": self.suite,
            "results_dir": str(self.results_dir),
            "eval_every": self.eval_every,
            "eval_episodes": self.eval_episodes,
            "threads": self.threads,
            "checkpoint_every": self.checkpoint_every,
            "eval_stochastic": self.eval_stochastic,
            "contact_forces": self.contact_forces,
        }


def _check_type(where: str, value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where} must be a list of {item.__name__}, got {value!r}")
        return [_check_type(f"{where}[{i}]", v, item) for i, v in enumerate(value)]
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        return value
    return value


def build_algo_config(name: str, module: ModuleType, values: dict[str, Any]) -> Any:
    """The algorithm's ``Config`` from YAML values: unknown keys, wrong types, bad ranges fail."""
    cls = module.Config
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise ConfigError(unknown_hyperparameter(name, unknown, sorted(fields)))
    checked = {k: _check_type(f"algo.{k}", v, hints[k]) for k, v in values.items()}
    try:
        return cls(**checked)
    except (ValueError, TypeError) as err:
        raise ConfigError(f"invalid {name} hyperparameters: {err}") from None


def _int(cfg: dict, key: str, minimum: int) -> int:
    value = cfg.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{key} must be an integer, got {value!r}")
    if value < minimum:
        raise ConfigError(f"{key} must be >= {minimum}, got {value}")
    return value


def _bool(cfg: dict, key: str) -> bool:
    value = cfg.get(key)
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false, got {value!r}")
    return value


def validate(cfg: dict[str, Any]) -> RunSpec:
    """Check a plain-dict run config (Hydra's, resolved) and load the algorithm."""
    unknown = sorted(set(cfg) - set(RUN_KEYS))
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}; valid: {', '.join(RUN_KEYS)}")
    algo_values = dict(cfg["algo"])
    name = algo_values.pop("name", None)
    if name not in available_algos():
        raise ConfigError(f"unknown algorithm {name!r}; available: {', '.join(available_algos())}")
    from sweeps.quiet import load_algo  # TensorFlow without its notices: errors stay one line

    module = load_algo(name)
    from algos.onpolicy import check_anneal_horizon  # after load_algo: it imports TensorFlow

    algo_config = build_algo_config(name, module, algo_values)
    try:
        task = resolve_task(str(cfg["task"]))
        check_usable(task)
    except (UnknownTaskError, ValueError) as err:
        raise ConfigError(str(err)) from None
    kind = action_kind(task)
    if kind != module.Agent.action_kind:
        raise ConfigError(
            f"{name} cannot act in {task}: {name} needs {module.Agent.action_kind} actions, "
            f"{task} has {kind} actions"
        )
    suite = str(cfg["suite"])
    if not suite or "/" in suite or suite.startswith("."):
        raise ConfigError(f"suite must be a plain folder name, got {suite!r}")
    steps = _int(cfg, "steps", 1)
    contact_forces = cfg.get("contact_forces", "observed")
    try:
        check_contact_forces(contact_forces, task)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    try:
        check_anneal_horizon(algo_config, steps)  # before any run folder is written
    except ValueError as err:
        raise ConfigError(f"algo.{err}") from None
    return RunSpec(
        algo=name,
        algo_module=module,
        algo_config=algo_config,
        task=task,
        seed=_int(cfg, "seed", 0),
        steps=steps,
        suite=suite,
        results_dir=Path(str(cfg["results_dir"])),
        eval_every=_int(cfg, "eval_every", 1),
        eval_episodes=_int(cfg, "eval_episodes", 1),
        threads=_int(cfg, "threads", 0),
        checkpoint_every=_int(cfg, "checkpoint_every", 0) if "checkpoint_every" in cfg else 50_000,
        eval_stochastic=_bool(cfg, "eval_stochastic") if "eval_stochastic" in cfg else True,
        contact_forces=contact_forces,
    )


def check_existing_run(spec: RunSpec) -> str | None:
    """Compare a run folder's ``config.yaml`` with ``spec``; return its status if it has one.

    Raises :class:`ConfigError` when the folder was made with other settings: resuming or
    skipping it would silently mix two configurations under one name.
    """
    import json

    import yaml

    config_path = spec.run_dir / "config.yaml"
    if config_path.is_file():
        try:
            existing = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as err:
            raise ConfigError(
                f"{config_path} is unreadable ({err}); move the folder away"
            ) from None
        if not isinstance(existing, dict):
            raise ConfigError(f"{config_path} is not a mapping; move the folder away")
        for key in NOT_COMPARED:
            existing.pop(key, None)
        _fill_added_fields(existing, spec)
        wanted = spec.comparable_dict()
        _drop_identity_mapping(existing, wanted, spec.task)
        diffs = _differences(existing, wanted)
        if diffs:
            raise ConfigError(
                f"{spec.run_dir} was made with other settings ({'; '.join(diffs[:5])}); "
                "use another suite= or results_dir=, or delete that folder"
            )
    summary_path = spec.run_dir / "summary.json"
    if summary_path.is_file():
        try:
            return json.loads(summary_path.read_text(encoding="utf-8")).get("status")
        except (OSError, ValueError, AttributeError):
            return None
    return None


# Run settings added after run folders were written, with the value that reproduces what the
# code did before the setting existed.
ADDED_RUN_KEYS: dict[str, Any] = {"contact_forces": "observed"}


def env_options(config: dict[str, Any]) -> dict[str, Any]:
    """The ``envs.make_env`` / ``make_vec_env`` keywords of a run's configuration.

    ``config`` is the run's resolved configuration (``RunSpec.to_dict``, a folder's
    ``config.yaml``). One place for training (the runner) and for reloading a saved run
    (evaluate, video), so a policy always meets the action and observation spaces it was trained
    in; a key a folder predates takes the value that reproduces what the code did then.
    """
    algo = config.get("algo") if isinstance(config.get("algo"), dict) else {}
    return {
        "action_scaling": bool(algo.get("action_scaling", False)),
        "contact_forces": str(config.get("contact_forces", ADDED_RUN_KEYS["contact_forces"])),
    }


# Algorithm fields added after run folders were written, with the value that reproduces what
# the code did before the field existed. A folder without the key was made that way, whatever
# the field's default is now (PPO's anneal_steps default became 3M later).
ADDED_ALGO_FIELDS: dict[str, Any] = {
    "anneal_steps": 0,
    "scale_value_targets": False,
    "action_scaling": False,
    "target_kl": 0.0,
}


def _fill_added_fields(existing: dict[str, Any], spec: RunSpec) -> None:
    """Give a folder's config the old-behaviour values of settings and fields added since.

    A folder written before e.g. ``anneal_steps`` existed annealed over the run (``0``), so it
    stays resumable and skippable under a config that says ``0``, and is refused under one that
    says otherwise. Other missing fields stay missing and show up as differences.
    """
    for key, old_value in ADDED_RUN_KEYS.items():
        existing.setdefault(key, old_value)
    algo = existing.get("algo")
    if not isinstance(algo, dict):
        return
    fields = {f.name for f in dataclasses.fields(spec.algo_config)}
    for name, old_value in ADDED_ALGO_FIELDS.items():
        if name in fields:
            algo.setdefault(name, old_value)


def _drop_identity_mapping(existing: dict[str, Any], wanted: dict[str, Any], task: str) -> None:
    """``algo.action_scaling`` is not a difference where the task's bounds are ±1.

    There the mapping is the clip alone, bit for bit (``envs.make.ScaleFromUnit``): a run made
    before PPO's default changed on such a task is the run today's default makes.
    """
    old_algo, new_algo = existing.get("algo"), wanted.get("algo")
    if not (isinstance(old_algo, dict) and isinstance(new_algo, dict)):
        return
    if old_algo.get("action_scaling") == new_algo.get("action_scaling"):
        return
    from envs.make import maps_actions

    if not maps_actions(task):
        old_algo.pop("action_scaling", None)
        new_algo.pop("action_scaling", None)


def _differences(old: Any, new: Any, prefix: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            out += _differences(old.get(key), new.get(key), f"{prefix}{key}.")
        return out
    if old != new:
        return [f"{prefix.rstrip('.')}: folder has {old!r}, command asks {new!r}"]
    return []
