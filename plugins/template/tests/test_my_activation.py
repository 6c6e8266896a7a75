"""Tests of the my_activation plugin: the conformance suite, then its own numbers."""

import numpy as np
import pytest
from kit_my_activation import MyActivation

import kit
from kit.testing import parametrize_with_checks


# One test per (activation, check); `pytest -k left_derivative` picks one check.
@parametrize_with_checks([MyActivation(), MyActivation(left_slope=0.0), MyActivation(left_slope=-0.5, right_slope=0.5)])
def test_conformance(activation, check):
    check(activation)


def test_found_by_kit():
    assert isinstance(kit.get("my_activation"), MyActivation)


def test_one_sided_derivatives_at_the_kink():
    act = MyActivation(left_slope=0.2)
    assert act.left_derivative(0.0) == 0.2
    assert act.right_derivative(0.0) == 1.0
    assert act.derivative(0.0, kink=0.25) == pytest.approx(0.75 * 0.2 + 0.25 * 1.0, abs=1e-15)


def test_dtype_kept():
    z = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
    out = MyActivation(left_slope=0.5).value(z)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.array([-1.0, 0.0, 3.0], dtype=np.float32))


def test_slopes_outside_minus_one_one_refused():
    with pytest.raises(ValueError, match="left_slope must be in"):
        MyActivation(left_slope=2.0)
