"""Smooth activations: differentiable everywhere, no kinks.

Their trouble is not the kink but saturation: where |f'| is tiny, gradient
descent crawls.  Every formula here is stable over the whole float range:

* ``exp`` is only taken of arguments that cannot overflow (``exp(-|z|)``, or
  an argument clipped where the result has already rounded to its limit), or
  an overflow to ``inf`` is the exact limit and is computed silently;
* complements such as ``1 - sigmoid(z)`` are computed directly, never by
  subtraction, so the tails keep their relative accuracy;
* float16 is computed in float32 and rounded back once.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from kit.activation import Activation, within
from kit.activations._numeric import ALL, const, elementwise, no_neg_inf, smooth_saturation, symmetric_tails

__all__ = ["Exponential", "LogSigmoid", "Mish", "SiLU", "Sigmoid", "Softplus", "Softsign", "Tanh"]

_SILU_CLIP = 45.0
"""Beyond this sigmoid(z) rounds to 1 and z e^-z is below a quarter ulp of 1
in float64 (25 is enough for float32): clipping exp's argument changes nothing."""
_MISH_CLIP = 25.0
"""The same for mish, whose correction terms decay like z e^-2z."""


def _sigmoid(z: NDArray) -> NDArray:
    """1 / (1 + exp(-z)); exp overflows to inf exactly where the result is 0."""
    out = np.negative(z)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += const(1, z)
    return np.divide(const(1, z), out, out=out)


def _sigmoid_slope(z: NDArray) -> NDArray:
    """sigmoid'(z) = e / (1 + e)^2 with e = exp(-|z|): symmetric, never overflows."""
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    out = e + const(1, z)
    np.square(out, out=out)
    return np.divide(e, out, out=out)


class Sigmoid(Activation):
    """Logistic sigmoid, 1 / (1 + exp(-z)).

    Smooth, but its derivative sigmoid(z) (1 - sigmoid(z)) is at most 1/4
    (at 0) and decays like exp(-|z|): for |z| > 6.9 it is below 1e-3, the
    vanishing gradient that input normalisation fights.

    Examples
    --------
    >>> f = Sigmoid()
    >>> f.value(0.0), f.left_derivative(0.0)
    (0.5, 0.25)
    >>> float(f.value(-np.inf)), float(f.value(np.inf))
    (0.0, 1.0)
    >>> [(round(a, 4), round(b, 4)) for a, b in f.saturation(tol=1e-3)]
    [(-inf, -6.9058), (6.9058, inf)]
    """

    name = "sigmoid"
    formula = r"\frac{1}{1 + e^{-z}}"

    @elementwise(float16_via_float32=True)
    def value(self, z: NDArray) -> NDArray:
        return _sigmoid(z)

    @elementwise(float16_via_float32=True)
    def left_derivative(self, z: NDArray) -> NDArray:
        return _sigmoid_slope(z)

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # sigmoid' = 1 / (4 cosh^2(z/2)) <= tol  <=>  |z| >= 2 arccosh(1 / (2 sqrt(tol)))
        return smooth_saturation(self, tol, 0.25, lambda tol: symmetric_tails(2 * math.acosh(0.5 / math.sqrt(tol))))


class Tanh(Activation):
    """Hyperbolic tangent: a sigmoid centred at 0, tanh(z) = 2 sigmoid(2z) - 1.

    Derivative 1 - tanh^2(z) = 1 / cosh^2(z): 1 at 0, below 1e-3 for
    |z| > 4.15.

    Examples
    --------
    >>> f = Tanh()
    >>> f.left_derivative(0.0), float(f.value(np.inf))
    (1.0, 1.0)
    >>> [(round(a, 4), round(b, 4)) for a, b in f.saturation(tol=1e-3)]
    [(-inf, -4.1468), (4.1468, inf)]
    """

    name = "tanh"
    formula = r"\tanh z"

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        return np.tanh(z)

    @elementwise(float16_via_float32=True)
    def left_derivative(self, z: NDArray) -> NDArray:
        return _tanh_slope(z)

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # 1 / cosh^2(z) <= tol  <=>  |z| >= arccosh(1 / sqrt(tol))
        return smooth_saturation(self, tol, 1.0, lambda tol: symmetric_tails(math.acosh(1 / math.sqrt(tol))))


