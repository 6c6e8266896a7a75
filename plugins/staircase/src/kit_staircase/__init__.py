"""A staircase activation for activation-kit: countably many jumps, gradient zero almost everywhere."""

from __future__ import annotations

import math

import numpy as np

import kit

__all__ = ["Staircase"]

_MAX_KINKS = 1_000_000


class Staircase(kit.Activation):
    r"""Round down to a grid: :math:`f(z) = w \lfloor z / w \rfloor`.

    Differentiable everywhere except at the multiples of ``width`` (a set of
    measure zero), yet with derivative 0 wherever it exists: gradient descent
    through it learns nothing.  At each step f jumps up by ``width``; it is
    right-continuous, so the right derivative is 0 and the left one +inf.

    Parameters
    ----------
    width : float
        The step, a power of two in [2**-10, 2**10] so that every step is
        exactly where :meth:`kinks` says, in every float dtype.

    Examples
    --------
    >>> stairs = Staircase()
    >>> stairs.value([-0.5, 0.0, 0.5, 1.0])
    array([-1.,  0.,  0.,  1.])
    >>> stairs.left_derivative(1.0), stairs.right_derivative(1.0)   # a jump from the left
    (inf, 0.0)
    >>> stairs.left_derivative(0.5), stairs.right_derivative(0.5)   # between steps: flat
    (0.0, 0.0)
    >>> stairs.kinks(-2, 2)
    array([-2., -1.,  0.,  1.,  2.])
    >>> stairs.saturation(tol=0)      # dead almost everywhere: all but the steps
    [(-inf, inf)]

    The dead region is the whole line *almost everywhere*, as the contract
    puts it: the exceptions are the steps, where the left derivative is
    +inf.  They are countably many (a set of measure zero), all declared by
    :meth:`kinks`, so :meth:`saturation` does not split the line at each of
    them (it could not list infinitely many pieces), and ``kit.check``
    judges it away from them.
    """

    name = "staircase"
    defaults = {"width": 1.0}
    formula = r"w \left\lfloor z / w \right\rfloor"
    # floor's gradient is zero in PyTorch and JAX; TensorFlow registers None (zero).
    frameworks = {"pytorch": kit.Fixed(0.0), "tensorflow": kit.Fixed(0.0), "jax": kit.Fixed(0.0)}

    def __init__(self, **params: float) -> None:
        super().__init__(**params)
        mantissa, exponent = math.frexp(self.width)
        if mantissa != 0.5 or not -9 <= exponent <= 11:
            raise ValueError(f"staircase: width must be a power of two in [2**-10, 2**10], got {self.width}")

    def _remainder(self, z):
        """z mod w with the sign of z, exact (fmod is exact); 0 for ±inf."""
        with np.errstate(invalid="ignore"):  # fmod(±inf, w) is nan: replaced by 0
            return np.where(np.isinf(z), z.dtype.type(0), np.fmod(z, self.width))

    def value(self, z):
        r = self._remainder(z)
        down = z - r  # exact: clears the bits below the step
        return np.where(r < 0, down - self.width, down)

    def left_derivative(self, z):
        on_step = (self._remainder(z) == 0) & np.isfinite(z)
        return np.where(np.isnan(z), z, np.where(on_step, np.inf, 0.0).astype(z.dtype))

    def right_derivative(self, z):
        return np.where(np.isnan(z), z, np.zeros_like(z))

    def kinks(self, lo=-math.inf, hi=math.inf):
        lo, hi = float(lo), float(hi)
        if lo > hi:
            return np.empty(0)
        if not (math.isfinite(lo) and math.isfinite(hi)) or (hi - lo) / self.width > _MAX_KINKS:
            raise ValueError(
                f"staircase has a step at every multiple of {self.width}: ask for a window holding at most "
                f"{_MAX_KINKS} of them, not [{lo}, {hi}]"
            )
        first = lo - math.fmod(lo, self.width)  # a multiple of the width next to lo, exact
        count = int((hi - first) / self.width) + 2
        points = np.unique(first + self.width * np.arange(-1, count))
        points = points[np.fmod(points, self.width) == 0]
        return kit.within(points, lo, hi)

    def saturation(self, tol=1e-3):
        # |f'| = 0 <= tol (kit has checked that tol >= 0) on the whole line except at
        # the steps, declared kinks of measure zero: the contract's "almost everywhere".
        return [(-math.inf, math.inf)]
