"""Training speed: env steps per second of our agents, and of Stable-Baselines3's, on one task.

    python -m sweeps.perf [--algos ppo,a2c,trpo] [--steps 30000] [--task HalfCheetah-v4]
                          [--threads 1] [--no-peers] [--no-ceilings] [--rounds 1]

For each algorithm this trains a fresh agent for ``--steps`` env steps in a subprocess of its
own (one TensorFlow thread) and reports the **training** env steps per second, evaluation
excluded, measured after a warm-up (the first update, where graphs are traced and compiled):
the rate a long run settles at. The full rate of the short run, warm-up included, is shown too,
and so is the rate per CPU-second of the training process (``time.process_time``), which load
from other processes on a shared machine does not distort (it leaves out subprocess envs).

When ``.venv-sb3/bin/python`` exists (``make peers``), the same script then runs in that
environment the Stable-Baselines3 / SB3-contrib equivalent of each algorithm with the same
hyperparameters (read from ``sweeps/conf/algo/<algo>.yaml``; one torch thread, CPU), one after
the other, and prints the ratios. Algorithms without a config here are skipped with a note.

``--rounds N`` repeats each pair of measurements N times, ours and SB3 alternating, and reports
the median of each figure: on a shared (virtual) machine the speed of both sides drifts by 10-20%
from one minute to the next, and one pair can catch the two sides in different conditions.

Then it measures what this CPU allows on the task (``sweeps/ceilings.py``: ``env.step`` per
CPU-second, and the matrix multiplies of each off-policy update at this CPU's matmul rate) and
prints each algorithm's ceiling beside its measured rate: the fastest any implementation could
train here, so ``ceiling / SB3`` is the largest ratio to SB3 that is possible at all.

Finally it estimates the wall time of the whole ``bench`` suite on this machine: every
algorithm measured × tasks × seeds × steps, at the measured rates (HalfCheetah's rate stands
in for every task), plus evaluation, divided across the cores.

This module imports only the standard library at the top: the SB3 side runs it as a script
(``.venv-sb3/bin/python sweeps/perf.py --worker sb3 ...``) without the project installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONF_ALGO = REPO / "sweeps" / "conf" / "algo"
SB3_PYTHON = REPO / ".venv-sb3" / "bin" / "python"
DEFAULT_ALGOS = ("ppo", "a2c", "trpo", "ddpg", "td3", "sac")
# off-policy agents: learning starts early in a perf run, so it measures the training phase
PERF_LEARNING_STARTS = 1000


def _load_yaml(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text())


def _thread_env(threads: int) -> dict[str, str]:
    t = str(threads)
    return {
        **os.environ,
        "TF_NUM_INTRAOP_THREADS": t,
        "TF_NUM_INTEROP_THREADS": t,
        "OMP_NUM_THREADS": t,
        "MKL_NUM_THREADS": t,
        "OPENBLAS_NUM_THREADS": t,
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def _warmup_steps(hp: dict) -> int:
    """Env steps after which the rate is measured: the first update has happened by then."""
    if "learning_starts" in hp:
        return int(hp["learning_starts"]) + 1000
    return int(hp.get("rollout_steps", 2048)) * int(hp.get("num_envs", 1))


# -- our agents ---------------------------------------------------------------------------
def worker_ours(algo: str, task: str, steps: int, threads: int, hp: dict) -> dict:
    """Train one of our agents through the harness's Run (evaluation effectively off)."""
    import tempfile

    from sweeps.config import validate
    from sweeps.runner import Run, configure_threads, eval_seeds, evaluate

    configure_threads(threads)
    warm = _warmup_steps(hp)
    with tempfile.TemporaryDirectory() as tmp:
        spec = validate(
            {
                "algo": {"name": algo, **hp},
                "task": task,
                "seed": 0,
                "steps": warm + steps,
                "suite": "perf",
                "results_dir": tmp,
                "eval_every": 10**12,
                "eval_episodes": 1,
                "threads": threads,
            }
        )
        run = Run(spec, log=lambda _msg: None)
        mark: dict[str, float] = {}
        after_update = run.after_update

        def timed_after_update(stats: dict[str, float]) -> None:
            after_update(stats)
            if "t0" not in mark and run.step >= warm:
                mark["t0"], mark["s0"], mark["c0"] = run.train_time, run.step, time.process_time()
            mark["c1"], mark["s1"] = time.process_time(), run.step

        run.after_update = timed_after_update  # type: ignore[method-assign]
        summary = run.execute()
        if summary["status"] != "done":
            raise RuntimeError(f"{algo} failed: {summary['reason']}")
        total_time = summary["train_time_s"]
        steady = (summary["steps"] - mark["s0"]) / (total_time - mark["t0"])
        # one evaluation as the bench suite runs it: 10 episodes on 10 envs, deterministic
        from envs import make_vec_env

        eval_env = make_vec_env(task, 10, 1)
        t0, c0 = time.perf_counter(), time.process_time()
        evaluate(run.agent, eval_env, eval_seeds(0, 0, 10))
        eval_s, eval_cpu_s = time.perf_counter() - t0, time.process_time() - c0
        eval_env.close()
    return {
        "steps_per_s": steady,
        "full_steps_per_s": summary["steps"] / total_time,
        "cpu_steps_per_s": (mark["s1"] - mark["s0"]) / (mark["c1"] - mark["c0"]),
        "steps": summary["steps"],
        "eval_s": eval_s,
        "eval_cpu_s": eval_cpu_s,
    }


