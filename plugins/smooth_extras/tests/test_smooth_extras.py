"""kit-smooth-extras: the conformance suite, then numbers checked independently."""

import math

import numpy as np
import pytest
from kit_smooth_extras import GeluTanh, SwishBeta

import kit
from kit.testing import parametrize_with_checks


@parametrize_with_checks([SwishBeta(), SwishBeta(beta=1e-3), SwishBeta(beta=20.0), SwishBeta(beta=1000.0), GeluTanh()])
def test_conformance(activation, check):
    check(activation)


def test_registered_with_this_distribution():
    for name in ("swish_beta", "gelu_tanh"):
        assert kit.entries()[name].distribution == "kit-smooth-extras"
    assert isinstance(kit.get("swish_beta", beta=3.0), SwishBeta)


@pytest.mark.parametrize("beta", [0.5, 1.0, 4.0])
def test_swish_matches_the_naive_formula(beta):
    z = np.linspace(-8, 8, 33)
    expected = z / (1 + np.exp(-beta * z))
    np.testing.assert_allclose(SwishBeta(beta=beta).value(z), expected, rtol=1e-14, atol=1e-300)
    sig = 1 / (1 + np.exp(-beta * z))
    np.testing.assert_allclose(SwishBeta(beta=beta).left_derivative(z), sig + beta * z * sig * (1 - sig),
                               rtol=1e-12, atol=1e-15)


def test_gelu_tanh_matches_the_tanh_formula():
    z = np.linspace(-6, 6, 25)
    u = math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)
    np.testing.assert_allclose(GeluTanh().value(z), 0.5 * z * (1 + np.tanh(u)), rtol=1e-12, atol=1e-15)


def test_swish_beta_range():
    with pytest.raises(ValueError, match=r"beta must be in \(0, 1000\]"):
        SwishBeta(beta=0.0)
    with pytest.raises(ValueError, match=r"got 2000\.0"):
        SwishBeta(beta=2000.0)


def test_mean_under_standard_normal():
    # E[z sigma(z)] for z ~ N(0, 1): by symmetry E[z sigma(z)] = E[z (sigma(z) - 1/2)] ≈ 0.20724 (quadrature check)
    x = np.linspace(-12, 12, 200001)
    phi = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    expected = np.trapezoid(x / (1 + np.exp(-x)) * phi, x)
    info = kit.check(SwishBeta(), checks=[]).info
    assert float(info["mean of f(z), z ~ N(0, 1)"]) == pytest.approx(expected, abs=1e-5)


def test_docstring_examples():
    import doctest

    import kit_smooth_extras

    result = doctest.testmod(kit_smooth_extras, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
