"""Piecewise-linear activations: kinks where the pieces meet.

Each derivative is a blend of 0/1 masks (``z > 0`` for the left derivative,
``z >= 0`` for the right one, so the two differ exactly at the kink), which is
as fast as the bare numpy expression and keeps NaN as NaN.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kit.activation import Activation, within
from kit.activations._numeric import ALL, box, const, elementwise, keep_nan, step_mask

__all__ = ["Abs", "HardSigmoid", "HardTanh", "Identity", "LeakyReLU", "ReLU", "ReLU6"]


class Identity(Activation):
    """The identity, f(z) = z: a linear network, whatever its depth.

    No kinks and no saturation: the derivative is 1 everywhere.

    Examples
    --------
    >>> f = Identity()
    >>> f.value(-2.0), f.left_derivative(0.0), f.right_derivative(0.0)
    (-2.0, 1.0, 1.0)
    >>> f.saturation(tol=0.5)
    []
    """

    name = "identity"
    formula = r"z"

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return np.positive(z)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return _ones(z)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return _ones(z)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return list(ALL) if tol >= 1 else []


def _ones(z: NDArray) -> NDArray:
    return keep_nan(z, np.ones_like(z))


class ReLU(Activation):
    """Rectified linear unit, max(z, 0): dead for z < 0, kink at 0.

    Not differentiable at 0: left derivative 0, right derivative 1.  PyTorch,
    TensorFlow and JAX all return the left one, 0.

    Examples
    --------
    >>> r = ReLU()
    >>> r.value([-1.0, 0.0, 2.0])
    array([0., 0., 2.])
    >>> r.left_derivative(0.0), r.right_derivative(0.0)
    (0.0, 1.0)
    >>> r.kinks(-10, 10)
    array([0.])
    >>> r.saturation(tol=0)
    [(-inf, 0.0)]
    """

    name = "relu"
    formula = r"\max(z, 0)"
    frameworks = {"pytorch": "left", "tensorflow": "left", "jax": "left"}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return np.maximum(z, const(0, z))

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return step_mask(z, strict=True)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return step_mask(z, strict=False)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([0.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return [(-math.inf, 0.0)] if tol < 1 else list(ALL)


class LeakyReLU(Activation):
    """Leaky ReLU, z for z > 0 and alpha * z otherwise: never dead.

    Kink at 0 with left derivative ``alpha`` and right derivative 1.  PyTorch
    and TensorFlow return alpha there, JAX returns 1.  TensorFlow's op keeps
    alpha as a 32-bit float, also in float64: its leaky_relu(alpha=0.2) is
    this one with alpha = float32(0.2) = 0.20000000298.

    Parameters
    ----------
    alpha : float, default 0.01
        The slope for z < 0 (any real number; 0 gives ReLU, 1 the identity).

    Examples
    --------
    >>> f = LeakyReLU(alpha=0.1)
    >>> f.value([-2.0, 3.0])
    array([-0.2,  3. ])
    >>> f.left_derivative(0.0), f.right_derivative(0.0)
    (0.1, 1.0)
    >>> f.saturation(tol=0.05), f.saturation(tol=0.1)
    ([], [(-inf, 0.0)])
    """

    name = "leaky_relu"
    defaults = {"alpha": 0.01}
    alpha: float  # set from defaults by Activation.__init__
    formula = r"\begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}"
    frameworks = {"pytorch": "left", "tensorflow": "left", "jax": "right"}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        a = self.alpha
        if 0 < a <= 1:
            return np.maximum(z, const(a, z) * z)
        with np.errstate(over="ignore"):  # |alpha z| beyond the float range: inf, correctly rounded
            if a > 1:
                return np.minimum(z, const(a, z) * z)
            out = np.maximum(z, const(0, z))
            if a != 0:
                out += const(a, z) * np.minimum(z, const(0, z))
        return out

    def _slope(self, z: NDArray, right: bool) -> NDArray:
        # alpha on the left piece, 1 on the right one: an exact blend of 0/1 masks
        if self.alpha == 0:
            return step_mask(z, strict=not right)
        if 0 < self.alpha <= 1:
            # m (1 - alpha) + alpha is exact for m in {0, 1}: with round-to-nearest,
            # fl(fl(1 - alpha) + alpha) == 1 for alpha in [0, 1] (the error of 1 - alpha
            # is at most half the spacing just below 1), and it is faster than a blend
            out = step_mask(z, strict=not right)
            out *= const(1, z) - const(self.alpha, z)
            out += const(self.alpha, z)
            return out
        linear = (z >= 0) if right else (z > 0)
        out = np.multiply(~linear, const(self.alpha, z), dtype=z.dtype)
        out += linear
        return keep_nan(z, out)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z, right=False)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z, right=True)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([] if self.alpha == 1 else [0.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        a = abs(self.alpha)
        if tol >= max(a, 1.0):
            return list(ALL)
        if tol >= a:
            return [(-math.inf, 0.0)]
        if tol >= 1:
            return [(0.0, math.inf)]
        return []


class ReLU6(Activation):
    """ReLU capped at 6, min(max(z, 0), 6): dead below 0 and above 6.

    Kinks at 0 (left 0, right 1) and at 6 (left 1, right 0).  PyTorch,
    TensorFlow and JAX all return 0 at both kinks.

    Examples
    --------
    >>> f = ReLU6()
    >>> f.value([-1.0, 3.0, 9.0])
    array([0., 3., 6.])
    >>> f.left_derivative([0.0, 6.0]), f.right_derivative([0.0, 6.0])
    (array([0., 1.]), array([1., 0.]))
    >>> f.saturation(tol=0)
    [(-inf, 0.0), (6.0, inf)]
    """

    name = "relu6"
    formula = r"\min(\max(z, 0), 6)"
    frameworks = {
        "pytorch": {0.0: "left", 6.0: "right"},
        "tensorflow": {0.0: "left", 6.0: "right"},
        "jax": {0.0: "left", 6.0: "right"},
    }

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return np.clip(z, const(0, z), const(6, z))

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return box(z, 0.0, 6.0, left=True)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return box(z, 0.0, 6.0, left=False)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([0.0, 6.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return [(-math.inf, 0.0), (6.0, math.inf)] if tol < 1 else list(ALL)


class HardTanh(Activation):
    """Hard tanh, clip(z, -1, 1): dead outside [-1, 1].

    Kinks at -1 (left 0, right 1) and at 1 (left 1, right 0).  PyTorch
    returns 0 at both (the outside piece), JAX and Keras 3 (TensorFlow's
    ``keras.activations.hard_tanh``) 1 (the inside piece).

    Examples
    --------
    >>> f = HardTanh()
    >>> f.value([-3.0, 0.5, 3.0])
    array([-1. ,  0.5,  1. ])
    >>> f.left_derivative([-1.0, 1.0]), f.right_derivative([-1.0, 1.0])
    (array([0., 1.]), array([1., 0.]))
    >>> f.derivative([-1.0, 1.0], kink="pytorch"), f.derivative([-1.0, 1.0], kink="tensorflow")
    (array([0., 0.]), array([1., 1.]))
    """

    name = "hard_tanh"
    formula = r"\min(\max(z, -1), 1)"
    frameworks = {
        "pytorch": {-1.0: "left", 1.0: "right"},
        "tensorflow": {-1.0: "right", 1.0: "left"},
        "jax": {-1.0: "right", 1.0: "left"},
    }

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return np.clip(z, const(-1, z), const(1, z))

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return box(z, -1.0, 1.0, left=True)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return box(z, -1.0, 1.0, left=False)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([-1.0, 1.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return [(-math.inf, -1.0), (1.0, math.inf)] if tol < 1 else list(ALL)


class Abs(Activation):
    """Absolute value, |z|: kink at 0 with left derivative -1, right 1.

    PyTorch and TensorFlow return 0 there (the mean), JAX returns 1.

    Examples
    --------
    >>> f = Abs()
    >>> f.left_derivative(0.0), f.right_derivative(0.0)
    (-1.0, 1.0)
    >>> f.derivative(0.0, kink="pytorch"), f.derivative(0.0, kink="jax")
    (0.0, 1.0)
    """

    name = "abs"
    formula = r"|z|"
    frameworks = {"pytorch": "mean", "tensorflow": "mean", "jax": "right"}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return np.abs(z)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return _sign_mask(z, strict=True)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return _sign_mask(z, strict=False)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([0.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return list(ALL) if tol >= 1 else []


def _sign_mask(z: NDArray, strict: bool) -> NDArray:
    out = step_mask(z, strict)
    out *= const(2, z)
    out -= const(1, z)
    return out


class HardSigmoid(Activation):
    """Hard sigmoid, relu6(z + 3) / 6: 0 below -3, 1 above 3, linear between.

    This is the definition of PyTorch, Keras 3 and JAX (older Keras used
    clip(0.2 z + 0.5, 0, 1)).  Kinks at -3 (left 0, right 1/6) and at 3
    (left 1/6, right 0); all three frameworks return 0 at both.

    Examples
    --------
    >>> f = HardSigmoid()
    >>> f.value([-4.0, 0.0, 4.0])
    array([0. , 0.5, 1. ])
    >>> f.left_derivative([-3.0, 3.0]), f.right_derivative([-3.0, 3.0])
    (array([0.        , 0.16666667]), array([0.16666667, 0.        ]))
    >>> f.saturation(tol=0)
    [(-inf, -3.0), (3.0, inf)]
    """

    name = "hard_sigmoid"
    formula = r"\min(\max(z / 6 + 1/2, 0), 1)"
    frameworks = {
        "pytorch": {-3.0: "left", 3.0: "right"},
        "tensorflow": {-3.0: "left", 3.0: "right"},
        "jax": {-3.0: "left", 3.0: "right"},
    }

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        out = z / const(6, z)
        out += const(0.5, z)
        return np.clip(out, const(0, z), const(1, z), out=out)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return box(z, -3.0, 3.0, left=True, height=1 / 6)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return box(z, -3.0, 3.0, left=False, height=1 / 6)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([-3.0, 3.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return [(-math.inf, -3.0), (3.0, math.inf)] if tol < 1 / 6 else list(ALL)