# -- Stable-Baselines3 --------------------------------------------------------------------
def worker_sb3(algo: str, task: str, steps: int, threads: int, hp: dict) -> dict:
    """Train SB3's equivalent of ``algo`` with ``hp`` (our hyperparameter names), timed alike."""
    import gymnasium as gym
    import numpy as np
    import torch
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import SubprocVecEnv, VecNormalize

    torch.set_num_threads(threads)
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[hp.get("activation", "tanh")]
    hidden = list(hp.get("hidden_sizes", [64, 64]))
    warm = _warmup_steps(hp)
    on_policy = algo in ("ppo", "a2c", "trpo")
    n_envs = int(hp.get("num_envs", 1))
    vec_cls = SubprocVecEnv if hp.get("async_envs") else None
    env = make_vec_env(task, n_envs=n_envs, seed=0, vec_env_cls=vec_cls)
    if on_policy and (hp.get("normalize_obs", True) or hp.get("scale_rewards", True)):
        env = VecNormalize(
            env,
            norm_obs=hp.get("normalize_obs", True),
            norm_reward=hp.get("scale_rewards", True),
            gamma=hp.get("gamma", 0.99),
        )

    def linear(lr: float, anneal: bool):
        return (lambda progress: progress * lr) if anneal else lr

    common = {"gamma": hp.get("gamma", 0.99), "seed": 0, "device": "cpu", "verbose": 0}
    if algo == "ppo":
        from stable_baselines3 import PPO

        n_mb = int(hp["num_minibatches"])
        model = PPO(
            "MlpPolicy",
            env,
            learning_rate=linear(hp["learning_rate"], hp.get("anneal_lr", False)),
            n_steps=int(hp["rollout_steps"]),
            batch_size=int(hp["rollout_steps"]) * n_envs // n_mb,
            n_epochs=int(hp["epochs"]),
            gae_lambda=hp["gae_lambda"],
            clip_range=hp["clip_range"],
            clip_range_vf=hp["clip_range"] if hp.get("clip_value_loss") else None,
            ent_coef=hp["entropy_coef"],
            vf_coef=hp["value_coef"],
            max_grad_norm=hp["max_grad_norm"],
            normalize_advantage=hp.get("normalize_advantages", True),
            policy_kwargs={
                "net_arch": {"pi": hidden, "vf": hidden},
                "activation_fn": act,
                "log_std_init": hp.get("log_std_init", 0.0),
                "optimizer_kwargs": {"eps": hp.get("adam_eps", 1e-5)},
            },
            **common,
        )
    elif algo == "a2c":
        from stable_baselines3 import A2C

        model = A2C(
            "MlpPolicy",
            env,
            learning_rate=linear(hp["learning_rate"], hp.get("anneal_lr", False)),
            n_steps=int(hp["rollout_steps"]),
            gae_lambda=hp["gae_lambda"],
            ent_coef=hp["entropy_coef"],
            vf_coef=hp["value_coef"],
            max_grad_norm=hp["max_grad_norm"],
            rms_prop_eps=hp.get("rms_eps", 1e-5),
            use_rms_prop=True,
            normalize_advantage=hp.get("normalize_advantages", False),
            policy_kwargs={
                "net_arch": {"pi": hidden, "vf": hidden},
                "activation_fn": act,
                "log_std_init": hp.get("log_std_init", 0.0),
                "optimizer_kwargs": {"alpha": hp.get("rms_alpha", 0.99), "eps": 1e-5},
            },
            **common,
        )
    elif algo == "trpo":
        from sb3_contrib import TRPO

        model = TRPO(
            "MlpPolicy",
            env,
            learning_rate=linear(hp["critic_lr"], hp.get("anneal_lr", False)),
            n_steps=int(hp["rollout_steps"]),
            batch_size=int(hp["critic_batch_size"]) or int(hp["rollout_steps"]) * n_envs,
            n_critic_updates=int(hp["critic_epochs"]),
            cg_max_steps=int(hp["cg_iters"]),
            cg_damping=hp["cg_damping"],
            line_search_shrinking_factor=hp["backtrack_coef"],
            line_search_max_iter=int(hp["backtrack_iters"]),
            gae_lambda=hp["gae_lambda"],
            target_kl=hp["max_kl"],
            normalize_advantage=hp.get("normalize_advantages", True),
            policy_kwargs={
                "net_arch": {"pi": hidden, "vf": hidden},
                "activation_fn": act,
                "log_std_init": hp.get("log_std_init", 0.0),
            },
            **common,
        )
    else:  # off-policy: DDPG, TD3, SAC with the same network sizes, batch and update rhythm
        import stable_baselines3 as sb3

        cls = {"ddpg": sb3.DDPG, "td3": sb3.TD3, "sac": sb3.SAC}[algo]
        kwargs = {
            "learning_starts": int(hp["learning_starts"]),
            "batch_size": int(hp.get("batch_size", 256)),
            "buffer_size": int(hp.get("buffer_size", 1_000_000)),
            "train_freq": 1,
            "gradient_steps": 1,
            "policy_kwargs": {"net_arch": hidden or [256, 256]},
        }
        if "tau" in hp:
            kwargs["tau"] = hp["tau"]
        if algo in ("ddpg", "td3"):
            from stable_baselines3.common.noise import NormalActionNoise

            dim = env.action_space.shape[0]
            sigma = float(hp.get("exploration_noise", 0.1))
            kwargs["action_noise"] = NormalActionNoise(np.zeros(dim), sigma * np.ones(dim))
        model = cls("MlpPolicy", env, **kwargs, **common)

    class Mark(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.t0: float | None = None
            self.s0 = 0

        def _on_step(self) -> bool:
            return True

        def _mark(self) -> None:
            if self.t0 is None and self.num_timesteps >= warm:
                self.t0, self.s0 = time.perf_counter(), self.num_timesteps
                self.c0 = time.process_time()

        def _on_rollout_start(self) -> None:  # after each update (on-policy and off-policy)
            self._mark()

    mark = Mark()
    start = time.perf_counter()
    model.learn(total_timesteps=warm + steps, callback=mark)
    end, cpu_end = time.perf_counter(), time.process_time()
    done = model.num_timesteps
    env.close()
    del gym
    return {
        "steps_per_s": (done - mark.s0) / (end - mark.t0) if mark.t0 else float("nan"),
        "full_steps_per_s": done / (end - start),
        "cpu_steps_per_s": (done - mark.s0) / (cpu_end - mark.c0) if mark.t0 else float("nan"),
        "steps": done,
    }


# -- driver -------------------------------------------------------------------------------
def _measure(side: str, python: str, algo: str, args: argparse.Namespace, hp: dict) -> dict:
    cmd = [
        python,
        str(Path(__file__).resolve()),
        "--worker",
        side,
        "--algos",
        algo,
        "--steps",
        str(args.steps),
        "--task",
        args.task,
        "--threads",
        str(args.threads),
        "--hp",
        json.dumps(hp),
    ]
    env = _thread_env(args.threads)
    env["PYTHONPATH"] = str(REPO) if side == "ours" else ""
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("PERF ")]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        return {"error": f"exit {proc.returncode}: {tail}"}
    return json.loads(lines[-1][5:])


