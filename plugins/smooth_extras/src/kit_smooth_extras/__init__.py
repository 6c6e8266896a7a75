"""Smooth activations for activation-kit: Swish with a slope ``beta`` and GELU's tanh approximation.

Both are differentiable everywhere, so ``left_derivative`` and
``right_derivative`` are the same function.  Every exponential is taken of
``-|t|`` (never overflows) and arguments are clipped where the result no
longer changes, so no input overflows or warns, in float16 to float64.
"""

from __future__ import annotations

import math

import numpy as np

import kit

__all__ = ["GeluTanh", "SwishBeta"]

_T_MAX = 800.0  # beyond |t| = 800, exp(-|t|) is 0 in every float dtype


def _sigmoid_parts(t):
    """σ(t) and σ(t)(1 - σ(t)), stably, in the dtype of ``t``."""
    e = np.exp(-np.abs(t))
    s = np.where(t >= 0, 1 / (1 + e), e / (1 + e))
    return s, e / ((1 + e) * (1 + e))


def _keep_nan(z, out):
    return np.where(np.isnan(z), z, out)


class SwishBeta(kit.Activation):
    r"""Swish, :math:`f(z) = z\,\sigma(\beta z)`, with slope parameter ``beta`` in (0, 1000].

    ``beta=1`` is SiLU.  As ``beta`` grows, f approaches ReLU (and f'(0) stays
    1/2, the mean of ReLU's one-sided derivatives); as it shrinks, z/2.
    Smooth everywhere, so both one-sided derivatives agree:
    :math:`f'(z) = \sigma(\beta z) + \beta z\,\sigma(\beta z)(1 - \sigma(\beta z))`.

    Parameters
    ----------
    beta : float, default 1.0
        The slope of the gate, in (0, 1000].

    Examples
    --------
    >>> act = SwishBeta(beta=2.0)
    >>> act.left_derivative(0.0), act.right_derivative(0.0)   # no kink: equal
    (0.5, 0.5)
    >>> act.kinks(-10, 10)
    array([], dtype=float64)
    >>> round(float(act.value(-1e308)), 6), float(act.value(1e308))   # the limits, no overflow
    (0.0, 1e+308)
    """

    name = "swish_beta"
    defaults = {"beta": 1.0}
    formula = r"z\,\sigma(\beta z)"

    def __init__(self, **params: float) -> None:
        super().__init__(**params)
        # Above 1000 float16 cannot hold beta, and the smooth part around 0 is
        # narrower than 1e-3: ReLU in all but name (use relu).
        if not 0 < self.beta <= 1000:
            raise ValueError(f"swish_beta: beta must be in (0, 1000], got {self.beta}")

    def _t(self, z):
        # clip where exp(-|beta z|) is 0 anyway (but within the dtype's range)
        limit = min(_T_MAX / self.beta, float(np.finfo(z.dtype).max))
        return self.beta * np.clip(z, -limit, limit)

    def value(self, z):
        s, _ = _sigmoid_parts(self._t(z))
        return _keep_nan(z, np.where(s == 0, 0, z) * s)  # never inf * 0

    def left_derivative(self, z):
        t = self._t(z)
        s, ds = _sigmoid_parts(t)
        return _keep_nan(z, s + t * ds)

    right_derivative = left_derivative


class GeluTanh(kit.Activation):
    r"""GELU's tanh approximation, :math:`f(z) = \frac{z}{2}\,(1 + \tanh u) = z\,\sigma(2u)`,
    :math:`u = \sqrt{2/\pi}\,(z + 0.044715\,z^3)`.

    Smooth everywhere; not monotone (a minimum near z = -0.75) and its
    gradient vanishes for z → −∞.

    Examples
    --------
    >>> act = GeluTanh()
    >>> act.left_derivative(0.0), act.right_derivative(0.0)
    (0.5, 0.5)
    >>> round(float(act.value(1.0)), 6)
    0.841192
    """

    name = "gelu_tanh"
    formula = r"\frac{z}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(z + 0.044715 z^3)\right)\right)"

    _C = math.sqrt(2 / math.pi)
    _A = 0.044715
    _Z_MAX = 25.0  # beyond |z| = 25, exp(-2|u|) underflows to 0 in every dtype: sigma(2u) is exactly 0 or 1

    def _parts(self, z):
        zc = np.clip(z, -self._Z_MAX, self._Z_MAX)
        u = self._C * (zc + self._A * zc * zc * zc)
        s, ds = _sigmoid_parts(2 * u)
        big = np.abs(z) > self._Z_MAX
        s = np.where(big, (z > 0).astype(z.dtype), s)
        ds = np.where(big, 0 * ds, ds)
        du = self._C * (1 + 3 * self._A * zc * zc)
        return zc, s, ds, du

    def value(self, z):
        _, s, _, _ = self._parts(z)
        return _keep_nan(z, np.where(s == 0, 0, z) * s)  # never inf * 0

    def left_derivative(self, z):
        zc, s, ds, du = self._parts(z)
        return _keep_nan(z, s + zc * ds * 2 * du)

    right_derivative = left_derivative
