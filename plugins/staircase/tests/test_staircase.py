"""kit-staircase: the conformance suite, then the staircase's own numbers."""

import math

import numpy as np
import pytest
from kit_staircase import Staircase

import kit
from kit.testing import parametrize_with_checks


@parametrize_with_checks([Staircase(), Staircase(width=0.25), Staircase(width=8.0)])
def test_conformance(activation, check):
    check(activation)


def test_registered_with_this_distribution():
    assert kit.entries()["staircase"].distribution == "kit-staircase"


def test_values_are_floor():
    z = np.array([-1.5, -1.0, -0.25, 0.0, 0.75, 1.0, 2.5])
    np.testing.assert_array_equal(Staircase().value(z), np.floor(z))
    np.testing.assert_array_equal(Staircase(width=0.5).value(z), 0.5 * np.floor(z / 0.5))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_jump_from_the_left_in_every_dtype(dtype):
    z = np.array([2.0, 2.0 - 2.0 ** -6], dtype=dtype)
    stairs = Staircase()
    assert stairs.value(z).dtype == dtype
    np.testing.assert_array_equal(stairs.left_derivative(z), np.array([np.inf, 0.0], dtype=dtype))
    np.testing.assert_array_equal(stairs.right_derivative(z), np.zeros(2, dtype=dtype))


def test_gradient_descent_learns_nothing():
    stairs = Staircase()
    info = kit.check(stairs, checks=[]).info
    assert info["dead region (tol=0)"] == "[(-inf, inf)] almost everywhere: not at the 21 kinks in [-10, 10]"
    assert info["discontinuous"].startswith("yes")
    assert info["mean of f'(z), z ~ N(0, 1)"] == "0"
    # E[floor(z)] for z ~ N(0, 1) is -1/2 exactly (floor(z) + floor(-z) = -1 almost surely)
    assert float(info["mean of f(z), z ~ N(0, 1)"]) == pytest.approx(-0.5, abs=1e-9)
    assert stairs.derivative(np.array([1.0, 1.5]), kink="pytorch").tolist() == [0.0, 0.0]


def test_kinks_needs_a_bounded_window():
    assert Staircase(width=0.5).kinks(-1, 1).tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert Staircase().kinks(1e300, 1e300).tolist() == [1e300]  # every float that large is a step
    with pytest.raises(ValueError, match="at most"):
        Staircase().kinks()


def test_width_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        Staircase(width=0.1)
    assert math.isinf(Staircase(width=2.0 ** -10).left_derivative(2.0 ** -10))


def test_dead_almost_everywhere_the_exceptions_being_the_declared_steps():
    stairs = Staircase(width=0.5)
    assert stairs.saturation(tol=0) == [(-math.inf, math.inf)]
    z = np.linspace(-3.0, 3.0, 6001)
    bound = np.fmax(np.abs(stairs.left_derivative(z)), np.abs(stairs.right_derivative(z)))
    np.testing.assert_array_equal(z[bound > 0], stairs.kinks(-3.0, 3.0))  # +inf exactly at the steps
    with pytest.raises(ValueError, match="tol must be a number >= 0"):
        stairs.saturation(-1.0)


def test_docstring_examples():
    import doctest

    import kit_staircase

    result = doctest.testmod(kit_staircase, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
