"""Small numeric helpers shared by the built-in activations (not public API).

The built-ins follow three rules, and these helpers make them cheap:

* keep the dtype: constants are converted to the dtype of ``z`` first
  (:func:`const`), and float16 is computed in float32 and rounded back once
  (:func:`elementwise`), since float16's range is too small for ``exp``;
* NaN in, NaN out, also for derivatives built from comparison masks
  (:func:`step_mask`);
* no branches per element: ``np.where`` with an unpredictable mask is ten
  times slower than arithmetic on a 0/1 mask, so pieces are blended with masks.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kit.activation import Activation, numerical_saturation

TINY = float(np.finfo(np.float64).tiny)
"""Below this tolerance the only zero derivatives are float64 underflow."""

ALL = [(-math.inf, math.inf)]


def const(x: float, z: NDArray) -> Any:
    """``x`` as a scalar of ``z``'s dtype, so arithmetic keeps that dtype."""
    return z.dtype.type(x)


def step_mask(z: NDArray, strict: bool) -> NDArray:
    """1 where ``z > 0`` (``strict``) or ``z >= 0``, else 0; NaN where ``z`` is NaN."""
    m = (z > 0) if strict else (z >= 0)
    return keep_nan(z, m.astype(z.dtype))


def has_nan(z: NDArray) -> bool:
    """True if ``z`` holds a NaN (one reduction, no temporary array)."""
    return z.size > 0 and bool(np.isnan(z.min()))


def keep_nan(z: NDArray, out: NDArray) -> NDArray:
    """``out`` with NaN wherever ``z`` is NaN (in place)."""
    if has_nan(z):
        out[np.isnan(z)] = np.nan
    return out


def no_neg_inf(z: NDArray) -> NDArray:
    """``z`` with -inf replaced by the most negative finite number.

    Where ``z * g(z)`` would be ``-inf * 0`` (silu, hard_swish far left), the
    finite stand-in gives the limit -0 instead of NaN; a copy is made only
    when -inf is present.
    """
    if z.size and not z.min() > -np.inf:  # -inf or NaN present: look closer
        bad = z == -np.inf
        if bad.any():
            z = z.copy()
            z[bad] = np.finfo(z.dtype).min
    return z


def box(z: NDArray, lo: float, hi: float, left: bool, height: float = 1.0) -> NDArray:
    """``height`` on the open interval (lo, hi) plus the end the side sees, 0 elsewhere.

    The left derivative sees (lo, hi], the right one [lo, hi): the slope of a
    piece that is linear on [lo, hi].  NaN stays NaN.
    """
    if left:
        m = (z > const(lo, z)) & (z <= const(hi, z))
    else:
        m = (z >= const(lo, z)) & (z < const(hi, z))
    out = m.astype(z.dtype)
    if height != 1.0:
        out *= const(height, z)
    return keep_nan(z, out)


def elementwise(method: Callable[[Any, NDArray], NDArray] | None = None, *, float16_via_float32: bool = False) -> Any:
    """Decorate a kernel ``method(self, z)`` written for arrays of ndim >= 1.

    A 0-d ``z`` is computed as a 1-element array (so kernels may use ``out=``
    and masks freely) and given back 0-d.  With ``float16_via_float32``,
    float16 is computed in float32 and rounded back once, since float16's
    range is too small for the intermediate ``exp``.
    """

    def decorate(kernel: Callable[[Any, NDArray], NDArray]) -> Callable[[Any, NDArray], NDArray]:
        @functools.wraps(kernel)
        def wrapper(self: Any, z: NDArray) -> NDArray:
            if z.ndim == 0:
                return wrapper(self, z.reshape(1)).reshape(())
            if float16_via_float32 and z.dtype == np.float16:
                out = kernel(self, z.astype(np.float32))
                with np.errstate(over="ignore"):  # beyond 65504: inf is the correct rounding
                    return out.astype(np.float16)
            return kernel(self, z)

        return wrapper

    return decorate(method) if method is not None else decorate


def smooth_saturation(
    act: Activation, tol: float, top: float, closed_form: Callable[[float], list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    """Saturation of a derivative that decays towards 0 but never reaches it.

    Everything when ``tol >= top`` (the largest |f'|); :func:`closed_form`
    ``(tol)`` for an ordinary ``tol``; and the numerical scan when ``tol`` is
    below the smallest normal float64, where only underflow makes the
    derivative 0 (sigmoid's tails beyond |z| = 745): there only the scan
    describes what the code returns.  ``tol`` has been checked by the base class.
    """
    if tol >= top:
        return list(ALL)
    if tol < TINY:
        return numerical_saturation(act, tol)
    return closed_form(tol)


def symmetric_tails(edge: float) -> list[tuple[float, float]]:
    """``[(-inf, -edge), (edge, inf)]``, or everything when ``edge`` is 0."""
    if edge <= 0:
        return list(ALL)
    return [(-math.inf, -edge), (edge, math.inf)]
