"""kit.testing.parametrize_with_checks: one test per (activation, check), -k selection, explained failures."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from broken_plugins import GoodTanh, RaisesInInit, WrongLeftAtKink

from kit.conformance import CHECKS
from kit.testing import ActivationCheck, assert_conforms, parametrize_with_checks

HERE = Path(__file__).resolve().parent


def _params(mark):
    return mark.args[1]


def test_one_parameter_per_activation_and_check_with_readable_ids():
    mark = parametrize_with_checks([GoodTanh(), WrongLeftAtKink])
    params = _params(mark)
    assert mark.args[0] == ("activation", "check")
    assert len(params) == 2 * len(CHECKS)
    ids = [p.id for p in params]
    assert ids[0] == "good_tanh()-check_params"
    assert "wrong_left_at_kink()-check_left_derivative" in ids
    assert all(isinstance(p.values[1], ActivationCheck) for p in params)
    assert not any(p.marks for p in params)


def test_expected_failures_become_strict_xfails_with_the_reason():
    mark = parametrize_with_checks(
        [GoodTanh(), WrongLeftAtKink()],
        expected_failures={("wrong_left_at_kink", "check_left_derivative"): "uses z >= 0 on both sides, on purpose"},
    )
    marked = [p for p in _params(mark) if p.marks]
    assert [p.id for p in marked] == ["wrong_left_at_kink()-check_left_derivative"]
    [xfail] = marked[0].marks
    assert xfail.name == "xfail"
    assert xfail.kwargs["reason"] == "uses z >= 0 on both sides, on purpose"
    assert xfail.kwargs["strict"] is True


@pytest.mark.parametrize(
    ("expected", "error", "message"),
    [
        ({"check_nothing": "why"}, ValueError, "unknown check 'check_nothing'"),
        ({"check_params": ""}, ValueError, "non-empty string"),
        ({("no_such", "check_params"): "why"}, ValueError, "not among the activations"),
        (["check_params"], TypeError, "must be a dict"),
    ],
)
def test_bad_expected_failures_are_refused(expected, error, message):
    with pytest.raises(error, match=message):
        parametrize_with_checks([GoodTanh()], expected_failures=expected)


def test_a_check_raises_assertion_error_with_its_sentences():
    with pytest.raises(AssertionError, match=r"^check_left_derivative: at z=0 left_derivative gives 1 but"):
        ActivationCheck("check_left_derivative")(WrongLeftAtKink())
    ActivationCheck("check_left_derivative")(GoodTanh())


def test_an_activation_that_cannot_be_built_fails_its_tests_not_the_collection():
    params = _params(parametrize_with_checks([RaisesInInit]))
    assert params[0].values[0] is None
    with pytest.raises(AssertionError, match="could not build raises_in_init: PluginError: building RaisesInInit raised"):
        params[0].values[1](None)


def test_assert_conforms():
    assert_conforms(GoodTanh())
    assert_conforms(WrongLeftAtKink(), expected_failures={"check_left_derivative": "on purpose"})
    with pytest.raises(AssertionError, match="wrong_left_at_kink\\(\\) fails 1 check"):
        assert_conforms(WrongLeftAtKink())


def test_in_a_real_pytest_run(tmp_path):
    """-k selects one check; an explained failure is xfailed; an unexplained one fails with its sentence."""
    (tmp_path / "test_suite.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        from broken_plugins import GoodTanh, WrongLeftAtKink
        from kit.testing import parametrize_with_checks

        @parametrize_with_checks([GoodTanh(), WrongLeftAtKink()],
                                 expected_failures={{("wrong_left_at_kink", "check_left_derivative"): "known"}})
        def test_explained(activation, check):
            check(activation)

        @parametrize_with_checks([WrongLeftAtKink()])
        def test_unexplained(activation, check):
            check(activation)
        """), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rxf", "-p", "no:cacheprovider", "-k", "left_derivative", "test_suite.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
    out = run.stdout
    assert run.returncode == 1, out
    assert "1 failed, 1 passed" in out and "1 xfailed" in out
    assert f"{3 * len(CHECKS) - 3} deselected" in out
    assert "XFAIL test_suite.py::test_explained[wrong_left_at_kink()-check_left_derivative] - known" in out
    assert "check_left_derivative: at z=0 left_derivative gives 1 but the backward difference gives 0.1" in out