def _tanh_slope(z: NDArray) -> NDArray:
    """1 / cosh^2(z) = (2 e / (1 + e^2))^2 with e = exp(-|z|)."""
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    out = np.square(e)
    out += const(1, z)
    e *= const(2, z)
    np.divide(e, out, out=out)
    return np.square(out, out=out)


class Softplus(Activation):
    """Softplus, log(1 + exp(beta z)) / beta, switching to z where beta z > threshold.

    This is PyTorch's ``F.softplus(z, beta, threshold)``, defaults included.
    Its derivative is sigmoid(beta z): never 0, but below 1e-3 for
    z < -6.9 / beta.  Computed as max(z, 0) + log1p(exp(-beta |z|)) / beta,
    exact over the whole range.

    Above the switch at s = threshold / beta the function is z itself, and
    PyTorch's gradient there is exactly 1, not sigmoid(beta z) = 1 - 2e-9.  So
    the switch is a jump: f(s) = softplus(s) lies log1p(exp(-threshold)) / beta
    (2.1e-9 at the default) above the linear piece, the left derivative at s
    is sigmoid(threshold) and the right one -inf.  PyTorch, JAX and
    TensorFlow all return the left one there.  JAX and TensorFlow have no
    switch and no beta: their softplus is this one with beta = 1 and a
    threshold above 36.74, where the switch changes no float64 number
    (sigmoid has rounded to 1) and so is not declared as a kink.  The switch
    point s is the last float64 with fl(s beta) <= threshold, so float64
    results are PyTorch's exactly.

    Parameters
    ----------
    beta : float, default 1.0
        Sharpness, > 0; softplus tends to ReLU as beta grows.
    threshold : float, default 20.0
        Where beta z exceeds it, f(z) = z (PyTorch's ``threshold``).

    Examples
    --------
    >>> f = Softplus()
    >>> round(f.value(0.0), 6), f.left_derivative(0.0)
    (0.693147, 0.5)
    >>> f.kinks(), f.left_derivative(20.0), f.right_derivative(20.0)   # the switch at 20: a tiny jump
    (array([20.]), 0.9999999979388463, -inf)
    >>> f.derivative(20.0, kink="pytorch"), f.derivative(25.0)          # linear beyond it, as in PyTorch
    (0.9999999979388463, 1.0)
    >>> Softplus(threshold=40.0).kinks()                                 # JAX's and TensorFlow's softplus
    array([], dtype=float64)
    >>> float(f.value(-np.inf)), float(f.value(1e300))
    (0.0, 1e+300)
    >>> [(a, round(b, 4)) for a, b in f.saturation(tol=1e-3)]
    [(-inf, -6.9068)]
    """

    name = "softplus"
    defaults = {"beta": 1.0, "threshold": 20.0}
    beta: float  # set from defaults by Activation.__init__
    threshold: float  # set from defaults by Activation.__init__
    formula = r"\begin{cases} z & \beta z > t \\ \frac{1}{\beta} \log(1 + e^{\beta z}) & \text{otherwise} \end{cases}"
    frameworks = {"pytorch": "left", "tensorflow": "left", "jax": "left"}

    def __init__(self, **params: float) -> None:
        super().__init__(**params)
        if not self.beta > 0:
            raise ValueError(f"softplus: parameter beta must be > 0, got {self.beta!r}")
        self._switch = _softplus_switch(self.beta, self.threshold)
        # the switch is a kink only where it changes a float64 number: a jump, or a slope below 1
        at = np.array([self._switch])
        self._jump = bool(
            math.isfinite(self._switch)
            and (self._exact(at)[0] != self._switch or self._slope(at)[0] != 1.0)
        )

    def _exact(self, z: NDArray) -> NDArray:
        out = np.abs(z)
        with np.errstate(over="ignore"):
            if self.beta != 1:
                out *= const(-self.beta, z)
            else:
                np.negative(out, out=out)
            np.exp(out, out=out)
        np.log1p(out, out=out)
        if self.beta != 1:
            out /= const(self.beta, z)
        out += np.maximum(z, const(0, z))
        return out

    def _slope(self, z: NDArray) -> NDArray:
        with np.errstate(over="ignore"):
            return _sigmoid(z * const(self.beta, z) if self.beta != 1 else z)

    def _linear(self, z: NDArray) -> NDArray:
        return z > const(self._switch, z)

    @elementwise(float16_via_float32=True)
    def value(self, z: NDArray) -> NDArray:
        out = self._exact(z)
        linear = self._linear(z)
        if linear.any():
            out[linear] = z[linear]
        return out

    @elementwise(float16_via_float32=True)
    def left_derivative(self, z: NDArray) -> NDArray:
        out = self._slope(z)
        out[self._linear(z)] = 1
        return out

    @elementwise(float16_via_float32=True)
    def right_derivative(self, z: NDArray) -> NDArray:
        out = self._slope(z)
        out[self._linear(z)] = 1
        if self._jump:
            out[z == const(self._switch, z)] = -np.inf  # f drops to the linear piece just right of s
        return out

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        return within([self._switch] if self._jump else [], lo, hi)

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # sigmoid(beta z) <= tol  <=>  z <= logit(tol) / beta, up to the switch; the linear piece has slope 1
        s = self._switch if self._jump else math.inf
        if tol >= 1:
            return list(ALL) if tol == math.inf or not self._jump else [(-math.inf, s), (s, math.inf)]
        return smooth_saturation(
            self, tol, math.inf, lambda tol: [(-math.inf, min(math.log(tol / (1 - tol)) / self.beta, s))]
        )


