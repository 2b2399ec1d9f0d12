"""One training run: build env and agent, train for ``steps`` env steps, evaluate, record.

Data flow: RunSpec → env(s) + agent → transitions → agent.update → Recorder → run folder.

A run folder that already holds a checkpoint is resumed from it: agent, optimiser, normalisers,
replay buffer, random generators, environments mid-episode and the rows recorded so far, so the
resumed run continues exactly where the checkpoint was taken.

SIGTERM, SIGINT or SIGHUP (a cluster's time limit or preemption, ``kill``, Ctrl-C, a closed
terminal) while a run trains makes it checkpoint after the current update and stop
(:class:`StopRequested`), so re-running the same command loses nothing; a second signal acts at
once, as without the handler. A signal the process was started ignoring (``nohup``) stays ignored.
"""

from __future__ import annotations

import math
import random
import shutil
import signal
import sys
import time
from collections import deque
from datetime import datetime, timezone
from typing import Any

import numpy as np
import tensorflow as tf

from envs import make_vec_env
from envs.state import get_vector_state, set_vector_state
from sweeps import checkpoint
from sweeps.config import RunSpec, env_options
from sweeps.provenance import provenance
from sweeps.recorder import Recorder, UpdateMeans

provenance()  # pin the commit now, while this process loads the code it will run


# a cluster's time limit or preemption and kill; Ctrl-C; the terminal closing (unless nohup'd)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class StopRequested(Exception):
    """A stop signal arrived while a run trained; the run checkpointed (if enabled) and stopped."""

    def __init__(self, signum: int, step: int, saved: bool) -> None:
        self.signum, self.step, self.saved = signum, step, saved
        name = signal.Signals(signum).name
        then = (
            "checkpoint saved; the same command resumes it"
            if saved
            else "no checkpoint (checkpoint_every=0): the run will restart from zero"
        )
        super().__init__(f"stopped by {name} at step {step}: {then}")


def configure_threads(threads: int) -> None:
    """Set TF's thread pools; only possible before TF runs its first op in this process."""
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass  # a reused worker process (joblib/loky): TF is initialised, keep its settings


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)


def eval_seeds(seed: int, eval_index: int, episodes: int) -> list[int]:
    """Distinct, reproducible reset seeds for each evaluation: 32-bit values of a SeedSequence
    of (seed, 7919, evaluation index), so they differ from training's reset seeds (seed * 1000 + i)
    but by chance (about 1 in 2**32 per value)."""
    return [
        int(s) for s in np.random.SeedSequence([seed, 7919, eval_index]).generate_state(episodes)
    ]


