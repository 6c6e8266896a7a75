"""The named conformance checks, and :func:`run_check`, which runs one of them.

Every check is a plain function ``check_x(act, options) -> list[str]`` that
returns one readable sentence per problem (an empty list when the activation
passes).  :func:`check` runs them all and returns a :class:`Report`;
:func:`kit.testing.parametrize_with_checks` runs each one as its own pytest
test.  Both use :func:`run_check`, so a plugin is judged the same way
everywhere.

How the numbers are judged
--------------------------
* One-sided derivatives are compared with *one-sided* second-order finite
  differences of ``value`` in float64: backward for ``left_derivative``
  (``(3 f(z) - 4 f(z-h) + f(z-2h)) / 2h``), forward for ``right_derivative``;
  never a central difference, so a kink is judged from each side.  The step is
  ``h = 1e-4 * max(1, |z|)``, shrunk to a quarter of the distance to the
  nearest other declared kink.  They agree when
  ``|fd - d| <= atol + rtol |d| + 8 eps (|f(z)| + |f(z-h)| + |f(z-2h)|) / h``
  (``rtol = atol = 1e-5`` by default; the last term is float64 rounding).  An
  infinite one-sided derivative (a jump) must show as a difference quotient
  that keeps growing as the step shrinks (at least 3 times larger for a step
  100 times smaller, somewhere down to 1000 float spacings, so that a jump of
  2e-9 shows too), with the sign of the derivative.  A disagreement that vanishes with a step 1000 times
  smaller is a kink within 2h, left to ``check_undeclared_kinks``.
* float16 and float32 are not differentiated numerically (their steps would be
  too coarse); instead ``value`` and both derivatives in that dtype must agree
  with float64 at the same representable points within ``64 eps (1 + |f|)``
  (``check_dtype_consistency``), away from kinks.
* Kinks are found from values alone: the secant slopes on a grid of step
  0.0025 over ``[-window, window]`` are differenced twice; a kink leaves a
  spike the size of the jump in the derivative whatever the grid step, a
  smooth bend one that shrinks with the step.  Each spike is therefore
  re-examined on a grid 100 times finer and kept only if it does not shrink.
  Kinks whose derivative jumps by less than about ``1e-6 (1 + |f'|)``, or that
  lie within 0.005 of a declared kink or outside the window, are not seen.
* Saturation intervals (for ``tol`` 0 and 1e-3) are checked against the
  derivatives at every point of :func:`kit.activation.numerical_saturation`'s
  grid and at ``1e-6 (1 + |end|)`` on each side of every finite end.  They
  are judged almost everywhere, as the contract states: declared kinks (a
  set of measure zero) are ignored, so a staircase whose gradient is 0
  between its steps may answer ``[(-inf, inf)]`` although each step has an
  infinite one-sided derivative; an undeclared jump is not ignored.  For
  ``tol=0`` beyond ``|z| = 700`` a derivative that underflowed to 0 outside
  every interval is not held against the answer either.
* A result may overflow to ±inf for a finite input only when its true value
  is beyond the dtype's range: walking from 0 towards the input, it is at
  least a quarter of the largest float just before it turns infinite, with
  the same sign.  Then the overflow warning is allowed too.

Examples
--------
>>> import kit
>>> report = kit.check("relu")
>>> report.ok
True
>>> report.info["derivative at 0 (left, right)"]
'0, 1'
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kit._text import intervals
from kit._text import number as fmt
from kit.activation import FRAMEWORKS, NAME_PATTERN, SCAN_GRID, Activation, numerical_saturation, validate_kink
from kit.conformance.differences import (
    agrees,
    blows_up,
    derivative_points,
    quotient,
    slopes_at,
    spike_size,
    spike_threshold,
    spikes,
)
from kit.conformance.evaluate import (
    Options,
    PluginRaised,
    call,
    declared_kinks,
    eval64,
    extreme_inputs,
    gradient_bound,
    is_declared,
    kinks_remembered,
    likely_crowded,
    window_grid,
)
from kit.conformance.limits import Outcome, run_steps
from kit.registry import QUALIFIED_NAME

__all__ = [
    "CHECKS",
    "CheckResult",
    "check_declared_kinks",
    "check_dtype_consistency",
    "check_finite",
    "check_framework_rules",
    "check_left_derivative",
    "check_no_warnings",
    "check_nonfinite_inputs",
    "check_params",
    "check_right_derivative",
    "check_saturation",
    "check_shape_and_dtype",
    "check_undeclared_kinks",
    "overflows_legitimately",
    "run_check",
]

DTYPES: tuple[type[np.floating], ...] = (np.float16, np.float32, np.float64)
METHODS: tuple[str, ...] = ("value", "left_derivative", "right_derivative")
_MAX_REPORTED = 3
_PY_FLOAT = "python float"  # a sentinel: compared by identity, never with ==


def _more(n: int) -> str:
    return f"; {n} more point{'s' if n != 1 else ''} like this" if n > 0 else ""

def _report_points(found: list[str]) -> list[str]:
    """At most a few sentences; the last one says how many more there were."""
    if len(found) <= _MAX_REPORTED:
        return found
    head = found[:_MAX_REPORTED]
    n = len(found) - _MAX_REPORTED
    head[-1] = head[-1] + f" (and {n} more problem{'s' if n > 1 else ''} of this kind)"
    return head


# -- the checks -------------------------------------------------------------------


def check_params(act: Activation, options: Options) -> list[str]:
    """``name``, ``defaults``, ``formula`` and the parameters follow the contract.

    The name matches ``[a-z][a-z0-9_]*``; ``defaults`` maps names to finite
    numbers; rebuilding from ``act.params`` gives an equal activation; an
    unknown parameter raises ``TypeError`` and a non-finite one ``ValueError``.
    """
    problems: list[str] = []
    cls = type(act)
    if not isinstance(act.name, str) or not (NAME_PATTERN.match(act.name) or QUALIFIED_NAME.match(act.name)):
        problems.append(f"name {act.name!r} does not match [a-z][a-z0-9_]* (or name@distribution after a clash)")
    if not isinstance(cls.formula, str):
        problems.append(f"formula is {type(cls.formula).__name__}, expected a LaTeX string")
    if not isinstance(cls.defaults, Mapping):
        return [*problems, f"defaults is {type(cls.defaults).__name__}, expected a dict of parameter defaults"]
    for key, val in cls.defaults.items():
        if not isinstance(key, str) or not key.isidentifier():
            problems.append(f"parameter name {key!r} in defaults is not a Python identifier")
        elif isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val):
            problems.append(f"default of parameter {key} is {val!r}, expected a finite number")
    if problems:
        return problems
    params = act.params
    try:
        again = cls(**params)
    except Exception as exc:
        return [f"{cls.__name__}(**{params}) raised {type(exc).__name__}: {exc}; rebuilding from act.params must work"]
    if again.params != params:
        problems.append(f"{cls.__name__}(**{params}).params is {again.params}, expected the same parameters back")
    if act.name not in repr(act):
        problems.append(f"repr(act) is {act!r}; it should show the name {act.name!r}")
    try:
        cls(no_such_parameter_xyz=1.0)
    except TypeError:
        pass
    except Exception as exc:
        problems.append(f"an unknown parameter raised {type(exc).__name__}, expected TypeError naming the valid ones")
    else:
        problems.append("an unknown parameter (no_such_parameter_xyz=1.0) was accepted; expected TypeError")
    for key in params:
        for bad in (math.nan, math.inf):
            try:
                cls(**{**params, key: bad})
            except (TypeError, ValueError):
                continue
            except Exception as exc:
                problems.append(f"parameter {key}={bad} raised {type(exc).__name__}, expected ValueError")
            else:
                problems.append(f"parameter {key}={bad} was accepted; expected ValueError")
    return problems


def check_shape_and_dtype(act: Activation, options: Options) -> list[str]:
    """Same shape and floating dtype out as in; scalars give scalars; input untouched.

    float16, float32 and float64 arrays of shapes ``()``, ``(6,)``, ``(2, 3)``
    and ``(0,)``; Python floats and ints; numpy scalars; integer arrays (which
    must give float64).
    """
    found: dict[tuple[str, str], list[str]] = {}

    def note(meth: str, kind: str, sentence: str) -> None:
        found.setdefault((meth, kind), []).append(sentence)

    base = np.linspace(-3.0, 3.0, 6)
    cases: list[tuple[Any, str, Any, tuple[int, ...] | None]] = []
    shape: tuple[int, ...] | None
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        for shape in ((), (6,), (2, 3), (0,)):
            z = base[: math.prod(shape)].reshape(shape).astype(dtype)
            cases.append((z, f"a {name} array of shape {shape}", np.dtype(dtype), shape))
        cases.append((dtype(0.5), f"a numpy {name} scalar", "generic:" + name, None))
    cases.append((np.arange(-2, 3), "an integer array", np.dtype(np.float64), (5,)))
    cases.append((0.5, "the Python float 0.5", _PY_FLOAT, None))
    cases.append((2, "the Python int 2", _PY_FLOAT, None))
    for meth in METHODS:
        for z, what, want, shape in cases:
            before = np.copy(z)
            out = call(act, meth, z)
            if isinstance(z, np.ndarray) and not np.array_equal(z, before, equal_nan=True):
                note(meth, "mutate", f"{meth}(z) changed its input in place for {what}")
            if want is _PY_FLOAT:
                if type(out) is not float:
                    note(meth, "scalar", f"{meth}(z) returned {type(out).__name__} for {what}; expected a Python float")
                continue
            if isinstance(want, str):  # numpy scalar in, numpy scalar of that dtype out
                got = getattr(out, "dtype", None)
                if np.ndim(out) != 0 or got != np.dtype(want.split(":")[1]):
                    note(meth, "scalar", f"{meth}(z) returned {type(out).__name__} of dtype {got} for {what}; "
                         f"expected a {want.split(':')[1]} scalar")
                continue
            if not isinstance(out, (np.ndarray, np.generic)):
                note(meth, "type", f"{meth}(z) returned {type(out).__name__} for {what}; expected a numpy array")
                continue
            if out.shape != shape:
                note(meth, "shape", f"{meth}(z) returned shape {out.shape} for {what}; expected {shape}")
            if out.dtype != want:
                note(meth, "dtype", f"{meth}(z) returned dtype {out.dtype} for {what}; expected {want}")
    problems = []
    for sentences in found.values():
        extra = len(sentences) - 1
        problems.append(sentences[0] + (f" (and for {extra} other input{'s' if extra > 1 else ''})" if extra else ""))
    return problems


def _finite_probes(dtype: type[np.floating], options: Options) -> NDArray[np.floating]:
    """The finite inputs of ``check_finite`` and ``check_no_warnings``: extremes and the window."""
    return np.unique(np.concatenate([extreme_inputs(dtype), window_grid(options, 41).astype(dtype)]))


def check_finite(act: Activation, options: Options) -> list[str]:
    """Finite inputs give finite values and derivatives, in every dtype.

    Extreme inputs included (the largest float, where ``exp`` overflows, the
    tiniest).  Two exceptions: a one-sided derivative may be infinite at a
    declared kink (a jump), and a result may be ±inf where its true value is
    beyond the dtype's range (``selu`` at the largest float, ``leaky_relu``
    with alpha > 1 at the most negative one; see :func:`overflows_legitimately`).
    """
    found: list[str] = []
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        z = _finite_probes(dtype, options)
        for meth in METHODS:
            with np.errstate(all="ignore"):
                out = np.asarray(call(act, meth, z))
            if out.shape != z.shape:
                continue  # check_shape_and_dtype says so
            bad = ~np.isfinite(out)
            for i in np.flatnonzero(np.isinf(out)):
                jump = meth != "value" and is_declared(act, float(z[i]))
                bad[i] = not (jump or overflows_legitimately(act, meth, z[i], out[i]))
            idx = np.flatnonzero(bad)
            if idx.size:
                i = idx[0]
                what = "a finite number" if meth == "value" else "a number (infinite only at a declared kink)"
                found.append(f"{meth}(z) is {fmt(out[i])} at z={fmt(z[i])} ({name}); expected {what}"
                             + _more(idx.size - 1))
    return _report_points(found)


def overflows_legitimately(act: Activation, meth: str, z: np.floating, out: np.floating) -> bool:
    """True if ``out = ±inf`` from ``meth`` at a finite ``z`` is the correct
    rounding of a result beyond the dtype's range.

    Walks from 0 towards ``z`` (bisecting over the floats of the dtype) to
    where the result turns infinite: just before, it must already be at least
    a quarter of the largest float, with the sign of ``out``.  So the result
    itself ran out of the range there (``leaky_relu`` with alpha > 1 at the
    most negative float, ``selu`` at the largest, ``exp`` beyond 709.78),
    rather than an intermediate one overflowing (``log(1 + exp(z))`` is about
    710 where its ``exp`` overflows).
    """
    dtype = z.dtype
    ints = np.dtype(f"i{dtype.itemsize}")  # non-negative floats are ordered as their bit patterns

    def f(bits: int) -> float:
        x = np.array([bits], dtype=ints).view(dtype) * np.copysign(dtype.type(1), z)
        with np.errstate(all="ignore"):
            return float(np.asarray(call(act, meth, x), dtype=np.float64).ravel()[0])

    lo, hi = 0, int(np.abs(np.array([z])).view(ints)[0])  # finite at lo (0), infinite at hi (|z|)
    if not (np.isinf(out) and math.isfinite(f(lo))):
        return False
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if math.isfinite(f(mid)) else (lo, mid)
    last = f(lo)
    return abs(last) >= float(np.finfo(dtype).max) / 4 and np.sign(last) == np.sign(out)


def check_nonfinite_inputs(act: Activation, options: Options) -> list[str]:
    """NaN in gives NaN out; ±inf in gives the limit out (not NaN), in every dtype."""
    found: list[str] = []
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        z = np.array([np.nan, np.inf, -np.inf], dtype=dtype)
        for meth in METHODS:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out = np.asarray(call(act, meth, z))
            if out.shape != z.shape:
                continue
            if not np.isnan(out[0]):
                found.append(f"{meth}(z) is {fmt(out[0])} at z=nan ({name}); expected nan")
            for i in (1, 2):
                if np.isnan(out[i]):
                    found.append(f"{meth}(z) is nan at z={fmt(z[i])} ({name}); expected the limit there")
            for w in caught[:1]:
                found.append(f"{meth}(z) emitted {w.category.__name__} '{w.message}' for nan/±inf input ({name})")
    return _report_points(found)


def check_no_warnings(act: Activation, options: Options) -> list[str]:
    """No warnings (overflow, invalid value, division by zero) for finite inputs.

    The one exception: an overflow warning where the result is ±inf because
    its true value is beyond the dtype's range (see :func:`check_finite`).

    numpy's floating-point errors are set to ``warn`` while the check runs, so
    a plugin that overflows is caught whatever the caller's ``np.seterr``.
    """
    found: list[str] = []
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        z = _finite_probes(dtype, options)
        for meth in METHODS:
            caught = _warnings_of(act, meth, z)
            if not caught:
                continue
            raw = [x for x in z if _warnings_of(act, meth, np.array([x], dtype=dtype))]
            culprits = [x for x in raw if not _legit_overflow(act, meth, x)]
            if raw and not culprits:
                continue  # only overflows of results truly beyond the range, as check_finite allows
            first = _warnings_of(act, meth, np.array([culprits[0]], dtype=dtype))[0] if culprits else caught[0]
            where = f"z={fmt(culprits[0])}" if culprits else f"an array of {z.size} inputs"
            found.append(f"{meth}(z) emitted {first.category.__name__} '{first.message}' for {name} input {where}"
                         + _more(len(culprits) - 1))
    return _report_points(found)


def _legit_overflow(act: Activation, meth: str, x: np.floating) -> bool:
    with np.errstate(all="ignore"):
        out = np.asarray(call(act, meth, np.array([x], dtype=x.dtype))).ravel()[0]
    return overflows_legitimately(act, meth, x, out)


def _warnings_of(act: Activation, meth: str, z: NDArray) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        call(act, meth, z)
    return list(caught)


def _near_kinks(kinks: NDArray[np.float64], z: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which ``z`` lie within 1e-3 (1 + |k|) of a kink in the sorted ``kinks`` (the two neighbours decide)."""
    near = np.zeros(z.shape, dtype=bool)
    if kinks.size:
        pos = np.searchsorted(kinks, z)
        for off in (-1, 0):
            k = kinks[np.clip(pos + off, 0, kinks.size - 1)]
            near |= np.abs(z - k) <= 1e-3 * (1 + np.abs(k))
    return near


