"""kit.check's report: the information for gradient descent, the plain table and the HTML table."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from broken_plugins import WrongSaturation

import kit
from kit.conformance import CHECKS, describe

PHI0 = 1 / math.sqrt(2 * math.pi)


def _normal_cdf(x: float) -> float:
    return math.erfc(-x / math.sqrt(2)) / 2


def test_mean_of_relu_under_standard_normal():
    # E[max(z, 0)] = phi(0) = 1 / sqrt(2 pi) = 0.39894...
    info = describe(kit.get("relu"))
    assert float(info["mean of f(z), z ~ N(0, 1)"]) == pytest.approx(PHI0, abs=1e-6)
    assert float(info["mean of f'(z), z ~ N(0, 1)"]) == pytest.approx(0.5, abs=1e-9)


def test_mean_of_elu_under_standard_normal():
    # E[elu(z)] = phi(0) + e^(1/2) Phi(-1) - 1/2 = 0.16052...
    expected = PHI0 + math.exp(0.5) * _normal_cdf(-1.0) - 0.5
    assert expected == pytest.approx(0.16052, abs=1e-5)
    info = describe(kit.get("elu"))
    assert float(info["mean of f(z), z ~ N(0, 1)"]) == pytest.approx(expected, abs=1e-6)


def test_mean_sigmoid_gradient_under_standard_normal():
    # E[sigma'(z)] for z ~ N(0, 1) is 0.207 (design notes); checked here by a trapezoid rule
    x = np.linspace(-12, 12, 240001)
    s = 1 / (1 + np.exp(-x))
    expected = np.trapezoid(s * (1 - s) * np.exp(-x * x / 2) * PHI0, x)
    info = describe(kit.get("sigmoid"))
    assert float(info["mean of f'(z), z ~ N(0, 1)"]) == pytest.approx(expected, abs=1e-6)
    assert expected == pytest.approx(0.207, abs=5e-4)


@pytest.mark.parametrize(
    ("name", "key", "text"),
    [
        ("relu", "dead region (tol=0)", "[(-inf, 0)]"),
        ("relu", "derivative at 0 (left, right)", "0, 1"),
        ("relu", "discontinuous", "no"),
        ("relu", "monotone", "non-decreasing on [-10, 10]"),
        ("relu", "differentiable almost everywhere", "yes: 1 kink in [-10, 10] (0)"),
        ("step", "derivative at 0 (left, right)", "inf, 0"),
        ("step", "discontinuous", "yes: jumps at z=0"),
        ("leaky_relu", "dead region (tol=0)", "[] (none)"),
        ("abs", "monotone", "no: f rises and falls on [-10, 10]"),
        ("tanh", "differentiable almost everywhere", "yes: no kinks in [-10, 10]"),
        ("tanh", "monotone", "increasing on [-10, 10]"),
    ],
)
def test_information_for_gradient_descent(name, key, text):
    assert describe(kit.get(name))[key] == text


def test_sigmoid_saturation_is_reported():
    # |sigma'(z)| <= 1e-3 where sigma(1 - sigma) <= 1e-3: |z| >= log((1 + sqrt(0.996)) / (1 - sqrt(0.996))) = 6.9057...
    s = (1 + math.sqrt(1 - 4e-3)) / 2
    end = math.log(s / (1 - s))
    text = describe(kit.get("sigmoid"))["saturation (tol=1e-3)"]
    assert text == f"[(-inf, {-end:.6g}), ({end:.6g}, inf)]"


def test_plain_table():
    report = kit.check("relu")
    lines = str(report).splitlines()
    assert lines[0] == f"kit.check relu(): ok ({len(CHECKS)} of {len(CHECKS)} checks passed)"
    assert sum(line.startswith("check_") and line.endswith("  ok") for line in lines) == len(CHECKS)
    assert any(line.startswith("dead region (tol=0)") and line.endswith("[(-inf, 0)]") for line in lines)


def test_failures_in_the_table_and_html():
    report = kit.check(WrongSaturation)
    text = str(report)
    assert "FAILED" in text.splitlines()[0]
    assert re.search(r"^check_saturation +FAIL  saturation\(tol=0\.0\) gives \[\(-inf, -1\)\]", text, re.MULTILINE)
    html = report._repr_html_()
    assert "<table>" in html and "FAILED" in html
    assert "&lt;= 0.0" in html and "<= 0.0" not in html  # escaped
    assert not report and report.problems == [p for r in report.results for p in r.problems]


@pytest.mark.parametrize(
    "spelling",
    ["swish_beta", "kit_smooth_extras:SwishBeta"],
)
def test_check_takes_a_name_or_a_module_class_spelling(spelling):
    report = kit.check(spelling, params={"beta": 2.0})
    assert report.ok, report.problems
    assert report.name == "swish_beta(beta=2.0)"
    assert report.info["derivative at 0 (left, right)"] == "0.5, 0.5"


def test_check_of_a_module_that_does_not_import():
    report = kit.check("kit_no_such_module_xyz:Thing")
    assert report.problems == [
        "load: cannot import kit_no_such_module_xyz:Thing: ModuleNotFoundError: No module named 'kit_no_such_module_xyz'"
    ]
