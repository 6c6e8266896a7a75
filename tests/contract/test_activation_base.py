"""The base class's promises, on small activations defined here (no catalogue needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kit
from kit.activation import Activation, Fixed, numerical_saturation, within


class Bent(Activation):
    """max(a z, b z): a kink at 0 with left slope ``a`` and right slope ``b``."""

    defaults = {"a": 0.25, "b": 2.0}

    def value(self, z):
        return np.where(z < 0, self.a * z, self.b * z).astype(z.dtype)

    def left_derivative(self, z):
        return np.where(z <= 0, self.a, self.b).astype(z.dtype)

    def right_derivative(self, z):
        return np.where(z < 0, self.a, self.b).astype(z.dtype)

    def kinks(self, lo=-math.inf, hi=math.inf):
        return within([0.0], lo, hi)


class Jump(Activation):
    """H(z) with H(0) = 1: the left derivative at 0 is +inf, the right one 0."""

    frameworks = {"pytorch": Fixed(0.0)}

    def value(self, z):
        return (z >= 0).astype(z.dtype)

    def left_derivative(self, z):
        return np.where(z == 0, np.inf, 0.0).astype(z.dtype)

    def right_derivative(self, z):
        return np.zeros_like(z)

    def kinks(self, lo=-math.inf, hi=math.inf):
        return within([0.0], lo, hi)


class Clip(Activation):
    """Clip to [-1, 1] with a per-kink framework rule (as hard_tanh)."""

    frameworks = {"pytorch": {-1.0: "left", 1.0: "right"}, "jax": {-1.0: "right", 1.0: "left"}}

    def value(self, z):
        return np.clip(z, -1, 1)

    def left_derivative(self, z):
        return np.where(np.isnan(z), z, (z > -1) & (z <= 1)).astype(z.dtype)

    def right_derivative(self, z):
        return np.where(np.isnan(z), z, (z >= -1) & (z < 1)).astype(z.dtype)

    def kinks(self, lo=-math.inf, hi=math.inf):
        return within([-1.0, 1.0], lo, hi)


class Logistic(Activation):
    def value(self, z):
        return 0.5 * (1 + np.tanh(0.5 * z))

    def left_derivative(self, z):
        s = self.value(z)
        return s * (1 - s)

    right_derivative = left_derivative


def test_name_defaults_to_snake_case_and_repr_shows_params():
    assert Bent.name == "bent"
    assert repr(Bent(a=0.5)) == "bent(a=0.5, b=2.0)"
    assert Bent(a=0.5).params == {"a": 0.5, "b": 2.0}
    assert Bent(a=0.5) == Bent(a=0.5) != Bent()
    assert len({Bent(), Bent(), Bent(a=1.0)}) == 2


def test_unknown_parameter_names_the_valid_ones():
    with pytest.raises(TypeError, match=r"unknown parameter\(s\) alpha; valid parameters: a, b"):
        Bent(alpha=1.0)


@pytest.mark.parametrize("bad", [math.inf, math.nan, "1", None, True])
def test_non_finite_or_non_real_parameter_is_refused(bad):
    with pytest.raises(ValueError, match="parameter a must be"):
        Bent(a=bad)


@pytest.mark.parametrize("param", ["name", "saturation", "_params"])
def test_reserved_parameter_names_are_refused_at_class_creation(param):
    with pytest.raises(TypeError, match="reserved"):

        class Bad(Activation):
            defaults = {param: 1.0}


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_and_shape_kept(dtype):
    z = np.linspace(-2, 2, 12, dtype=dtype).reshape(3, 4)
    for meth in (Bent().value, Bent().left_derivative, Bent().right_derivative):
        out = meth(z)
        assert out.dtype == dtype and out.shape == (3, 4)
    assert Bent().derivative(z, kink=0.5).dtype == dtype


def test_integers_become_float64_and_python_scalars_give_floats():
    assert Bent().value(np.array([1, -2])).dtype == np.float64
    assert Bent().value(3) == 6.0 and type(Bent().value(3)) is float
    out = Bent().value(np.float32(-4))
    assert type(out) is np.float32 and out == np.float32(-1.0)
    assert Bent().value([1, 2]).tolist() == [2.0, 4.0]


@pytest.mark.parametrize("bad", ["1.0", b"x", None, {"a": 1}, np.array(["a"]), 1 + 2j])
def test_non_numeric_input_is_a_type_error_saying_what_was_expected(bad):
    with pytest.raises(TypeError, match="expected real numbers"):
        Bent().value(bad)


def test_kink_rules_at_the_kink_and_away_from_it():
    b = Bent()  # left 0.25, right 2 at 0
    assert b.derivative(0.0) == 0.25  # the default rule is "left"
    assert b.derivative(0.0, kink="right") == 2.0
    assert b.derivative(0.0, kink="mean") == pytest.approx(1.125, abs=1e-15)
    assert b.derivative(0.0, kink=0.2) == pytest.approx(0.8 * 0.25 + 0.2 * 2.0, abs=1e-15)
    z = np.array([-1.0, 1.0])
    for rule in ("left", "right", "mean", 0.7):
        np.testing.assert_array_equal(b.derivative(z, kink=rule), [0.25, 2.0])


@pytest.mark.parametrize("bad", ["middle", -0.1, 1.5, math.nan, True, None, "PyTorch"])
def test_invalid_kink_rule_is_refused(bad):
    with pytest.raises(ValueError, match="kink must be"):
        Bent().derivative(0.0, kink=bad)


def test_framework_rules_including_per_kink_and_fixed_values():
    c = Clip()
    z = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(c.derivative(z, kink="pytorch"), [0.0, 1.0, 0.0])  # outside
    np.testing.assert_array_equal(c.derivative(z, kink="jax"), [1.0, 1.0, 1.0])  # inside
    with pytest.raises(ValueError, match="what tensorflow returns at its kinks is not recorded"):
        c.derivative(z, kink="tensorflow")
    assert Jump().derivative(0.0, kink="pytorch") == 0.0
    assert Jump().derivative(0.0, kink="left") == math.inf
    assert Logistic().derivative(0.0, kink="tensorflow") == 0.25  # no kinks: any framework will do


def test_mean_at_a_jump_is_infinite_not_nan():
    assert Jump().derivative(0.0, kink="mean") == math.inf
    assert Jump().derivative(0.0, kink=0.5) == math.inf
    assert Jump().derivative(0.0, kink=1.0) == 0.0


def test_nan_in_nan_out_through_every_rule():
    for rule in ("left", "right", "mean", 0.3, "pytorch"):
        assert math.isnan(Clip().derivative(math.nan, kink=rule))


def test_numerical_saturation_matches_closed_forms():
    # Bent with a = 0: dead on (-inf, 0]
    assert numerical_saturation(Bent(a=0.0), 0.0) == [(-math.inf, 0.0)]
    assert numerical_saturation(Bent(), 0.0) == []
    assert numerical_saturation(Bent(), 0.3) == [(-math.inf, 0.0)]
    assert numerical_saturation(Bent(), 5.0) == [(-math.inf, math.inf)]
    # logistic: s(1 - s) = tol  <=>  |z| = 2 acosh(1 / (2 sqrt(tol)))
    tol = 1e-3
    edge = 2 * math.acosh(1 / (2 * math.sqrt(tol)))
    (lo, hi), (lo2, hi2) = numerical_saturation(Logistic(), tol)
    assert lo == -math.inf and hi2 == math.inf
    assert hi == pytest.approx(-edge, abs=1e-9) and lo2 == pytest.approx(edge, abs=1e-9)
    # a jump: dead everywhere but at the jump, a declared kink of measure zero, which splits nothing
    assert numerical_saturation(Jump(), 0.0) == [(-math.inf, math.inf)]
    assert Logistic().saturation(tol) == numerical_saturation(Logistic(), tol)


class Dip(Activation):
    """z^2 / 2 - z: f' = z - 1 is 0 at the single point z = 1 (on the scan grid)."""

    def value(self, z):
        return z * z / 2 - z

    def left_derivative(self, z):
        return z - 1

    right_derivative = left_derivative


