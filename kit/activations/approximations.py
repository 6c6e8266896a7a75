"""Cheap stand-ins for smooth activations: no exp, and kinks where the pieces meet.

* ``hard_swish`` for swish (MobileNetV3): z relu6(z + 3) / 6, kinks at ±3;
* ``sparse_sigmoid`` for sigmoid: a linear ramp on [-1, 1], kinks at ±1;
* ``sparse_plus`` for softplus: a parabola between 0 and z, once
  continuously differentiable, so no kinks at all (only f'' jumps);
* ``squareplus`` for softplus (Barron 2021): (z + sqrt(z^2 + b)) / 2, smooth.

Their pieces are polynomials, so they are computed exactly where the pieces
are linear and without overflow everywhere else.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kit.activation import FRAMEWORKS, Activation, within
from kit.activations._numeric import ALL, box, const, elementwise, keep_nan, no_neg_inf, smooth_saturation

__all__ = ["HardSwish", "SparsePlus", "SparseSigmoid", "Squareplus"]


class HardSwish(Activation):
    """Hard swish, z relu6(z + 3) / 6 = z hard_sigmoid(z) (Howard et al. 2019).

    0 below -3, z above 3, z (z + 3) / 6 between: PyTorch's ``hardswish``,
    JAX's and Keras 3's ``hard_silu`` (also ``hard_swish``).  Kinks at -3
    (left derivative 0, right -1/2) and at 3 (left 3/2, right 1); all three
    frameworks return 0 at -3 and 1 at 3, the outer pieces' slopes.  Like
    swish it dips below zero: a minimum of -3/8 at z = -3/2, where the
    derivative (2 z + 3) / 6 is 0.

    Examples
    --------
    >>> f = HardSwish()
    >>> f.value([-4.0, -1.5, 0.0, 4.0])     # -4 * 0 = -0, as in the frameworks
    array([-0.   , -0.375,  0.   ,  4.   ])
    >>> f.left_derivative([-3.0, 3.0]), f.right_derivative([-3.0, 3.0])
    (array([0. , 1.5]), array([-0.5,  1. ]))
    >>> f.derivative([-3.0, 3.0], kink="jax")
    array([0., 1.])
    >>> f.saturation(tol=1e-3)      # the dead left side and the band at the minimum
    [(-inf, -3.0), (-1.503, -1.497)]
    """

    name = "hard_swish"
    formula = r"z \, \frac{\min(\max(z + 3, 0), 6)}{6}"
    frameworks = {fw: {-3.0: "left", 3.0: "right"} for fw in FRAMEWORKS}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        gate = np.clip(z, const(-3, z), const(3, z))  # hard_sigmoid(z) = (gate + 3) / 6, in [0, 1]
        gate += const(3, z)
        gate /= const(6, z)
        return np.multiply(gate, no_neg_inf(z), out=gate)  # exactly z above 3, -0 far left

    def _slope(self, z: NDArray, left: bool) -> NDArray:
        with np.errstate(invalid="ignore"):
            mid = z / const(3, z) + const(0.5, z)  # PyTorch's (2 z + 3) / 6
        inside = box(z, -3.0, 3.0, left).astype(bool)
        above = (z > const(3, z)) if left else (z >= const(3, z))
        return keep_nan(z, np.where(inside, mid, above.astype(z.dtype)))

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z, left=True)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z, left=False)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([-3.0, 3.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # |f'| is 0 below -3, |2z + 3| / 6 on [-3, 3] (1/2 at -3, 3/2 at 3), 1 above 3
        if tol >= 1.5:
            return list(ALL)
        top = -1.5 + 3 * tol  # |z + 3/2| <= 3 tol
        right = [(3.0, math.inf)] if tol >= 1 else []
        if tol >= 0.5:
            return [(-math.inf, top), *right]
        band = [(-1.5 - 3 * tol, top)] if tol > 0 else []  # at tol = 0 a single point, of measure zero
        return [(-math.inf, -3.0), *band]


class SparseSigmoid(Activation):
    """Sparse sigmoid, (clip(z, -1, 1) + 1) / 2: JAX's and Keras 3's ``sparse_sigmoid``.

    0 below -1, 1 above 1, a ramp of slope 1/2 between (Martins and Astudillo
    2016's sparsemax in one dimension).  Kinks at -1 (left 0, right 1/2) and
    at 1 (left 1/2, right 0).  The frameworks disagree there: JAX returns
    1/4, the mean of the two sides (its ``clip`` is ``min(max(...))`` and a
    tie gives each side half the gradient), Keras 0, the outer slope.
    PyTorch has no sparse sigmoid.

    Examples
    --------
    >>> f = SparseSigmoid()
    >>> f.value([-2.0, 0.0, 0.5, 2.0])
    array([0.  , 0.5 , 0.75, 1.  ])
    >>> f.left_derivative([-1.0, 1.0]), f.right_derivative([-1.0, 1.0])
    (array([0. , 0.5]), array([0.5, 0. ]))
    >>> f.derivative([-1.0, 1.0], kink="jax"), f.derivative([-1.0, 1.0], kink="tensorflow")
    (array([0.25, 0.25]), array([0., 0.]))
    >>> f.saturation(tol=0)
    [(-inf, -1.0), (1.0, inf)]
    """

    name = "sparse_sigmoid"
    formula = r"\frac{1}{2} \left(\operatorname{clip}(z, -1, 1) + 1\right)"
    frameworks = {"jax": "mean", "tensorflow": {-1.0: "left", 1.0: "right"}}

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        out = np.clip(z, const(-1, z), const(1, z))
        out += const(1, z)
        out /= const(2, z)
        return out

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return box(z, -1.0, 1.0, left=True, height=0.5)

    @elementwise
    def right_derivative(self, z: NDArray) -> NDArray:
        return box(z, -1.0, 1.0, left=False, height=0.5)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([-1.0, 1.0], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        return [(-math.inf, -1.0), (1.0, math.inf)] if tol < 0.5 else list(ALL)


class SparsePlus(Activation):
    """Sparse plus: 0 below -1, (z + 1)^2 / 4 on [-1, 1], z above 1 (JAX's and Keras 3's ``sparse_plus``).

    A softplus made of a parabola and two lines that meet it with the same
    slope: the derivative clip((z + 1) / 2, 0, 1) is continuous, so there are
    no kinks (only the second derivative jumps, at ±1), and every kink rule
    gives the same derivative.  Dead below -1, exactly as ReLU is below 0.
    PyTorch has no sparse plus.

    Examples
    --------
    >>> f = SparsePlus()
    >>> f.value([-2.0, -1.0, 0.0, 1.0, 3.0])
    array([0.  , 0.  , 0.25, 1.  , 3.  ])
    >>> f.left_derivative([-1.0, 1.0]), f.right_derivative([-1.0, 1.0])   # no kink at the seams
    (array([0., 1.]), array([0., 1.]))
    >>> f.kinks()
    array([], dtype=float64)
    >>> f.saturation(tol=0), f.saturation(tol=0.25)
    ([(-inf, -1.0)], [(-inf, -0.5)])
    """

    name = "sparse_plus"
    formula = r"\begin{cases} 0 & z \le -1 \\ (z + 1)^2 / 4 & -1 < z < 1 \\ z & z \ge 1 \end{cases}"

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        q = np.clip(z, const(-1, z), const(1, z))
        q += const(1, z)
        np.square(q, out=q)
        q /= const(4, z)
        above = z >= const(1, z)
        q[above] = z[above]  # exactly z on the linear piece
        return q

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        with np.errstate(over="ignore"):  # the largest float + 1 rounds, it does not overflow; inf / 2 is clipped
            out = z + const(1, z)
        out /= const(2, z)
        return np.clip(out, const(0, z), const(1, z), out=out)

    right_derivative = left_derivative  # continuously differentiable: both one-sided derivatives are f'

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # (z + 1) / 2 <= tol  <=>  z <= 2 tol - 1, then 1 from z = 1 on
        return [(-math.inf, 2 * tol - 1)] if tol < 1 else list(ALL)


class Squareplus(Activation):
    """Squareplus, (z + sqrt(z^2 + b)) / 2 (Barron 2021; JAX's and Keras 3's ``squareplus``).

    A softplus built from a square root: smooth for b > 0, positive, with
    derivative (1 + z / sqrt(z^2 + b)) / 2 in (0, 1), 1/2 at 0.  It tends to
    0 only like b / (4 |z|) on the left, so it saturates late: below 1e-3 for
    z < -31.6 at b = 4 (softplus: -6.9).  Computed without cancellation on the
    left (b / (2 (sqrt(z^2 + b) - z))) and without overflow for huge |z|
    (``hypot``); the frameworks' plain formula returns 0 for z < -1e8.
    PyTorch has no squareplus.

    Parameters
    ----------
    b : float, default 4.0
        > 0; the curvature at 0 (b = 0 would be ReLU, with a kink at 0 where
        JAX and Keras give a NaN gradient).

    Examples
    --------
    >>> f = Squareplus()
    >>> f.value(0.0), f.left_derivative(0.0)
    (1.0, 0.5)
    >>> f.value(-1e10)              # b / (4 |z|): the frameworks' formula gives 0
    1e-10
    >>> f.kinks()
    array([], dtype=float64)
    >>> [(a, round(b, 3)) for a, b in f.saturation(tol=1e-3)]
    [(-inf, -31.575)]
    """

    name = "squareplus"
    defaults = {"b": 4.0}
    b: float  # set from defaults by Activation.__init__
    formula = r"\frac{1}{2} \left(z + \sqrt{z^2 + b}\right)"

    def __init__(self, **params: float) -> None:
        super().__init__(**params)
        if not self.b > 0:
            raise ValueError(f"squareplus: parameter b must be > 0, got {self.b!r} (b = 0 is relu)")

    def _parts(self, z: NDArray) -> tuple[NDArray, NDArray]:
        """(r / 2, z / 2) with r = sqrt(z^2 + b), neither overflowing."""
        r = np.hypot(z, const(math.sqrt(self.b), z))
        r /= const(2, z)
        return r, z / const(2, z)

    @elementwise(float16_via_float32=True)
    def value(self, z: NDArray) -> NDArray:
        half_r, half_z = self._parts(z)
        neg = z < 0
        with np.errstate(invalid="ignore"):  # inf - inf at z = -inf: replaced below
            out = half_r + half_z  # z >= 0: no cancellation
        with np.errstate(over="ignore"):  # +-inf halves: r/2 - z/2 = inf, and b / 4 / inf = 0
            out[neg] = const(self.b / 4, z) / (half_r[neg] - half_z[neg])
        return out

    @elementwise(float16_via_float32=True)
    def left_derivative(self, z: NDArray) -> NDArray:
        half_r, half_z = self._parts(z)
        with np.errstate(invalid="ignore"):  # inf / inf at z = +-inf: replaced below
            out = half_z / half_r
        out = np.where(np.isinf(z), np.sign(z), out)
        out += const(1, z)
        out /= const(2, z)  # (1 + z / r) / 2: no cancellation for z >= 0
        neg = z < 0
        with np.errstate(over="ignore"):  # b / (2 r (r - z)) on the left; the product beyond the range is 0's cause
            out[neg] = const(self.b / 8, z) / (half_r[neg] * (half_r[neg] - half_z[neg]))
        return out

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # (1 + z / sqrt(z^2 + b)) / 2 <= tol  <=>  z <= (2 tol - 1) sqrt(b / (4 tol (1 - tol)))
        return smooth_saturation(
            self, tol, 1.0, lambda tol: [(-math.inf, (2 * tol - 1) * math.sqrt(self.b / (4 * tol * (1 - tol))))]
        )
