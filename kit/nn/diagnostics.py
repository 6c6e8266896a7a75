"""Diagnostics of a network on some inputs: dead units, saturation, exact kink hits.

Part of the engine; see :mod:`kit.nn` for the definitions.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kit._validate import number
from kit.activation import SATURATION_TOL, Activation
from kit.nn.network import MLP

__all__ = ["KinkCounter", "Saturation", "dead_units", "diagnostics"]

def dead_units(deriv: Callable[[NDArray], NDArray], z: NDArray) -> NDArray[np.bool_]:
    """Per unit (column of the pre-activations ``z``): is its derivative exactly 0 on every row?

    The one definition of a dead unit: ``deriv`` is the layer's derivative with
    its kink rule (:meth:`kit.Activation.derivative_function`), ``z`` the
    pre-activations of every input the unit sees.

    Examples
    --------
    >>> import numpy as np, kit
    >>> z = np.array([[-1.0, 2.0], [-3.0, 0.0]])
    >>> dead_units(kit.get("relu").derivative_function("left"), z).tolist()
    [True, False]
    """
    with np.errstate(all="ignore"):
        d = deriv(z)
    if d.shape[0] == 0:
        return np.ones(d.shape[1:], dtype=bool)
    # one pass: a float is true where it is not 0 (NaN included: a NaN derivative is not a dead one)
    return ~np.logical_or.reduce(d, axis=0)


def _in_dtype(points: NDArray[np.float64], dtype: np.dtype) -> NDArray:
    """``points`` rounded to ``dtype`` (as an activation's own code rounds a Python number it
    compares ``z`` with), sorted, without repeats and without those beyond the dtype's range."""
    with np.errstate(over="ignore"):
        pts = np.unique(points.astype(dtype))
    return pts[np.isfinite(pts)]


def _count_equal(z: NDArray, pts: NDArray) -> int:
    """How many entries of ``z`` equal one of ``pts`` (same dtype)."""
    if pts.size > 8:
        return int(np.count_nonzero(np.isin(z, pts)))
    n = 0
    for p in pts.tolist():  # Python floats (exact in z's dtype): numpy's fastest scalar comparison
        n += int(np.count_nonzero(z == p))
    return n


class KinkCounter:
    """Counts pre-activations exactly on a kink (compared in the pre-activations' dtype).

    If ``act.kinks()`` (over the whole line) gives a short finite list, that list
    is used for every batch; otherwise ``act.kinks(lo, hi)`` is asked again
    whenever a batch's range [lo, hi] leaves the window asked before.
    """

    def __init__(self, act: Activation) -> None:
        self.act = act
        self.lo = math.inf
        self.hi = -math.inf
        self.points: NDArray[np.float64] = np.empty(0)
        self.fixed: NDArray[np.float64] | None = None
        self._in: dict[np.dtype, NDArray] = {}  # the kinks rounded to each dtype asked about
        self._few: dict[np.dtype, list[float]] = {}  # fixed kinks (at most 8) in each dtype, as Python floats
        try:
            with np.errstate(all="ignore"):
                every = np.asarray(act.kinks(), dtype=np.float64)
        except (ValueError, MemoryError, OverflowError):  # e.g. infinitely many kinks
            every = None
        if every is not None and every.ndim == 1 and every.size <= 16 and np.all(np.isfinite(every)):
            self.fixed = every

    def count(self, z: NDArray) -> int:
        """Entries of ``z`` exactly on a kink of the activation."""
        if z.size == 0:
            return 0
        if self.fixed is not None:  # the common case (every step): the kinks as Python floats, asked once
            few = self._few.get(z.dtype)
            if few is not None:
                n = 0
                for p in few:
                    n += int(np.count_nonzero(z == p))
                return n
        if self.fixed is None:
            lo = float(z.min())
            hi = float(z.max())
            if not (math.isfinite(lo) and math.isfinite(hi)):  # overflowed entries hit no kink: skip them
                finite = z[np.isfinite(z)]
                if finite.size == 0:
                    return 0
                lo, hi = float(finite.min()), float(finite.max())
            if not (lo >= self.lo and hi <= self.hi):
                pad = 0.25 * (hi - lo) + 1.0
                self.lo, self.hi = lo - pad, hi + pad
                self.points = np.sort(np.asarray(self.act.kinks(self.lo, self.hi), dtype=np.float64).ravel())
                self._in.clear()
        pts = self._in.get(z.dtype)
        if pts is None:
            pts = self._in[z.dtype] = _in_dtype(self.points if self.fixed is None else self.fixed, z.dtype)
            if self.fixed is not None and pts.size <= 8:
                self._few[z.dtype] = pts.tolist()  # what _count_equal compares with, in the same order
        if self.fixed is None:  # only the kinks within the batch's range
            pts = pts[int(np.searchsorted(pts, lo, side="left")) : int(np.searchsorted(pts, hi, side="right"))]
        return _count_equal(z, pts)


