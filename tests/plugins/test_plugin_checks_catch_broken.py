"""Each check fails a plugin that breaks its rule, with one sentence naming the check, the point and the numbers."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from broken_plugins import EXPECTED, GoodLeaky, GoodTanh, Overflows, Raises, RaisesInInit, ReturnsASum
from kit_staircase import Staircase

import kit
from kit.conformance import CHECKS


@pytest.mark.parametrize("cls", [GoodTanh, GoodLeaky], ids=lambda c: c.__name__)
def test_the_correct_baselines_pass(cls):
    report = kit.check(cls)
    assert report.ok, report.problems


@pytest.mark.parametrize("cls", list(EXPECTED), ids=lambda c: c.__name__)
def test_exactly_the_broken_rule_fails(cls, failing_checks):
    expected, sentence = EXPECTED[cls]
    report = kit.check(cls)
    assert not report.ok
    assert failing_checks(report) == expected, report.problems
    assert any(re.search(sentence, p) for p in report.problems), report.problems
    for p in report.problems:
        name = p.split(":", 1)[0]
        assert name in CHECKS and "\n" not in p


def test_every_check_is_failed_by_some_broken_plugin():
    caught = set().union(*(failing for failing, _ in EXPECTED.values()))
    assert caught == set(CHECKS)


def test_a_raising_plugin_is_reported_not_fatal():
    report = kit.check(Raises)
    assert not report.ok
    assert "check_shape_and_dtype: value(z) raised RuntimeError: boom (input: a float16 array of shape ())" in (
        report.problems
    )
    assert report.info["mean of f(z), z ~ N(0, 1)"].startswith("unavailable: ")
    assert "FAILED" in str(report)


def test_a_plugin_that_is_not_elementwise_does_not_crash_the_checks():
    report = kit.check(ReturnsASum)
    assert "check_shape_and_dtype: value(z) returned shape () for a float16 array of shape (6,); expected (6,)" in (
        report.problems[0]
    )
    assert any(p.startswith("check_left_derivative: could not be run on this activation: ValueError:")
               for p in report.problems)


def test_a_plugin_that_cannot_be_built_gives_a_one_problem_report():
    report = kit.check(RaisesInInit)
    assert not report.ok
    assert report.problems == ["load: building RaisesInInit raised RuntimeError: cannot build"]


def test_bad_options_are_refused_before_any_work():
    with pytest.raises(ValueError, match="unknown check"):
        kit.check("relu", checks=["check_nothing"])
    with pytest.raises(ValueError, match="window must be a finite number > 0"):
        kit.check("relu", window=-1)
    with pytest.raises(TypeError, match="unknown parameter"):
        kit.check(GoodTanh, params={"alpha": 1.0})
    with pytest.raises(TypeError, match=r"activation must be a kit\.Activation, its class, a registered name"):
        kit.check(42)
    with pytest.raises(kit.UnknownActivation, match="did you mean 'relu'"):
        kit.check("rleu")
    with pytest.raises(ValueError, match=r"expected 'package\.module:Class'"):
        kit.check("not a module:Class")


@pytest.mark.parametrize("alpha", [1.5, 3.0, 1e3])
def test_a_result_beyond_the_range_may_round_to_inf(alpha):
    # leaky_relu(alpha > 1) at the most negative float is beyond the range: -inf is the correct rounding,
    # and so is float16's -inf where float64 gives -alpha * 1e4
    report = kit.check("leaky_relu", params={"alpha": alpha}, info=False)
    assert report.ok, report.problems


class Exp(kit.Activation):
    """exp: its value and derivative overflow to inf exactly where the true result is beyond the range."""

    def value(self, z):
        with np.errstate(over="ignore"):
            return np.exp(z)

    left_derivative = value
    right_derivative = value


def test_an_overflow_of_the_result_itself_is_not_a_fault_but_one_inside_a_formula_is():
    checks = ["check_finite", "check_no_warnings", "check_dtype_consistency"]
    assert kit.check(Exp, checks=checks, info=False).ok
    # naive softplus log(1 + exp(z)) is about 710 where its exp overflows (EXPECTED[Overflows] pins the sentence)
    assert {r.check for r in kit.check(Overflows, checks=checks, info=False).results if not r.ok} == set(checks)


class Unstepped(Staircase):
    """The staircase with its steps left undeclared."""

    frameworks = {}

    def kinks(self, lo=-math.inf, hi=math.inf):
        return kit.within([], lo, hi)


def test_saturation_holds_almost_everywhere_but_only_declared_kinks_are_excused():
    # [(-inf, inf)]: the staircase's gradient is 0 except at its steps, declared kinks of measure zero
    assert kit.check(Staircase(), checks=["check_saturation"], info=False).ok
    problems = kit.check(Unstepped(), checks=["check_saturation"], info=False).problems
    assert len(problems) == 2  # tol = 0 and tol = 1e-3
    assert problems[0].startswith("check_saturation: saturation(tol=0.0) gives [(-inf, inf)] but the derivatives give "
                                  "[(-2.1216e+15, -50), (-50, -49), (-49, -48), ... 96 more ..., (48, 49), (49, 50), ")
    assert problems[0].endswith(": z=0 is inside yet max(|f'_-|, |f'_+|) = inf > 0.0; 1244 more points like this")
