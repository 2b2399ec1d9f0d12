"""TF2 agents for continuous (and discrete) control.

Every algorithm lives in one module ``algos/<name>.py`` that exposes two names:

- ``Config``: a dataclass of the algorithm's hyperparameters (validated in ``__post_init__``);
- ``Agent``: the agent class, usable from your own loop through ``get_action(obs)`` and
  ``update(batch)``.

The harness relies on a few more members of ``Agent``:

- ``Agent.from_spaces(observation_space, action_space, config, *, seed, total_steps)``: build
  from Gymnasium-like spaces (only ``.shape``, ``.low``, ``.high``, ``.n`` are read);
- ``on_policy`` (bool) and ``action_kind`` (``"continuous"`` or ``"discrete"``), class attributes;
  on-policy agents also expose ``rollout_steps`` and ``num_envs``;
- ``stochastic_policy`` (bool, optional, default False): ``get_action(obs, deterministic=False)``
  samples from a learned distribution (PPO, TRPO, A2C, SAC), so evaluation records the sampled
  policy's return beside the deterministic one; sampling draws from the agent's NumPy ``rng``;
- agents are ``tf.Module``s, so every ``tf.Variable`` (networks, optimiser slots, TF random
  generators) is saved by ``tf.train.Checkpoint(agent=agent)``; ``numpy_state()`` and
  ``load_numpy_state(state)`` carry the rest (normalisers, NumPy RNG, counters) as JSON-compatible
  data.

This package imports nothing but TensorFlow and NumPy: environments, configuration files and
analysis live in ``envs/``, ``sweeps/`` and ``analysis/``.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def load_algo(name: str) -> ModuleType:
    """Import ``algos.<name>`` and check that it exposes ``Agent`` and ``Config``."""
    if not _NAME.match(name):
        raise ValueError(f"invalid algorithm name {name!r}: use lowercase letters, digits and _")
    module = importlib.import_module(f"algos.{name}")
    for attr in ("Agent", "Config"):
        if not hasattr(module, attr):
            raise ImportError(f"algos.{name} does not define {attr!r}; see algos/__init__.py")
    return module