def check_dtype_consistency(act: Activation, options: Options) -> list[str]:
    """float16 and float32 results agree with float64 at the same points.

    Tolerance ``64 eps (1 + |f64|)`` with the eps of the lower precision;
    ±inf where the float64 result is beyond the lower precision's range (with
    the same sign) is the correct rounding.  Points within ``1e-3 (1 + |k|)``
    of a declared kink are left out.
    """
    found: list[str] = []
    w = options.window
    pts = np.concatenate([window_grid(options, 81), [20.0, 50.0, 100.0, 1e3, 1e4], [-20.0, -50.0, -100.0, -1e3, -1e4]])
    kinks = declared_kinks(act, -w - 1.0, w + 1.0)
    for dtype in (np.float16, np.float32):
        name = np.dtype(dtype).name
        eps = float(np.finfo(dtype).eps)
        z = np.unique(pts.astype(dtype))
        z64 = z.astype(np.float64)
        near = _near_kinks(kinks, z64)
        for i in np.flatnonzero(np.abs(z64) > w + 1.0):
            reach = 1e-3 * abs(z64[i])
            near[i] = likely_crowded(kinks, 2 * w + 2, 2 * reach) or declared_kinks(
                act, z64[i] - reach, z64[i] + reach).size > 0
        z, z64 = z[~near], z64[~near]
        for meth in METHODS:
            low = eval64(act, meth, z)
            high = eval64(act, meth, z64)
            same = (low == high) | (np.isnan(low) & np.isnan(high))
            with np.errstate(all="ignore"):
                ok = same | (np.abs(low - high) <= 64 * eps * (1 + np.abs(high)))
                ok |= np.isinf(low) & (np.abs(high) > float(np.finfo(dtype).max)) & (np.sign(low) == np.sign(high))
            idx = np.flatnonzero(~ok)
            if idx.size:
                i = idx[0]
                found.append(f"{meth}(z) in {name} gives {fmt(low[i])} at z={fmt(z64[i])} but float64 gives "
                             f"{fmt(high[i])} (tolerance 64 eps (1 + |f|) = {fmt(64 * eps * (1 + abs(high[i])))})"
                             + _more(idx.size - 1))
    return _report_points(found)