def test_numerical_saturation_holds_almost_everywhere():
    # one point with f' = 0 is of measure zero: no interval, not a degenerate one
    assert numerical_saturation(Dip(), 0.0) == []
    [(lo, hi)] = numerical_saturation(Dip(), 0.5)
    assert (lo, hi) == (pytest.approx(0.5, abs=1e-15), 1.5)  # to the last float whose rounded f' is 0.5
    # countably many declared jumps (an outside author's floor): tests/plugins/test_plugin_check_limits.py
    # a zero band that is a float underflow (tanh(z)^2 below 1.5e-162) is found to the last float
    [(lo, hi)] = numerical_saturation(kit.get("tanh_shrink"), 0.0)
    assert lo == -hi and kit.get("tanh_shrink").left_derivative(hi) == 0.0
    assert kit.get("tanh_shrink").left_derivative(np.nextafter(hi, 1.0)) > 0.0


def test_negative_tolerance_is_refused():
    with pytest.raises(ValueError, match="tol must be"):
        Logistic().saturation(-1.0)


def test_within_filters_and_sorts():
    np.testing.assert_array_equal(within([6.0, 0.0, -3.0], -1, 6), [0.0, 6.0])
    assert within([], 0, 1).dtype == np.float64


def test_call_is_value():
    assert Bent()(-4.0) == Bent().value(-4.0) == -1.0


