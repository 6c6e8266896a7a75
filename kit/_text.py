"""How the kit writes numbers and intervals for people: one way, everywhere.

Examples
--------
>>> number(0.1 + 0.2), number(-0.0), number(float("inf")), number(1234567.0)
('0.3', '0', 'inf', '1.23457e+06')
>>> intervals([(-float("inf"), 0.0)])
'[(-inf, 0)]'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["intervals", "number"]


def number(x: Any, digits: int = 6) -> str:
    """A number as people read it: ``digits`` significant digits, ``inf``, ``nan``; a non-number as its repr."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return repr(x)
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def intervals(ivs: Sequence[tuple[float, float]], most: int | None = None) -> str:
    """``[(lo, hi), ...]`` as people read it; with ``most``, long lists keep their first and last few.

    Examples
    --------
    >>> intervals([]), intervals([(float(i), i + 0.5) for i in range(8)], most=4)
    ('[] (none)', '[(0, 0.5), (1, 1.5), ... 4 more ..., (6, 6.5), (7, 7.5)]')
    """
    if not ivs:
        return "[] (none)"
    parts = [f"({number(a)}, {number(b)})" for a, b in ivs]
    if most is not None and len(parts) > most:
        parts = [*parts[: most // 2], f"... {len(parts) - 2 * (most // 2)} more ...", *parts[-(most // 2) :]]
    return "[" + ", ".join(parts) + "]"