def _one_sided(act: Activation, options: Options, side: str) -> list[str]:
    meth, sign = ("left_derivative", -1.0) if side == "left" else ("right_derivative", 1.0)
    kind = "backward" if side == "left" else "forward"
    z, h = derivative_points(act, options)
    d = eval64(act, meth, z)
    f0 = eval64(act, "value", z)
    f1 = eval64(act, "value", z + sign * h)
    f2 = eval64(act, "value", z + 2 * sign * h)
    with np.errstate(all="ignore"):
        fd = sign * (-3 * f0 + 4 * f1 - f2) / (2 * h)
        noise = 8 * np.finfo(np.float64).eps * (np.abs(f0) + np.abs(f1) + np.abs(f2)) / h
        tol = options.atol + options.rtol * np.abs(d) + noise
        finite_f = np.isfinite(f0) & np.isfinite(f1) & np.isfinite(f2)
        bad = finite_f & (~(np.abs(fd - d) <= tol) | np.isinf(d))  # an infinite one is judged below, always
    found: list[str] = []
    idx = np.flatnonzero(bad)
    kinks = declared_kinks(act, -options.window, options.window)
    idx = idx[np.lexsort((np.abs(z[idx]), ~np.isin(z[idx], kinks)))]  # declared kinks first, then nearest to 0
    for i in idx:
        zi, hi, di = float(z[i]), float(h[i]), float(d[i])
        if math.isfinite(di) and agrees(act, zi, hi / 1000, sign, di, options):
            continue  # a kink within 2h of z (kinks() may not declare it: check_undeclared_kinks says so)
        q1 = quotient(act, zi, hi, sign)
        q2 = quotient(act, zi, hi / 100, sign)
        growing = abs(q2) >= 3 * abs(q1) and abs(q2) > 1.0
        if math.isinf(di):
            if blows_up(act, zi, hi, sign) and np.sign(quotient(act, zi, _tiny_step(zi), sign)) == np.sign(di):
                continue  # a jump on that side: the quotients blow up as they should, with the right sign
            found.append(f"at z={fmt(zi)} {meth} gives {fmt(di)} but the {kind} difference quotient stays finite "
                         f"({fmt(q1)} with step {fmt(hi)}, {fmt(q2)} with step {fmt(hi / 100)})")
        elif growing and not np.isnan(di):
            found.append(f"at z={fmt(zi)} {meth} gives {fmt(di)} but the {kind} difference quotient grows without "
                         f"bound ({fmt(q1)} with step {fmt(hi)}, {fmt(q2)} with step {fmt(hi / 100)}): f jumps "
                         f"there and the derivative from that side is {'+' if q2 > 0 else '-'}inf")
        else:
            found.append(f"at z={fmt(zi)} {meth} gives {fmt(di)} but the {kind} difference gives {fmt(fd[i])} "
                         f"(step {fmt(hi)}, tolerance {fmt(tol[i]) if np.isfinite(tol[i]) else fmt(options.atol)})")
    return _report_points(found)