def _softplus_switch(beta: float, threshold: float) -> float:
    """The last float64 s with fl(s * beta) <= threshold: z > s is exactly PyTorch's beta z > threshold."""
    with np.errstate(over="ignore"):
        s = np.float64(threshold) / np.float64(beta)
        if not np.isfinite(s):
            return float(s)
        while s * np.float64(beta) > threshold:
            s = np.nextafter(s, -np.inf)
        while np.nextafter(s, np.inf) * np.float64(beta) <= threshold:
            s = np.nextafter(s, np.inf)
    return float(s)


class SiLU(Activation):
    """Sigmoid-weighted linear unit z sigmoid(z), also called swish.

    Smooth and non-monotonic: a minimum of about -0.2785 at z = -1.2785,
    where the derivative s (1 + z (1 - s)), s = sigmoid(z), is 0, so there is a
    narrow saturated band around it besides the left tail.

    Examples
    --------
    >>> f = SiLU()
    >>> f.value(0.0), f.left_derivative(0.0)
    (0.0, 0.5)
    >>> float(f.value(-np.inf)), float(f.left_derivative(np.inf))
    (-0.0, 1.0)
    >>> f.kinks()                   # smooth: no kinks, every kink rule gives f'
    array([], dtype=float64)
    >>> [(round(a, 3), round(b, 3)) for a, b in f.saturation(tol=1e-3)]   # the tail and the band at the minimum
    [(-inf, -8.985), (-1.283, -1.274)]
    """

    name = "silu"
    formula = r"\frac{z}{1 + e^{-z}}"

    @elementwise(float16_via_float32=True)
    def value(self, z: NDArray) -> NDArray:
        z = no_neg_inf(z)
        out = np.negative(z)
        with np.errstate(over="ignore"):
            np.exp(out, out=out)
        out += const(1, z)
        return np.divide(z, out, out=out)  # z / inf = -0 far left: the limit

    @elementwise(float16_via_float32=True)
    def left_derivative(self, z: NDArray) -> NDArray:
        return _silu_slope(z)

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'


