"""GELU, the Gaussian error linear unit, with the exact erf-based formula.

numpy has no erf, so this module uses :func:`scipy.special.ndtr`, the
standard normal CDF Phi, accurate to a few ulp over the whole range including
the far left tail (where ``1 + erf(z / sqrt 2)`` would cancel).  scipy is
imported when GELU first computes a value, not when this module is loaded, so
``import kit`` and ``kit list`` (which loads every plugin module) stay light.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kit.activation import Activation
from kit.activations._numeric import const, elementwise

__all__ = ["GELU"]

_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_CLIP = 40.0
"""z phi(z) underflows to 0 beyond |z| = 40 in float32 and float64."""


def _phi_cdf(z: NDArray) -> NDArray:
    """Phi(z) in the dtype of z (scipy computes float16 as float32)."""
    from scipy.special import ndtr  # about 200 ms the first time: only when a GELU value is computed

    out = ndtr(z)
    return out if out.dtype == z.dtype else out.astype(z.dtype)


class GELU(Activation):
    """Gaussian error linear unit, z Phi(z) = z (1 + erf(z / sqrt 2)) / 2.

    The exact form, PyTorch's default (``approximate="none"``), not the tanh
    approximation.  Smooth and non-monotonic: a minimum of about -0.17 at
    z = -0.7518, where the derivative Phi(z) + z phi(z) is 0.

    Examples
    --------
    >>> f = GELU()
    >>> f.value(0.0), f.left_derivative(0.0)
    (0.0, 0.5)
    >>> round(f.value(1.0), 6), round(f.value(-1.0), 6)
    (0.841345, -0.158655)
    >>> float(f.value(-np.inf)), float(f.value(np.inf))
    (-0.0, inf)
    >>> [(round(a, 3), round(b, 3)) for a, b in f.saturation(tol=1e-3)]   # the tail and the band at the minimum
    [(-inf, -3.81), (-0.754, -0.749)]
    """

    name = "gelu"
    formula = r"z \, \Phi(z) = \frac{z}{2} \left(1 + \operatorname{erf}(z / \sqrt{2})\right)"

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        if z.size and not z.min() > -np.inf and (bad := z == -np.inf).any():  # -inf * Phi(-inf) = -inf * 0: use -0
            z = z.copy()
            z[bad] = np.finfo(z.dtype).min
        out = _phi_cdf(z)
        return np.multiply(out, z, out=out)

    def _slope(self, z: NDArray) -> NDArray:
        # Phi(z) + z phi(z); z clipped to +-40 in the second term, which is 0 there
        zc = np.clip(z, const(-_CLIP, z), const(_CLIP, z))
        g = np.square(zc)
        g *= const(-0.5, z)
        np.exp(g, out=g)
        g *= const(_INV_SQRT_2PI, z)
        g *= zc
        g += _phi_cdf(z)
        return g

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z)

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'
