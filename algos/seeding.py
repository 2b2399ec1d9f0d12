"""Independent random streams from one run seed.

``np.random.default_rng(seed)`` in several places makes generators that start from the same
state: the same bits would drive, say, exploration noise, replay sampling and the environment's
random actions. Each user of randomness names its stream instead, and gets a generator of its own
(a ``SeedSequence`` of the seed and the name's CRC-32), still reproducible from the seed alone.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_entropy(seed: int, stream: str) -> list[int]:
    """The ``SeedSequence`` entropy of ``stream`` under ``seed``."""
    return [int(seed), zlib.crc32(stream.encode())]


def stream_rng(seed: int, stream: str) -> np.random.Generator:
    """A PCG64 generator for ``stream``, independent of every other stream of ``seed``."""
    return np.random.default_rng(stream_entropy(seed, stream))


def stream_seed(seed: int, stream: str) -> int:
    """A 32-bit integer seed for ``stream``, for APIs that take only an int (Gymnasium spaces)."""
    return int(np.random.SeedSequence(stream_entropy(seed, stream)).generate_state(1)[0])
