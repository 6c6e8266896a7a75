"""Shrinkage activations: small inputs are pulled to zero, large ones pass.

They come from wavelet denoising and sparse coding (Donoho and Johnstone's
hard and soft thresholding) and are PyTorch's ``hardshrink``, ``softshrink``
and ``tanhshrink`` and Keras 3's ``hard_shrink``, ``soft_shrink`` and
``tanh_shrink``.  Between ``-lam`` and ``lam`` the gradient is exactly zero:
a dead band in the middle instead of ReLU's dead half-line.  Hard shrink
jumps at ``±lam``; soft shrink is continuous with kinks there; tanh shrink is
smooth, with a derivative tanh(z)^2 that vanishes only at 0.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kit.activation import Activation, Fixed, within
from kit.activations._numeric import ALL, box, const, elementwise, keep_nan, smooth_saturation

__all__ = ["HardShrink", "SoftShrink", "TanhShrink"]


class _Shrink(Activation):
    """A shrinkage with a band parameter ``lam`` > 0 (PyTorch's ``lambd``, Keras' ``threshold``)."""

    defaults = {"lam": 0.5}
    lam: float  # set from defaults by Activation.__init__

    def __init__(self, **params: float) -> None:
        super().__init__(**params)
        if not self.lam > 0:
            raise ValueError(
                f"{type(self).name}: parameter lam must be > 0, got {self.lam!r} (with lam = 0 it is the identity)"
            )

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([-self.lam, self.lam], lo, hi)


class HardShrink(_Shrink):
    """Hard shrink: z where |z| > lam, 0 on [-lam, lam].

    f jumps at both ends of the band: f(lam) = 0 but f is lam just right of
    it, so the right derivative at lam is ``+inf`` and the left one 0; at
    -lam it is the mirror image (left ``+inf``, right 0).  Elsewhere the
    derivative is 1 outside the band and 0 inside.  PyTorch
    (``hardshrink``) and Keras 3 (``hard_shrink``) return 0 at both jumps;
    JAX has no hard shrink.

    Parameters
    ----------
    lam : float, default 0.5
        Half-width of the band, > 0.

    Examples
    --------
    >>> f = HardShrink()
    >>> f.value([-1.0, -0.5, 0.2, 0.5, 0.7])
    array([-1. ,  0. ,  0. ,  0. ,  0.7])
    >>> f.kinks()
    array([-0.5,  0.5])
    >>> f.left_derivative([-0.5, 0.5]), f.right_derivative([-0.5, 0.5])   # a jump on the outer side of each
    (array([inf,  0.]), array([ 0., inf]))
    >>> f.derivative([-0.5, 0.5], kink="pytorch")
    array([0., 0.])
    >>> f.saturation(tol=0)         # the dead band
    [(-0.5, 0.5)]
    """

    name = "hard_shrink"
    formula = r"\begin{cases} z & |z| > \lambda \\ 0 & |z| \le \lambda \end{cases}"
    frameworks = {"pytorch": Fixed(0.0), "tensorflow": Fixed(0.0)}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return np.where(np.abs(z) <= const(self.lam, z), const(0, z), z)  # NaN: not <= lam, stays NaN

    def _slope(self, z: NDArray, jump_at: float) -> NDArray:
        out = keep_nan(z, (np.abs(z) > const(self.lam, z)).astype(z.dtype))
        out[z == const(jump_at, z)] = np.inf
        return out

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z, -self.lam)  # coming from -lam - h, where f = -lam - h, up to f(-lam) = 0

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z, self.lam)  # from f(lam) = 0 up to lam + h

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        lam = self.lam
        if tol < 1:
            return [(-lam, lam)]
        # slope 1 outside: everything, split at the two jumps (declared kinks, of measure zero)
        return list(ALL) if tol == math.inf else [(-math.inf, -lam), (-lam, lam), (lam, math.inf)]


class SoftShrink(_Shrink):
    """Soft shrink: z - lam above the band, z + lam below it, 0 on [-lam, lam].

    Continuous, with kinks at the ends of the band: at lam the left
    derivative is 0 and the right one 1, at -lam the left one is 1 and the
    right one 0.  PyTorch (``softshrink``) and Keras 3 (``soft_shrink``)
    return 0 at both (the slope inside the band); JAX has no soft shrink.
    Computed as z - clip(z, -lam, lam), exactly PyTorch's rounding.

    Parameters
    ----------
    lam : float, default 0.5
        Half-width of the band, > 0.

    Examples
    --------
    >>> f = SoftShrink()
    >>> f.value([-2.0, 0.3, 2.0])
    array([-1.5,  0. ,  1.5])
    >>> f.left_derivative([-0.5, 0.5]), f.right_derivative([-0.5, 0.5])
    (array([1., 0.]), array([0., 1.]))
    >>> f.derivative([-0.5, 0.5], kink="tensorflow")
    array([0., 0.])
    >>> f.saturation(tol=0)
    [(-0.5, 0.5)]
    """

    name = "soft_shrink"
    formula = r"z - \operatorname{clip}(z, -\lambda, \lambda)"
    frameworks = {"pytorch": Fixed(0.0), "tensorflow": Fixed(0.0)}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return z - np.clip(z, const(-self.lam, z), const(self.lam, z))

    def _slope(self, z: NDArray, left: bool) -> NDArray:
        out = box(z, -self.lam, self.lam, left)
        return np.subtract(const(1, z), out, out=out)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z, left=True)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z, left=False)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return [(-self.lam, self.lam)] if tol < 1 else list(ALL)


# z - tanh z = z^3 (1/3 - 2 z^2/15 + 17 z^4/315 - ...), the Taylor coefficients of
# -(tanh z - z) / z^3 (from the Bernoulli numbers), highest power first for Horner.
_SERIES = (
    3.927832388331683e-05, -9.691537956929451e-05, 2.3912911424355248e-04, -5.90027440945586e-04,
    1.4558343870513183e-03, -3.592128036572481e-03, 8.863235529902197e-03, -2.1869488536155203e-02,
    5.396825396825397e-02, -1.3333333333333333e-01, 3.333333333333333e-01,
)  # fmt: skip
_SERIES_BELOW = 0.25
"""Below this |z|, z - tanh z cancels badly and the series (11 terms, each term
below 0.026 times the one before) is exact to float64 rounding."""


class TanhShrink(Activation):
    """Tanh shrink, z - tanh(z): smooth, like z far out, flat (z^3 / 3) near 0.

    Derivative tanh(z)^2: 0 only at z = 0, 1 in the limit.  No kinks; the
    gradient vanishes in a narrow band around 0 (for |z| < 0.032 it is below
    1e-3).  Near 0 the difference z - tanh z would lose every digit to
    cancellation, so |z| < 0.25 uses its Taylor series; float16 and float32 are
    computed in float64 and rounded once.

    Examples
    --------
    >>> f = TanhShrink()
    >>> f.value(0.0), f.left_derivative(0.0)
    (0.0, 0.0)
    >>> f.value(1e-3)               # z^3 / 3 - 2 z^5 / 15, every digit right
    3.3333320000005393e-10
    >>> float(f.value(-np.inf)), float(f.left_derivative(np.inf))
    (-inf, 1.0)
    >>> [(round(a, 4), round(b, 4)) for a, b in f.saturation(tol=1e-3)]
    [(-0.0316, 0.0316)]
    """

    name = "tanh_shrink"
    formula = r"z - \tanh z"

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        x = z.astype(np.float64)  # a copy: float16 and float32 are rounded once at the end
        out = x - np.tanh(x)
        small = np.abs(x) < _SERIES_BELOW
        if small.any():
            s = x[small]
            s2 = s * s
            poly = np.full_like(s, _SERIES[0])
            for c in _SERIES[1:]:
                poly *= s2
                poly += c
            out[small] = poly * s2 * s
        return out.astype(z.dtype, copy=False)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        out = np.tanh(z)
        return np.square(out, out=out)

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # tanh(z)^2 <= tol  <=>  |z| <= artanh(sqrt(tol)); below the smallest normal float only underflow is 0
        def band(tol: float) -> list[tuple[float, float]]:
            edge = math.atanh(math.sqrt(tol))
            return [(-edge, edge)]

        return smooth_saturation(self, tol, 1.0, band)