def _silu_slope(z: NDArray) -> NDArray:
    """u (1 + u + z) / (1 + u)^2 with u = exp(z), z clipped where the result is 1.

    This is s (1 + z (1 - s)) with s = sigmoid(z) = u / (1 + u) and
    1 - s = 1 / (1 + u) (no cancellation in the right tail), in two arrays.
    The clip (25 for float32, 45 for float64) keeps (1 + u)^2 finite and is
    where z e^-z has fallen below a quarter ulp of 1.
    """
    clip = 25.0 if z.dtype.itemsize <= 4 else _SILU_CLIP
    out = np.minimum(no_neg_inf(z), const(clip, z))
    u = np.exp(out)
    out += u
    out += const(1, z)
    out *= u
    u += const(1, z)
    np.square(u, out=u)
    return np.divide(out, u, out=out)


class Mish(Activation):
    """Mish, z tanh(softplus(z)) (Misra 2019): smooth, non-monotonic.

    tanh(softplus(z)) is computed without log as n / (n + 2) with
    n = u (u + 2), u = exp(z); minimum about -0.3088 at z = -1.1924, where the
    derivative is 0.

    Examples
    --------
    >>> f = Mish()
    >>> f.value(0.0), round(f.left_derivative(0.0), 6)
    (0.0, 0.6)
    >>> float(f.value(-np.inf)), float(f.value(np.inf))
    (-0.0, inf)
    """

    name = "mish"
    formula = r"z \tanh(\log(1 + e^z))"

    @staticmethod
    def _parts(z: NDArray) -> tuple[NDArray, NDArray, NDArray]:
        """u = exp(z), n = u (u + 2), p = n + 2 at z clipped to <= 25."""
        u = np.exp(np.minimum(z, const(_MISH_CLIP, z)))
        n = u + const(2, z)
        n *= u
        return u, n, n + const(2, z)

    @elementwise(float16_via_float32=True)
    def value(self, z: NDArray) -> NDArray:
        z = no_neg_inf(z)
        _, n, p = self._parts(z)
        n /= p  # tanh(softplus(z)), exactly 1 beyond the clip
        return np.multiply(n, z, out=n)

    def _slope(self, z: NDArray) -> NDArray:
        # mish' = t + z sigmoid(z) (1 - t^2), 1 - t^2 = 4 (n + 1) / p^2, all at z <= 25
        zc = np.minimum(no_neg_inf(z), const(_MISH_CLIP, z))
        u, n, p = self._parts(zc)
        sech2 = n + const(1, z)
        sech2 /= p
        sech2 /= p
        sech2 *= const(4, z)
        s = u + const(1, z)
        np.divide(u, s, out=s)
        sech2 *= s
        sech2 *= zc
        n /= p
        sech2 += n
        return sech2

    @elementwise(float16_via_float32=True)
    def left_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z)

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'


class Softsign(Activation):
    """Softsign, z / (1 + |z|): a sigmoid shape with polynomial tails.

    Derivative 1 / (1 + |z|)^2 decays slowly, so it saturates much later than
    tanh: below 1e-3 only for |z| > 30.6.

    Examples
    --------
    >>> f = Softsign()
    >>> f.value(1.0), f.left_derivative(0.0), float(f.value(np.inf))
    (0.5, 1.0, 1.0)
    >>> [(round(a, 3), round(b, 3)) for a, b in f.saturation(tol=1e-3)]
    [(-inf, -30.623), (30.623, inf)]
    """

    name = "softsign"
    formula = r"\frac{z}{1 + |z|}"

    @elementwise
    def value(self, z: NDArray) -> NDArray:
        inf = np.isinf(z)
        if inf.any():  # inf / inf: use the largest finite numbers, whose value rounds to +-1
            z = np.where(inf, np.copysign(np.finfo(z.dtype).max, z), z)
        out = np.abs(z)
        out += const(1, z)
        return np.divide(z, out, out=out)

    def _slope(self, z: NDArray) -> NDArray:
        out = np.abs(z)
        out += const(1, z)
        np.divide(const(1, z), out, out=out)
        return np.square(out, out=out)  # reciprocal first: no overflow

    @elementwise
    def left_derivative(self, z: NDArray) -> NDArray:
        return self._slope(z)

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # 1 / (1 + |z|)^2 <= tol  <=>  |z| >= 1 / sqrt(tol) - 1
        return smooth_saturation(self, tol, 1.0, lambda tol: symmetric_tails(1 / math.sqrt(tol) - 1))