def _tiny_step(z: float) -> float:
    """A step of 1000 float spacings of z: the one-sided quotient's sign at a jump, whatever its size."""
    return 1000 * float(np.spacing(abs(z) if z else 1.0))


def check_left_derivative(act: Activation, options: Options) -> list[str]:
    """``left_derivative`` agrees with backward differences (kinks included)."""
    return _one_sided(act, options, "left")


def check_right_derivative(act: Activation, options: Options) -> list[str]:
    """``right_derivative`` agrees with forward differences (kinks included)."""
    return _one_sided(act, options, "right")


def check_declared_kinks(act: Activation, options: Options) -> list[str]:
    """``kinks(lo, hi)`` returns sorted floats in the window, each a real kink.

    A declared kink is real when f jumps there or its backward and forward
    slopes (second-order differences of ``value``, step ``1e-4 max(1, |k|)``)
    differ by more than ``1e-6 (1 + |back| + |fwd|)``.
    """
    w = options.window
    problems: list[str] = []
    try:
        raw = act.kinks(-w, w)
    except Exception as exc:
        raise PluginRaised(f"kinks({fmt(-w)}, {fmt(w)}) raised {type(exc).__name__}: {exc}") from exc
    arr = np.asarray(raw)
    if arr.ndim != 1 or arr.dtype.kind != "f":
        problems.append(f"kinks({fmt(-w)}, {fmt(w)}) returned {type(raw).__name__} of dtype {arr.dtype} and shape "
                        f"{arr.shape}; expected a 1-d float array (use kit.within)")
    k = np.asarray(arr, dtype=np.float64).ravel()
    if k.size and (np.any(np.diff(k) < 0)):
        problems.append(f"kinks({fmt(-w)}, {fmt(w)}) is not sorted: {k[:5]}")
    outside = k[(k < -w) | (k > w)]
    if outside.size:
        problems.append(f"kinks({fmt(-w)}, {fmt(w)}) returned z={fmt(outside[0])}, outside the window asked for")
    k = np.unique(k[(k >= -w) & (k <= w)])
    half = declared_kinks(act, 0.0, w)
    if not np.array_equal(half, k[k >= 0]):
        problems.append(f"kinks(0, {fmt(w)}) gives {half[:5]} but kinks({fmt(-w)}, {fmt(w)}) restricted to [0, "
                        f"{fmt(w)}] gives {k[k >= 0][:5]}")
    picks = np.arange(k.size) if k.size <= 200 else np.linspace(0, k.size - 1, 200).astype(int)
    gaps = np.diff(k)  # k is sorted and distinct: the nearest other kink is a neighbour
    found = []
    for j in picks:
        c = k[j]
        gap = min(gaps[j - 1] if j > 0 else np.inf, gaps[j] if j < gaps.size else np.inf)
        h = min(1e-4 * max(1.0, abs(c)), gap / 4)
        back, fwd, blowup = slopes_at(act, float(c), h)
        if blowup or not (np.isfinite(back) and np.isfinite(fwd)):
            continue
        if abs(back - fwd) <= 1e-6 * (1 + abs(back) + abs(fwd)):
            found.append(f"kinks() declares z={fmt(c)} but f is differentiable there: backward slope {fmt(back)}, "
                         f"forward slope {fmt(fwd)}")
    return problems + _report_points(found)