def _hms(seconds: float) -> str:
    """``1h05m``; under an hour ``4m07s`` (an on-policy run can take less than a minute)."""
    h, rem = divmod(int(round(seconds)), 3600)
    if h == 0:
        return f"{rem // 60}m{rem % 60:02d}s"
    return f"{h}h{rem // 60:02d}m"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m sweeps.perf",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--algos", default=",".join(DEFAULT_ALGOS))
    p.add_argument("--steps", type=int, default=30_000, help="measured steps, after warm-up")
    p.add_argument("--task", default="HalfCheetah-v4")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-peers", action="store_true", help="skip Stable-Baselines3")
    p.add_argument("--no-ceilings", action="store_true", help="skip measuring what the CPU allows")
    p.add_argument(
        "--rounds", type=int, default=1, help="alternate ours and SB3 this many times; medians"
    )
    p.add_argument("--suite", default="bench", help="suite whose wall time to estimate")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="ALGO.KEY=VALUE",
        help="override a hyperparameter for both sides, e.g. a2c.num_envs=4 (YAML value)",
    )
    p.add_argument("--worker", choices=("ours", "sb3", "ceilings"), help=argparse.SUPPRESS)
    p.add_argument("--hp", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    algos = [a.strip() for a in args.algos.split(",") if a.strip()]
    if args.rounds < 1:
        p.error(f"--rounds must be at least 1, got {args.rounds}")

    if args.worker == "ceilings":
        from sweeps.ceilings import measure

        hp = json.loads(args.hp)
        out = measure(args.task, int(hp["batch_size"]), int(hp["hidden"]))
        print("PERF " + json.dumps(out), flush=True)
        return 0
    if args.worker:
        fn = worker_ours if args.worker == "ours" else worker_sb3
        out = fn(algos[0], args.task, args.steps, args.threads, json.loads(args.hp))
        print("PERF " + json.dumps(out), flush=True)
        return 0

    peers = SB3_PYTHON.exists() and not args.no_peers
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print(
        f"perf: {args.task}, {args.steps} measured training steps per algorithm after warm-up, "
        f"{args.threads} thread(s); {os.cpu_count()} cores, {cpu}",
        flush=True,
    )
    if not peers:
        why = "--no-peers" if args.no_peers else f"{SB3_PYTHON} missing (run `make peers`)"
        print(f"Stable-Baselines3 comparison skipped: {why}", flush=True)
    rows = []
    for algo in algos:
        path = CONF_ALGO / f"{algo}.yaml"
        if not path.exists():
            print(f"  {algo}: skipped, no sweeps/conf/algo/{algo}.yaml", flush=True)
            continue
        hp = _load_yaml(path)
        hp.pop("name", None)
        for item in args.set:
            key, _, value = item.partition("=")
            name, _, field = key.partition(".")
            if name == algo:
                import yaml

                hp[field] = yaml.safe_load(value)
        if any(k.partition(".")[0] == algo for k in args.set):
            print(f"  {algo}: with {', '.join(x for x in args.set if x.startswith(algo))}")
        if "learning_starts" in hp:
            hp["learning_starts"] = min(int(hp["learning_starts"]), PERF_LEARNING_STARTS)
        pairs = []
        for r in range(args.rounds):
            ours = _measure("ours", sys.executable, algo, args, hp)
            sb3 = _measure("sb3", str(SB3_PYTHON), algo, args, hp) if peers else None
            pairs.append((ours, sb3))
            if args.rounds > 1:
                print(f"  round {r + 1}/{args.rounds}:", end="")
                _print_row(algo, ours, sb3)
        ours = median_of([o for o, _ in pairs])
        sb3 = median_of([b for _, b in pairs]) if peers else None
        rows.append((algo, ours, sb3, hp))
        _print_row(algo, ours, sb3)

    print()
    print("training env steps/s after warm-up (wall clock); per CPU-second of the training")
    print("process in brackets, which other load on a shared machine does not distort")
    if args.rounds > 1:
        print(f"median of {args.rounds} rounds of each figure (ratios: of the medians)")
    header = (
        f"{'algo':<6} {'ours':>8} {'SB3':>8} {'ratio':>7} | "
        f"{'ours/CPU-s':>10} {'SB3/CPU-s':>10} {'ratio':>7} | {'ours, full run':>14}"
    )
    print(header)
    print("-" * len(header))
    for algo, ours, sb3, _ in rows:
        _print_row(algo, ours, sb3, table=True)
    if not args.no_ceilings:
        _print_ceilings(args, rows)
    _estimate_suite(args, [row[:3] for row in rows])
    return 0


def median_of(results: list[dict]) -> dict:
    """Each figure's median over rounds; the first failed round's error if any round failed."""
    import statistics

    failed = [r for r in results if "error" in r]
    if failed:
        return failed[0]
    return {k: statistics.median(r[k] for r in results) for k in results[0]}


def _rate(d: dict | None, key: str = "steps_per_s") -> str:
    if d is None:
        return "-"
    return "error" if "error" in d else f"{d[key]:.0f}"


def _ratio(ours: dict, sb3: dict | None, key: str = "steps_per_s") -> str:
    if not sb3 or "error" in sb3 or "error" in ours:
        return "-"
    return f"{ours[key] / sb3[key]:.2f}x"


def _print_row(algo: str, ours: dict, sb3: dict | None, table: bool = False) -> None:
    cpu = "cpu_steps_per_s"
    if table:
        print(
            f"{algo:<6} {_rate(ours):>8} {_rate(sb3):>8} {_ratio(ours, sb3):>7} | "
            f"{_rate(ours, cpu):>10} {_rate(sb3, cpu):>10} {_ratio(ours, sb3, cpu):>7} | "
            f"{_rate(ours, 'full_steps_per_s'):>14}"
        )
        return
    line = (
        f"  {algo}: ours {_rate(ours)} steps/s, SB3 {_rate(sb3)} steps/s, "
        f"ratio {_ratio(ours, sb3)} (per CPU-second: {_ratio(ours, sb3, cpu)})"
    )
    print(line, flush=True)
    for side, d in (("ours", ours), ("SB3", sb3)):
        if d and "error" in d:
            print(f"    {side} failed: {d['error']}", flush=True)


def ceiling_rows(rows: list, measured: dict) -> list[tuple[str, str, float]]:
    """(algo, what bounds it, ceiling in steps per CPU-second) for each measured algorithm:
    ``env.step`` alone for on-policy ones, plus the update's matmuls for DDPG, TD3 and SAC."""
    from sweeps.ceilings import COUNTED, update_flop

    out = []
    env_s = 1.0 / measured["env_steps_per_s"]
    for algo, _, _, hp in rows:
        if algo in COUNTED:
            flop = update_flop(algo, measured["obs_dim"], measured["act_dim"], hp)
            update_s = flop / (measured["matmul_gflop"] * 1e9)
            out.append(
                (algo, f"env.step + {flop / 1e9:.2f} GFLOP update", 1.0 / (env_s + update_s))
            )
        elif "learning_starts" not in hp:  # on-policy: the rollout's env.step bounds it
            out.append((algo, "env.step", 1.0 / env_s))
    return out


def _print_ceilings(args: argparse.Namespace, rows: list) -> None:
    """What this CPU allows, measured in a one-thread subprocess, beside the measured rates."""
    from sweeps.ceilings import COUNTED

    off = [hp for algo, _, _, hp in rows if algo in COUNTED]
    shape = {"batch_size": 256, "hidden": 256}
    if off:
        shape = {"batch_size": off[0]["batch_size"], "hidden": off[0]["hidden_sizes"][0]}
    one = argparse.Namespace(**{**vars(args), "threads": 1})
    measured = _measure("ceilings", sys.executable, "-", one, shape)
    if "error" in measured:
        print(f"\nceilings not measured: {measured['error']}")
        return
    physics = measured["physics_steps_per_s"]
    print(
        f"\nwhat this CPU allows, per CPU-second of one core (sweeps/ceilings.py):\n"
        f"  {args.task} env.step: {measured['env_steps_per_s']:.0f} steps/s"
        + (f" (MuJoCo physics alone: {physics:.0f})" if physics else "")
        + f"\n  float32 {shape['batch_size']}x{shape['hidden']} @ {shape['hidden']}x"
        f"{shape['hidden']} matmul: {measured['matmul_gflop']:.0f} GFLOP/s\n"
        "an algorithm's ceiling is the fastest any implementation could train here, so\n"
        "ceiling/SB3 (SB3 per CPU-second) is the largest ratio to SB3 possible at all:"
    )
    header = f"{'algo':<6} {'bound':<30} {'ceiling':>8} {'ours/ceiling':>12} {'ceiling/SB3':>11}"
    print(header)
    print("-" * len(header))
    by_algo = {algo: (ours, sb3) for algo, ours, sb3, _ in rows}
    for algo, bound, ceiling in ceiling_rows(rows, measured):
        ours, sb3 = by_algo[algo]
        mine = "-" if "error" in ours else f"{ours['cpu_steps_per_s'] / ceiling:.2f}"
        peer = "-" if not sb3 or "error" in sb3 else f"{ceiling / sb3['cpu_steps_per_s']:.2f}x"
        print(f"{algo:<6} {bound:<30} {ceiling:>8.0f} {mine:>12} {peer:>11}")


def _estimate_suite(args: argparse.Namespace, rows: list) -> None:
    """Wall time of the suite's runs of the measured algorithms, at the measured rates."""
    path = REPO / "sweeps" / "suites" / f"{args.suite}.yaml"
    if not path.exists():
        return
    if args.threads != 1:
        # the bench launcher runs one one-thread run per core, so rates at other thread counts
        # say nothing about its wall time (2 cores, AMD EPYC, 2026-12-06: one two-thread TD3
        # run trains 241 steps/s, two one-thread runs 2 x 169)
        print(f"\nno `make bench` estimate: it runs one thread per run, this run {args.threads}")
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TF's start-up logs would split the table
    from envs import action_kind, resolve_task
    from sweeps.quiet import load_algo

    suite = _load_yaml(path)
    kinds = [action_kind(resolve_task(t)) for t in suite["tasks"]]
    seeds, steps = len(suite["seeds"]), int(suite["steps"])
    evals = steps // int(suite.get("eval_every", 10_000)) + 2
    cores = os.cpu_count() or 1
    print(
        f"\nestimated wall time of `make bench` ({args.suite} suite: each algorithm on its tasks "
        f"x {seeds} seeds x {steps} steps, {evals} evaluations per run, {cores} runs in "
        f"parallel), with {args.task}'s rates and evaluation time standing in for every task;\n"
        "'idle' uses the per-CPU-second rates (a core per run), 'as measured' the wall-clock "
        "ones of this perf run:"
    )
    totals = [0.0, 0.0]
    for algo, ours, _ in rows:
        if "error" in ours:
            continue
        kind = load_algo(algo).Agent.action_kind
        n_runs = sum(k == kind for k in kinds) * seeds
        idle = steps / ours["cpu_steps_per_s"] + evals * ours["eval_cpu_s"]
        measured = steps / ours["steps_per_s"] + evals * ours["eval_s"]
        totals[0] += n_runs * idle / cores
        totals[1] += n_runs * measured / cores
        print(
            f"  {algo:<6} {n_runs} runs x {_hms(idle)} each (idle; {_hms(measured)} as measured)"
            f" -> {_hms(n_runs * idle / cores)} ({_hms(n_runs * measured / cores)})"
        )
    print(f"  all measured algorithms: {_hms(totals[0])} idle ({_hms(totals[1])} as measured)")


if __name__ == "__main__":
    if __package__ in (None, ""):  # run as a script (the SB3 side): the repo is not installed
        sys.path.insert(0, str(REPO))
    sys.exit(main())
