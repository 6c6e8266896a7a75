"""Finite differences of an activation's values: one-sided slopes, and the spikes a kink leaves.

Never a central difference: a kink is judged from each side.  See
:mod:`kit.conformance.checks` for how the checks use them.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kit.activation import Activation
from kit.conformance.evaluate import Options, declared_kinks, eval64, likely_crowded

__all__ = [
    "agrees",
    "blows_up",
    "derivative_points",
    "quotient",
    "second_differences",
    "slopes_at",
    "spike_size",
    "spike_threshold",
    "spikes",
]


def derivative_points(act: Activation, options: Options) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Points to test the derivatives at, and the step for each."""
    w = options.window
    far = np.array([20.0, 50.0, 100.0, 1e3, 1e4, 1e6])
    grid = np.linspace(-w, w, 161)
    kinks = declared_kinks(act, -w - 1.0, w + 1.0)
    local = []
    usable = np.ones(2 * far.size, dtype=bool)
    for j, p in enumerate(np.concatenate([far, -far])):
        reach = 3e-4 * abs(p)  # a little beyond the 2h = 2e-4 |p| the differences span
        if likely_crowded(kinks, 2 * w + 2, 2 * reach):
            usable[j] = False  # thousands of kinks within reach: no room for a difference quotient
            continue
        try:
            local.append(declared_kinks(act, p - reach, p + reach))
        except Exception:
            usable[j] = False  # e.g. too many kinks in that window: do not test there
    far_pts = np.concatenate([far, -far])[usable]
    allk = np.unique(np.concatenate([kinks, *local]))
    inside = kinks[(kinks >= -w) & (kinks <= w)]
    if inside.size > 400:
        inside = inside[np.linspace(0, inside.size - 1, 400).astype(int)]
    pts = np.unique(np.concatenate([grid, inside, [1e-3, -1e-3, 1e-6, -1e-6], far_pts]))
    h = 1e-4 * np.maximum(1.0, np.abs(pts))
    if allk.size:
        pos = np.searchsorted(allk, pts)
        gap = np.full(pts.shape, np.inf)
        for off in (-1, 0, 1):
            nearest = np.clip(pos + off, 0, allk.size - 1)
            d = np.abs(allk[nearest] - pts)
            gap = np.where(d > 0, np.minimum(gap, d), gap)
        h = np.minimum(h, gap / 4)
    keep = h >= 1e-9 * np.maximum(1.0, np.abs(pts))
    return pts[keep], h[keep]


def agrees(act: Activation, z: float, h: float, sign: float, d: float, options: Options) -> bool:
    """True if the one-sided second-order difference at ``z`` (side ``sign``, step ``h``) matches ``d`` within tolerance and rounding noise."""
    f = eval64(act, "value", np.array([z, z + sign * h, z + 2 * sign * h]))
    with np.errstate(all="ignore"):
        fd = sign * (-3 * f[0] + 4 * f[1] - f[2]) / (2 * h)
        noise = 8 * np.finfo(np.float64).eps * float(np.sum(np.abs(f))) / h
    return bool(abs(fd - d) <= options.atol + options.rtol * abs(d) + noise)


def quotient(act: Activation, z: float, h: float, sign: float) -> float:
    """The one-sided difference quotient ``(f(z + sign h) - f(z)) / (sign h)``, never a central one."""
    f = eval64(act, "value", np.array([z, z + sign * h]))
    with np.errstate(all="ignore"):
        return float(sign * (f[1] - f[0]) / h)


def blows_up(act: Activation, c: float, h: float, sign: float) -> bool:
    """True if the one-sided difference quotient at ``c`` grows without bound: f jumps on that side.

    The quotient ``(f(c + sign h) - f(c)) / (sign h)`` is taken for ``h``, ``h / 100``, ... down to
    1000 float spacings of ``c`` (where rounding is still below a thousandth of it); f jumps when one is
    at least 3 times the one before and above 1 in size.  So a jump shows whatever its size: softplus'
    switch at 20 jumps by 2e-9, seen at a step of 2e-11.
    """
    floor = 1000 * float(np.spacing(abs(c) if c else 1.0))
    before = quotient(act, c, h, sign)
    h /= 100
    while h >= floor:
        now = quotient(act, c, h, sign)
        if abs(now) >= 3 * abs(before) and abs(now) > 1.0:
            return True
        before, h = now, h / 100
    return False


def slopes_at(act: Activation, c: float, h: float) -> tuple[float, float, bool]:
    """Backward and forward slopes at c from values (second order), and whether f jumps or has a cusp."""
    x = np.array([c - 2 * h, c - h, c, c + h, c + 2 * h])
    f = eval64(act, "value", x)
    with np.errstate(all="ignore"):
        back = (3 * f[2] - 4 * f[1] + f[0]) / (2 * h)
        fwd = (-3 * f[2] + 4 * f[3] - f[4]) / (2 * h)
    blowup = blows_up(act, c, h, -1.0) or blows_up(act, c, h, 1.0)
    return float(back), float(fwd), blowup


def spike_threshold(s: NDArray[np.float64]) -> float:
    """How large a doubly differenced slope must be to count as a spike, relative to the slopes ``s``."""
    return 1e-6 * (1 + float(np.nanmax(np.abs(s)))) if s.size and np.isfinite(s).any() else 1e-6


def second_differences(act: Activation, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The secant slopes of f over ``x`` and their centred second differences (``e2[i]`` centred on ``x[i + 2]``)."""
    f = eval64(act, "value", x)
    with np.errstate(all="ignore"):
        s = np.diff(f) / np.diff(x)
        e = s[1:] - s[:-1]
    return s, e[1:] + e[:-1]  # e2[i] is centred on x[i + 2]


def spikes(act: Activation, x: NDArray[np.float64]) -> NDArray[np.intp]:
    """Indices into x where the doubly differenced secant slopes spike."""
    s, e2 = second_differences(act, x)
    with np.errstate(all="ignore"):
        # a smooth bend changes e2 gradually; a kink makes it stand out from its neighbours
        spike = e2[3:-3] - (e2[:-6] + e2[6:]) / 2
        big = np.abs(spike) > spike_threshold(s)
    return np.flatnonzero(big) + 5


def spike_size(act: Activation, x: NDArray[np.float64], i: int) -> float:
    """The largest second difference of the slopes around index ``i`` of ``x``: how sharp the bend there is."""
    lo, hi = max(i - 3, 0), min(i + 4, x.size)
    _, e2 = second_differences(act, x[lo:hi])
    return float(np.nanmax(np.abs(e2))) if e2.size else math.nan