def check_undeclared_kinks(act: Activation, options: Options) -> list[str]:
    """A scan of ``value`` over ``[-window, window]`` finds no kink or jump that ``kinks()`` omits."""
    w = options.window
    n = round(2 * w / 0.0025) + 1
    x = np.linspace(-w, w, n)
    declared = declared_kinks(act, -w - 1.0, w + 1.0)
    cand = spikes(act, x)
    if declared.size and cand.size:
        pos = np.searchsorted(declared, x[cand])
        near = np.zeros(cand.shape, dtype=bool)
        for off in (-1, 0):
            nearest = np.clip(pos + off, 0, declared.size - 1)
            near |= np.abs(declared[nearest] - x[cand]) <= 3 * (x[1] - x[0])
        cand = cand[~near]
    found: list[str] = []
    last = -np.inf
    dx = x[1] - x[0]
    for i in cand:
        if x[i] - last < 4 * dx:
            continue
        fine = np.linspace(x[i] - 2 * dx, x[i] + 2 * dx, 401)
        f = eval64(act, "value", fine)
        with np.errstate(all="ignore"):
            s = np.diff(f) / np.diff(fine)
            e = s[1:] - s[:-1]
            e2 = e[1:] + e[:-1]
        coarse = spike_size(act, x, i)
        if not e2.size or not np.isfinite(coarse):
            continue
        j = int(np.nanargmax(np.abs(e2)))
        if not (abs(e2[j]) > 0.5 * coarse and abs(e2[j]) > spike_threshold(s)):
            continue  # shrank with the step: a smooth bend, not a kink
        last = x[i]
        step = fine[1] - fine[0]
        df = np.abs(np.diff(f))
        k = int(np.nanargmax(df))
        lo, hi = max(j - 3, 0), min(j + 5, f.size - 1)
        a, b = float(s[max(lo - 1, 0)]), float(s[min(hi, s.size - 1)])
        if df[k] > 100 * step * (1 + abs(a) + abs(b)):
            at = round(float(fine[k] + fine[k + 1]) / 2, 4)
            found.append(f"f jumps near z={fmt(at)} (from {fmt(f[k])} to {fmt(f[k + 1])}) but kinks() does not "
                         f"declare it")
            continue
        at = float(fine[j + 2])
        if a != b:  # where the straight pieces on either side meet
            at = (f[hi] - f[lo] + a * fine[lo] - b * fine[hi]) / (a - b)
        found.append(f"f has a kink near z={fmt(round(at, 9))} (slope {fmt(a)} on the left, {fmt(b)} on the right)"
                     f" that kinks() does not declare")
    return _report_points(found)


