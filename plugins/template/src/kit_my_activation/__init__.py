"""The my_activation activation: a plugin for activation-kit.

Replace the example below with your own function.  Keep the method names:
they are the contract (see activation-kit's ``docs/plugins.md``).  The base
class hands each method a floating numpy array ``z`` (maybe 0-d) and expects
an array of the same shape and dtype back; it turns scalars in into scalars
out for you.
"""

from __future__ import annotations

import math

import numpy as np

import kit

__all__ = ["MyActivation"]


class MyActivation(kit.Activation):
    r"""A line with slope ``left_slope`` for z < 0 and ``right_slope`` for z >= 0.

    .. math:: f(z) = \begin{cases} a z & z < 0 \\ b z & z \ge 0 \end{cases}

    With ``left_slope=0`` it is ReLU, with ``left_slope=0.01`` leaky ReLU.  At 0
    it is not differentiable (unless the slopes are equal): the derivative
    from the left is ``left_slope``, from the right ``right_slope``, and
    gradient descent uses whichever the ``kink`` rule picks.

    Parameters
    ----------
    left_slope, right_slope : float
        The two slopes, each in [-1, 1] (so that f never overflows).

    Examples
    --------
    >>> act = MyActivation(left_slope=0.2)
    >>> act.left_derivative(0.0), act.right_derivative(0.0)
    (0.2, 1.0)
    >>> act.derivative(0.0, kink="mean")
    0.6
    >>> act.kinks(-5, 5)
    array([0.])
    >>> MyActivation(left_slope=0.0).saturation(tol=0)   # the dead region, as for ReLU
    [(-inf, 0.0)]
    """

    # The name kit lists; the entry-point name in pyproject.toml must be the same.
    name = "my_activation"
    # Every parameter with its default; MyActivation(left_slope=0.3) overrides it.
    defaults = {"left_slope": 0.1, "right_slope": 1.0}
    formula = r"\begin{cases} a z & z < 0 \\ b z & z \ge 0 \end{cases}"
    # What each framework's autodiff returns at the kink if you wrote this
    # function as where(z >= 0, b * z, a * z): the z >= 0 branch, i.e. the right
    # derivative.  Written as max/min or with z > 0 the answer changes.
    frameworks = {"pytorch": "right", "tensorflow": "right", "jax": "right"}

    def __init__(self, **params: float) -> None:
        super().__init__(**params)  # checks names and finiteness, sets self.left_slope, ...
        for key in ("left_slope", "right_slope"):
            if not -1.0 <= getattr(self, key) <= 1.0:
                raise ValueError(f"my_activation: {key} must be in [-1, 1], got {getattr(self, key)}")

    def value(self, z):
        # Python floats times a float16/32 array keep its dtype.  0 * inf is nan,
        # so a zero slope gives zeros outright (f(-inf) is then 0, its limit).
        left = self.left_slope * z if self.left_slope else np.zeros_like(z)
        right = self.right_slope * z if self.right_slope else np.zeros_like(z)
        return np.where(np.isnan(z), z, np.where(z >= 0, right, left))

    def left_derivative(self, z):
        # lim (f(z) - f(z - h)) / h: at 0 the left piece's slope.
        slope = np.where(z > 0, self.right_slope, self.left_slope).astype(z.dtype)
        return np.where(np.isnan(z), z, slope)  # NaN in, NaN out

    def right_derivative(self, z):
        # lim (f(z + h) - f(z)) / h: at 0 the right piece's slope.
        slope = np.where(z >= 0, self.right_slope, self.left_slope).astype(z.dtype)
        return np.where(np.isnan(z), z, slope)

    def kinks(self, lo=-math.inf, hi=math.inf):
        # Points in [lo, hi] where f is not differentiable; kit.within filters and sorts.
        return kit.within([0.0] if self.left_slope != self.right_slope else [], lo, hi)

    def saturation(self, tol=1e-3):
        # Optional: the base class finds this numerically; a closed form is exact
        # and kit.check verifies it against the derivatives.  kit has already
        # checked that tol is a number >= 0.  The intervals are open: at 0 the
        # right slope is b, so (-inf, 0.0) does not claim the kink itself.
        left = abs(self.left_slope) <= tol
        right = abs(self.right_slope) <= tol
        if left and right:
            return [(-math.inf, math.inf)]
        if left:
            return [(-math.inf, 0.0)]
        if right:
            return [(0.0, math.inf)]
        return []
