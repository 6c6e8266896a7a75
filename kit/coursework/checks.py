"""The check helpers a coursework notebook calls, and the judges behind them.

Each ``check_*`` helper is one *judge* (a function of plain values that
returns :class:`kit.claims.Verdict` objects) plus a report: in a student's
notebook the helper prints each verdict's line (``✔ ...``) and raises
:class:`CheckFailed` with the failing line (``✘ FAILS: ...``), so that the
student sees why and nbgrader scores the cell by whether it raises.

When a teacher grades with ``kit coursework grade``, the helpers are *not*
what is graded: the grader reads each check call in the teacher's notebook,
asks the student's kernel only for the values of the arguments named in
:data:`HELPERS` as the student's *answers* (the others, the expected values
and tolerances, come from the teacher's notebook and never enter the
student's kernel), and calls the same judge in its own process.  An answer
is plain data (numbers, lists, arrays, strings, dicts: see
:mod:`kit.coursework.plain`) or, for the activation checks, the student's
activation driven from the grader's side.  So a student who patches numpy,
``np.allclose`` or the import machinery, redefines a helper, or hands in an
object that only looks like a training history changes their own notebook's
printout and nothing else.

The helpers run every answer through the same plain-value path in the
student's notebook, so a student sees the verdict the grader will compute.

Examples
--------
>>> check_close(0.1 + 0.2, 0.3, "a sum")
✔ a sum (tolerance 1e-06)
>>> check_one_sided("relu", 0.0, left=0.0, right=1.0)
✔ one-sided derivatives of relu at 0: left 0, right 1 (tolerance 1e-06)
>>> check_close(0.5, 0.3, "a sum")
Traceback (most recent call last):
...
kit.coursework.checks.CheckFailed: ✘ FAILS: a sum: measured 0.5, but 0.3 (tolerance 1e-06) was expected
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import kit
from kit import _validate
from kit.activation import Activation
from kit.claims import Verdict
from kit.coursework.plain import NotPlain, plain

__all__ = [
    "HELPERS",
    "CheckFailed",
    "Helper",
    "check_activation",
    "check_close",
    "check_kinks",
    "check_moments",
    "check_one_sided",
    "check_training",
]

MAX_ANSWER_SIZE = 10_000_000
"""The most numbers one answer may hold."""


class CheckFailed(AssertionError):
    """A coursework check did not pass; the message is the failing verdict line."""


# -- reading answers ------------------------------------------------------------------


def _g(x: float) -> str:
    return "0" if x == 0 else f"{x:.6g}"


def _short(a: np.ndarray) -> str:
    if a.ndim == 0:
        return _g(float(a))
    with np.printoptions(precision=6, threshold=8, edgeitems=3, floatmode="maxprec", suppress=False):
        return np.array2string(a, separator=", ").replace("\n", "")


def _kind(x: Any) -> str:
    return f"a {type(x).__name__}" if not isinstance(x, np.ndarray) else f"an array of dtype {x.dtype}"


def _numbers(x: Any) -> np.ndarray | str:
    """``x`` as a float64 array, or a sentence saying why it is not numbers."""
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "iuf":
            return f"{_kind(x)}, not numbers"
        if x.size > MAX_ANSWER_SIZE:
            return f"an array of {x.size} numbers, more than {MAX_ANSWER_SIZE}"
        return x.astype(np.float64)
    if isinstance(x, bool) or x is None or isinstance(x, (str, dict)):
        return f"{x!r}, not a number"
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, np.bool_):
        return np.asarray(float(x))
    if isinstance(x, (list, tuple)):
        parts = [_numbers(v) for v in x]
        bad = next((p for p in parts if isinstance(p, str)), None)
        if bad is not None:
            return bad
        try:
            return np.asarray(np.stack(parts), dtype=np.float64) if parts else np.zeros(0)
        except ValueError:
            return "a ragged list (its rows have different lengths)"
    return f"{_kind(x)}, not a number"


def _number(x: Any) -> float | str:
    a = _numbers(x)
    if isinstance(a, str):
        return a
    if a.ndim != 0:
        return f"shape {a.shape}, not one number"
    return float(a)


def _answer(x: Any) -> Any:
    """An answer as the grader would receive it, or :class:`NotPlain` naming what it is."""
    try:
        return plain(x)
    except TypeError as exc:
        raise NotPlain(str(exc)) from None


def _what(what: Any) -> str:
    if not isinstance(what, str) or not what.strip():
        raise ValueError(f"a check needs a description in words (a non-empty str), got {what!r}")
    return " ".join(what.split())


def _tol(tol: Any) -> float:
    return _validate.number("tol", tol, lowest=0)


def _refused(what: str, why: str, expected: str) -> Verdict:
    return Verdict(what, False, f"but {expected} was expected", measured=why)


# -- the judges -----------------------------------------------------------------------


def _judge_close(got: Any, expected: Any, what: str, tol: float = 1e-6) -> list[Verdict]:
    text, t = _what(what), _tol(tol)
    e = _numbers(expected)
    if isinstance(e, str):
        raise ValueError(f"{text}: the expected value must be numbers, got {e}")
    g = _numbers(got)
    want = f"{_short(e)} (tolerance {t:g})"
    if isinstance(g, str):
        return [_refused(text, g, want)]
    if g.shape != e.shape:
        return [_refused(text, f"shape {g.shape}", f"shape {e.shape}")]
    with np.errstate(all="ignore"):
        ok = bool(np.allclose(g, e, rtol=t, atol=t, equal_nan=True))
    if ok:
        return [Verdict(text, True, f"tolerance {t:g}")]
    return [_refused(text, _short(g), want)]


def _activation(act: Any, params: dict[str, Any] | None = None) -> Activation:
    if isinstance(act, str):
        return kit.get(act, **(params or {}))
    if isinstance(act, Activation):
        return act
    raise ValueError(f"the activation must be a registered name, got {act!r}")


def _judge_one_sided(
    act: Any, z: float, left: Any, right: Any, tol: float = 1e-6, **params: float
) -> list[Verdict]:
    a, t = _activation(act, params), _tol(tol)
    z = _validate.number("z", z)
    want_l, want_r = float(a.left_derivative(z)), float(a.right_derivative(z))
    text = f"one-sided derivatives of {a.name} at {_g(z)}"
    got_l, got_r = _number(left), _number(right)
    want = f"left {_g(want_l)}, right {_g(want_r)} (tolerance {t:g})"
    if isinstance(got_l, str):
        return [_refused(text, f"the left derivative is {got_l}", want)]
    if isinstance(got_r, str):
        return [_refused(text, f"the right derivative is {got_r}", want)]
    ok = all(g == w or math.isclose(g, w, rel_tol=t, abs_tol=t) for g, w in ((got_l, want_l), (got_r, want_r)))
    if ok:
        return [Verdict(f"{text}: left {_g(want_l)}, right {_g(want_r)}", True, f"tolerance {t:g}")]
    return [_refused(text, f"left {_g(got_l)}, right {_g(got_r)}", want)]


def _judge_kinks(act: Any, lo: float, hi: float, expected: Any, tol: float = 1e-9) -> list[Verdict]:
    lo, hi = _validate.number("lo", lo, finite=False), _validate.number("hi", hi, finite=False)
    t = _tol(tol)
    e = _numbers(expected)
    if isinstance(e, str):
        raise ValueError(f"check_kinks: expected must be numbers, got {e}")
    e = np.sort(e.ravel())
    name = getattr(act, "name", "") or "the activation"
    text = f"kinks of {name} in [{_g(lo)}, {_g(hi)}]: {e.size} point{'' if e.size == 1 else 's'}"
    try:
        raw = act.kinks(lo, hi)
    except Exception as exc:
        return [_refused(text, f"kinks({_g(lo)}, {_g(hi)}) raised {type(exc).__name__}: {exc}", _short(e))]
    g = _numbers(raw if isinstance(raw, (np.ndarray, list)) else _answer(raw))
    if isinstance(g, str):
        return [_refused(text, f"kinks() gives {g}", _short(e))]
    g = np.sort(g.ravel())
    if g.shape == e.shape and np.allclose(g, e, rtol=0, atol=t):
        return [Verdict(text, True, "")]
    return [_refused(text, f"kinks() gives {_short(g)}", _short(e))]


def _judge_activation(act: Any) -> list[Verdict]:
    # the grader's proxy of a student's activation (kit.coursework.remote) bounds each call itself
    limit = None if getattr(act, "in_process_only", False) is True else 20.0
    report = kit.check(act, time_limit=limit)
    name = act if isinstance(act, str) else getattr(act, "name", "") or getattr(act, "__name__", "the activation")
    text = f"{name} passes kit.check"
    if report.ok:
        return [Verdict(text, True, "")]
    return [Verdict(text, False, "but every conformance check must pass", measured="; ".join(report.problems))]


def _judge_moments(
    got: Any, what: str, mean: float = 0.0, std: float = 1.0, axis: int = 0, tol: float = 1e-9
) -> list[Verdict]:
    text, t = _what(what), _tol(tol)
    m0, s0 = _validate.number("mean", mean), _validate.number("std", std, lowest=0)
    axis = _validate.integer("axis", axis)
    g = _numbers(got)
    if isinstance(g, str):
        return [_refused(text, g, "an array of numbers")]
    if g.ndim == 0 or not -g.ndim <= axis < g.ndim or g.shape[axis] < 2:
        return [_refused(text, f"shape {g.shape}", f"at least two rows along axis {axis}")]
    if not np.all(np.isfinite(g)):
        return [_refused(text, "non-finite values", "finite numbers")]
    m, s = g.mean(axis=axis), g.std(axis=axis)
    want = f"mean {_g(m0)} and standard deviation {_g(s0)} (tolerance {t:g})"
    if np.allclose(m, m0, rtol=0, atol=t) and np.allclose(s, s0, rtol=0, atol=t):
        return [Verdict(text, True, f"tolerance {t:g}")]
    return [_refused(text, f"means {_short(m)}, standard deviations {_short(s)}", want)]


_SETTINGS = {
    "activation": "a registered activation name, or [name, {parameter: number}]",
    "bias": "a number in [-10, 10]",
    "lr": "a number in (0, 10]",
}


def _setting(key: str, value: Any) -> Any:
    """One training setting checked, or ``ValueError`` saying what it must be."""
    if key == "activation":
        if isinstance(value, str) and value in kit.names():
            return value
        if (
            isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], str)
            and value[0] in kit.names()
            and isinstance(value[1], dict)
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value[1].values())
        ):
            kit.get(value[0], **value[1])  # refuses unknown or bad parameters
            return (value[0], dict(value[1]))
    elif key == "bias":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and -10 <= value <= 10:
            return float(value)
    elif key == "lr":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 10:
            return float(value)
    raise ValueError(f"settings[{key!r}] must be {_SETTINGS[key]}, got {value!r}")


def _judge_training(
    settings: Any,
    X: Any,
    y: Any,
    what: str,
    *,
    sizes: Sequence[int],
    steps: int,
    seed: int = 0,
    loss: str = "bce",
    change: Sequence[str] = ("activation", "bias", "lr"),
    dead_at_most: int | None = None,
    accuracy_at_least: float | None = None,
) -> list[Verdict]:
    from kit import nn

    text = _what(what)
    keys = [str(k) for k in change]
    unknown = sorted(set(keys) - set(_SETTINGS))
    if unknown:
        raise ValueError(f"check_training: change may name {', '.join(_SETTINGS)}, got {unknown}")
    Xa, ya = _numbers(X), _numbers(y)
    if isinstance(Xa, str) or isinstance(ya, str):
        raise ValueError("check_training: X and y must be numbers")
    want = f"a dict with the keys {', '.join(keys)}"
    if not isinstance(settings, dict):
        return [_refused(text, f"settings is {_kind(settings)}", want)]
    if sorted(settings) != sorted(keys):
        return [_refused(text, f"settings has the keys {sorted(settings)}", want)]
    try:
        s = {k: _setting(k, settings[k]) for k in keys}
    except ValueError as exc:
        return [_refused(text, str(exc), want)]
    net = nn.MLP(list(sizes), activation=s.get("activation", "relu"), bias=s.get("bias", 0.0), seed=seed)
    hist = nn.train(net, Xa, ya.astype(np.int64), loss=loss, lr=s.get("lr", 0.1), steps=steps, seed=seed)
    label = f"{text}, trained by the grader with {s}"
    if hist.stopped:
        return [Verdict(label, False, f"but {steps} training steps were expected", measured=hist.message)]
    out = []
    if dead_at_most is not None:
        k = _validate.integer("dead_at_most", dead_at_most, lowest=0)
        dead = [int(n) for n in hist.dead[-1]]
        band = f"at most {k} dead unit{'' if k == 1 else 's'}"
        out.append(Verdict(text, sum(dead) <= k, band if sum(dead) <= k else f"but {band} were allowed",
                           measured=f"{sum(dead)} dead (per layer {dead})"))
    if accuracy_at_least is not None:
        a = _validate.number("accuracy_at_least", accuracy_at_least, lowest=0, highest=1)
        acc = float(hist.accuracy[-1])
        band = f"training accuracy at least {a:g}"
        out.append(Verdict(text, acc >= a, band if acc >= a else f"but {band} was required",
                           measured=f"accuracy {acc:.3f}"))
    return out


# -- the helpers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Helper:
    """A check helper as the grader sees it.

    Attributes
    ----------
    name : str
        The name a notebook calls (``check_close``).
    judge : callable
        The function of plain values that returns the verdicts.
    answers : tuple of str
        The parameters that hold the student's answers: evaluated in the
        student's kernel.  Every other argument is the teacher's.
    activations : tuple of str
        Among ``answers``, those that are an activation (or its class),
        driven from the grader's side rather than handed in as data.
    """

    name: str
    judge: Callable[..., list[Verdict]]
    answers: tuple[str, ...]
    activations: tuple[str, ...] = ()

    @property
    def signature(self) -> inspect.Signature:
        """The judge's (and the helper's) signature."""
        return inspect.signature(self.judge)


def _report(verdicts: list[Verdict]) -> None:
    failed = [v for v in verdicts if not v.holds]
    for v in verdicts:
        if v.holds:
            print(v.line)
    if failed:
        raise CheckFailed("\n".join(v.line for v in failed))


def _helper(spec: Helper, doc: str) -> Callable[..., None]:
    def helper(*args: Any, **kwargs: Any) -> None:
        bound = spec.signature.bind(*args, **kwargs)
        for name in spec.answers:
            if name in bound.arguments and name not in spec.activations:
                try:
                    bound.arguments[name] = _answer(bound.arguments[name])
                except NotPlain as exc:
                    text = bound.arguments.get("what") or spec.name
                    _report([_refused(_what(text), f"{name} is {exc}", "plain data")])
        _report(spec.judge(*bound.args, **bound.kwargs))

    helper.__name__ = helper.__qualname__ = spec.name
    helper.__doc__ = doc
    helper.__signature__ = spec.signature  # type: ignore[attr-defined]  # what inspect.signature and help() show
    return helper


HELPERS: dict[str, Helper] = {
    h.name: h
    for h in (
        Helper("check_close", _judge_close, ("got",)),
        Helper("check_one_sided", _judge_one_sided, ("left", "right")),
        Helper("check_kinks", _judge_kinks, ("act",), ("act",)),
        Helper("check_activation", _judge_activation, ("act",), ("act",)),
        Helper("check_moments", _judge_moments, ("got",)),
        Helper("check_training", _judge_training, ("settings",)),
    )
}
"""Every check helper, by the name notebooks call it."""

check_close = _helper(
    HELPERS["check_close"],
    """Pass if ``got`` equals ``expected`` within ``tol`` (absolute and relative), elementwise.

    Parameters
    ----------
    got : number, list or array of numbers
        The student's answer (evaluated in the student's kernel when grading).
    expected : number, list or array of numbers
        The right answer; NaN matches NaN and infinities must match exactly.
    what : str
        What is checked, in words.
    tol : float
        Absolute and relative tolerance (>= 0).

    Examples
    --------
    >>> check_close([0.1 + 0.2, 1.0], [0.3, 1.0], "two sums")
    ✔ two sums (tolerance 1e-06)
    >>> check_close([1.0, 2.0], [1.0], "a vector")
    Traceback (most recent call last):
    ...
    kit.coursework.checks.CheckFailed: ✘ FAILS: a vector: measured shape (2,), but shape (1,) was expected
    """,
)

check_one_sided = _helper(
    HELPERS["check_one_sided"],
    """Pass if ``left`` and ``right`` are the one-sided derivatives of ``act`` at ``z``.

    Parameters
    ----------
    act : str
        A registered activation name; ``params`` are its parameters.
    z : float
        The point.
    left, right : float
        The student's left and right derivatives there.
    tol : float
        Absolute and relative tolerance.

    Examples
    --------
    >>> check_one_sided("leaky_relu", 0.0, left=0.1, right=1.0, alpha=0.1)
    ✔ one-sided derivatives of leaky_relu at 0: left 0.1, right 1 (tolerance 1e-06)
    >>> check_one_sided("relu", 0.0, left=0.0, right=0.5)
    Traceback (most recent call last):
    ...
    kit.coursework.checks.CheckFailed: ✘ FAILS: one-sided derivatives of relu at 0: measured left 0, right 0.5, but left 0, right 1 (tolerance 1e-06) was expected
    """,
)

check_kinks = _helper(
    HELPERS["check_kinks"],
    """Pass if the activation ``act`` declares exactly the kinks ``expected`` in ``[lo, hi]``.

    ``act`` is the student's activation (when grading, its ``kinks`` is called
    from the grader's side).

    Examples
    --------
    >>> import kit
    >>> check_kinks(kit.get("relu6"), -10, 10, [0.0, 6.0])
    ✔ kinks of relu6 in [-10, 10]: 2 points
    """,
)

check_activation = _helper(
    HELPERS["check_activation"],
    """Pass if ``act`` (an activation or its class) passes the kit's conformance checks, :func:`kit.check`.

    When grading, ``kit.check`` runs in the grader's process and calls the
    student's methods through the kernel with the inputs it chooses.

    Examples
    --------
    >>> check_activation("relu")
    ✔ relu passes kit.check
    """,
)

check_moments = _helper(
    HELPERS["check_moments"],
    """Pass if the columns (``axis=0``) of ``got`` have mean ``mean`` and standard deviation ``std`` within ``tol``.

    The means and standard deviations are computed by the judge from the
    numbers handed in, never by the student's code.

    Examples
    --------
    >>> check_moments([[1.0, -1.0], [-1.0, 1.0]], "standardised columns")
    ✔ standardised columns (tolerance 1e-09)
    """,
)

check_training = _helper(
    HELPERS["check_training"],
    """Train a network with the student's ``settings`` and judge what training gives.

    The judge builds ``kit.nn.MLP(sizes, activation=..., bias=..., seed=seed)``
    and trains it with ``kit.nn.train(net, X, y, loss=loss, lr=..., steps=steps,
    seed=seed)`` itself (in the grader's process when grading): the student
    hands in only the settings, a dict with exactly the keys ``change``
    (``"activation"``: a registered name or ``[name, {params}]``; ``"bias"``:
    a number in [-10, 10]; ``"lr"``: a number in (0, 10]).

    Parameters
    ----------
    settings : dict
        The student's answer.
    X, y : arrays
        The training data (the teacher's).
    what : str
        What is checked, in words.
    sizes, steps, seed, loss
        The network and the training that stay fixed.
    change : sequence of str
        The keys the student sets.
    dead_at_most : int, optional
        Pass only if at most this many hidden units are dead after training
        (``History.dead``: derivative exactly 0 on every training input).
    accuracy_at_least : float, optional
        Pass only if the final training accuracy is at least this.

    Examples
    --------
    >>> from kit.lab import datasets
    >>> X, y = datasets.make("moons", n=100, noise=0.1, seed=0)
    >>> check_training({"activation": "relu", "bias": 0.1, "lr": 0.1}, X, y, "alive", sizes=[2, 8, 1],
    ...                steps=100, dead_at_most=1)
    ✔ alive (at most 1 dead unit)
    """,
)
