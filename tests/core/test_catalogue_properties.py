"""Properties of every registered activation, built-in or plugin (hypothesis).

Parametrized over ``kit.names()`` at collection time, so a plugin installed
later is covered too.  Each property states its tolerance; hypothesis runs
derandomized (a fixed seed) and without an example database.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kit
from kit.conformance.checks import overflows_legitimately

NAMES = kit.names()
# a few built-ins again with other parameters than the defaults
WITH_PARAMS = [
    (name, params)
    for name, params in [("leaky_relu", {"alpha": 0.2}), ("elu", {"alpha": 2.0}), ("celu", {"alpha": 0.5}),
                         ("softplus", {"beta": 3.0})]
    if name in NAMES
]  # fmt: skip
DTYPES = [np.float16, np.float32, np.float64]
METHODS = ("value", "left_derivative", "right_derivative")
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None)


@pytest.fixture(params=[(n, {}) for n in NAMES] + WITH_PARAMS,
                ids=lambda p: p[0] + "".join(f"-{k}={v}" for k, v in p[1].items()))  # fmt: skip
def act(request):
    name, params = request.param
    try:
        return kit.get(name, **params)
    except kit.PluginError as exc:  # reported by kit.plugin_problems(); nothing to test here
        pytest.skip(f"plugin {name!r} cannot be loaded: {exc}")


def _call(act, meth, z):
    return getattr(act, meth)(z)


def _finite_floats(dtype, bound=None):
    fi = np.finfo(dtype)
    hi = float(fi.max) if bound is None else bound
    return st.floats(-hi, hi, allow_nan=False, allow_infinity=False, width=fi.bits)


# -- shape and dtype -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_shape_and_dtype_are_kept(act, dtype):
    @PROPERTY
    @given(z=hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                        elements=_finite_floats(dtype)))  # fmt: skip
    def check(z):
        with np.errstate(all="ignore"):  # overflow is judged in its own test
            for meth in METHODS:
                out = np.asarray(_call(act, meth, z))
                assert out.shape == z.shape, (meth, z.shape, out.shape)
                assert out.dtype == dtype, (meth, out.dtype)

    check()


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_scalars_give_scalars_of_the_same_type(act, dtype):
    @PROPERTY
    @given(x=_finite_floats(dtype, bound=100.0))
    def check(x):
        for meth in METHODS:
            out = _call(act, meth, dtype(x))
            assert isinstance(out, np.generic) and out.dtype == dtype, (meth, type(out))
            assert isinstance(_call(act, meth, float(x)), float)

    check()


# -- finite out for finite in, without warnings ---------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_finite_in_gives_finite_out_and_no_warning(act, dtype):
    # pytest turns every warning into an error (pyproject); errstate raises on overflow/invalid too
    @PROPERTY
    @given(z=hnp.arrays(dtype, st.integers(1, 16), elements=_finite_floats(dtype)))
    def check(z):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            value = np.asarray(act.value(z))
            left = np.asarray(act.left_derivative(z))
            right = np.asarray(act.right_derivative(z))
        assert not np.isnan(value).any() and not np.isnan(left).any() and not np.isnan(right).any()
        for i in np.flatnonzero(np.isinf(value)):
            # inf is right where the true value is beyond the range (judged as kit.check judges it)
            assert overflows_legitimately(act, "value", z[i], value[i]), f"value({z[i]!r}) = {value[i]} ({dtype.__name__})"
        for d in (left, right):
            for i in np.flatnonzero(np.isinf(d)):  # infinite one-sided derivative: only at a jump
                assert act.kinks(float(z[i]), float(z[i])).size == 1, f"derivative inf at {z[i]!r}"

    check()


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_nan_gives_nan_and_infinities_give_no_nan(act, dtype):
    z = np.array([np.nan, -np.inf, np.inf], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for meth in METHODS:
            out = np.asarray(_call(act, meth, z))
            assert np.isnan(out[0]), f"{meth}(nan) = {out[0]}"
            assert not np.isnan(out[1:]).any(), f"{meth}(+-inf) = {out[1:]}"


# -- one-sided derivatives against one-sided differences --------------------------------------

# Second-order one-sided differences in float64 with h = 1e-6 max(1, |z|):
#   backward (3 f(z) - 4 f(z - h) + f(z - 2h)) / 2h for the left derivative,
#   forward (-3 f(z) + 4 f(z + h) - f(z + 2h)) / 2h for the right one,
# never a central difference.  Truncation error ~ h^2 |f'''| (only ~ h |jump of f''| next to a
# point where f'' jumps, as celu's 0), rounding ~ 3 eps |f| / h, so the tolerance is
# 1e-5 (1 + |f'|) + 1e-8 (|f(z)| + 1) / max(1, |z|).  The interval the difference
# uses must hold no kink except z itself (at a kink this *is* the one-sided derivative).
# An infinite one-sided derivative (a jump) must show as a difference quotient above 1e3.


def _one_sided(act, z, side):
    h = 1e-6 * max(1.0, abs(z))
    pts = np.array([z, z + side * h, z + side * 2 * h])
    h1, h2 = pts[1] - z, pts[2] - z  # the steps actually taken after rounding
    f0, f1, f2 = (float(v) for v in np.asarray(act.value(pts), dtype=np.float64))
    # the second-order formula for unequal steps (h2 = 2 h1 up to rounding)
    fd = (f1 - f0) / h1 * h2 / (h2 - h1) - (f2 - f0) / h2 * h1 / (h2 - h1)
    return fd, f0, pts


@pytest.mark.parametrize("side", [-1, 1], ids=["left", "right"])
def test_one_sided_derivatives_agree_with_one_sided_differences(act, side):
    meth = "left_derivative" if side < 0 else "right_derivative"
    window = act.kinks(-21.0, 21.0)

    @PROPERTY
    @given(z=st.one_of(st.floats(-20.0, 20.0), st.sampled_from(window.tolist() or [0.0])))
    def check(z):
        fd, f0, pts = _one_sided(act, z, side)
        lo, hi = min(pts[0], pts[2]), max(pts[0], pts[2])
        inside = act.kinks(lo, hi)
        assume(inside.size == 0 or (inside.size == 1 and inside[0] == z))
        d = float(_call(act, meth, z))
        if math.isinf(d):
            assert abs(fd) > 1e3, f"{meth}({z!r}) = {d} but the difference quotient is {fd}"
            return
        tol = 1e-5 * (1 + abs(d)) + 1e-8 * (abs(f0) + 1) / max(1.0, abs(z))
        assert abs(fd - d) <= tol, f"{meth}({z!r}) = {d!r}, one-sided difference {fd!r} (tolerance {tol:.2g})"

    check()


# -- saturation ------------------------------------------------------------------------------


def _grad_bound(act, x):
    x = np.asarray(x, dtype=np.float64)
    return np.fmax(np.abs(np.asarray(act.left_derivative(x))), np.abs(np.asarray(act.right_derivative(x))))


@pytest.mark.parametrize("tol", [0.0, 1e-3, 0.1])
def test_saturation_intervals_agree_with_the_derivatives(act, tol):
    intervals = act.saturation(tol)
    for lo, hi in intervals:
        assert lo <= hi
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(intervals)), "intervals must be sorted, disjoint"

    def inside(x):
        return any(lo < x < hi for lo, hi in intervals)

    @PROPERTY
    @given(u=st.floats(0.0, 1.0), far=st.floats(0.0, 6.0))
    def check(u, far):
        for lo, hi in intervals:
            a = lo if math.isfinite(lo) else (hi if math.isfinite(hi) else 0.0) - 10**far - 1
            b = hi if math.isfinite(hi) else a + 10**far + 1
            x = a + u * (b - a)
            # a declared kink inside an interval is a choice left to the plugin (measure zero)
            if lo < x < hi and act.kinks(x, x).size == 0:
                g = float(_grad_bound(act, x))
                assert g <= tol * (1 + 1e-9), f"|f'({x!r})| = {g} > tol {tol} inside {(lo, hi)}"

    check()
    # just outside every finite end (and not inside another interval) the gradient exceeds tol
    for lo, hi in intervals:
        for end, sign in ((lo, -1), (hi, 1)):
            if math.isfinite(end):
                x = end + sign * 1e-3 * (1 + abs(end))
                if not inside(x) and act.kinks(min(x, end), max(x, end)).size <= 1:
                    assert float(_grad_bound(act, x)) > tol, f"|f'| <= {tol} at {x}, outside {intervals}"


# -- kinks ------------------------------------------------------------------------------------


def test_kinks_are_sorted_float64_and_within_the_window(act):
    @PROPERTY
    @given(a=st.floats(-100.0, 100.0), b=st.floats(-100.0, 100.0))
    def check(a, b):
        lo, hi = min(a, b), max(a, b)
        k = act.kinks(lo, hi)
        assert isinstance(k, np.ndarray) and k.dtype == np.float64 and k.ndim == 1
        assert (np.diff(k) > 0).all(), "kinks must be sorted and distinct"
        assert ((k >= lo) & (k <= hi)).all()
        wider = act.kinks(lo - 1.0, hi + 1.0)
        np.testing.assert_array_equal(k, wider[(wider >= lo) & (wider <= hi)])

    check()


def test_declared_kinks_are_kinks(act):
    for k in act.kinks(-50.0, 50.0):
        left, right, value = (float(_call(act, m, k)) for m in ("left_derivative", "right_derivative", "value"))
        h = 1e-7 * max(1.0, abs(k))
        jump = abs(float(act.value(k - h)) - value) + abs(float(act.value(k + h)) - value) > 1e-3
        assert left != right or jump or math.isinf(left), f"declared kink at {k} with left == right == {left}"
