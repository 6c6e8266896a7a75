"""Activations with a jump: the derivative is 0 wherever it exists.

Gradient descent learns nothing through them: the derivative is 0 almost
everywhere, and at the jump the one-sided difference quotient from the side
where f is not continuous grows without bound, so that side's derivative is
``+inf``.  Frameworks return 0 there (or have no gradient at all).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kit.activation import Activation, Fixed, within
from kit.activations._numeric import ALL, elementwise, keep_nan

__all__ = ["Sign", "Step"]


def _spike(z, at_zero):
    """0 everywhere, ``at_zero`` at z == 0, NaN where z is NaN."""
    out = np.zeros_like(z)
    out[z == 0] = at_zero
    return keep_nan(z, out)


def _jump_saturation(tol):
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

