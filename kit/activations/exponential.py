"""Exponential linear units: linear for z > 0, an exponential tail below.

The tail ``alpha * (exp(z) - 1)`` is computed as ``alpha * expm1(min(z, 0))``
(accurate near 0, never overflowing), and the pieces are added, not selected,
which is branch-free: ``max(z, 0) + alpha * expm1(min(z, 0))``.  Their
derivative tends to 0 on the left but never reaches it: the gradient is
non-zero almost everywhere, the reason ELU exists.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kit.activation import Activation, within
from kit.activations._numeric import ALL, const, elementwise, smooth_saturation

__all__ = ["CELU", "ELU", "SELU"]

SELU_ALPHA = 1.6732632423543772848170429916717
"""SELU's alpha (Klambauer et al. 2017), as in PyTorch, TensorFlow and JAX."""
SELU_SCALE = 1.0507009873554804934193349852946
"""SELU's scale lambda."""


def _elu(z: NDArray, alpha: float, scale: float = 1.0) -> NDArray:
    """scale * (max(z, 0) + alpha * expm1(min(z, 0)))."""
    zero = const(0, z)
    out = np.expm1(np.minimum(z, zero))
    out *= const(alpha, z)
    with np.errstate(over="ignore"):  # alpha * (-1) cannot overflow; z + that can only round to inf
        out += np.maximum(z, zero)
    if scale != 1.0:
        with np.errstate(over="ignore"):  # scale * z beyond the float range is inf, correctly rounded
            out *= const(scale, z)
    return out


def _elu_slope(z: NDArray, alpha: float, strict: bool, scale: float = 1.0) -> NDArray:
    """scale on the linear piece, scale * alpha * exp(z) on the tail.

    ``strict`` picks which piece z == 0 belongs to: the tail for the left
    derivative, the linear piece for the right one.  The pieces are blended
    with 0/1 masks, exactly (tail * 0 + 1 or tail * 1 + 0), and NaN stays NaN.
    """
    out = np.minimum(z, const(0, z))
    np.exp(out, out=out)
    out *= const(alpha * scale, z)
    linear = (z > 0) if strict else (z >= 0)
    out *= ~linear
    if scale != 1.0:
        out += linear * const(scale, z)
    else:
        out += linear
    return out


def _tail_saturation(act: Activation, tol: float, tail: float, linear: float) -> list[tuple[float, float]]:
    """Where |f'| <= tol for f' = tail * exp(z) (z < 0), = linear (z > 0)."""
    tail, linear = abs(tail), abs(linear)
    if tol >= max(tail, linear):
        return list(ALL)
    if tol >= tail:  # the whole tail (and tol < linear)
        return [(-math.inf, 0.0)]
    right = [(0.0, math.inf)] if tol >= linear else []
    # tail * exp(z) <= tol  <=>  z <= log(tol / tail)
    return smooth_saturation(act, tol, math.inf, lambda tol: [(-math.inf, math.log(tol / tail)), *right])


