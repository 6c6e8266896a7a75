"""Deliberately broken activations: each correct but for one defect.

``GoodTanh`` and ``GoodLeaky`` pass every check; every other class breaks one
rule of the contract, and ``EXPECTED`` says which checks must fail for it.
"""

from __future__ import annotations

import math

import numpy as np

import kit


def _nan(z, out):
    return np.where(np.isnan(z), z, out)


class GoodTanh(kit.Activation):
    name = "good_tanh"

    def value(self, z):
        return np.tanh(z)

    def left_derivative(self, z):
        t = np.tanh(z)
        return 1 - t * t

    right_derivative = left_derivative


class GoodLeaky(kit.Activation):
    """Leaky ReLU with slope 0.1, a kink at 0."""

    name = "good_leaky"
    slope = 0.1
    frameworks = {"pytorch": "left"}

    def value(self, z):
        return np.where(z >= 0, z, self.slope * z)

    def left_derivative(self, z):
        return _nan(z, np.where(z > 0, 1.0, self.slope).astype(z.dtype))

    def right_derivative(self, z):
        return _nan(z, np.where(z >= 0, 1.0, self.slope).astype(z.dtype))

    def kinks(self, lo=-math.inf, hi=math.inf):
        return kit.within([0.0], lo, hi)


class WrongDerivative(GoodTanh):
    """1 - tanh instead of 1 - tanh**2."""

    def left_derivative(self, z):
        return 1 - np.tanh(z)

    right_derivative = left_derivative


class WrongLeftAtKink(GoodLeaky):
    """Uses z >= 0 on the left too: the right slope at the kink."""

    def left_derivative(self, z):
        return GoodLeaky.right_derivative(self, z)


class FakeKink(GoodTanh):
    """Declares a kink at 0.5 where tanh is smooth."""

    def kinks(self, lo=-math.inf, hi=math.inf):
        return kit.within([0.5], lo, hi)


class ForgottenKink(GoodLeaky):
    """Right one-sided derivatives, but kinks() forgets the kink at 0."""

    frameworks = {}

    def kinks(self, lo=-math.inf, hi=math.inf):
        return kit.within([], lo, hi)


class WrongDtype(GoodTanh):
    """Always computes and returns float64."""

    def value(self, z):
        return np.tanh(z.astype(np.float64))


class WrongShape(GoodTanh):
    """Turns 0-d input into shape (1,)."""

    def value(self, z):
        return np.atleast_1d(np.tanh(z))


class ReturnsASum(GoodTanh):
    """Reduces instead of working elementwise."""

    def value(self, z):
        return np.sum(np.tanh(z))


class Overflows(GoodTanh):
    """Softplus written naively: exp overflows for large inputs."""

    def value(self, z):
        return np.log(1 + np.exp(z))

    def left_derivative(self, z):
        return 1 / (1 + np.exp(-z))

    right_derivative = left_derivative


class Raises(GoodTanh):
    def value(self, z):
        raise RuntimeError("boom")


class RaisesInInit(GoodTanh):
    def __init__(self, **params):
        raise RuntimeError("cannot build")


class WrongSaturation(GoodLeaky):
    """ReLU whose closed-form dead region stops at -1 instead of 0."""

    slope = 0.0

    def value(self, z):
        return np.maximum(z, 0)

    def saturation(self, tol=1e-3):
        return [(-math.inf, -1.0)]


class NanBecomesZero(GoodLeaky):
    def left_derivative(self, z):
        return np.where(z > 0, 1.0, self.slope).astype(z.dtype)


class SwallowsParameters(GoodLeaky):
    defaults = {"alpha": 0.5}

    def __init__(self, **params):
        super().__init__(**{k: v for k, v in params.items() if k in self.defaults})


class BadFrameworks(GoodLeaky):
    frameworks = {"pytorch": "middle", "mxnet": "left", "jax": {1.0: "right"}}