def check_saturation(act: Activation, options: Options) -> list[str]:
    """``saturation(tol)`` for tol 0 and 1e-3 agrees with the derivatives.

    Intervals must be sorted, disjoint pairs ``lo <= hi``.  Every scan point
    inside an interval must have ``max(|f'_-|, |f'_+|) <= tol`` and every scan
    point outside all of them ``> tol``, and so must the points
    ``1e-6 (1 + |end|)`` on either side of each finite end.  The answer holds
    almost everywhere: declared kinks are ignored (undeclared ones are not), and
    so is a lone point outside every interval where ``|f'| <= tol`` but
    ``|f'| > tol`` at ``1e-6 (1 + |z|)`` on both sides (hard swish's minimum,
    where f' = 0 exactly at one point).
    """
    problems: list[str] = []
    for tol in (0.0, 1e-3):
        try:
            ivs = act.saturation(tol)
        except Exception as exc:
            raise PluginRaised(f"saturation(tol={tol}) raised {type(exc).__name__}: {exc}") from exc
        try:
            pairs = [(float(a), float(b)) for a, b in ivs]
        except (TypeError, ValueError):
            problems.append(f"saturation(tol={tol}) returned {ivs!r}; expected a list of (lo, hi) pairs of numbers")
            continue
        shape_bad = [p for p in pairs if not p[0] <= p[1]]
        order_bad = any(pairs[i][1] > pairs[i + 1][0] for i in range(len(pairs) - 1))
        if shape_bad or order_bad:
            problems.append(f"saturation(tol={tol}) returned {intervals(pairs, most=6)}; expected sorted, disjoint "
                            f"intervals with lo <= hi")
            continue
        ends = np.array([e for p in pairs for e in p if math.isfinite(e)])
        beside = np.concatenate([ends - 1e-6 * (1 + np.abs(ends)), ends + 1e-6 * (1 + np.abs(ends))])
        probes = np.unique(np.concatenate([SCAN_GRID, beside]))
        inside = np.zeros(probes.shape, dtype=bool)
        for a, b in pairs:
            inside |= (probes > a) & (probes < b)
        at_end = np.isin(probes, ends)
        bound = gradient_bound(act, probes)
        # beyond |z| = 700 an exactly zero derivative may be a positive one that underflowed
        # (sigmoid's, e.g.), so there a missing dead region (tol=0) is not held against the answer
        outside_bad = ~inside & ~(bound > tol) & ((tol > 0) | (np.abs(probes) <= 700))
        if outside_bad.any():  # a point where |f'| <= tol with |f'| > tol on both sides is of measure zero
            at = probes[outside_bad]
            step = 1e-6 * (1 + np.abs(at))
            lone = (gradient_bound(act, at - step) > tol) & (gradient_bound(act, at + step) > tol)
            outside_bad[np.flatnonzero(outside_bad)[lone]] = False
        wrong = ~at_end & ((inside & ~(bound <= tol * (1 + 1e-9))) | outside_bad)
        wrong &= ~np.isnan(bound)
        for i in np.flatnonzero(wrong):
            if is_declared(act, float(probes[i])):
                wrong[i] = False
        idx = np.flatnonzero(wrong)
        if not idx.size:
            continue
        i = idx[np.lexsort((np.abs(probes[idx]), ~np.isin(probes[idx], beside)))][0]  # beside an end, else near 0
        try:
            numeric = intervals(numerical_saturation(act, tol), most=6)
        except Exception:
            numeric = "(failed)"
        where = "inside" if inside[i] else "outside every interval"
        relation = ">" if inside[i] else "<="
        problems.append(f"saturation(tol={tol}) gives {intervals(pairs, most=6)} but the derivatives give {numeric}: "
                        f"z={fmt(probes[i])} is {where} yet max(|f'_-|, |f'_+|) = {fmt(bound[i])} {relation} {tol}"
                        + _more(idx.size - 1))
    return problems


