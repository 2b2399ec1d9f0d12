"""Import TensorFlow without its start-up notices on the command line.

On CPUs where TensorFlow turns oneDNN on by default (Intel's with AVX-512 VNNI/BF16 or AMX, such as
this project's Xeon machine), importing it writes two notices twice, straight to file descriptor 2
and before its logging is set up, so ``TF_CPP_MIN_LOG_LEVEL`` cannot hide them:

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 ... port.cc:153] oneDNN custom operations are on. You may see slightly different ...

Where the CPU has instructions the binary was not built for (this project's AVX2-only AMD EPYC, for
one) it also writes two lines of ``cpu_feature_guard``, which ``TF_CPP_MIN_LOG_LEVEL=1`` or higher
hides but a plain shell does not set:

    I0000 ... cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU ...
    To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow ...

A command whose answer to bad input is one ``error:`` line would print three to five. The
command-line entry points import TensorFlow through :func:`import_tensorflow` (or load an algorithm,
whose module imports it, through :func:`load_algo`), which holds descriptor 2 back during the import
and writes everything else that arrived there (warnings, real errors) back unchanged. The library
(``algos/``) never does this: a user's own program sees TensorFlow as is.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType

TF_STARTUP_NOTICES = (
    "All log messages before absl::InitializeLog() is called",
    "oneDNN custom operations are on",
    "This TensorFlow binary is optimized to use available CPU instructions",
    "To enable the following instructions:",
)


@contextmanager
def held_back(notices: Sequence[str] = TF_STARTUP_NOTICES) -> Iterator[None]:
    """Capture descriptor 2 for the block; then write back every line that contains none of
    ``notices``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read().decode("utf-8", "replace")
            kept = [ln for ln in text.splitlines() if not any(n in ln for n in notices)]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()


def import_tensorflow() -> None:
    """Import TensorFlow once, with its start-up notices held back (a no-op once imported)."""
    if "tensorflow" in sys.modules:
        return
    with held_back():
        import tensorflow  # noqa: F401


def load_algo(name: str) -> ModuleType:
    """``algos.load_algo`` for the command line: TensorFlow imported first, without its notices."""
    from algos import load_algo as _load_algo

    import_tensorflow()
    return _load_algo(name)
