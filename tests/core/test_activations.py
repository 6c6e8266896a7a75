"""The built-in catalogue: exact values, kinks, limits, saturation, frameworks.

Every expected number here comes from the definition (kinks, limits), from an
independent scalar implementation with Python's ``math`` (smooth functions,
compared at ``rtol = 1e-13``, about 450 ulp of float64, though most agree to
a few ulp), or from the table in design.md (frameworks).  PyTorch, when
installed, is a second reference for values and autodiff gradients.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest

import kit
from kit.activation import Fixed, numerical_saturation
from kit.activations.exponential import SELU_ALPHA, SELU_SCALE

INF = math.inf
LAMBDA_ALPHA = SELU_SCALE * SELU_ALPHA
BUILTINS = [
    "abs", "celu", "elu", "exponential", "gelu", "hard_shrink", "hard_sigmoid", "hard_swish", "hard_tanh",
    "identity", "leaky_relu", "log_sigmoid", "mish", "relu", "relu6", "selu", "sigmoid", "sign", "silu",
    "soft_shrink", "softplus", "softsign", "sparse_plus", "sparse_sigmoid", "squareplus", "step", "swish", "tanh",
    "tanh_shrink", "threshold",
]  # fmt: skip
# every elementwise activation PyTorch 2.13, JAX 0.10 or TensorFlow 2.21 / Keras 3.15 ships, under the kit's name
FRAMEWORK_ACTIVATIONS = [
    "celu", "elu", "exponential", "gelu", "hard_shrink", "hard_sigmoid", "hard_swish", "hard_tanh", "identity",
    "leaky_relu", "log_sigmoid", "mish", "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softplus",
    "softsign", "sparse_plus", "sparse_sigmoid", "squareplus", "tanh", "tanh_shrink", "threshold",
]  # fmt: skip
DTYPES = [np.float16, np.float32, np.float64]


def test_all_26_framework_activations_are_in_the_catalogue():
    assert len(FRAMEWORK_ACTIVATIONS) == 26
    assert set(FRAMEWORK_ACTIVATIONS) <= set(kit.names())
    assert set(FRAMEWORK_ACTIVATIONS) <= set(BUILTINS)


def test_every_builtin_is_registered_through_entry_points():
    entries = kit.entries()
    for name in BUILTINS:
        assert name in entries, name
        assert entries[name].builtin, f"{name} should come from activation-kit itself"
    assert kit.get("swish").name == "swish"
    assert type(kit.get("swish")) is type(kit.get("silu"))


# -- exact values at chosen points, kinks included -------------------------------

# (name, params, z, (value, left derivative, right derivative))
POINTS = [
    ("identity", {}, 0.0, (0.0, 1.0, 1.0)),
    ("identity", {}, -2.5, (-2.5, 1.0, 1.0)),
    ("relu", {}, 0.0, (0.0, 0.0, 1.0)),
    ("relu", {}, -2.0, (0.0, 0.0, 0.0)),
    ("relu", {}, 3.5, (3.5, 1.0, 1.0)),
    ("leaky_relu", {}, 0.0, (0.0, 0.01, 1.0)),
    ("leaky_relu", {}, -1.0, (-0.01, 0.01, 0.01)),
    ("leaky_relu", {"alpha": 0.1}, 0.0, (0.0, 0.1, 1.0)),
    ("leaky_relu", {"alpha": 0.1}, -2.0, (-0.2, 0.1, 0.1)),
    ("leaky_relu", {"alpha": 0.1}, 4.0, (4.0, 1.0, 1.0)),
    ("leaky_relu", {"alpha": 0.0}, 0.0, (0.0, 0.0, 1.0)),
    ("leaky_relu", {"alpha": 2.0}, -1.5, (-3.0, 2.0, 2.0)),
    ("leaky_relu", {"alpha": 2.0}, 0.0, (0.0, 2.0, 1.0)),
    ("leaky_relu", {"alpha": -0.5}, -2.0, (1.0, -0.5, -0.5)),
    ("relu6", {}, 0.0, (0.0, 0.0, 1.0)),
    ("relu6", {}, 6.0, (6.0, 1.0, 0.0)),
    ("relu6", {}, 2.5, (2.5, 1.0, 1.0)),
    ("relu6", {}, 7.0, (6.0, 0.0, 0.0)),
    ("hard_tanh", {}, -1.0, (-1.0, 0.0, 1.0)),
    ("hard_tanh", {}, 1.0, (1.0, 1.0, 0.0)),
    ("hard_tanh", {}, 0.25, (0.25, 1.0, 1.0)),
    ("hard_tanh", {}, -3.0, (-1.0, 0.0, 0.0)),
    ("abs", {}, 0.0, (0.0, -1.0, 1.0)),
    ("abs", {}, -2.5, (2.5, -1.0, -1.0)),
    ("hard_sigmoid", {}, -3.0, (0.0, 0.0, 1 / 6)),
    ("hard_sigmoid", {}, 3.0, (1.0, 1 / 6, 0.0)),
    ("hard_sigmoid", {}, 0.0, (0.5, 1 / 6, 1 / 6)),
    ("hard_sigmoid", {}, 1.5, (0.75, 1 / 6, 1 / 6)),
    ("hard_sigmoid", {}, -4.0, (0.0, 0.0, 0.0)),
    ("step", {}, 0.0, (1.0, INF, 0.0)),  # H(0) = 1: continuous from the right only
    ("step", {}, -1e-300, (0.0, 0.0, 0.0)),
    ("step", {}, 2.0, (1.0, 0.0, 0.0)),
    ("sign", {}, 0.0, (0.0, INF, INF)),  # sign(0) = 0: a jump on both sides
    ("sign", {}, -3.0, (-1.0, 0.0, 0.0)),
    ("sign", {}, 1e-300, (1.0, 0.0, 0.0)),
    ("elu", {}, 0.0, (0.0, 1.0, 1.0)),
    ("elu", {"alpha": 2.0}, 0.0, (0.0, 2.0, 1.0)),
    ("elu", {"alpha": 2.0}, 1.5, (1.5, 1.0, 1.0)),
    ("selu", {}, 0.0, (0.0, LAMBDA_ALPHA, SELU_SCALE)),
    ("selu", {}, 2.0, (2 * SELU_SCALE, SELU_SCALE, SELU_SCALE)),
    ("celu", {"alpha": 2.0}, 0.0, (0.0, 1.0, 1.0)),
    ("sigmoid", {}, 0.0, (0.5, 0.25, 0.25)),
    ("tanh", {}, 0.0, (0.0, 1.0, 1.0)),
    ("softplus", {}, 0.0, (math.log(2), 0.5, 0.5)),
    ("softplus", {"beta": 2.0}, 0.0, (math.log(2) / 2, 0.5, 0.5)),
    ("silu", {}, 0.0, (0.0, 0.5, 0.5)),
    ("swish", {}, 0.0, (0.0, 0.5, 0.5)),
    ("mish", {}, 0.0, (0.0, 0.6, 0.6)),  # tanh(log 2) = 3/5
    ("gelu", {}, 0.0, (0.0, 0.5, 0.5)),
    ("softsign", {}, 0.0, (0.0, 1.0, 1.0)),
    ("softsign", {}, 1.0, (0.5, 0.25, 0.25)),
    ("softsign", {}, -3.0, (-0.75, 1 / 16, 1 / 16)),
    ("softplus", {}, 20.0, (20 + math.log1p(math.exp(-20)), 1 / (1 + math.exp(-20)), -INF)),  # PyTorch's switch
    ("softplus", {}, 20.5, (20.5, 1.0, 1.0)),
    ("softplus", {"threshold": -5.0}, -5.0, (math.log1p(math.exp(-5)), 1 / (1 + math.exp(5)), -INF)),
    ("softplus", {"threshold": -5.0}, -4.0, (-4.0, 1.0, 1.0)),
    ("softplus", {"threshold": 40.0}, 38.0, (38.0, 1.0, 1.0)),  # no switch: e^-38 is below half an ulp of 38 and of 1
    ("hard_swish", {}, -3.0, (0.0, 0.0, -0.5)),
    ("hard_swish", {}, 3.0, (3.0, 1.5, 1.0)),
    ("hard_swish", {}, -1.5, (-0.375, 0.0, 0.0)),  # the minimum: f' = 0 at one point
    ("hard_swish", {}, 0.0, (0.0, 0.5, 0.5)),
    ("hard_swish", {}, -4.0, (0.0, 0.0, 0.0)),
    ("hard_swish", {}, 5.0, (5.0, 1.0, 1.0)),
    ("hard_shrink", {}, 0.5, (0.0, 0.0, INF)),  # f(0.5) = 0, then 0.5 + h: a jump seen from the right
    ("hard_shrink", {}, -0.5, (0.0, INF, 0.0)),
    ("hard_shrink", {}, 0.7, (0.7, 1.0, 1.0)),
    ("hard_shrink", {}, -0.2, (0.0, 0.0, 0.0)),
    ("hard_shrink", {"lam": 2.0}, -2.0, (0.0, INF, 0.0)),
    ("hard_shrink", {"lam": 2.0}, -2.5, (-2.5, 1.0, 1.0)),
    ("soft_shrink", {}, 0.5, (0.0, 0.0, 1.0)),
    ("soft_shrink", {}, -0.5, (0.0, 1.0, 0.0)),
    ("soft_shrink", {}, 2.0, (1.5, 1.0, 1.0)),
    ("soft_shrink", {}, -2.0, (-1.5, 1.0, 1.0)),
    ("soft_shrink", {"lam": 1.0}, 0.25, (0.0, 0.0, 0.0)),
    ("tanh_shrink", {}, 0.0, (0.0, 0.0, 0.0)),
    ("threshold", {}, 1.0, (0.0, 0.0, INF)),  # f(1) = 0, then 1 + h
    ("threshold", {}, 1.5, (1.5, 1.0, 1.0)),
    ("threshold", {}, -3.0, (0.0, 0.0, 0.0)),
    ("threshold", {"threshold": 2.0, "default_value": 5.0}, 2.0, (5.0, 0.0, -INF)),  # a jump down
    ("threshold", {"threshold": 0.0, "default_value": 0.0}, 0.0, (0.0, 0.0, 1.0)),  # continuous: ReLU
    ("threshold", {"threshold": -1.0, "default_value": 3.0}, -2.0, (3.0, 0.0, 0.0)),
    ("log_sigmoid", {}, 0.0, (-math.log(2), 0.5, 0.5)),
    ("squareplus", {}, 0.0, (1.0, 0.5, 0.5)),
    ("squareplus", {"b": 1.0}, 0.0, (0.5, 0.5, 0.5)),
    ("squareplus", {}, 1.5, (2.0, 0.8, 0.8)),  # sqrt(1.5^2 + 4) = 2.5
    ("sparse_plus", {}, -1.0, (0.0, 0.0, 0.0)),
    ("sparse_plus", {}, 1.0, (1.0, 1.0, 1.0)),
    ("sparse_plus", {}, 0.0, (0.25, 0.5, 0.5)),
    ("sparse_plus", {}, 3.0, (3.0, 1.0, 1.0)),
    ("sparse_plus", {}, -5.0, (0.0, 0.0, 0.0)),
    ("sparse_sigmoid", {}, -1.0, (0.0, 0.0, 0.5)),
    ("sparse_sigmoid", {}, 1.0, (1.0, 0.5, 0.0)),
    ("sparse_sigmoid", {}, 0.0, (0.5, 0.5, 0.5)),
    ("sparse_sigmoid", {}, -0.5, (0.25, 0.5, 0.5)),
    ("exponential", {}, 0.0, (1.0, 1.0, 1.0)),
    ("exponential", {}, 1.0, (math.e, math.e, math.e)),
]


@pytest.mark.parametrize(("name", "params", "z", "expected"), POINTS, ids=lambda v: repr(v) if not callable(v) else "")
def test_value_and_one_sided_derivatives_at_chosen_points(name, params, z, expected):
    act = kit.get(name, **params)
    got = (act.value(z), act.left_derivative(z), act.right_derivative(z))
    for g, e in zip(got, expected, strict=True):
        assert isinstance(g, float)
        assert g == pytest.approx(e, rel=1e-15, abs=0), (name, params, z, got)


# -- smooth functions against an independent scalar implementation ---------------


def _sig(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _softplus(x, beta=1.0):
    return max(x, 0.0) + math.log1p(math.exp(-beta * abs(x))) / beta


def _mish_d(x):
    t = math.tanh(_softplus(x))
    return t + x * _sig(x) * (1 - t * t)


def _dec(fn):
    """fn evaluated on the exact decimal value of a float at 60 digits, rounded to a float once."""

    def at(x):
        with localcontext() as ctx:
            ctx.prec = 60
            return float(fn(Decimal(x)))

    return at


def _dtanh(d):
    e = (2 * d).exp()
    return (e - 1) / (e + 1)


def _dsqrt_b(d, b=4):
    return (d * d + b).sqrt()


REFERENCE = {
    "sigmoid": (_sig, lambda x: _sig(x) * _sig(-x)),
    "tanh": (math.tanh, lambda x: 1 / math.cosh(x) ** 2),
    # PyTorch's definition: z itself where z > threshold = 20, derivative exactly 1 there
    "softplus": (lambda x: x if x > 20 else _softplus(x), lambda x: 1.0 if x > 20 else _sig(x)),
    "log_sigmoid": (_dec(lambda d: -(1 + (-d).exp()).ln()), _dec(lambda d: 1 / (1 + d.exp()))),
    "tanh_shrink": (_dec(lambda d: d - _dtanh(d)), _dec(lambda d: _dtanh(d) ** 2)),
    "squareplus": (_dec(lambda d: (d + _dsqrt_b(d)) / 2), _dec(lambda d: (1 + d / _dsqrt_b(d)) / 2)),
    "exponential": (_dec(lambda d: d.exp()), _dec(lambda d: d.exp())),
    "sparse_plus": (_dec(lambda d: 0 if d <= -1 else d if d >= 1 else (d + 1) ** 2 / 4),
                    _dec(lambda d: min(max((d + 1) / 2, 0), 1))),
    "hard_swish": (_dec(lambda d: 0 * d if d <= -3 else d if d >= 3 else d * (d + 3) / 6),
                   _dec(lambda d: 0 * d if d <= -3 else 1 + 0 * d if d >= 3 else (2 * d + 3) / 6)),
    "silu": (lambda x: x * _sig(x), lambda x: _sig(x) * (1 + x * _sig(-x))),
    "swish": (lambda x: x * _sig(x), lambda x: _sig(x) * (1 + x * _sig(-x))),
    "mish": (lambda x: x * math.tanh(_softplus(x)), _mish_d),
    "gelu": (
        lambda x: x * 0.5 * math.erfc(-x / math.sqrt(2)),
        lambda x: 0.5 * math.erfc(-x / math.sqrt(2)) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi),
    ),
    "softsign": (lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2),
    "elu": (lambda x: x if x > 0 else math.expm1(x), lambda x: 1.0 if x > 0 else math.exp(x)),
    "selu": (
        lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x)),
        lambda x: SELU_SCALE * (1.0 if x > 0 else SELU_ALPHA * math.exp(x)),
    ),
    "celu": (lambda x: max(x, 0.0) + min(0.0, math.expm1(x)), lambda x: math.exp(min(x, 0.0))),
}
SMOOTH_POINTS = [-30.0, -12.0, -5.0, -2.2, -0.3, -0.01, 1e-8, 0.2, 0.7, 2.0, 9.0, 30.0, 40.0]


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_smooth_values_and_derivatives_match_an_independent_implementation(name):
    f, df = REFERENCE[name]
    act = kit.get(name)
    z = np.array(SMOOTH_POINTS)
    # Phi(z) at z = -30 has condition number ~ z^2 = 900: rounding z / sqrt(2) alone costs ~1e-13
    rtol = 1e-12 if name == "gelu" else 1e-13
    np.testing.assert_allclose(act.value(z), [f(x) for x in SMOOTH_POINTS], rtol=rtol, atol=0)
    want = [df(x) for x in SMOOTH_POINTS]
    np.testing.assert_allclose(act.left_derivative(z), want, rtol=rtol, atol=0)
    np.testing.assert_allclose(act.right_derivative(z), want, rtol=rtol, atol=0)


def test_parameters_enter_the_formulas():
    z = np.array([-3.0, -0.5, 0.5, 2.0])
    np.testing.assert_allclose(kit.get("softplus", beta=3.0).value(z), [_softplus(x, 3.0) for x in z], rtol=1e-14)
    np.testing.assert_allclose(kit.get("softplus", beta=3.0).left_derivative(z), [_sig(3 * x) for x in z], rtol=1e-14)
    elu = kit.get("elu", alpha=0.5)
    np.testing.assert_allclose(elu.value(z), [x if x > 0 else 0.5 * math.expm1(x) for x in z], rtol=1e-15)
    celu = kit.get("celu", alpha=2.0)
    np.testing.assert_allclose(celu.value(z), [max(x, 0) + min(0, 2 * math.expm1(x / 2)) for x in z], rtol=1e-15)
    np.testing.assert_allclose(celu.left_derivative(z), [math.exp(min(x, 0) / 2) for x in z], rtol=1e-15)


@pytest.mark.parametrize(("name", "params"), [("celu", {"alpha": 0.0}), ("celu", {"alpha": -1.0}), ("softplus", {"beta": 0.0})])
def test_bad_parameters_are_refused_before_any_work(name, params):
    with pytest.raises(ValueError, match=next(iter(params))):
        kit.get(name, **params)


# -- limits, NaN and extreme inputs in every dtype --------------------------------

# value(-inf), value(inf), derivative at -inf, derivative at +inf (both sides)
LIMITS = {
    "identity": (-INF, INF, 1.0, 1.0),
    "relu": (0.0, INF, 0.0, 1.0),
    "leaky_relu": (-INF, INF, 0.01, 1.0),
    "relu6": (0.0, 6.0, 0.0, 0.0),
    "hard_tanh": (-1.0, 1.0, 0.0, 0.0),
    "abs": (INF, INF, -1.0, 1.0),
    "hard_sigmoid": (0.0, 1.0, 0.0, 0.0),
    "step": (0.0, 1.0, 0.0, 0.0),
    "sign": (-1.0, 1.0, 0.0, 0.0),
    "elu": (-1.0, INF, 0.0, 1.0),
    "selu": (-LAMBDA_ALPHA, INF, 0.0, SELU_SCALE),
    "celu": (-1.0, INF, 0.0, 1.0),
    "sigmoid": (0.0, 1.0, 0.0, 0.0),
    "tanh": (-1.0, 1.0, 0.0, 0.0),
    "softplus": (0.0, INF, 0.0, 1.0),
    "silu": (0.0, INF, 0.0, 1.0),
    "swish": (0.0, INF, 0.0, 1.0),
    "mish": (0.0, INF, 0.0, 1.0),
    "gelu": (0.0, INF, 0.0, 1.0),
    "softsign": (-1.0, 1.0, 0.0, 0.0),
    "exponential": (0.0, INF, 0.0, INF),
    "hard_shrink": (-INF, INF, 1.0, 1.0),
    "hard_swish": (0.0, INF, 0.0, 1.0),
    "log_sigmoid": (-INF, 0.0, 1.0, 0.0),
    "soft_shrink": (-INF, INF, 1.0, 1.0),
    "sparse_plus": (0.0, INF, 0.0, 1.0),
    "sparse_sigmoid": (0.0, 1.0, 0.0, 0.0),
    "squareplus": (0.0, INF, 0.0, 1.0),
    "tanh_shrink": (-INF, INF, 1.0, 1.0),
    "threshold": (0.0, INF, 0.0, 1.0),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", sorted(LIMITS))
def test_infinities_give_the_limits_and_nan_gives_nan(name, dtype):
    act = kit.get(name)
    z = np.array([-np.inf, np.inf, np.nan], dtype=dtype)
    v_lo, v_hi, d_lo, d_hi = LIMITS[name]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = [act.value(z), act.left_derivative(z), act.right_derivative(z)]
    for o in out:
        assert o.dtype == dtype and o.shape == (3,)
        assert np.isnan(o[2])
    np.testing.assert_allclose(out[0][:2].astype(np.float64), [v_lo, v_hi], rtol=1e-3 if dtype == np.float16 else 1e-7)
    for d in out[1:]:
        np.testing.assert_allclose(d[:2].astype(np.float64), [d_lo, d_hi], rtol=1e-3 if dtype == np.float16 else 1e-7)


def _extremes(dtype):
    fi = np.finfo(dtype)
    sub = fi.smallest_subnormal
    mags = [fi.max, fi.max / 2, np.sqrt(fi.max), 1e4, 100.0, 20.0, 1.0, fi.tiny, sub, 0.0]
    mags = [m for m in mags if m <= fi.max]
    return np.array(sorted({-m for m in mags} | set(mags)), dtype=dtype)


WITH_PARAMS = [(name, {}) for name in BUILTINS] + [
    ("leaky_relu", {"alpha": 0.2}), ("leaky_relu", {"alpha": -0.5}), ("elu", {"alpha": 2.0}),
    ("elu", {"alpha": 0.5}), ("celu", {"alpha": 0.5}), ("celu", {"alpha": 3.0}), ("softplus", {"beta": 3.0}),
    ("softplus", {"beta": 0.25}), ("softplus", {"threshold": -5.0}), ("softplus", {"beta": 3.0, "threshold": 2.0}),
    ("hard_shrink", {"lam": 2.0}), ("soft_shrink", {"lam": 0.1}), ("threshold", {"threshold": 2.0, "default_value": 5.0}),
    ("threshold", {"threshold": 0.0, "default_value": 0.0}), ("squareplus", {"b": 0.5}),
]  # fmt: skip


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize(("name", "params"), WITH_PARAMS, ids=lambda v: str(v))
def test_extreme_finite_inputs_give_no_nan_and_no_warning(name, params, dtype):
    act = kit.get(name, **params)
    z = _extremes(dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, left, right = act.value(z), act.left_derivative(z), act.right_derivative(z)
    for out in (value, left, right):
        assert out.dtype == dtype
        assert not np.isnan(out).any(), (name, z[np.isnan(out)])
    overflow = ~np.isfinite(value)
    # selu's scale lambda > 1 takes the largest floats beyond the range, as exp does beyond log(max):
    # inf is the correct rounding there
    expected = np.zeros(z.shape, bool)
    if name == "selu":
        expected = z >= np.finfo(dtype).max / SELU_SCALE
    elif name == "exponential":
        expected = z.astype(np.float64) > math.log(np.finfo(dtype).max)
    np.testing.assert_array_equal(overflow, expected)
    kinked = np.isin(z, act.kinks(-1e3, 1e3)) | expected  # the jumps, and exp' = exp beyond the range
    assert np.isfinite(left[~kinked]).all() and np.isfinite(right[~kinked]).all()


HUGE = [
    ("sigmoid", "value", -800.0, 0.0),
    ("sigmoid", "left_derivative", 1e300, 0.0),
    ("sigmoid", "left_derivative", -40.0, math.exp(-40) / (1 + math.exp(-40)) ** 2),
    ("tanh", "right_derivative", -1e300, 0.0),
    ("tanh", "right_derivative", 30.0, 4 * math.exp(-60) / (1 + math.exp(-60)) ** 2),
    ("softplus", "value", 1e300, 1e300),
    ("softplus", "value", -1e300, 0.0),
    ("softplus", "value", -40.0, math.log1p(math.exp(-40))),
    ("silu", "value", -1e300, 0.0),
    ("silu", "left_derivative", 1e300, 1.0),
    ("silu", "left_derivative", -1e300, 0.0),
    ("mish", "value", 1e300, 1e300),
    ("mish", "left_derivative", 1e300, 1.0),
    ("mish", "left_derivative", -1e300, 0.0),
    ("gelu", "value", -1e300, 0.0),
    ("gelu", "value", -30.0, -1.472014178144456e-196),  # -30 Phi(-30), 40 digits with mpmath
    ("gelu", "left_derivative", -30.0, -4.416031690708495e-195),
    ("gelu", "left_derivative", 1e300, 1.0),
    ("gelu", "left_derivative", -1e300, 0.0),
    ("softsign", "value", 1e300, 1.0),
    ("softsign", "right_derivative", 1e300, 0.0),
    ("elu", "value", -1e300, -1.0),
    ("celu", "value", -1e300, -1.0),
    ("hard_sigmoid", "value", 1e300, 1.0),
    ("softplus", "value", 25.0, 25.0),  # PyTorch's linear switch
    ("softplus", "left_derivative", 25.0, 1.0),
    ("softplus", "value", 19.0, 19 + math.log1p(math.exp(-19))),
    ("log_sigmoid", "value", -1e300, -1e300),
    ("log_sigmoid", "value", 40.0, -math.exp(-40)),
    ("log_sigmoid", "left_derivative", 40.0, math.exp(-40) / (1 + math.exp(-40))),
    ("log_sigmoid", "left_derivative", -1e300, 1.0),
    ("tanh_shrink", "value", 1e-100, 1e-300 / 3),
    ("tanh_shrink", "value", 1e-3, _dec(lambda d: d - _dtanh(d))(1e-3)),
    ("tanh_shrink", "value", -0.2499, _dec(lambda d: d - _dtanh(d))(-0.2499)),
    ("tanh_shrink", "value", 1e300, 1e300),
    ("tanh_shrink", "left_derivative", 1e-200, 0.0),  # tanh(z)^2 = 1e-400 underflows
    ("squareplus", "value", -1e10, 2 / (math.sqrt(1e20 + 4) + 1e10)),  # the frameworks' formula gives 0
    ("squareplus", "value", -1e300, 1e-300),
    ("squareplus", "value", -1.7e308, 1 / 1.7e308),  # a subnormal, every digit of it
    ("squareplus", "value", 1e300, 1e300),
    ("squareplus", "left_derivative", -1e100, 1e-200),
    ("squareplus", "left_derivative", 1e300, 1.0),
    ("sparse_plus", "value", 1e300, 1e300),
    ("sparse_plus", "left_derivative", 1.7e308, 1.0),
    ("hard_swish", "value", -1e300, 0.0),
    ("hard_swish", "value", 1.7e308, 1.7e308),
    ("soft_shrink", "value", 1e300, 1e300),
    ("exponential", "value", -800.0, 0.0),
    ("exponential", "value", 709.0, math.exp(709)),
]


@pytest.mark.parametrize(("name", "method", "z", "expected"), HUGE)
def test_huge_float64_inputs_give_the_right_numbers(name, method, z, expected):
    got = getattr(kit.get(name), method)(z)
    assert got == pytest.approx(expected, rel=1e-13, abs=0)


@pytest.mark.parametrize("name", BUILTINS)
def test_dtype_and_scalar_kind_are_kept(name):
    act = kit.get(name)
    for meth in (act.value, act.left_derivative, act.right_derivative):
        assert isinstance(meth(0.5), float)
        for dtype in DTYPES:
            out = meth(dtype(0.5))
            assert isinstance(out, np.generic) and out.dtype == dtype
            assert meth(np.zeros((2, 0, 3), dtype)).shape == (2, 0, 3)
            arr = meth(np.full((2, 3), -1.5, dtype))
            assert arr.shape == (2, 3) and arr.dtype == dtype
        assert meth(np.array([1, -2])).dtype == np.float64


# -- kinks --------------------------------------------------------------------------

KINKS = {
    "relu": [0.0], "leaky_relu": [0.0], "relu6": [0.0, 6.0], "hard_tanh": [-1.0, 1.0], "abs": [0.0],
    "hard_sigmoid": [-3.0, 3.0], "step": [0.0], "sign": [0.0], "selu": [0.0], "hard_swish": [-3.0, 3.0],
    "hard_shrink": [-0.5, 0.5], "soft_shrink": [-0.5, 0.5], "threshold": [1.0], "sparse_sigmoid": [-1.0, 1.0],
    "softplus": [20.0],
}  # fmt: skip


@pytest.mark.parametrize("name", BUILTINS)
def test_kinks_are_declared_exactly(name):
    act = kit.get(name)
    want = KINKS.get(name, [])
    np.testing.assert_array_equal(act.kinks(), want)
    np.testing.assert_array_equal(act.kinks(-0.5, 0.5), [k for k in want if -0.5 <= k <= 0.5])
    assert act.kinks().dtype == np.float64


def test_kinks_that_disappear_with_a_parameter():
    assert kit.get("elu", alpha=2.0).kinks().tolist() == [0.0]
    assert kit.get("elu", alpha=1.0).kinks().tolist() == []
    assert kit.get("leaky_relu", alpha=1.0).kinks().tolist() == []
    assert kit.get("celu", alpha=3.0).kinks().tolist() == []
    # softplus' switch is a kink only while it changes a float64 number: sigmoid(t) < 1 up to t = 36.74
    assert kit.get("softplus", threshold=36.0).kinks().tolist() == [36.0]
    assert kit.get("softplus", threshold=37.0).kinks().tolist() == []
    assert kit.get("softplus", beta=2.0, threshold=5.0).kinks().tolist() == [2.5]
    assert kit.get("hard_shrink", lam=2.0).kinks().tolist() == [-2.0, 2.0]
    assert kit.get("threshold", threshold=-3.0, default_value=-3.0).kinks().tolist() == [-3.0]


def test_the_softplus_switch_is_where_pytorch_puts_it():
    # beta z > threshold in float64, as PyTorch tests it: the kink is the last float on the softplus side
    for beta, threshold in ((3.0, 20.0), (0.1, 7.0), (7.0, 1.0)):
        act = kit.get("softplus", beta=beta, threshold=threshold)
        [s] = act.kinks()
        after = np.nextafter(s, np.inf)
        assert s * beta <= threshold < after * beta
        assert act.value(after) == after and act.left_derivative(after) == 1.0
        assert act.value(s) != s and act.right_derivative(s) == -INF


# -- saturation ------------------------------------------------------------------------

TOLS = [0.0, 1e-12, 1e-6, 1e-3, 0.01, 0.1, 1 / 6, 0.2, 0.25, 0.3, 0.5, 0.99, 1.0, 1.5, 2.0, 10.0]
CLOSED_FORM = [
    (name, {}) for name in BUILTINS if name not in ("gelu", "mish", "silu", "swish")
] + [
    ("leaky_relu", {"alpha": 0.1}), ("leaky_relu", {"alpha": 2.0}), ("leaky_relu", {"alpha": -0.5}),
    ("leaky_relu", {"alpha": 0.0}), ("elu", {"alpha": 0.5}), ("elu", {"alpha": 2.0}), ("elu", {"alpha": 0.0}),
    ("celu", {"alpha": 2.0}), ("softplus", {"beta": 3.0}), ("softplus", {"threshold": -5.0}),
    ("softplus", {"threshold": 40.0}), ("squareplus", {"b": 1.0}), ("hard_shrink", {"lam": 2.0}),
    ("soft_shrink", {"lam": 0.1}), ("threshold", {"threshold": 0.0, "default_value": 0.0}),
    ("threshold", {"threshold": 2.0, "default_value": 5.0}),
]  # fmt: skip


def _merged(act, ivs):
    """The intervals with neighbours that meet at a declared kink joined: the same answer almost everywhere."""
    out = []
    for lo, hi in ivs:
        if out and out[-1][1] == lo and math.isfinite(lo) and act.kinks(lo, lo).size:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _same_intervals(a, b, tol=1e-6):
    if len(a) != len(b):
        return False
    for (lo1, hi1), (lo2, hi2) in zip(a, b, strict=True):
        for x, y in ((lo1, lo2), (hi1, hi2)):
            if math.isinf(x) or math.isinf(y):
                if x != y:
                    return False
            elif abs(x - y) > tol * (1 + abs(y)):
                return False
    return True


@pytest.mark.parametrize(("name", "params"), CLOSED_FORM, ids=lambda v: str(v))
def test_closed_form_saturation_agrees_with_the_numerical_scan(name, params):
    act = kit.get(name, **params)
    assert type(act).saturation is not kit.Activation.saturation, "expected a closed form"
    for tol in TOLS:
        closed, numeric = act.saturation(tol), numerical_saturation(act, tol)
        assert _same_intervals(_merged(act, closed), _merged(act, numeric)), (tol, closed, numeric)


def test_closed_form_saturation_values():
    assert kit.get("relu").saturation(0) == [(-INF, 0.0)]
    assert kit.get("relu").saturation(1.0) == [(-INF, INF)]
    assert kit.get("relu6").saturation(0) == [(-INF, 0.0), (6.0, INF)]
    assert kit.get("hard_sigmoid").saturation(0.1) == [(-INF, -3.0), (3.0, INF)]
    assert kit.get("leaky_relu").saturation(1e-3) == []  # never dead for tol < alpha
    assert kit.get("leaky_relu").saturation(0.01) == [(-INF, 0.0)]
    assert kit.get("step").saturation(0) == [(-INF, 0.0), (0.0, INF)]
    edge = 2 * math.acosh(0.5 / math.sqrt(1e-3))  # sigmoid' = 1 / (4 cosh^2(z / 2))
    assert kit.get("sigmoid").saturation(1e-3) == [(-INF, -edge), (edge, INF)]
    assert edge == pytest.approx(6.9058, abs=1e-4)
    assert kit.get("tanh").saturation(1e-3) == [(-INF, -math.acosh(1 / math.sqrt(1e-3))), (math.acosh(1 / math.sqrt(1e-3)), INF)]
    assert kit.get("softsign").saturation(1e-2) == [(-INF, -9.0), (9.0, INF)]
    assert kit.get("elu").saturation(1e-3) == [(-INF, math.log(1e-3))]
    assert kit.get("selu").saturation(1e-3) == [(-INF, math.log(1e-3 / LAMBDA_ALPHA))]
    assert kit.get("selu").saturation(1.2) == [(-INF, math.log(1.2 / LAMBDA_ALPHA)), (0.0, INF)]
    assert kit.get("softplus", beta=2.0).saturation(0.1) == [(-INF, math.log(0.1 / 0.9) / 2)]
    assert kit.get("celu", alpha=2.0).saturation(0.1) == [(-INF, 2 * math.log(0.1))]
    # tol = 0 for a derivative that is never 0: only float64 underflow is left, far out
    ((lo, hi), (lo2, hi2)) = kit.get("sigmoid").saturation(0)
    assert lo == -INF and hi2 == INF and -746 < hi < -745 and 745 < lo2 < 746
    assert kit.get("hard_swish").saturation(1e-3) == [(-INF, -3.0), (-1.5 - 3e-3, -1.5 + 3e-3)]
    assert kit.get("hard_swish").saturation(0) == [(-INF, -3.0)]  # f'(-1.5) = 0 is one point: measure zero
    assert kit.get("hard_swish").saturation(1.2) == [(-INF, -1.5 + 3 * 1.2), (3.0, INF)]
    assert kit.get("softplus").saturation(2.0) == [(-INF, 20.0), (20.0, INF)]  # split at the switch's jump
    assert kit.get("softplus", threshold=-5.0).saturation(0.01) == [(-INF, -5.0)]
    assert kit.get("hard_shrink").saturation(1e-3) == [(-0.5, 0.5)]
    assert kit.get("soft_shrink", lam=2.0).saturation(0) == [(-2.0, 2.0)]
    assert kit.get("threshold").saturation(0) == [(-INF, 1.0)]
    assert kit.get("sparse_plus").saturation(0.25) == [(-INF, -0.5)]
    assert kit.get("sparse_sigmoid").saturation(0.4) == [(-INF, -1.0), (1.0, INF)]
    assert kit.get("log_sigmoid").saturation(1e-3) == [(math.log(999), INF)]
    assert kit.get("exponential").saturation(1e-3) == [(-INF, math.log(1e-3))]
    edge = math.atanh(math.sqrt(1e-3))
    assert kit.get("tanh_shrink").saturation(1e-3) == [(-edge, edge)]
    # (1 + z / sqrt(z^2 + 4)) / 2 = 1e-3 at z = -0.998 sqrt(4 / (4 * 0.000999)): squareplus saturates late
    [(lo, hi)] = kit.get("squareplus").saturation(1e-3)
    assert lo == -INF and hi == pytest.approx(-0.998 * math.sqrt(1 / 0.000999), rel=1e-14)
    assert kit.get("squareplus").left_derivative(hi) == pytest.approx(1e-3, rel=1e-12)


@pytest.mark.parametrize("tol", [-1.0, math.nan, "a"])
def test_bad_tolerance_is_refused(tol):
    with pytest.raises(ValueError, match="tol"):
        kit.get("sigmoid").saturation(tol)


# -- facts the lessons state -------------------------------------------------------------


def test_selu_constants_are_exact_and_self_normalising():
    assert SELU_ALPHA == 1.6732632423543772848170429916717
    assert SELU_SCALE == 1.0507009873554804934193349852946
    # z ~ N(0, 1) gives selu(z) mean 0 and variance 1: trapezoid rule on a fine grid
    z = np.linspace(-12, 12, 240001)
    w = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    y = kit.get("selu").value(z)
    assert abs(np.trapezoid(y * w, z)) < 1e-6
    assert abs(np.trapezoid(y * y * w, z) - 1) < 1e-6


def test_gaussian_means_quoted_in_the_design_notes():
    z = np.linspace(-12, 12, 240001)
    w = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    assert np.trapezoid(kit.get("relu").value(z) * w, z) == pytest.approx(0.39894, abs=1e-5)
    assert np.trapezoid(kit.get("elu").value(z) * w, z) == pytest.approx(0.16052, abs=1e-5)
    for s, want in ((1, 0.207), (3, 0.115), (10, 0.039)):
        x = np.linspace(-12 * s, 12 * s, 240001)
        ws = np.exp(-x * x / (2 * s * s)) / (s * math.sqrt(2 * math.pi))
        assert np.trapezoid(kit.get("sigmoid").left_derivative(x) * ws, x) == pytest.approx(want, abs=5e-4)


def test_sigmoid_derivative_is_at_most_a_quarter():
    z = np.concatenate([np.linspace(-50, 50, 200001), [0.0, -0.0, 1e-300, -1e-300]])
    d = kit.get("sigmoid").left_derivative(z)
    assert d.max() == 0.25 and (d <= 0.25).all()
    assert kit.get("sigmoid").left_derivative(0.0) == 0.25


def test_relu_x_minus_relu_minus_x_is_x():
    fi = np.finfo(np.float64)
    x = np.concatenate([np.linspace(-100, 100, 20001), [fi.max, -fi.max, fi.tiny, -fi.tiny, 0.0, 5e-324]])
    relu = kit.get("relu")
    np.testing.assert_array_equal(relu.value(x) - relu.value(-x), x)
    # its derivative is relu'(x) + relu'(-x): 1 away from 0, 2 relu'(0) at 0, right only for t = 1/2
    away = x[x != 0]
    np.testing.assert_array_equal(relu.derivative(away) + relu.derivative(-away), 1.0)
    assert [2 * relu.derivative(0.0, kink=t) for t in (0.0, 0.5, 1.0)] == [0.0, 1.0, 2.0]


# -- what frameworks return at kinks: one test per activation and framework ------------------

# (name, params, framework, points, derivative there); None: the framework has no such function
FRAMEWORK_TABLE = [
    ("relu", {}, "pytorch", [0.0], [0.0]),
    ("relu", {}, "tensorflow", [0.0], [0.0]),
    ("relu", {}, "jax", [0.0], [0.0]),
    ("relu6", {}, "pytorch", [0.0, 6.0], [0.0, 0.0]),
    ("relu6", {}, "tensorflow", [0.0, 6.0], [0.0, 0.0]),
    ("relu6", {}, "jax", [0.0, 6.0], [0.0, 0.0]),
    ("hard_tanh", {}, "pytorch", [-1.0, 1.0], [0.0, 0.0]),
    ("hard_tanh", {}, "tensorflow", [-1.0, 1.0], [1.0, 1.0]),  # Keras 3's hard_tanh: the inside slope
    ("hard_tanh", {}, "jax", [-1.0, 1.0], [1.0, 1.0]),
    ("abs", {}, "pytorch", [0.0], [0.0]),
    ("abs", {}, "tensorflow", [0.0], [0.0]),
    ("abs", {}, "jax", [0.0], [1.0]),
    ("leaky_relu", {"alpha": 0.2}, "pytorch", [0.0], [0.2]),
    ("leaky_relu", {"alpha": 0.2}, "tensorflow", [0.0], [0.2]),
    ("leaky_relu", {"alpha": 0.2}, "jax", [0.0], [1.0]),
    ("elu", {"alpha": 2.0}, "pytorch", [0.0], [2.0]),
    ("elu", {}, "tensorflow", [0.0], [1.0]),
    ("elu", {"alpha": 2.0}, "jax", [0.0], [2.0]),
    ("selu", {}, "pytorch", [0.0], [LAMBDA_ALPHA]),
    ("selu", {}, "tensorflow", [0.0], [SELU_SCALE]),
    ("selu", {}, "jax", [0.0], [LAMBDA_ALPHA]),
    ("hard_sigmoid", {}, "pytorch", [-3.0, 3.0], [0.0, 0.0]),
    ("hard_sigmoid", {}, "tensorflow", [-3.0, 3.0], [0.0, 0.0]),
    ("hard_sigmoid", {}, "jax", [-3.0, 3.0], [0.0, 0.0]),
    ("sign", {}, "pytorch", [0.0], [0.0]),
    ("sign", {}, "tensorflow", [0.0], [0.0]),
    ("sign", {}, "jax", [0.0], [0.0]),
    ("step", {}, "pytorch", [0.0], None),
    ("step", {}, "tensorflow", [0.0], None),
    ("step", {}, "jax", [0.0], [0.0]),
    # measured live (tests/frameworks) against PyTorch 2.13, JAX 0.10.2, TensorFlow 2.21 / Keras 3.15
    ("hard_swish", {}, "pytorch", [-3.0, 3.0], [0.0, 1.0]),
    ("hard_swish", {}, "tensorflow", [-3.0, 3.0], [0.0, 1.0]),
    ("hard_swish", {}, "jax", [-3.0, 3.0], [0.0, 1.0]),
    ("hard_shrink", {}, "pytorch", [-0.5, 0.5], [0.0, 0.0]),
    ("hard_shrink", {"lam": 2.0}, "tensorflow", [-2.0, 2.0], [0.0, 0.0]),
    ("hard_shrink", {}, "jax", [-0.5, 0.5], None),
    ("soft_shrink", {}, "pytorch", [-0.5, 0.5], [0.0, 0.0]),
    ("soft_shrink", {"lam": 2.0}, "tensorflow", [-2.0, 2.0], [0.0, 0.0]),
    ("soft_shrink", {}, "jax", [-0.5, 0.5], None),
    ("threshold", {}, "pytorch", [1.0], [0.0]),
    ("threshold", {"threshold": 2.0, "default_value": 5.0}, "tensorflow", [2.0], [0.0]),
    ("threshold", {}, "jax", [1.0], None),
    ("sparse_sigmoid", {}, "pytorch", [-1.0, 1.0], None),
    ("sparse_sigmoid", {}, "tensorflow", [-1.0, 1.0], [0.0, 0.0]),
    ("sparse_sigmoid", {}, "jax", [-1.0, 1.0], [0.25, 0.25]),  # the mean: jnp.clip splits a tie in half
    ("softplus", {}, "pytorch", [20.0], [_sig(20.0)]),
    ("softplus", {}, "tensorflow", [20.0], [_sig(20.0)]),
    ("softplus", {}, "jax", [20.0], [_sig(20.0)]),
]


@pytest.mark.parametrize(("name", "params", "framework", "points", "want"), FRAMEWORK_TABLE,
                         ids=[f"{r[0]}-{r[2]}" for r in FRAMEWORK_TABLE])  # fmt: skip
def test_framework_convention_at_kinks(name, params, framework, points, want):
    act = kit.get(name, **params)
    if want is None:
        assert framework not in act.frameworks
        with pytest.raises(ValueError, match=framework):
            act.derivative(np.array(points), kink=framework)
        return
    np.testing.assert_array_equal(act.derivative(np.array(points), kink=framework), want)
    away = np.array([-7.25, -2.0, 0.5, 4.0, 9.0])
    away = away[~np.isin(away, act.kinks())]
    np.testing.assert_array_equal(act.derivative(away, kink=framework), act.left_derivative(away))


def test_frameworks_disagree_where_the_issue_says():
    assert kit.get("abs").derivative(0.0, kink="pytorch") != kit.get("abs").derivative(0.0, kink="jax")
    leaky = kit.get("leaky_relu")
    assert (leaky.derivative(0.0, kink="pytorch"), leaky.derivative(0.0, kink="jax")) == (0.01, 1.0)
    selu = kit.get("selu")
    assert selu.derivative(0.0, kink="pytorch") == pytest.approx(1.7581, abs=1e-4)
    assert selu.derivative(0.0, kink="tensorflow") == pytest.approx(1.0507, abs=1e-4)
    assert kit.get("sign").frameworks["pytorch"] == Fixed(0.0)


@pytest.mark.parametrize("name", ["celu", "sigmoid", "tanh", "silu", "mish", "gelu", "softsign", "identity", "tanh_shrink",
                                  "log_sigmoid", "squareplus", "sparse_plus", "exponential"])
def test_smooth_functions_need_no_framework_rule(name):
    act = kit.get(name)
    for fw in kit.FRAMEWORKS:
        assert act.derivative(0.3, kink=fw) == act.left_derivative(0.3)


def test_import_kit_stays_light():
    import subprocess
    import sys

    # no plotting or widget library; scipy (for erf) only once gelu is asked for
    probe = (
        "import sys, kit; [kit.get(n) for n in ('relu', 'sigmoid', 'elu', 'mish', 'step')]; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'kit.activations.gaussian') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_listing_the_catalogue_does_not_import_scipy_until_gelu_computes():
    import subprocess
    import sys

    # `kit list` loads every plugin module, gelu's included: scipy (~200 ms) waits for gelu's first value
    probe = (
        "import sys, kit; g = kit.get('gelu'); kit.plugin_problems(); before = 'scipy' in sys.modules; "
        "g.value(1.0); print(before, 'scipy.special' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