def check_framework_rules(act: Activation, options: Options) -> list[str]:
    """``frameworks`` names known frameworks and valid kink rules at declared kinks."""
    problems: list[str] = []
    fws = type(act).frameworks
    if not isinstance(fws, Mapping):
        return [f"frameworks is {type(fws).__name__}; expected a dict from framework name to kink rule"]
    for fw, rule in fws.items():
        if fw not in FRAMEWORKS:
            problems.append(f"frameworks names {fw!r}; known frameworks are {', '.join(FRAMEWORKS)}")
            continue
        subs = rule.items() if isinstance(rule, Mapping) else [(None, rule)]
        for where, sub in subs:
            try:
                validate_kink(sub)
            except ValueError as exc:
                problems.append(f"frameworks[{fw!r}] is not a kink rule: {exc}")
                continue
            if isinstance(sub, str) and sub in FRAMEWORKS:
                problems.append(f"frameworks[{fw!r}] refers to another framework ({sub!r}); give the rule itself")
            if where is not None:
                try:
                    loc = float(where)
                except (TypeError, ValueError):
                    problems.append(f"frameworks[{fw!r}] has key {where!r}; expected a kink location")
                    continue
                if not is_declared(act, loc):
                    problems.append(f"frameworks[{fw!r}] gives a rule at z={fmt(loc)}, which kinks() does not declare")
    if problems:
        return problems
    k = declared_kinks(act, -options.window, options.window)[:50]
    for fw in fws:
        with np.errstate(all="ignore"):
            try:
                out = np.asarray(act.derivative(k, kink=fw), dtype=np.float64)
            except Exception as exc:
                raise PluginRaised(f"derivative(kinks, kink={fw!r}) raised {type(exc).__name__}: {exc}") from exc
        if np.isnan(out).any():
            i = int(np.flatnonzero(np.isnan(out))[0])
            problems.append(f"derivative(z, kink={fw!r}) is nan at the kink z={fmt(k[i])}")
    return problems


