"""Diagnostics of a network on some inputs: dead units, saturation, exact kink hits.

Part of the engine; see :mod:`kit.nn` for the definitions.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kit.activation import Activation
from kit.network import MLP, _number

__all__ = ["diagnostics"]

class _KinkCounter:
    """Counts pre-activations exactly on a kink.

    If ``act.kinks()`` (over the whole line) gives a short finite list, that list
    is used for every batch; otherwise ``act.kinks(lo, hi)`` is asked again
    whenever a batch's range [lo, hi] leaves the window asked before.
    """

    def __init__(self, act: Activation) -> None:
        self.act = act
        self.lo = math.inf
        self.hi = -math.inf
        self.points: NDArray = np.empty(0)
        self.fixed: list[float] | None = None
        try:
            with np.errstate(all="ignore"):
                every = np.asarray(act.kinks(), dtype=np.float64)
        except (ValueError, MemoryError, OverflowError):  # e.g. infinitely many kinks
            every = None
        if every is not None and every.ndim == 1 and every.size <= 16 and np.all(np.isfinite(every)):
            self.fixed = every.tolist()

    def count(self, z: NDArray) -> int:
        if self.fixed is not None:
            n = 0
            for p in self.fixed:
                n += int(np.count_nonzero(z == p))
            return n
        lo = float(z.min())
        hi = float(z.max())
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return 0
        if not (lo >= self.lo and hi <= self.hi):
            pad = 0.25 * (hi - lo) + 1.0
            self.lo, self.hi = lo - pad, hi + pad
            self.points = np.sort(np.asarray(self.act.kinks(self.lo, self.hi), dtype=np.float64).ravel())
        start = int(np.searchsorted(self.points, lo, side="left"))
        stop = int(np.searchsorted(self.points, hi, side="right"))
        inside = self.points[start:stop]
        if inside.size > 8:
            return int(np.count_nonzero(np.isin(z, inside)))
        n = 0
        for p in inside:
            n += int(np.count_nonzero(z == p))
        return n


@functools.lru_cache(maxsize=256)
def _saturation_intervals(act: Activation, tol: float) -> tuple[tuple[float, float], ...]:
    """``act.saturation(tol)``, asked once per activation (type and parameters) and tol."""
    return tuple((float(lo), float(hi)) for lo, hi in act.saturation(tol))


class _Saturation:
    """Fraction of pre-activations in act.saturation(tol)."""

    def __init__(self, act: Activation, tol: float) -> None:
        self.act = act
        self.tol = tol
        try:
            self.intervals = _saturation_intervals(act, tol)
        except TypeError:  # a plugin that made itself unhashable: no cache
            self.intervals = tuple((float(lo), float(hi)) for lo, hi in act.saturation(tol))

    def fraction(self, z: NDArray) -> float:
        if z.size == 0 or not self.intervals:
            return 0.0
        inside = 0
        for lo, hi in self.intervals:
            inside += int(np.count_nonzero((z > lo) & (z < hi)))
            for end in {lo, hi}:
                if math.isfinite(end):
                    hits = int(np.count_nonzero(z == end))
                    if hits:
                        e = np.asarray([end], dtype=z.dtype)
                        with np.errstate(all="ignore"):
                            left = abs(float(self.act.left_derivative(e)[0]))
                            right = abs(float(self.act.right_derivative(e)[0]))
                        if left <= self.tol and right <= self.tol:
                            inside += hits
        return min(inside, z.size) / z.size


def diagnostics(net: MLP, X: ArrayLike, saturation_tol: float = 0.01) -> dict[str, list[Any]]:
    """Per hidden layer, for inputs ``X``: dead units, saturation and kink hits.

    Returns a dict with ``dead`` (number of units whose derivative is exactly 0
    on every row of X), ``dead_units`` (a boolean array per layer),
    ``saturated`` (fraction of pre-activations in the saturation region) and
    ``kink_hits`` (pre-activations exactly on a kink).

    Examples
    --------
    >>> import numpy as np
    >>> from kit import nn
    >>> net = nn.MLP([1, 2, 1], dtype="float64", seed=0)
    >>> net.set_weights([([[1.0, -1.0]], [0.0, 0.0]), ([[1.0], [1.0]], [0.0])])
    >>> d = nn.diagnostics(net, [[1.0], [2.0], [0.0]])
    >>> d["dead"], d["kink_hits"], d["saturated"]
    ([1], [2], [0.3333333333333333])
    """
    tol = _number("saturation_tol", saturation_tol)
    with np.errstate(over="ignore", invalid="ignore"):
        zs = net._forward_all(net.prepare(X))[0][:-1]
    out: dict[str, list[Any]] = {"dead": [], "dead_units": [], "saturated": [], "kink_hits": []}
    for act, deriv, z in zip(net.activations, net._deriv, zs, strict=True):
        with np.errstate(all="ignore"):
            units = np.all(deriv(z) == 0, axis=0)
        out["dead_units"].append(units)
        out["dead"].append(int(units.sum()))
        out["saturated"].append(_Saturation(act, tol).fraction(z))
        out["kink_hits"].append(_KinkCounter(act).count(z) if z.size else 0)
    return out
