"""kit.claims: every kind of claim prints one verdict line, the same wherever the claim holds.

The holding line must not depend on the measured value (only on the band and,
with ``show=``, on a rounding the band guarantees), so that a lesson's stored
output matches on every machine; the failing line must show the value.  The
statistics (t intervals of a difference and of a slope, the binomial bound)
are checked against scipy's independent implementations.  (The docstring
examples run through ``--doctest-modules``.)
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import kit
from kit import claims


def lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


# -- one line per claim, and what it says ------------------------------------------------


def test_each_claim_prints_exactly_one_line_and_returns_its_verdict(capsys):
    verdicts = [
        claims.exact("e", 1.0, 1.0),
        claims.that("t", True),
        claims.close("c", 0.5, 0.5, 0.1),
        claims.within("w", 0.5, 0, 1),
        claims.mean_within("m", [0.4, 0.6], 0, 1),
        claims.rate_below("r", 0, 100, 0.5),
        claims.greater("g", [2, 3, 4], [0, 1, 1]),
        claims.indistinguishable("i", [1, 2, 3], [2, 1, 3]),
        claims.increasing("u", [1, 2, 3], [[0, 0.1], [1, 1.1], [2, 2.1]]),
        claims.decreasing("d", [1, 2, 3], [[2, 2.1], [1, 1.1], [0, 0.1]]),
    ]
    out = lines(capsys)
    assert len(out) == len(verdicts)
    assert all(v.holds and bool(v) for v in verdicts)
    assert [v.line for v in verdicts] == out
    assert all(line.startswith(claims.HOLDS + " ") for line in out)


def test_a_failing_claim_starts_with_the_marker_and_shows_the_value(capsys):
    v = claims.within("accuracy", 0.61, 0.85, 0.95)
    assert not v.holds and not v
    assert lines(capsys) == ["✘ FAILS: accuracy: measured 0.61, outside the band [0.85, 0.95]"]
    claims.exact("a count", 7, 6)
    assert lines(capsys) == ["✘ FAILS: a count: measured 7, but exactly 6 was claimed"]
    claims.that("a fact", False, measured="a counter-example")
    assert lines(capsys) == ["✘ FAILS: a fact: measured a counter-example, but it was claimed true"]
    claims.that("a fact", np.False_)
    assert lines(capsys) == ["✘ FAILS: a fact: measured false, but it was claimed true"]
    claims.mean_within("m", [0.1, 0.3], 0.5, 1.0)
    assert lines(capsys) == ["✘ FAILS: m: measured 0.2 ± 0.1 (standard error), outside the mean over 2 seeds, band [0.5, 1]"]


def test_a_verdict_displays_nothing_more_in_a_notebook():
    v = claims.Verdict("s", True, "")
    assert v._ipython_display_() is None and str(v) == "✔ s"


# -- the holding line does not depend on the measured value --------------------------------


@settings(max_examples=200, deadline=None)
@given(st.floats(0.85, 0.95), st.floats(0.85, 0.95))
def test_within_prints_the_same_line_for_any_value_in_the_band(a, b):
    import contextlib
    import io

    def line(x):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            claims.within("accuracy", x, 0.85, 0.95, show=0.1, excludes=0.5)
        return buf.getvalue()

    assert line(a) == line(b) == "✔ accuracy ≈ 0.9 (band [0.85, 0.95], excludes 0.5)\n"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.9, 1.0), min_size=2, max_size=8))
def test_mean_within_holding_line_names_only_the_band_and_the_number_of_seeds(samples):
    v = claims.mean_within("accuracy", samples, 0.9, 1.0, excludes=0.5)
    assert v.holds and v.line == f"✔ accuracy (mean over {len(samples)} seeds, band [0.9, 1], excludes 0.5)"


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 3))
def test_rate_below_holding_line_does_not_show_the_count(k):
    v = claims.rate_below("exact zeros", k, 3_072_000, 3e-6)
    assert v.holds and v.line == "✔ exact zeros: below 3e-06 (95 % upper bound from 3,072,000 chances)"


def test_show_is_refused_when_the_band_rounds_to_two_values():
    with pytest.raises(ValueError, match=r"spans more than one value at resolution 0\.1"):
        claims.within("w", 0.9, 0.8, 0.95, show=0.1)
    with pytest.raises(ValueError, match="show must be a positive number"):
        claims.within("w", 0.9, 0.85, 0.95, show=0)
    v = claims.close("SELU's λα", 1.7580993408473766, 1.7581, 5e-5, show=1e-4)
    assert v.line == "✔ SELU's λα ≈ 1.7581 (1.7581 ± 5e-05)"


def test_a_band_containing_the_counter_claim_is_refused():
    with pytest.raises(ValueError, match=r"contains the counter-claim's value 0\.5"):
        claims.within("accuracy", 0.7, 0.4, 0.9, excludes=0.5)
    with pytest.raises(ValueError, match="counter-claim's value 0"):
        claims.mean_within("rate", [1e-5, 2e-5], 0, 5e-5, excludes=[0, 1])


# -- exact claims -----------------------------------------------------------------------


def test_exact_compares_with_equality_including_nan_shape_and_strings(capsys):
    assert claims.exact("nan", [np.nan, 1.0], [np.nan, 1.0]).holds
    assert not claims.exact("shape", [0.0, 0.0], [0.0]).holds
    assert not claims.exact("one ulp", 0.1 + 0.2, 0.3).holds  # no tolerance
    assert claims.exact("rules", ["left", "right"], ["left", "right"]).holds
    assert not claims.exact("rules", ["left", "left"], ["left", "right"]).holds
    assert claims.exact("inf", [np.inf, 0.0], [np.inf, 0.0]).holds
    out = lines(capsys)
    assert out[0] == "✔ nan are [nan, 1.0] exactly" and out[3] == "✔ rules are ['left', 'right'] exactly"


def test_that_takes_one_bool_only():
    with pytest.raises(TypeError, match="one bool"):
        claims.that("an array", np.array([True, False]))
    with pytest.raises(TypeError, match="one bool"):
        claims.that("a number", 1)


def test_a_statement_is_required():
    with pytest.raises(TypeError, match="statement in words"):
        claims.within("  ", 1, 0, 2)
    with pytest.raises(ValueError, match="lo <= hi"):
        claims.within("w", 1, 2, 0)


# -- the statistics, against scipy ----------------------------------------------------------


def test_greater_uses_the_paired_t_interval_of_the_difference():
    a, b = np.array([0.91, 0.95, 0.93, 0.97, 0.92]), np.array([0.90, 0.91, 0.92, 0.93, 0.90])
    ci = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert ci.low > 0
    assert claims.greater("a > b", a, b).holds
    lo = float(ci.low)
    shifted = b + lo + 1e-9  # just above the lower end: the interval now contains 0
    assert not claims.greater("a > b", a, shifted).holds
    assert claims.greater("a > b", a, b + lo - 1e-9).holds


def test_unpaired_comparisons_use_welchs_interval():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 1.0, 30), rng.normal(0.0, 2.0, 40)
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    v = claims.greater("a > b", a, b, paired=False)
    assert v.holds == (ci.low > 0)
    # Welch's degrees of freedom are rounded down in kit.claims (a slightly wider interval): never narrower
    m = a.mean() - b.mean()
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    dof = math.floor((se**2) ** 2 / ((a.var(ddof=1) / a.size) ** 2 / (a.size - 1) + (b.var(ddof=1) / b.size) ** 2 / (b.size - 1)))
    assert m - stats.t.ppf(0.975, dof) * se <= ci.low


def test_increasing_uses_the_least_squares_slope_interval():
    x = [1, 3, 5]
    rows = [[0, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 1]]
    X = np.repeat(x, 4)
    fit = stats.linregress(X, np.concatenate(rows))
    lo = fit.slope - stats.t.ppf(0.975, X.size - 2) * fit.stderr
    v = claims.increasing("rows rise", x, rows)
    assert v.holds == (lo > 0)
    assert not claims.increasing("no trend", [1, 2, 3], [[0, 1], [1, 0], [0, 1]]).holds
    assert claims.decreasing("falls", [1, 2, 3], [[3, 3.1], [2, 2.1], [1, 1.1]]).holds


@pytest.mark.parametrize(("k", "n"), [(0, 90), (4, 90), (85, 3_072_000), (1, 10)])
def test_rate_below_uses_the_exact_one_sided_binomial_bound(k, n):
    # scipy finds the Clopper-Pearson end by root finding (relative error ~1e-9): compare at 1e-6
    upper = stats.binomtest(k, n, alternative="less").proportion_ci(confidence_level=0.95, method="exact").high
    assert claims.rate_below("r", k, n, upper * (1 + 1e-6)).holds
    assert not claims.rate_below("r", k, n, upper * (1 - 1e-6)).holds


def test_rate_below_argument_errors():
    with pytest.raises(ValueError, match="0 <= count <= total"):
        claims.rate_below("r", 5, 3, 0.1)
    with pytest.raises(ValueError, match="whole number"):
        claims.rate_below("r", 0.5, 3, 0.1)
    with pytest.raises(ValueError, match="bound must be a rate"):
        claims.rate_below("r", 0, 3, 0)
    assert not claims.rate_below("r", 3, 3, 1.0).holds  # every chance was an event: the bound is 1


def test_indistinguishable_is_the_complement_of_a_difference():
    a, b = [1.0, 2.0, 3.0, 1.5, 2.5], [1.1, 1.9, 3.2, 1.4, 2.6]
    assert claims.indistinguishable("same", a, b).holds
    assert not claims.indistinguishable("same", a, [x - 1 for x in b]).holds


def test_spread_summarises_the_samples():
    s = claims.spread([1.0, 2.0, 3.0, 4.0])
    assert (s.n, s.mean, s.min, s.max) == (4, 2.5, 1.0, 4.0)
    assert s.std == pytest.approx(np.std([1, 2, 3, 4], ddof=1)) and s.se == pytest.approx(s.std / 2)
    with pytest.raises(ValueError, match="at least 2"):
        claims.spread([1.0])


def test_claims_about_the_catalogue_are_exact(capsys):
    relu = kit.get("relu")
    assert claims.exact("ReLU's one-sided derivatives at 0", [relu.left_derivative(0.0), relu.right_derivative(0.0)], [0.0, 1.0])
    assert lines(capsys) == ["✔ ReLU's one-sided derivatives at 0 are [0.0, 1.0] exactly"]