def test_register_get_and_unregister_at_run_time():
    name = kit.register(Bent, name="bent_test")
    try:
        assert "bent_test" in kit.names()
        act = kit.get("bent_test", b=3.0)
        assert act.name == "bent_test" and act.right_derivative(0.0) == 3.0
        kit.register(Bent, name="bent_test")  # running the cell again replaces it
    finally:
        kit.unregister(name)
    assert "bent_test" not in kit.names()


def test_register_refuses_what_is_not_an_activation_and_bad_names():
    with pytest.raises(TypeError, match=r"subclass of kit\.Activation"):
        kit.register(object)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\[a-z\]"):
        kit.register(Bent, name="Bad Name")
    with pytest.raises(ValueError, match="already provided by activation-kit"):
        kit.register(Bent, name="relu")


def test_unknown_name_is_a_key_error_with_a_suggestion():
    with pytest.raises(KeyError) as info:
        kit.get("rleu")
    assert isinstance(info.value, kit.UnknownActivation)
    assert str(info.value).startswith("no activation named 'rleu'; did you mean 'relu'")


def test_get_passes_an_instance_through_and_rebuilds_it_with_params():
    b = Bent()
    assert kit.get(b) is b
    assert kit.get(b, a=0.5) == Bent(a=0.5)


def test_a_fixed_rule_keeps_nan():
    sign = kit.get("sign")  # frameworks: Fixed(0.0) where both one-sided derivatives are +inf
    z = np.array([np.nan, 0.0, 1.0], dtype=np.float32)
    out = sign.derivative(z, kink="pytorch")
    assert out.dtype == np.float32 and np.isnan(out[0]) and out[1:].tolist() == [0.0, 0.0]
    assert math.isnan(sign.derivative(math.nan, kink=Fixed(2.0)))
    assert sign.derivative(0.0, kink=Fixed(2.0)) == 2.0


class Recording(Logistic):
    """Logistic whose kinks and saturation record what they were given."""

    calls: list = []

    def kinks(self, lo=-math.inf, hi=math.inf):
        self.calls.append(("kinks", lo, hi))
        return within([], lo, hi)

    def saturation(self, tol=0.125):
        self.calls.append(("saturation", tol))
        return []


@pytest.mark.parametrize("tol", [-1.0, math.nan, "0.1", None, True])
def test_tol_is_checked_before_the_plugin_runs(tol):
    Recording.calls.clear()
    with pytest.raises(ValueError, match="tol must be a number >= 0"):
        Recording().saturation(tol)
    assert Recording.calls == []


