"""Activations with a jump.

At a jump the one-sided difference quotient from the side where f is not
continuous grows without bound, so that side's derivative is ``±inf``, and
frameworks return a finite number there (or have no gradient at all).  The
step and the sign have derivative 0 wherever it exists: gradient descent
learns nothing through them.  The threshold function passes z above its
threshold and is constant below: a dead region with a jump at its edge.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kit.activation import Activation, Fixed, within
from kit.activations._numeric import ALL, const, elementwise, keep_nan

__all__ = ["Sign", "Step", "Threshold"]


def _spike(z: NDArray, at_zero: float) -> NDArray:
    """0 everywhere, ``at_zero`` at z == 0, NaN where z is NaN."""
    out = np.zeros_like(z)
    out[z == 0] = at_zero
    return keep_nan(z, out)


def _jump_saturation(tol: float) -> list[tuple[float, float]]:
    # Zero derivative on both sides of the jump, +inf at it.
    return list(ALL) if tol == math.inf else [(-math.inf, 0.0), (0.0, math.inf)]


class Step(Activation):
    """Heaviside step, H(z) = 1 for z >= 0 and 0 for z < 0 (so H(0) = 1).

    A jump at 0: f is continuous from the right there (right derivative 0)
    but not from the left, where (H(0) - H(-h)) / h = 1 / h grows without
    bound: the left derivative at 0 is ``+inf``.  Everywhere else the
    derivative is 0: no gradient, nothing learned (the perceptron's problem).
    JAX's ``jnp.heaviside`` has gradient 0 everywhere; PyTorch's
    ``torch.heaviside`` has no gradient, TensorFlow no step function.

    Examples
    --------
    >>> f = Step()
    >>> f.value([-1.0, 0.0, 1.0])
    array([0., 1., 1.])
    >>> f.left_derivative(0.0), f.right_derivative(0.0)
    (inf, 0.0)
    >>> f.derivative(0.0, kink="jax")
    0.0
    >>> f.saturation(tol=0)
    [(-inf, 0.0), (0.0, inf)]
    """

    name = "step"
    formula = r"\begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}"
    frameworks = {"jax": Fixed(0.0)}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return keep_nan(z, (z >= 0).astype(z.dtype))

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return _spike(z, np.inf)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return _spike(z, 0.0)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([0.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return _jump_saturation(tol)


class Sign(Activation):
    """Sign function: -1 for z < 0, 0 at 0, 1 for z > 0.

    Jumps on both sides of 0 (sign(0) = 0 is neither neighbour), so both
    one-sided derivatives are ``+inf`` at 0 and 0 elsewhere.  PyTorch,
    TensorFlow and JAX all define the gradient as 0 everywhere, including 0.

    Examples
    --------
    >>> f = Sign()
    >>> f.value([-2.0, 0.0, 2.0])
    array([-1.,  0.,  1.])
    >>> f.left_derivative(0.0), f.right_derivative(0.0)
    (inf, inf)
    >>> f.derivative(0.0, kink="pytorch")
    0.0
    >>> f.saturation(tol=0)         # dead on both sides of the jump
    [(-inf, 0.0), (0.0, inf)]
    """

    name = "sign"
    formula = r"\operatorname{sign}(z)"
    frameworks = {"pytorch": Fixed(0.0), "tensorflow": Fixed(0.0), "jax": Fixed(0.0)}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return np.sign(z)

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return _spike(z, np.inf)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return _spike(z, np.inf)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([0.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return _jump_saturation(tol)



class Threshold(Activation):
    """Threshold: z where z > threshold, else default_value (PyTorch's ``F.threshold``).

    A dead region below the threshold with a jump at its edge: f(t) is
    ``default_value`` but f is t just right of t, so the right derivative at t
    is ``+inf`` when t > default_value (``-inf`` when it is below), and the
    left one is 0.  With ``default_value == threshold`` it is continuous, a
    kink with right derivative 1 (threshold 0, default 0 is ReLU).  PyTorch
    (``threshold``) and Keras 3 (``threshold``) return 0 at t, the left
    derivative; JAX has none.  PyTorch calls the second parameter ``value``
    and Keras ``default_value``; here it is ``default_value``, since ``value``
    is every activation's method.

    Parameters
    ----------
    threshold : float, default 1.0
        Where the dead region ends.
    default_value : float, default 0.0
        What f is on it.

    Examples
    --------
    >>> f = Threshold()
    >>> f.value([-1.0, 1.0, 1.5])
    array([0. , 0. , 1.5])
    >>> f.left_derivative(1.0), f.right_derivative(1.0)     # a jump from 0 up to 1
    (0.0, inf)
    >>> f.derivative(1.0, kink="pytorch")
    0.0
    >>> Threshold(threshold=0.0).right_derivative(0.0)     # continuous: this is ReLU
    1.0
    >>> f.saturation(tol=0)
    [(-inf, 1.0)]
    """

    name = "threshold"
    defaults = {"threshold": 1.0, "default_value": 0.0}
    threshold: float  # set from defaults by Activation.__init__
    default_value: float  # set from defaults by Activation.__init__
    formula = r"\begin{cases} z & z > t \\ v & z \le t \end{cases}"
    frameworks = {"pytorch": "left", "tensorflow": "left"}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return np.where(z <= const(self.threshold, z), const(self.default_value, z), z)  # NaN stays NaN

    def _slope(self, z: NDArray, at_threshold: float) -> NDArray:
        out = keep_nan(z, (z > const(self.threshold, z)).astype(z.dtype))
        out[z == const(self.threshold, z)] = at_threshold
        return out

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z, 0.0)  # constant up to and including t

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        gap = self.threshold - self.default_value  # f(t+) - f(t)
        return self._slope(z, 1.0 if gap == 0 else math.copysign(math.inf, gap))

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([self.threshold], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        t = self.threshold
        if tol < 1:
            return [(-math.inf, t)]
        jump = self.threshold != self.default_value
        return [(-math.inf, t), (t, math.inf)] if jump and tol < math.inf else list(ALL)