CHECKS: dict[str, Callable[[Activation, Options], list[str]]] = {
    f.__name__: f
    for f in (
        check_params,
        check_shape_and_dtype,
        check_finite,
        check_nonfinite_inputs,
        check_no_warnings,
        check_dtype_consistency,
        check_left_derivative,
        check_right_derivative,
        check_declared_kinks,
        check_undeclared_kinks,
        check_saturation,
        check_framework_rules,
    )
}
"""Every check, by name, in the order :func:`check` runs them."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: its name and its problem sentences."""

    check: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def run_check(name: str, act: Activation, options: Options | None = None) -> CheckResult:
    """Run the check ``name`` on ``act``; a raising plugin becomes a problem sentence.

    Warnings raised while checking are swallowed (``check_no_warnings`` is the
    one that reports them), so the checks behave the same under
    ``-W error``.  Each sentence starts with the check's name.  The check runs
    under ``options.time_limit`` seconds in a child process
    (:mod:`kit.conformance.limits`): one that runs out of time, or whose
    activation ends the process (``os._exit``, a crash), is a problem saying
    so, and the caller carries on.

    Examples
    --------
    >>> import kit
    >>> run_check("check_left_derivative", kit.get("relu"))
    CheckResult(check='check_left_derivative', problems=())
    >>> class Sloppy(kit.Activation):   # ReLU whose left derivative is the right one at the kink
    ...     def value(self, z): return np.maximum(z, 0)
    ...     def left_derivative(self, z): return np.where(z >= 0, 1.0, 0.0).astype(z.dtype)
    ...     right_derivative = left_derivative
    ...     def kinks(self, lo=-np.inf, hi=np.inf): return kit.within([0.0], lo, hi)
    >>> print(*run_check("check_left_derivative", Sloppy()).problems)
    check_left_derivative: at z=0 left_derivative gives 1 but the backward difference gives 0 (step 0.0001, tolerance 2e-05)
    """
    if name not in CHECKS:
        raise ValueError(f"unknown check {name!r}; known checks: {', '.join(CHECKS)}")
    options = options or Options()
    if options.time_limit is None:
        return run_check_here(name, act, options)
    [outcome] = run_steps([lambda: run_check_here(name, act, options)], options.time_limit, kinks_remembered)
    return check_result(name, outcome)


def run_check_here(name: str, act: Activation, options: Options) -> CheckResult:
    """:func:`run_check` in this process, without a time limit."""
    with warnings.catch_warnings(), np.errstate(all="warn", under="ignore"), kinks_remembered():
        warnings.simplefilter("ignore")
        try:
            found = CHECKS[name](act, options)
        except PluginRaised as exc:
            found = [str(exc)]
        except Exception as exc:  # e.g. outputs of the wrong shape that cannot be compared at all
            found = [f"could not be run on this activation: {type(exc).__name__}: {exc}"]
        except KeyboardInterrupt:
            raise
        except SystemExit as exc:
            found = [f"the activation called sys.exit({exc.code!r}) during the check"]
        except BaseException as exc:
            found = [f"the activation raised {type(exc).__name__}: {exc}"]
    return CheckResult(name, tuple(f"{name}: {s}" for s in found))


def check_result(name: str, outcome: Outcome) -> CheckResult:
    """The :class:`CheckResult` of a check run by :func:`kit.conformance.limits.run_steps`."""
    if outcome.status == "done":
        return outcome.value
    if outcome.status == "timeout":
        sentence = f"ran out of time: {outcome.detail}; a method of the activation may never return"
    elif outcome.status == "died":
        sentence = f"the activation ended the check: {outcome.detail}"
    else:
        sentence = f"could not be run on this activation: {outcome.detail}"
    return CheckResult(name, (f"{name}: {sentence}",))