def test_checked_arguments_reach_the_plugin_as_floats_and_its_default_stays():
    Recording.calls.clear()
    Recording().saturation(np.float32(0.5))
    Recording().saturation()
    Recording().kinks(-1, np.int64(2))
    assert Recording.calls == [("saturation", 0.5), ("saturation", 0.125), ("kinks", -1.0, 2.0)]
    assert all(type(v) is float for call in Recording.calls for v in call[1:])


@pytest.mark.parametrize(("lo", "hi"), [("a", 1.0), (0.0, math.nan), (None, 1.0)])
def test_a_bad_window_is_refused_before_the_plugin_runs(lo, hi):
    Recording.calls.clear()
    with pytest.raises(ValueError, match=r"must be a number|needs the ends of a window"):
        Recording().kinks(lo, hi)
    with pytest.raises(ValueError):
        within([0.0], lo, hi)
    assert Recording.calls == []


def test_a_parameter_beyond_the_float_range_is_not_finite():
    with pytest.raises(ValueError, match="parameter a must be finite"):
        Bent(a=10**400)


def test_get_of_an_instance_with_params_keeps_the_registered_name():
    kit.register(Bent, name="bent_named")
    try:
        act = kit.get("bent_named")
        assert kit.get(act, a=0.5).name == "bent_named"
        assert kit.get(act, a=0.5).params == {"a": 0.5, "b": 2.0}
    finally:
        kit.unregister("bent_named")


@pytest.mark.parametrize("bad", ["0", None, math.nan, True])
def test_a_fixed_value_must_be_a_number(bad):
    with pytest.raises(ValueError, match="Fixed: the value must be"):
        Fixed(bad)
    assert Fixed(0) == Fixed(0.0) and Fixed(-1.0).value == -1.0


class Seen(Bent):
    """Bent recording the arrays its value() receives."""

    inputs: list = []

    def value(self, z):
        Seen.inputs.append(z)
        return Bent.value(self, z)


def test_masked_arrays_keep_their_mask_and_the_plugin_sees_a_plain_array():
    z = np.ma.array([-2.0, 1e308, 3.0, np.nan], mask=[False, True, False, False])
    Seen.inputs.clear()
    out = Seen().value(z)
    assert isinstance(out, np.ma.MaskedArray) and out.mask.tolist() == [False, True, False, False]
    np.testing.assert_array_equal(out.compressed()[:2], [-0.5, 6.0])
    assert math.isnan(out[3])
    [seen] = Seen.inputs
    assert type(seen) is np.ndarray and seen[1] == 0.0  # the masked entry never reaches the plugin
    for name in ("silu", "softsign", "relu", "gelu", "staircase", "hard_swish"):
        act = kit.get(name)
        for meth in (act.value, act.left_derivative, act.right_derivative, act.derivative):
            got = meth(z)
            assert isinstance(got, np.ma.MaskedArray) and got.mask.tolist() == [False, True, False, False], name
            np.testing.assert_array_equal(got.compressed(), meth(z.compressed()))
    with pytest.raises(TypeError, match="masked array would lose its mask"):
        kit.as_float_array(z)


@pytest.mark.parametrize("dtype", [np.longdouble, np.complex128])
def test_longdouble_and_complex_are_refused_with_a_clear_message(dtype):
    z = np.ones(3, dtype=dtype)
    for name in ("gelu", "relu", "softplus"):
        act = kit.get(name)
        for meth in (act.value, act.left_derivative, act.derivative):
            with pytest.raises(TypeError, match=r"longdouble|expected real numbers") as info:
                meth(z)
            assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", kit.names())
def test_every_activation_checks_its_window_alike(name):
    act = kit.get(name)
    for lo, hi in ((math.nan, 1.0), (0.0, math.nan), ("a", 1.0), (None, 1.0)):
        with pytest.raises(ValueError, match=r"must be a number|needs the ends of a window"):
            act.kinks(lo, hi)
    with pytest.raises(ValueError, match="tol must be a number >= 0"):
        act.saturation(math.nan)