def evaluate(
    agent: Any, env, seeds: list[int], deterministic: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Returns and lengths of one episode per sub-environment of ``env``.

    ``deterministic=False`` samples actions from a stochastic policy (the agent's ``rng``).

    The sub-environments are stepped directly, only while their episode runs: evaluation costs
    as many env steps as training at the default settings, so skipping finished episodes and
    the vector env's batching matters.
    """
    envs = env.envs if hasattr(env, "envs") else None
    if envs is None:  # an asynchronous vector env: step it as a whole
        return _evaluate_vector(agent, env, seeds, deterministic)
    n = len(envs)
    obs = np.stack([e.reset(seed=s)[0] for e, s in zip(envs, seeds, strict=True)])
    returns, lengths = np.zeros(n), np.zeros(n, dtype=np.int64)
    active = list(range(n))
    while active:
        actions = agent.get_action(obs[active], deterministic=deterministic)
        still = []
        for i, action in zip(active, actions, strict=True):
            o, reward, terminated, truncated, _ = envs[i].step(action)
            returns[i] += reward
            lengths[i] += 1
            obs[i] = o
            if not (terminated or truncated):
                still.append(i)
        active = still
    return returns, lengths


def _evaluate_vector(
    agent: Any, env, seeds: list[int], deterministic: bool
) -> tuple[np.ndarray, np.ndarray]:
    n = env.num_envs
    obs, _ = env.reset(seed=seeds)
    returns, lengths = np.zeros(n), np.zeros(n, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    while active.any():
        actions = agent.get_action(obs, deterministic=deterministic)
        obs, reward, terminated, truncated, _ = env.step(actions)
        returns += reward * active
        lengths += active
        active &= ~(terminated | truncated)
    return returns, lengths


def evaluate_sampled(
    agent: Any, env, seeds: list[int], rng_seed: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`evaluate` with sampled actions, drawn from a generator of its own (``rng_seed``):
    the agent's training random stream is left exactly as it was."""
    training_rng = agent.rng
    agent.rng = np.random.default_rng(rng_seed)
    try:
        return evaluate(agent, env, seeds, deterministic=False)
    finally:
        agent.rng = training_rng


def _fmt_time(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    return f"{h}h{rem // 60:02d}m" if h else f"{rem // 60}m{rem % 60:02d}s"


def reset_peak_memory() -> None:
    """Restart the process's peak resident memory (Linux), so it measures this run alone.

    Runs of a sweep can share one process (Hydra's basic launcher, a joblib worker).
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_memory_mb() -> float | None:
    """Peak resident memory of this process since ``reset_peak_memory``, MB (Linux), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class Run:
    """State of one run while it trains; ``execute`` drives it to the end."""

    def __init__(self, spec: RunSpec, log=None) -> None:
        reset_peak_memory()  # before the env, the agent and the replay buffer are allocated
        self.spec = spec
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.tag = f"[{spec.algo} {spec.task} seed={spec.seed}]"
        self.recorder = Recorder(spec.run_dir)
        self.step = 0
        self.episodes = 0
        self.recent_returns: deque[float] = deque(maxlen=10)
        self.eval_time = 0.0
        self.next_eval = 0
        self.eval_index = 0
        self.last_update: dict[str, float] = {}
        # sums of the update statistics since the last evaluation: their means go to updates.csv
        self.update_means = UpdateMeans()
        self.extra_state: dict[str, Any] = {}  # loop-owned state to checkpoint (replay buffer)
        self.last_checkpoint_step = 0
        # time bookkeeping; *_before are the totals of earlier sessions of a resumed run
        self._loop_start: float | None = None
        self._loop_end: float | None = None
        self._train_before = 0.0
        self._wall_before = 0.0
        self._eval_at_start = 0.0
        self._resume: dict[str, Any] | None = None  # checkpoint state awaiting reset_env
        self._resume_obs: np.ndarray | None = None  # the restored envs' observations
        self._resume_path = None
        self._resume_extras: dict[str, dict[str, np.ndarray]] = {}  # arrays of the .npz files
        self._resumed_from: int | None = None
        # one entry per process that trained the run: {"from_step", **provenance()}
        self.segments: list[dict[str, Any]] = [{"from_step": 0, **provenance()}]
        self._tty = sys.stderr.isatty()
        self._tb = None  # tf.summary writer, created when training starts
        self._tb_last_update_step = -(10**9)
        self._last_bar = 0.0
        self.stop_signal: int | None = None  # set by a stop signal, acted on after an update
        self._previous_handlers: dict[int, Any] = {}  # of the stop signals, while training

    # -- evaluation -----------------------------------------------------------------------
    def _evaluate(self) -> None:
        t0 = time.perf_counter()
        if self.update_means.calls:
            self.recorder.add_updates(self.step, *self.update_means.pop())
        seeds = eval_seeds(self.spec.seed, self.eval_index, self.spec.eval_episodes)
        returns, lengths = evaluate(self.agent, self.eval_env, seeds)
        row = {
            "step": self.step,
            "return_mean": round(float(returns.mean()), 4),
            "return_std": round(float(returns.std()), 4),
            "length_mean": round(float(lengths.mean()), 2),
            "episodes": len(returns),
        }
        if self.spec.eval_stochastic and getattr(self.agent, "stochastic_policy", False):
            # same reset seeds, sampled actions: Tianshou's on-policy test returns are of this kind
            sampled, _ = evaluate_sampled(
                self.agent, self.eval_env, seeds, [self.spec.seed, 104729, self.eval_index]
            )
            row["stochastic_return_mean"] = round(float(sampled.mean()), 4)
            row["stochastic_return_std"] = round(float(sampled.std()), 4)
            self._summary("eval/stochastic_return_mean", float(sampled.mean()))
        self.eval_time += time.perf_counter() - t0
        row["wall_time_s"] = round(self.train_time + self.eval_time, 2)
        self.recorder.add_eval(row)
        self.recorder.flush()
        self._summary("eval/return_mean", float(returns.mean()))
        self._summary("eval/length_mean", float(lengths.mean()))
        if self.train_time > 0:
            self._summary("perf/steps_per_s", self.step / self.train_time)
        self.eval_index += 1
        while self.next_eval <= self.step:
            self.next_eval += self.spec.eval_every
        self._progress(
            float(returns.mean()), float(returns.std()), row.get("stochastic_return_mean")
        )

    def _progress(self, ret: float, std: float, sampled: float | None = None) -> None:
        sps = self.step / self.train_time if self.train_time > 0 else float("nan")
        remaining = self.spec.steps - self.step
        # ETA scales the remaining training time by the share of evaluation seen so far
        overhead = (self.train_time + self.eval_time) / self.train_time if self.train_time else 1
        eta = remaining / sps * overhead if sps and sps == sps else float("nan")
        recent = f"{np.mean(self.recent_returns):.1f}" if self.recent_returns else "-"
        if self._tty:
            sys.stderr.write("\r\033[K")
        self.log(
            f"{self.tag} step {self.step}/{self.spec.steps} "
            f"({100 * self.step / self.spec.steps:.0f}%) | eval {ret:.1f} ± {std:.1f}"
            f"{'' if sampled is None else f' (sampled {sampled:.1f})'} | "
            f"train episodes {self.episodes}, last-10 return {recent} | "
            f"{sps:.0f} steps/s | ETA {_fmt_time(eta)}"
        )

    def _bar(self) -> None:
        """A one-line progress bar, redrawn at most once a second, on a terminal only."""
        now = time.monotonic()
        if now - self._last_bar < 1.0:
            return
        self._last_bar = now
        frac = self.step / self.spec.steps
        sps = self.step / self.train_time if self.train_time > 0 else 0.0
        recent = f"{np.mean(self.recent_returns):.1f}" if self.recent_returns else "-"
        bar = "#" * int(30 * frac)
        sys.stderr.write(
            f"\r\033[K{self.tag} [{bar:<30}] {self.step}/{self.spec.steps} "
            f"return {recent} | {sps:.0f} steps/s"
        )
        sys.stderr.flush()

    # -- services for the training loops (sweeps/onpolicy_loop.py, sweeps/offpolicy_loop.py) --
    def reset_env(self) -> np.ndarray:
        """The training envs' current observations: fresh episodes, or a checkpoint's."""
        n = self.env.num_envs
        if self._resume is not None:  # the envs were restored by _restore
            state, self._resume = self._resume, None
            self.ep_ret = np.asarray(state["ep_ret"], np.float64)
            self.ep_len = np.asarray(state["ep_len"], np.int64)
            return self._resume_obs
        obs, _ = self.env.reset(seed=[self.spec.seed * 1000 + i for i in range(n)])
        self.ep_ret, self.ep_len = np.zeros(n), np.zeros(n, dtype=np.int64)
        return obs

    @staticmethod
    def true_next_obs(next_obs, terminated, truncated, info) -> np.ndarray:
        """The observation that followed each env's step: on an episode end, its last one."""
        dones = terminated | truncated
        if not dones.any():
            return next_obs
        out = next_obs.copy()
        out[dones] = np.stack(info["final_obs"][dones])
        return out

    def count_steps(self, reward, terminated, truncated) -> None:
        """Advance the step counter by one vector step; record finished episodes."""
        self.ep_ret += reward
        self.ep_len += 1
        self.step += self.env.num_envs
        dones = terminated | truncated
        for i in np.flatnonzero(dones):
            self.recorder.add_episode(self.step, self.ep_ret[i], self.ep_len[i])
            self._summary("train/episode_return", float(self.ep_ret[i]))
            self.recent_returns.append(float(self.ep_ret[i]))
            self.episodes += 1
        self.ep_ret[dones] = 0.0
        self.ep_len[dones] = 0
        if self._tty and self.step % 1024 < self.env.num_envs:
            self._bar()

    def maybe_evaluate(self) -> None:
        """Evaluate if the step counter passed the next evaluation point (not at the end)."""
        if self.next_eval <= self.step < self.spec.steps:
            self._evaluate()

    def after_update(self, stats: dict[str, float]) -> None:
        """Keep the update's statistics; a non-finite loss fails the run."""
        self.last_update = stats
        self.update_means.add(stats)
        if self.step - self._tb_last_update_step >= 1000:  # at most one point per 1000 steps
            self._tb_last_update_step = self.step
            for key, value in stats.items():
                self._summary(f"update/{key}", float(value))
        bad = [k for k, v in stats.items() if not np.isfinite(v)]
        if bad:
            raise FloatingPointError(f"non-finite {', '.join(bad)} at step {self.step}")

    def _summary(self, tag: str, value: float) -> None:
        """A TensorBoard scalar at the current env step (``<run_dir>/tb/``); ~ms per call."""
        if self._tb is not None:
            with self._tb.as_default(step=self.step):
                tf.summary.scalar(tag, value)

    def register_state(self, name: str, obj: Any) -> None:
        """Have ``obj`` (with ``numpy_state()`` / ``load_numpy_state()``) saved in checkpoints.

        When the run is being resumed, ``obj`` is loaded from the checkpoint right away.
        """
        self.extra_state[name] = obj
        if self._resume_path is not None:
            arrays = self._resume_extras.pop(name, None)  # pop: free them once loaded
            checkpoint.load_extra(self._resume_path, name, obj, arrays)

    def maybe_checkpoint(self) -> None:
        """Called by the loops after each update, where the run's state is consistent."""
        every = self.spec.checkpoint_every
        if self.stop_signal is not None and self.step < self.spec.steps:
            if every:
                self.save_checkpoint()
            raise StopRequested(self.stop_signal, self.step, saved=bool(every))
        if every and self.step - self.last_checkpoint_step >= every and self.step < self.spec.steps:
            self.save_checkpoint()

    def _on_stop_signal(self, signum: int, _frame: Any) -> None:
        self.stop_signal = signum
        self._restore_signal_handlers()  # a second signal acts at once
        self.log(
            f"{self.tag} {signal.Signals(signum).name} received: stopping after the current "
            "update (send it again to stop at once)"
        )

    def _install_signal_handlers(self) -> None:
        for signum in STOP_SIGNALS:
            try:
                if signal.getsignal(signum) is signal.SIG_IGN:  # nohup, `&`: leave it ignored
                    continue
                self._previous_handlers[signum] = signal.signal(signum, self._on_stop_signal)
            except ValueError:  # not the main thread (some launchers' workers): no handler
                pass

    def _restore_signal_handlers(self) -> None:
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers = {}

    def save_checkpoint(self) -> None:
        t0 = time.perf_counter()
        self.recorder.flush()
        state = {
            "step": self.step,
            "config": self.spec.comparable_dict(),
            "episodes": self.episodes,
            "eval_index": self.eval_index,
            "next_eval": self.next_eval,
            "eval_time": self.eval_time,
            "train_time": self.train_time,
            "wall_time": self._wall_before + time.perf_counter() - self._t_start,
            "recent_returns": list(self.recent_returns),
            "ep_ret": self.ep_ret.tolist(),
            "ep_len": self.ep_len.tolist(),
            "eval_rows": self.recorder.eval_rows,
            "train_rows": self.recorder.train_rows,
            "update_rows": self.recorder.update_rows,
            **self.update_means.state(),
            "agent": self.agent.numpy_state(),
            "env": get_vector_state(self.env),
            "action_space_rng": self.env.action_space.np_random.bit_generator.state,
            "segments": self.segments,
        }
        checkpoint.save(self.spec.run_dir, self.agent, state, self.extra_state)
        self.last_checkpoint_step = self.step
        # checkpoint writing is bookkeeping, not training: keep it out of steps/s
        self.eval_time += time.perf_counter() - t0

    def _restore(self, path) -> None:
        """Load a checkpoint's state, the envs' included (``reset_env`` hands their observations
        to the loop): anything unreadable is a ``CheckpointError`` before a file is written."""
        state = checkpoint.load_state(path)
        checkpoint.load_agent(path, self.agent)
        self._resume_extras = checkpoint.read_extras(path)
        try:
            n = self.env.num_envs
            self.env.reset(seed=[self.spec.seed * 1000 + i for i in range(n)])
            self._resume_obs = set_vector_state(self.env, state["env"])
            self.env.action_space.np_random.bit_generator.state = state["action_space_rng"]
            self.agent.load_numpy_state(state["agent"])
            self.step = int(state["step"])
            self.episodes = int(state["episodes"])
            self.eval_index = int(state["eval_index"])
            self.next_eval = int(state["next_eval"])
            self.eval_time = self._eval_at_start = float(state["eval_time"])
            self._train_before = float(state["train_time"])
            self._wall_before = float(state["wall_time"])
            self.recent_returns.extend(state["recent_returns"])
            self.recorder.eval_rows = list(state["eval_rows"])
            self.recorder.train_rows = list(state["train_rows"])
            # absent from checkpoints made before updates.csv existed
            self.recorder.update_rows = list(state.get("update_rows", []))
            self.update_means.load(state)
            # checkpoints made before segments were recorded: the first segment's origin unknown
            earlier = state.get("segments") or [{"from_step": 0, "provenance": "not recorded"}]
            self.segments = [*earlier, {"from_step": self.step, **provenance()}]
        except (KeyError, TypeError, ValueError, IndexError) as err:
            # e.g. a MuJoCo state of another size (another model or MuJoCo version)
            raise checkpoint.CheckpointError(f"corrupted checkpoint {path}: {err!r}") from None
        self.last_checkpoint_step = self._resumed_from = self.step
        self._resume, self._resume_path = state, path

    @property
    def train_time(self) -> float:
        """Wall time of the training loop so far, evaluation excluded (all sessions)."""
        if self._loop_start is None:
            return self._train_before
        end = self._loop_end or time.perf_counter()
        eval_now = self.eval_time - self._eval_at_start
        return self._train_before + end - self._loop_start - eval_now

    # -- driver ---------------------------------------------------------------------------
    def execute(self) -> dict[str, Any]:
        """Train to the end (or fail, contained) and write ``summary.json``.

        Raises :class:`checkpoint.CheckpointError` if a checkpoint exists but cannot be read:
        that is reported to the user instead of training, and nothing in the folder changes.
        """
        spec = self.spec
        started = datetime.now(timezone.utc)
        self._t_start = t_start = time.perf_counter()
        summary: dict[str, Any] = {
            "algo": spec.algo,
            "task": spec.task,
            "seed": spec.seed,
            "suite": spec.suite,
            "steps_target": spec.steps,
            "started_at": started.isoformat(timespec="seconds"),
        }
        resume_from = checkpoint.find(spec.run_dir)
        try:
            seed_everything(spec.seed)
            cfg = spec.algo_config
            options = env_options(spec.to_dict())
            self.env = make_vec_env(
                spec.task,
                getattr(cfg, "num_envs", 1),
                spec.seed,
                asynchronous=getattr(cfg, "async_envs", False),
                **options,
            )
            self.eval_env = make_vec_env(spec.task, spec.eval_episodes, spec.seed + 1, **options)
            self.agent = spec.algo_module.Agent.from_spaces(
                self.env.single_observation_space,
                self.env.single_action_space,
                cfg,
                seed=spec.seed,
                total_steps=spec.steps,
            )
            if resume_from is not None:
                self._restore(resume_from)
                self.log(f"{self.tag} resuming from step {self.step} ({resume_from})")
            else:
                self.recorder.write_config(spec.to_dict())
                self.log(f"{self.tag} training for {spec.steps} steps → {spec.run_dir}")
            warm = getattr(cfg, "learning_starts", 0)
            if warm >= spec.steps:  # allowed (a short smoke run), but rarely what one means
                self.log(
                    f"{self.tag} note: algo.learning_starts={warm} >= steps={spec.steps}: the "
                    "agent never updates, its returns are those of its initial policy"
                )
            self._tb = tf.summary.create_file_writer(str(spec.run_dir / "tb"))
            self._loop_start = time.perf_counter()
            if resume_from is None:
                self._evaluate()  # the untrained policy, step 0
            if self.agent.on_policy:
                from sweeps.onpolicy_loop import train
            else:
                from sweeps.offpolicy_loop import train
            self._install_signal_handlers()
            train(self)
            self._restore_signal_handlers()
            self._evaluate()  # the final policy
            self._loop_end = time.perf_counter()
            self._save_policy()
            status, reason = "done", None
        except checkpoint.CheckpointError:  # from _restore, or a loop's register_state
            self._restore_signal_handlers()
            self._close_envs()
            raise
        except StopRequested as stop:
            # the state a SIGKILL leaves, with a fresh checkpoint: no summary, so it resumes
            self.log(f"{self.tag} {stop}")
            raise
        except Exception as err:  # contained: recorded as a failed run
            status, reason = "failed", f"{type(err).__name__}: {err}"
            self.log(f"{self.tag} FAILED at step {self.step}: {reason}")
            try:
                self.recorder.flush()
            except OSError:
                pass
        finally:
            self._restore_signal_handlers()
            self._close_envs()
            if self._tb is not None:
                self._tb.close()
        train_time = self.train_time
        final = self.recorder.eval_rows[-1] if self.recorder.eval_rows else None
        summary.update(
            {
                "steps": self.step,
                "final_return": final["return_mean"] if final and status == "done" else None,
                "final_return_std": final["return_std"] if final and status == "done" else None,
                "final_return_stochastic": (
                    final.get("stochastic_return_mean") if final and status == "done" else None
                ),
                "status": status,
                "reason": reason,
                "episodes": self.episodes,
                "resumed_from_step": self._resumed_from,
                "wall_time_s": round(self._wall_before + time.perf_counter() - t_start, 2),
                "train_time_s": round(train_time, 2),
                "eval_time_s": round(self.eval_time, 2),
                "steps_per_s": round(self.step / train_time, 1) if train_time else None,
                # of this process since the run was built (a resumed run: since the resume)
                "peak_memory_mb": peak_memory_mb(),
                "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "provenance": provenance(),
                # every process that trained it, with the step it started from: a run resumed
                # on another machine or commit says so here (provenance is the last one's)
                "segments": self.segments,
            }
        )
        self.recorder.write_summary(summary)
        if status == "done":
            checkpoint.remove(spec.run_dir)
            self.log(
                f"{self.tag} done: final return {summary['final_return']:.1f} "
                f"({summary['steps_per_s']} steps/s, {_fmt_time(summary['wall_time_s'])})"
            )
        return summary

    def _save_policy(self) -> None:
        """The final deterministic policy as a SavedModel in ``<run_dir>/policy``."""
        if not hasattr(self.agent, "export_policy"):
            return
        from algos.export import save_policy

        target = self.spec.run_dir / "policy"
        tmp = self.spec.run_dir / "policy.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        save_policy(self.agent.export_policy(), str(tmp))
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)

    def _close_envs(self) -> None:
        for name in ("env", "eval_env"):
            env = getattr(self, name, None)
            if env is not None:
                env.close()
                setattr(self, name, None)
