"""The conformance suite for plugin authors' own tests, one pytest test per check.

In the style of scikit-learn's ``parametrize_with_checks``: decorate one test
function and pytest runs every check of :mod:`kit.conformance` on every activation
as a separate test, with ids such as ``swish_beta(beta=2.0)-check_left_derivative``
that ``-k`` selects.  A known failure is declared with its reason and shows
as an expected failure (``xfail``, strict: if it starts passing, the test
fails so the declaration gets removed).

This is a plain module: import it in your test file.  It does not register a
pytest plugin, so it changes nothing for anyone else's test run.

Examples
--------
In ``tests/test_my_activation.py`` of a plugin::

    from kit.testing import parametrize_with_checks
    from my_activation import MyActivation

    @parametrize_with_checks([MyActivation(), MyActivation(slope=0.3)])
    def test_conformance(activation, check):
        check(activation)

Run ``pytest -k left_derivative`` to run only that check.  A known, explained
failure::

    @parametrize_with_checks(
        [Staircase()],
        expected_failures={"check_dtype_consistency": "float16 cannot hold the step width"},
    )
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kit.activation import Activation
from kit.conformance import CHECKS, Options, run_check
from kit.registry import resolve

__all__ = ["ActivationCheck", "assert_conforms", "parametrize_with_checks"]

ExpectedFailures = Mapping[Any, str]
"""``{check_name: reason}`` for every activation, or ``{(activation_name, check_name): reason}``."""


@dataclass(frozen=True)
class ActivationCheck:
    """One named check, callable on an activation; raises ``AssertionError`` with its sentences.

    Examples
    --------
    >>> import kit, numpy as np
    >>> ActivationCheck("check_left_derivative")(kit.get("relu"))   # passes: nothing happens
    >>> class Sloppy(kit.Activation):   # relu whose left derivative takes the right one at 0
    ...     def value(self, z): return np.maximum(z, 0)
    ...     def left_derivative(self, z): return np.where(z >= 0, 1.0, 0.0).astype(z.dtype)
    ...     right_derivative = left_derivative
    ...     def kinks(self, lo=-np.inf, hi=np.inf): return kit.within([0.0], lo, hi)
    >>> ActivationCheck("check_left_derivative")(Sloppy())
    Traceback (most recent call last):
    ...
    AssertionError: check_left_derivative: at z=0 left_derivative gives 1 but the backward difference gives 0 ...
    """

    name: str
    options: Options | None = None
    build_error: str | None = None

    def __call__(self, activation: Activation | None) -> None:
        if self.build_error is not None:
            raise AssertionError(self.build_error)
        if not isinstance(activation, Activation):
            raise TypeError(f"{self.name} takes a kit.Activation, got {activation!r}")
        result = run_check(self.name, activation, self.options)
        if not result.ok:
            raise AssertionError("\n".join(result.problems))

    def __repr__(self) -> str:
        return self.name


def _build(item: Any) -> tuple[str, Activation | None, str | None]:
    """(label, activation or None, error) for an instance, class, name or 'module:Class'.

    The label, the test id's first half, is ``repr(activation)``.
    """
    if isinstance(item, Activation):
        return repr(item), item, None
    label = item if isinstance(item, str) else getattr(item, "name", None) or getattr(item, "__name__", repr(item))
    try:
        act = resolve(item)
    except Exception as exc:
        return str(label), None, f"could not build {label}: {type(exc).__name__}: {exc}"
    return repr(act), act, None


def _validate_expected(expected: ExpectedFailures | None) -> dict[Any, str]:
    if expected is None:
        return {}
    if not isinstance(expected, Mapping):
        raise TypeError(f"expected_failures must be a dict {{check_name: reason}}, got {type(expected).__name__}")
    out: dict[Any, str] = {}
    for key, reason in expected.items():
        check = key[1] if isinstance(key, tuple) and len(key) == 2 else key
        if not isinstance(check, str) or check not in CHECKS:
            raise ValueError(f"expected_failures: unknown check {check!r}; known checks: {', '.join(CHECKS)}")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"expected_failures[{key!r}]: give the reason as a non-empty string")
        out[key] = reason
    return out


def parametrize_with_checks(
    activations: Iterable[Any],
    expected_failures: ExpectedFailures | None = None,
    *,
    window: float = 10.0,
    rtol: float = 1e-5,
    atol: float = 1e-5,
) -> Callable[[Callable[..., Any]], Any]:
    """A ``pytest.mark.parametrize`` over every (activation, check) pair.

    Parameters
    ----------
    activations : iterable
        Activation instances, classes (built with their defaults), registered
        names or ``"module:Class"`` strings.
    expected_failures : dict, optional
        Known, explained failures: ``{"check_saturation": "reason"}`` for every
        activation, or ``{("my_act", "check_saturation"): "reason"}`` for one
        (matched by name or by the test-id label).  They run as strict
        ``xfail``: an unexpected pass fails, so stale excuses do not linger.
    window, rtol, atol : float
        Passed to the checks (see :class:`kit.conformance.Options`).

    Returns
    -------
    decorator
        For a test function taking ``activation`` and ``check``, whose body is
        ``check(activation)``.

    Raises
    ------
    ValueError
        for an unknown check name, an empty reason, or an expected failure
        naming an activation that is not in ``activations``.

    Examples
    --------
    >>> mark = parametrize_with_checks(["relu"], expected_failures={"check_saturation": "a made-up reason"})
    >>> [p.id for p in mark.args[1]][:2]
    ['relu()-check_params', 'relu()-check_shape_and_dtype']
    >>> [(p.id, p.marks[0].kwargs["reason"]) for p in mark.args[1] if p.marks]
    [('relu()-check_saturation', 'a made-up reason')]
    """
    import pytest

    options = Options(window=window, rtol=rtol, atol=atol)
    expected = _validate_expected(expected_failures)
    built = [_build(item) for item in activations]
    if not built:
        raise ValueError("parametrize_with_checks needs at least one activation")
    known = {label for label, _, _ in built} | {act.name for _, act, _ in built if act is not None}
    for key in expected:
        if isinstance(key, tuple) and key[0] not in known:
            raise ValueError(f"expected_failures names {key[0]!r}, which is not among the activations: "
                             f"{', '.join(sorted(known))}")
    params = []
    for label, act, error in built:
        for name in CHECKS:
            names = {label, act.name if act is not None else label}
            reason = expected.get(name) or next((expected[(n, name)] for n in names if (n, name) in expected), None)
            marks = [pytest.mark.xfail(reason=reason, strict=True, raises=AssertionError)] if reason else []
            params.append(pytest.param(act, ActivationCheck(name, options, error), id=f"{label}-{name}", marks=marks))
    return pytest.mark.parametrize(("activation", "check"), params)


def assert_conforms(
    activation: Any, expected_failures: ExpectedFailures | None = None, **options: float
) -> None:
    """Run every check on ``activation`` and raise ``AssertionError`` listing all problems.

    The one-call form, like scikit-learn's ``check_estimator``; checks listed
    in ``expected_failures`` (by check name) are skipped.

    Examples
    --------
    >>> import kit
    >>> assert_conforms("relu")
    """
    from kit.conformance import check

    expected = _validate_expected(expected_failures)
    names = [n for n in CHECKS if n not in expected]
    report = check(activation, checks=names, info=False, **options)  # type: ignore[arg-type]  # options: check()'s float settings (window, rtol, ...)
    if not report.ok:
        raise AssertionError(f"{report.name} fails {len(report.problems)} check(s):\n" + "\n".join(report.problems))
