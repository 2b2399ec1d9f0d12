import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, cwd: Path = REPO, timeout: int = 600, tf_log_level: str | None = "2"
) -> subprocess.CompletedProcess:
    """Run ``python <args>`` from the repository root with one TF thread (``tf_log_level=None``:
    TensorFlow's log level unset, as in a plain shell)."""
    env = {**os.environ, "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    if tf_log_level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = tf_log_level
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def algo_config():
    """The committed YAML hyperparameters of an algorithm, as the harness would load them."""
    import yaml

    def load(name: str, **overrides):
        values = yaml.safe_load((REPO / "sweeps" / "conf" / "algo" / f"{name}.yaml").read_text())
        values.update(overrides)
        return values

    return load


@pytest.fixture
def toy_algo():
    """Install tests/toy/toy.py as ``algos/<name>.py`` plus ``sweeps/conf/algo/<name>.yaml``.

    This is exactly what adding an algorithm takes: one module and one config, no other edit.
    """
    import dataclasses
    import importlib
    import shutil

    import yaml

    installed = []

    def install(name: str, **overrides) -> str:
        module = REPO / "algos" / f"{name}.py"
        config = REPO / "sweeps" / "conf" / "algo" / f"{name}.yaml"
        shutil.copy(REPO / "tests" / "toy" / "toy.py", module)
        installed.extend([module, config])
        toy = importlib.import_module("tests.toy.toy")
        values = {"name": name, **dataclasses.asdict(toy.Config()), **overrides}
        config.write_text(yaml.safe_dump(values, sort_keys=False))
        return name

    yield install
    for path in installed:
        path.unlink(missing_ok=True)


def random_batch(n: int, obs_dim: int, act_dim: int, seed: int = 0) -> dict:
    """An off-policy batch of random transitions, none terminated."""
    rng = np.random.default_rng(seed)
    return {
        "obs": rng.normal(size=(n, obs_dim)),
        "actions": rng.uniform(-1, 1, (n, act_dim)),
        "rewards": rng.normal(size=n),
        "next_obs": rng.normal(size=(n, obs_dim)),
        "terminated": np.zeros(n),
    }
