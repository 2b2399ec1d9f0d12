"""Render a run's saved policy to an animated GIF with MuJoCo's offscreen renderer.

    python -m sweeps.video RUN_DIR [--out RUN_DIR/video.gif] [--seed 0] [--max-steps 1000]
        [--every 2]

Headless rendering needs EGL (Debian: ``libegl1``, ``libgl1``; ``MUJOCO_GL=egl``, the default
here) or OSMesa (``libosmesa6``; ``MUJOCO_GL=osmesa``). TensorFlow and an EGL context do not
mix in one process (importing TF next to a live EGL context crashes it), so the policy is rolled
out first, recording MuJoCo's state at each step, and a child process without TensorFlow
renders those states.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("PYOPENGL_PLATFORM", os.environ["MUJOCO_GL"])


def rollout_states(
    task: str, policy, seed: int, max_steps: int, options: dict | None = None
) -> tuple[np.ndarray, float]:
    """MuJoCo integration states of one deterministic episode (TF process, no rendering)."""
    import mujoco

    from envs import make_env
    from sweeps.evaluate import act

    env = make_env(task, **(options or {}))
    raw = env.unwrapped
    kind = mujoco.mjtState.mjSTATE_INTEGRATION
    size = mujoco.mj_stateSize(raw.model, kind)

    def snapshot() -> np.ndarray:
        buf = np.empty(size)
        mujoco.mj_getState(raw.model, raw.data, buf, kind)
        return buf

    obs, _ = env.reset(seed=seed)
    states, total, done = [snapshot()], 0.0, False
    while not done and len(states) <= max_steps:
        obs, reward, terminated, truncated, _ = env.step(act(policy, obs))
        total += float(reward)
        states.append(snapshot())
        done = terminated or truncated
    env.close()
    return np.stack(states), total


def render_states(task: str, states_file: Path, out: Path, every: int) -> int:
    """Child process: render recorded states to a GIF (no TensorFlow imported here)."""
    import mujoco
    from PIL import Image

    from envs import make_env

    states = np.load(states_file)
    try:
        env = make_env(task, render_mode="rgb_array")
        env.reset(seed=0)
        raw = env.unwrapped
        kind = mujoco.mjtState.mjSTATE_INTEGRATION
        frames = []
        for state in states[::every]:
            mujoco.mj_setState(raw.model, raw.data, state, kind)
            mujoco.mj_forward(raw.model, raw.data)
            frames.append(Image.fromarray(env.render()))
    except Exception as err:  # no GL context: say what to install
        print(
            f"error: cannot render {task} offscreen with MUJOCO_GL={os.environ['MUJOCO_GL']} "
            f"({type(err).__name__}: {err}); install EGL (apt-get install libegl1 libgl1) or "
            "OSMesa (apt-get install libosmesa6, then MUJOCO_GL=osmesa)",
            file=sys.stderr,
        )
        return 2
    fps = env.metadata.get("render_fps", 50) / every
    frames[0].save(out, save_all=True, append_images=frames[1:], duration=int(1000 / fps), loop=0)
    env.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sweeps.video",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-steps", type=int, default=1000)
    parser.add_argument("--every", type=int, default=2, help="keep every k-th frame")
    parser.add_argument("--render-states", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--task", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = args.out or args.run_dir / "video.gif"
    if args.render_states:
        return render_states(args.task, args.render_states, out, args.every)

    from sweeps.evaluate import load_run

    task, policy, options = load_run(args.run_dir)
    states, total = rollout_states(task, policy, args.seed, args.max_steps, options)
    with tempfile.TemporaryDirectory() as tmp:
        states_file = Path(tmp) / "states.npy"
        np.save(states_file, states)
        rc = subprocess.call(
            [
                sys.executable,
                "-m",
                "sweeps.video",
                str(args.run_dir),
                "--render-states",
                str(states_file),
                "--task",
                task,
                "--out",
                str(out),
                "--every",
                str(args.every),
            ]
        )
    if rc == 0:
        print(f"wrote {out}: {len(states) - 1} steps, return {total:.1f}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