class ELU(Activation):
    """Exponential linear unit: z for z > 0, alpha * (exp(z) - 1) otherwise.

    Tends to -alpha as z -> -inf, with derivative alpha * exp(z) > 0: small
    but never exactly zero.  At 0 the left derivative is alpha and the right
    one 1, a kink unless alpha = 1.  PyTorch and JAX return alpha at 0 (the
    left derivative).  The TensorFlow op ``tf.nn.elu`` has alpha fixed at 1
    and returns 1 there; Keras builds other alphas as ``alpha * tf.nn.elu(z)``
    for z <= 0, which returns alpha: the left derivative as well.

    Parameters
    ----------
    alpha : float, default 1.0
        The magnitude of the negative saturation value -alpha.

    Examples
    --------
    >>> f = ELU(alpha=2.0)
    >>> float(f.value(-np.inf)), float(f.value(1.0))
    (-2.0, 1.0)
    >>> f.left_derivative(0.0), f.right_derivative(0.0)
    (2.0, 1.0)
    >>> f.kinks(), ELU().kinks()
    (array([0.]), array([], dtype=float64))
    >>> ELU().saturation(tol=1e-3)
    [(-inf, -6.907755278982137)]
    """

    name = "elu"
    defaults = {"alpha": 1.0}
    alpha: float  # set from defaults by Activation.__init__
    formula = r"\begin{cases} z & z > 0 \\ \alpha (e^z - 1) & z \le 0 \end{cases}"
    frameworks = {"pytorch": "left", "tensorflow": "left", "jax": "left"}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return _elu(z, self.alpha)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return _elu_slope(z, self.alpha, strict=True)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return _elu_slope(z, self.alpha, strict=False)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([] if self.alpha == 1 else [0.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return _tail_saturation(self, tol, self.alpha, 1.0)


class SELU(Activation):
    """Scaled ELU: lambda * elu_alpha(z) with the self-normalising constants.

    alpha = 1.6732632423543772848170429916717 and
    lambda = 1.0507009873554804934193349852946 (Klambauer et al. 2017).  At 0
    the left derivative is lambda * alpha ~ 1.7581 and the right one lambda
    ~ 1.0507.  PyTorch and JAX return lambda * alpha, TensorFlow lambda.

    Examples
    --------
    >>> f = SELU()
    >>> f.left_derivative(0.0), f.right_derivative(0.0)
    (1.7580993408473766, 1.0507009873554805)
    >>> f.derivative(0.0, kink="tensorflow")
    1.0507009873554805
    >>> float(f.value(-np.inf))
    -1.7580993408473766
    """

    name = "selu"
    formula = r"\lambda \begin{cases} z & z > 0 \\ \alpha (e^z - 1) & z \le 0 \end{cases}"
    frameworks = {"pytorch": "left", "tensorflow": "right", "jax": "left"}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return _elu(z, SELU_ALPHA, SELU_SCALE)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return _elu_slope(z, SELU_ALPHA, strict=True, scale=SELU_SCALE)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return _elu_slope(z, SELU_ALPHA, strict=False, scale=SELU_SCALE)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([0.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return _tail_saturation(self, tol, SELU_SCALE * SELU_ALPHA, SELU_SCALE)


class CELU(Activation):
    """Continuously differentiable ELU: max(z, 0) + min(0, alpha (exp(z/alpha) - 1)).

    Unlike ELU its derivative is 1 on both sides of 0 for every alpha: no
    kink.  It tends to -alpha as z -> -inf with derivative exp(z / alpha).
    Yet Keras 3's ``celu`` (TensorFlow backend) returns 2 at 0: it computes
    max(z, 0) + min(0, ...) and both the max and the min pass the gradient to
    the tied branch.  An autodiff artefact at a point where nothing needs
    deciding (measured live in ``tests/frameworks``); PyTorch and JAX give 1.

    Parameters
    ----------
    alpha : float, default 1.0
        Must be > 0.

    Examples
    --------
    >>> f = CELU(alpha=2.0)
    >>> f.left_derivative(0.0), f.right_derivative(0.0)
    (1.0, 1.0)
    >>> float(f.value(-np.inf))
    -2.0
    >>> f.kinks()
    array([], dtype=float64)
    """

    name = "celu"
    defaults = {"alpha": 1.0}
    alpha: float  # set from defaults by Activation.__init__
    formula = r"\max(z, 0) + \min(0, \alpha (e^{z/\alpha} - 1))"

    def __init__(self, **params: float) -> None:
        super().__init__(**params)
        if not self.alpha > 0:
            raise ValueError(f"celu: parameter alpha must be > 0, got {self.alpha!r}")

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        zero = const(0, z)
        out = np.minimum(z, zero)
        with np.errstate(over="ignore"):  # z / alpha below the range is -inf: expm1 gives the limit -1
            out /= const(self.alpha, z)
        np.expm1(out, out=out)
        out *= const(self.alpha, z)
        out += np.maximum(z, zero)
        return out

    def _slope(self, z: NDArray) -> NDArray:
        # exp(min(z, 0) / alpha): exactly 1 for z >= 0, the tail's slope below.
        out = np.minimum(z, const(0, z))
        with np.errstate(over="ignore"):  # -inf here is exact enough: exp gives 0
            out /= const(self.alpha, z)
        return np.exp(out, out=out)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z)

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # exp(z / alpha) <= tol  <=>  z <= alpha log(tol)
        return smooth_saturation(self, tol, 1.0, lambda tol: [(-math.inf, self.alpha * math.log(tol))])
