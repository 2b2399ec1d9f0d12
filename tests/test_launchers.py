"""The same sweep through other Hydra launchers: submitit (local) and a real Ray head."""

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def sweep_args(name, results):
    return [
        "-m",
        "sweeps.train",
        "-m",
        f"algo={name}",
        "task=Reacher-v4",
        "seed=0,1",
        "steps=100",
        "eval_every=100",
        "eval_episodes=1",
        f"results_dir={results}",
        "suite=l",
    ]


def statuses(results, name):
    runs = Path(results) / "l" / name / "Reacher-v4"
    return [json.loads((runs / f"seed_{s}" / "summary.json").read_text())["status"] for s in (0, 1)]


def test_submitit_local_launcher(cli, tmp_path, toy_algo):
    name = toy_algo("toy_submitit")
    out = cli(*sweep_args(name, tmp_path), "hydra/launcher=submitit_local")
    assert out.returncode == 0, out.stderr[-3000:]
    assert statuses(tmp_path, name) == ["done", "done"]


@pytest.fixture
def ray_head(tmp_path):
    ray = BIN / "ray"
    if not ray.exists():
        pytest.fail("ray is not installed: `pip install -e .[test]` installs hydra-ray-launcher")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = subprocess.run(
        [
            str(ray),
            "start",
            "--head",
            "--node-ip-address=127.0.0.1",
            f"--port={port}",
            "--num-cpus=2",
            "--include-dashboard=false",
            "--disable-usage-stats",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert start.returncode == 0, start.stderr[-2000:]
    yield f"127.0.0.1:{port}"
    subprocess.run([str(ray), "stop", "--force"], capture_output=True, timeout=120)
    shutil.rmtree(tmp_path / "ray", ignore_errors=True)


def test_ray_launcher_on_a_running_head(cli, tmp_path, toy_algo, ray_head):
    name = toy_algo("toy_ray")
    out = cli(
        *sweep_args(name, tmp_path),
        "hydra/launcher=ray",
        f"+hydra.launcher.ray.init.address={ray_head}",
        "+hydra.launcher.ray.init.object_store_memory=null",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert statuses(tmp_path, name) == ["done", "done"]
