"""The off-policy ceiling's FLOP count (sweeps/ceilings.py) against the compiled update itself."""

import re

import numpy as np
import pytest
import tensorflow as tf

from algos import load_algo
from sweeps.ceilings import update_flop

SHAPE = re.compile(r"\s*(?:ROOT )?(%[\w.\-]+) = f32\[([\d,]*)\]")
CALLEE = re.compile(r"(calls|true_computation|false_computation|to_apply|body)=(%[\w.\-]+)")


class Box:  # only .shape / .low / .high are read
    def __init__(self, dim):
        self.low, self.high = -np.ones(dim, np.float32), np.ones(dim, np.float32)
        self.shape = self.low.shape


def hlo_dot_flop(hlo: str, delay: int) -> float:
    """FLOP of the ``dot`` instructions XLA kept in an optimized HLO module, the branch a
    conditional takes every ``delay``-th update weighted by 1 / delay."""
    shapes: dict[str, list[int]] = {}
    own: dict[str, float] = {}
    calls: dict[str, list[tuple[str, str]]] = {}
    comp = entry = ""
    for line in hlo.splitlines():
        if line and not line.startswith(" ") and line.rstrip().endswith("{"):
            comp = line.split()[1] if line.startswith("ENTRY") else line.split()[0]
            entry = comp if line.startswith("ENTRY") else entry
            own[comp], calls[comp] = 0.0, []
        m = SHAPE.match(line)
        if m:
            shapes[m.group(1)] = [int(x) for x in m.group(2).split(",") if x]
        calls.setdefault(comp, []).extend((k, c) for k, c in CALLEE.findall(line))
        if " dot(" in line:
            lhs_name = re.search(r" dot\(([^,)]*)", line).group(1).strip().split()[-1]
            contracting = re.search(r"lhs_contracting_dims=\{([\d,]*)\}", line).group(1)
            k = np.prod([shapes[lhs_name][int(i)] for i in contracting.split(",")])
            own[comp] += 2.0 * np.prod(shapes[m.group(1)]) * k

    def total(c: str) -> float:
        return own.get(c, 0.0) + sum(
            total(callee) / (delay if kind == "true_computation" else 1)
            for kind, callee in calls.get(c, [])
        )

    return total(entry)


@pytest.mark.parametrize("name", ["ddpg", "td3", "sac"])
def test_update_flop_matches_the_matmuls_xla_compiles(name):
    m = load_algo(name)
    hp = {"batch_size": 64, "hidden_sizes": [48, 32]}
    obs_dim, act_dim = 7, 3
    agent = m.Agent.from_spaces(Box(obs_dim), Box(act_dim), m.Config(**hp), seed=0)
    step = tf.autograph.experimental.do_not_convert(agent._update_step)
    b = hp["batch_size"]
    args = [tf.zeros((b, obs_dim)), tf.zeros((b, act_dim)), tf.zeros(b)]
    args += [tf.zeros((b, obs_dim)), tf.zeros(b)]
    hlo = tf.function(step, jit_compile=True).experimental_get_compiler_ir(*args)(
        stage="optimized_hlo"
    )
    delay = int(getattr(agent.config, "policy_delay", 1))
    counted = hlo_dot_flop(hlo, delay if name == "td3" else 1)
    formula = update_flop(name, obs_dim, act_dim, {**hp, "policy_delay": delay})
    assert counted == pytest.approx(formula, rel=0.03)


def test_update_flop_scales_and_refuses_what_it_does_not_count():
    hp = {"batch_size": 256, "hidden_sizes": [256, 256], "policy_delay": 2}
    td3 = update_flop("td3", 17, 6, hp)
    assert update_flop("td3", 17, 6, {**hp, "batch_size": 512}) == pytest.approx(2 * td3)
    # a second critic, and the actor every update instead of every second one
    assert (
        update_flop("ddpg", 17, 6, hp) < td3 < update_flop("td3", 17, 6, {**hp, "policy_delay": 1})
    )
    with pytest.raises(ValueError, match="ppo"):
        update_flop("ppo", 17, 6, hp)


def test_measure_reports_the_simulator_and_the_matmul_rate():
    from sweeps.ceilings import measure

    cheetah = measure("HalfCheetah-v4", batch=32, hidden=32, env_steps=300)
    assert (cheetah["obs_dim"], cheetah["act_dim"]) == (17, 6)
    assert cheetah["physics_steps_per_s"] > 0 and cheetah["env_steps_per_s"] > 0
    assert cheetah["matmul_gflop"] > 0
    cartpole = measure("CartPole-v1", batch=32, hidden=32, env_steps=300)
    assert cartpole["physics_steps_per_s"] is None and cartpole["act_dim"] == 0