class LogSigmoid(Activation):
    """Log-sigmoid, log sigmoid(z) = -softplus(-z): a smooth, negative ReLU mirror.

    Computed as min(z, 0) - log1p(exp(-|z|)), exact over the whole range
    (``log(sigmoid(z))`` would give -inf below z = -745).  Tends to z as
    z -> -inf and to 0 as z -> inf; its derivative sigmoid(-z) decays on the
    right: below 1e-3 for z > 6.9.

    Examples
    --------
    >>> f = LogSigmoid()
    >>> round(f.value(0.0), 6), f.left_derivative(0.0)
    (-0.693147, 0.5)
    >>> float(f.value(-1e300)), float(f.value(np.inf)), float(f.left_derivative(-np.inf))
    (-1e+300, 0.0, 1.0)
    >>> f.kinks()                   # smooth: every kink rule gives f'
    array([], dtype=float64)
    >>> [(round(a, 4), b) for a, b in f.saturation(tol=1e-3)]
    [(6.9068, inf)]
    """

    name = "log_sigmoid"
    formula = r"\log \frac{1}{1 + e^{-z}}"

    @elementwise(float16_via_float32=True)
    def value(self, z: NDArray) -> NDArray:
        out = np.abs(z)
        np.negative(out, out=out)
        np.exp(out, out=out)
        np.log1p(out, out=out)
        return np.subtract(np.minimum(z, const(0, z)), out, out=out)

    @elementwise(float16_via_float32=True)
    def left_derivative(self, z: NDArray) -> NDArray:
        return _sigmoid(np.negative(z))

    right_derivative = left_derivative  # smooth: both one-sided derivatives are f'

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # sigmoid(-z) <= tol  <=>  z >= log((1 - tol) / tol); the left side tends to 1
        return smooth_saturation(self, tol, 1.0, lambda tol: [(math.log((1 - tol) / tol), math.inf)])


class Exponential(Activation):
    """The exponential, exp(z) (Keras 3's ``exponential`` activation).

    Its own derivative: never 0, below 1e-3 for z < -6.9, and beyond the
    float range (``inf``, the correct rounding) for z > 709.78 in float64
    (88.72 in float32, 11.09 in float16).

    Examples
    --------
    >>> f = Exponential()
    >>> f.value(0.0), f.left_derivative(1.0) == f.value(1.0)
    (1.0, True)
    >>> float(f.value(710.0)), float(f.value(-np.inf))
    (inf, 0.0)
    >>> [(a, round(b, 4)) for a, b in f.saturation(tol=1e-3)]
    [(-inf, -6.9078)]
    """

    name = "exponential"
    formula = r"e^z"

    @elementwise(float16_via_float32=True)
    def value(self, z: NDArray) -> NDArray:
        with np.errstate(over="ignore"):  # inf beyond the range is the correct rounding
            return np.exp(z)

    left_derivative = value
    right_derivative = value  # smooth: both one-sided derivatives are f' = f

    def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
        # exp(z) <= tol  <=>  z <= log(tol); never saturated everywhere
        return smooth_saturation(self, tol, math.inf, lambda tol: [(-math.inf, math.log(tol))])
