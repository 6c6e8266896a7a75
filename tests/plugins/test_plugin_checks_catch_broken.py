"""Each check fails a plugin that breaks its rule, with one sentence naming the check, the point and the numbers."""

from __future__ import annotations

import re

import pytest
from broken_plugins import EXPECTED, GoodLeaky, GoodTanh, Raises, RaisesInInit, ReturnsASum

import kit
from kit.checks import CHECKS


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
    with pytest.raises(TypeError, match="expected an Activation"):
        kit.check(42)
    with pytest.raises(kit.UnknownActivation, match="did you mean 'relu'"):
        kit.check("rleu")
    with pytest.raises(ValueError, match=r"expected 'package\.module:Class'"):
        kit.check("not a module:Class")
