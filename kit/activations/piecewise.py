"""Piecewise-linear activations: kinks where the pieces meet."""

from __future__ import annotations

import math

import numpy as np

from kit.activation import Activation, within


class ReLU(Activation):
    """Rectified linear unit, max(z, 0).

    Not differentiable at 0: left derivative 0, right derivative 1.

    Examples
    --------
    >>> r = ReLU()
    >>> r.left_derivative(0.0), r.right_derivative(0.0)
    (0.0, 1.0)
    """

    name = "relu"
    formula = r"\max(z, 0)"
    frameworks = {"pytorch": "left", "tensorflow": "left", "jax": "left"}

    def value(self, z):
        return np.maximum(z, 0, dtype=z.dtype)

    def left_derivative(self, z):
        return (z > 0).astype(z.dtype)

    def right_derivative(self, z):
        return (z >= 0).astype(z.dtype)

    def kinks(self, lo=-math.inf, hi=math.inf):
        return within([0.0], lo, hi)

    def saturation(self, tol=1e-3):
        return [(-math.inf, 0.0)] if tol < 1 else [(-math.inf, math.inf)]
