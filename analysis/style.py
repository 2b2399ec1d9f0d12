"""One colour per algorithm in every figure (curves, aggregates, comparisons)."""

from __future__ import annotations

from collections.abc import Iterable

# the built-in algorithms keep their tab10 colour in every figure, whatever else is plotted
BUILTIN = ("a2c", "ddpg", "dqn", "ppo", "sac", "td3", "trpo")
_TAB10 = [f"C{i}" for i in range(10)]
# further colours for added algorithms: tab10's last three, then tab20's lighter shades
_SPARE = [*_TAB10[len(BUILTIN) :], *(f"tab:{c}" for c in ("olive", "cyan", "gray", "pink"))]


def algo_colors(algos: Iterable[str]) -> dict[str, str]:
    """Matplotlib colours for ``algos``: fixed for the built-ins, the spares in name order else."""
    names = sorted(set(algos))
    colors = {a: _TAB10[BUILTIN.index(a)] for a in names if a in BUILTIN}
    others = [a for a in names if a not in BUILTIN]
    for i, a in enumerate(others):
        colors[a] = _SPARE[i] if i < len(_SPARE) else f"C{i % 10}"
    return colors