@functools.lru_cache(maxsize=256)
def _saturation_intervals(act: Activation, tol: float) -> tuple[tuple[float, float], ...]:
    """``act.saturation(tol)``, asked once per activation (type and parameters) and tol."""
    return tuple((float(lo), float(hi)) for lo, hi in act.saturation(tol))


class Saturation:
    """Fraction of pre-activations in ``act.saturation(tol)``: the one definition of "saturated".

    Inside an open interval counts; a finite end counts only where both one-sided
    |f'| are <= tol there (an end shared by two intervals counts once).
    """

    def __init__(self, act: Activation, tol: float) -> None:
        self.act = act
        self.tol = tol
        try:
            self.intervals = _saturation_intervals(act, tol)
        except TypeError:  # a plugin that made itself unhashable: no cache
            self.intervals = tuple((float(lo), float(hi)) for lo, hi in act.saturation(tol))
        self.ends = sorted({e for pair in self.intervals for e in pair if math.isfinite(e)})
        self._flat_ends: dict[np.dtype, NDArray] = {}

    def _ends_in(self, dtype: np.dtype) -> NDArray:
        """The finite ends, in ``dtype``, at which both one-sided |f'| are <= tol."""
        if dtype not in self._flat_ends:
            e = np.asarray(self.ends, dtype=dtype)
            with np.errstate(all="ignore"):
                left = np.abs(np.asarray(self.act.left_derivative(e), dtype=np.float64))
                right = np.abs(np.asarray(self.act.right_derivative(e), dtype=np.float64))
            self._flat_ends[dtype] = e[(left <= self.tol) & (right <= self.tol)]
        return self._flat_ends[dtype]

    def fraction(self, z: NDArray) -> float:
        """Share of the entries of ``z`` in the saturation region.

        Examples
        --------
        >>> import numpy as np, kit
        >>> Saturation(kit.get("relu"), 0.01).fraction(np.array([-1.0, 0.0, 0.0, 1.0, 2.0]))
        0.2
        """
        if z.size == 0 or not self.intervals:
            return 0.0
        inside = sum(int(np.count_nonzero((z > lo) & (z < hi))) for lo, hi in self.intervals)
        if self.ends:
            inside += sum(int(np.count_nonzero(z == e)) for e in self._ends_in(z.dtype))
        return min(inside, z.size) / z.size


def diagnostics(net: MLP, X: ArrayLike, saturation_tol: float = SATURATION_TOL) -> dict[str, list[Any]]:
    """Per hidden layer, for inputs ``X``: dead units, saturation and kink hits.

    Parameters
    ----------
    net : MLP
    X : array_like, shape (n, sizes[0])
        At least one row; the network's input map (``net.preprocess``) applies.
    saturation_tol : float
        |f'| at or below which a pre-activation counts as saturated (>= 0).

    Returns
    -------
    dict
        Lists with one entry per hidden layer: ``dead`` (number of units whose
        derivative, with the network's kink rule, is exactly 0 on every row of
        X), ``dead_units`` (a boolean array over the units), ``saturated``
        (fraction of pre-activations in ``act.saturation(saturation_tol)``) and
        ``kink_hits`` (pre-activations exactly on a kink, compared in the
        network's dtype).

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
    tol = number("saturation_tol", saturation_tol, lowest=0)
    Xp = net.prepare(X)
    if Xp.shape[0] == 0:
        raise ValueError("X has no rows: dead units are judged on at least one input")
    with np.errstate(over="ignore", invalid="ignore"):
        zs = net.forward_all(Xp)[0][:-1]
    out: dict[str, list[Any]] = {"dead": [], "dead_units": [], "saturated": [], "kink_hits": []}
    for act, deriv, z in zip(net.activations, net.layer_derivatives, zs, strict=True):
        units = dead_units(deriv, z)
        out["dead_units"].append(units)
        out["dead"].append(int(units.sum()))
        out["saturated"].append(Saturation(act, tol).fraction(z))
        out["kink_hits"].append(KinkCounter(act).count(z))
    return out
