"""TF2 agents for continuous (and discrete) control.

Every algorithm lives in one module ``algos/<name>.py`` that exposes two names:

- ``Config``: a dataclass of the algorithm's hyperparameters (validated in ``__post_init__``);
- ``Agent``: the agent class, usable from your own loop through ``get_action(obs)`` and
  ``update(batch)``.

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
