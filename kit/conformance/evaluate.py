"""Calling a plugin safely, and where to probe it: the ground the conformance checks stand on.

Every call of plugin code in the checks goes through :func:`call` (a raising
plugin becomes a :class:`PluginRaised` naming the method and the input) and
:func:`eval64` (float64 results, floating-point warnings silenced).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kit._text import number as fmt
from kit.activation import Activation

__all__ = [
    "Options",
    "PluginRaised",
    "call",
    "declared_kinks",
    "eval64",
    "extreme_inputs",
    "gradient_bound",
    "is_declared",
    "kinks_remembered",
    "likely_crowded",
    "window_grid",
]

_REMEMBERED: contextvars.ContextVar[dict[int, list[tuple[float, float, NDArray[np.float64]]]] | None] = (
    contextvars.ContextVar("kit_conformance_kinks", default=None)
)


@contextlib.contextmanager
def kinks_remembered() -> Iterator[None]:
    """While it lasts, :func:`declared_kinks` asks the plugin once per window and answers any window
    inside one already asked about from that answer (``kinks()`` is sorted and a function of the
    parameters alone), so a function with 10^7 kinks is made to list them a few times, not dozens."""
    if _REMEMBERED.get() is not None:  # nested (kit.check runs many checks in one): keep what is known
        yield
        return
    token = _REMEMBERED.set({})
    try:
        yield
    finally:
        _REMEMBERED.reset(token)


@dataclass(frozen=True)
class Options:
    """Settings shared by the checks.

    Parameters
    ----------
    window : float
        Half-width of the interval ``[-window, window]`` scanned for kinks and
        sampled densely for the derivatives (points further out are sampled
        sparsely).
    rtol, atol : float
        Relative and absolute tolerance of the derivative checks.
    time_limit : float or None
        Seconds each check may take (20 by default, about 20 times what the
        slowest takes here); one that runs out is reported by name (see
        :mod:`kit.conformance.limits`).  ``None`` runs the checks in this
        process without a limit (for a debugger).
    """

    window: float = 10.0
    rtol: float = 1e-5
    atol: float = 1e-5
    time_limit: float | None = 20.0

    def __post_init__(self) -> None:
        for key in ("window", "rtol", "atol", "time_limit"):
            val = getattr(self, key)
            if key == "time_limit" and val is None:
                continue
            if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val) or val <= 0:
                raise ValueError(f"{key} must be a finite number > 0, got {val!r}")


class PluginRaised(Exception):
    """A plugin method raised; the message says which method and on what input."""

def call(act: Activation, meth: str, z: Any) -> Any:
    """``act.meth(z)``; whatever the plugin raises becomes :class:`PluginRaised` naming the method and the input."""
    try:
        return getattr(act, meth)(z)
    except Exception as exc:
        if isinstance(z, np.ndarray):
            what = f"a {z.dtype} array of shape {z.shape}"
        else:
            what = f"{type(z).__name__} {z!r}"
        raise PluginRaised(f"{meth}(z) raised {type(exc).__name__}: {exc} (input: {what})") from exc

def eval64(act: Activation, meth: str, z: NDArray[np.float64]) -> NDArray[np.float64]:
    """``act.meth(z)`` as a float64 array (of the same shape), errors silenced."""
    with np.errstate(all="ignore"):
        out = call(act, meth, z)
        return np.asarray(out, dtype=np.float64).reshape(np.shape(z))

def declared_kinks(act: Activation, lo: float, hi: float) -> NDArray[np.float64]:
    """``act.kinks(lo, hi)`` as a sorted float64 array; a raising plugin becomes :class:`PluginRaised`."""
    memo = _REMEMBERED.get()
    if memo is not None and lo <= hi:
        for a, b, known in memo.get(id(act), []):
            if a <= lo and hi <= b:
                return known[np.searchsorted(known, lo, "left"):np.searchsorted(known, hi, "right")]
    try:
        out = act.kinks(lo, hi)
    except Exception as exc:
        raise PluginRaised(f"kinks({fmt(lo)}, {fmt(hi)}) raised {type(exc).__name__}: {exc}") from exc
    arr = np.sort(np.asarray(out, dtype=np.float64).ravel())
    if memo is not None and lo < hi and math.isfinite(hi - lo):
        memo.setdefault(id(act), []).append((lo, hi, arr[(arr >= lo) & (arr <= hi)]))
    return arr


def likely_crowded(kinks: NDArray[np.float64], width: float, reach: float) -> bool:
    """True if, at the density of ``kinks`` over a window of ``width``, a window of ``reach`` holds over 1000.

    For a staircase with a step every 2e-6, a point 1e4 away is then taken to be
    next to a step without making the plugin list the millions around it."""
    return kinks.size > 1000 and kinks.size / width * reach > 1000

def is_declared(act: Activation, z: float) -> bool:
    """True if ``z`` is one of the kinks ``act`` declares."""
    return bool(declared_kinks(act, z, z).size)


def extreme_inputs(dtype: type[np.floating]) -> NDArray[np.floating]:
    """Finite inputs that break careless formulas, in ``dtype``: the largest,
    the tiniest, where ``exp`` overflows, and ordinary points, with both signs.

    Examples
    --------
    >>> float(extreme_inputs(np.float16).max())
    65504.0
    """
    fi = np.finfo(dtype)
    mx = float(fi.max)
    base = [0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 10.0, 20.0, 30.0, 50.0, 88.0, 89.0, 100.0, 700.0, 710.0, 1e3, 1e4, 1e5, 1e10,
            1e20, 1e38, 1e100, 1e300, mx, mx / 2, math.sqrt(mx), math.log(mx), math.log(mx) + 1.0, float(fi.tiny),
            float(fi.smallest_subnormal), float(fi.eps)]
    vals = np.array(base + [-v for v in base], dtype=np.float64)
    vals = vals[np.abs(vals) <= mx]
    return np.unique(vals.astype(dtype))

def window_grid(options: Options, n: int) -> NDArray[np.float64]:
    """``n`` evenly spaced points over the window of the checks, ``[-window, window]``."""
    return np.linspace(-options.window, options.window, n)


def gradient_bound(act: Activation, z: NDArray[np.float64]) -> NDArray[np.float64]:
    """The larger of the absolute left and right derivatives at each ``z`` (float64)."""
    return np.fmax(np.abs(eval64(act, "left_derivative", z)), np.abs(eval64(act, "right_derivative", z)))