class HalfPrecisionInside(GoodTanh):
    """Computes float32 input in float16."""

    def value(self, z):
        if z.dtype == np.float32:
            return np.tanh(z.astype(np.float16)).astype(np.float32)
        return np.tanh(z)


class JumpWithFiniteDerivative(kit.Activation):
    """A step whose left derivative at the jump is 0 instead of +inf."""

    name = "jump_finite"

    def value(self, z):
        return _nan(z, (z >= 0).astype(z.dtype))

    def left_derivative(self, z):
        return _nan(z, np.zeros_like(z))

    right_derivative = left_derivative

    def kinks(self, lo=-math.inf, hi=math.inf):
        return kit.within([0.0], lo, hi)

    def saturation(self, tol=1e-3):
        return [(-math.inf, math.inf)]


# class -> (checks that must fail, a regular expression one of their sentences matches)
EXPECTED = {
    WrongDerivative: (
        {"check_left_derivative", "check_right_derivative"},
        r"^check_left_derivative: at z=0\.001 left_derivative gives 0\.999 but the backward difference gives 0\.999999 "
        r"\(step 0\.0001, tolerance 1\.999e-05\)$",
    ),
    WrongLeftAtKink: (
        {"check_left_derivative"},
        r"^check_left_derivative: at z=0 left_derivative gives 1 but the backward difference gives 0\.1 ",
    ),
    FakeKink: (
        {"check_declared_kinks"},
        r"^check_declared_kinks: kinks\(\) declares z=0\.5 but f is differentiable there: backward slope 0\.786448, "
        r"forward slope 0\.786448$",
    ),
    ForgottenKink: (
        {"check_undeclared_kinks"},
        r"^check_undeclared_kinks: f has a kink near z=0 \(slope 0\.1 on the left, 1 on the right\) that kinks\(\) does "
        r"not declare$",
    ),
    WrongDtype: (
        {"check_shape_and_dtype"},
        r"^check_shape_and_dtype: value\(z\) returned dtype float64 for a float16 array of shape \(\); expected float16",
    ),
    WrongShape: (
        {"check_shape_and_dtype"},
        r"^check_shape_and_dtype: value\(z\) returned shape \(1,\) for a float16 array of shape \(\); expected \(\)",
    ),
    Overflows: (
        {"check_finite", "check_no_warnings", "check_dtype_consistency"},
        r"^check_finite: value\(z\) is inf at z=710 \(float64\); expected a finite number; 12 more points like this$",
    ),
    WrongSaturation: (
        {"check_saturation"},
        r"^check_saturation: saturation\(tol=0\.0\) gives \[\(-inf, -1\)\] but the derivatives give \[\(-inf, 0\)\]: "
        r"z=-0\.999998 is outside every interval yet max\(\|f'_-\|, \|f'_\+\|\) = 0 <= 0\.0",
    ),
    NanBecomesZero: (
        {"check_nonfinite_inputs"},
        r"^check_nonfinite_inputs: left_derivative\(z\) is 0\.0999756 at z=nan \(float16\); expected nan$",
    ),
    SwallowsParameters: (
        {"check_params"},
        r"^check_params: an unknown parameter \(no_such_parameter_xyz=1\.0\) was accepted; expected TypeError$",
    ),
    BadFrameworks: (
        {"check_framework_rules"},
        r"^check_framework_rules: frameworks\['pytorch'\] is not a kink rule: kink must be",
    ),
    HalfPrecisionInside: (
        {"check_dtype_consistency", "check_no_warnings"},  # the cast to float16 overflows too
        r"^check_dtype_consistency: value\(z\) in float32 gives .* at z=.* but float64 gives .* \(tolerance 64 eps",
    ),
    JumpWithFiniteDerivative: (
        {"check_left_derivative"},
        r"^check_left_derivative: at z=0 left_derivative gives 0 but the backward difference quotient grows without "
        r"bound \(10000 with step 0\.0001, 1e\+06 with step 1e-06\): f jumps there and the derivative from that side "
        r"is \+inf$",
    ),
}
