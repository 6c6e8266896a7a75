"""Conformance checks for activations: :func:`check` and the named checks it runs.

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
  100 times smaller).  A disagreement that vanishes with a step 1000 times
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

import html
import importlib
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kit.activation import _SCAN, FRAMEWORKS, NAME_PATTERN, Activation, Fixed, numerical_saturation, validate_kink
from kit.registry import PluginError, get

__all__ = [
    "CHECKS",
    "CheckResult",
    "Options",
    "Report",
    "check",
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
    "describe",
    "resolve",
    "run_check",
    "saturation_text",
]

DTYPES: tuple[type[np.floating], ...] = (np.float16, np.float32, np.float64)
METHODS: tuple[str, ...] = ("value", "left_derivative", "right_derivative")
_SPEC = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_MAX_REPORTED = 3
_PY_FLOAT = "python float"  # a sentinel: compared by identity, never with ==


@dataclass(frozen=True)
class Options:
    """Settings shared by the checks.

    Parameters
    ----------
    window : float
        Half-width of the interval ``[-window, window]`` scanned for kinks and
        sampled densely for the derivatives (points further out are sampled
        sparsely).
    rtol, atol : float
        Relative and absolute tolerance of the derivative checks.
    """

    window: float = 10.0
    rtol: float = 1e-5
    atol: float = 1e-5

    def __post_init__(self) -> None:
        for key in ("window", "rtol", "atol"):
            val = getattr(self, key)
            if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val) or val <= 0:
                raise ValueError(f"{key} must be a finite number > 0, got {val!r}")


class _PluginRaised(Exception):
    """A plugin method raised; the message says which method and on what input."""


def _fmt(x: Any) -> str:
    """A number as people read it: 6 significant digits, ``inf``, ``nan``."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return repr(x)
    if x == 0:
        return "0"
    return f"{x:.6g}"


def _call(act: Activation, meth: str, z: Any) -> Any:
    try:
        return getattr(act, meth)(z)
    except Exception as exc:
        if isinstance(z, np.ndarray):
            what = f"a {z.dtype} array of shape {z.shape}"
        else:
            what = f"{type(z).__name__} {z!r}"
        raise _PluginRaised(f"{meth}(z) raised {type(exc).__name__}: {exc} (input: {what})") from exc


def _eval64(act: Activation, meth: str, z: NDArray[np.float64]) -> NDArray[np.float64]:
    """``act.meth(z)`` as a float64 array (of the same shape), errors silenced."""
    with np.errstate(all="ignore"):
        out = _call(act, meth, z)
        return np.asarray(out, dtype=np.float64).reshape(np.shape(z))


def _kinks(act: Activation, lo: float, hi: float) -> NDArray[np.float64]:
    try:
        out = act.kinks(lo, hi)
    except Exception as exc:
        raise _PluginRaised(f"kinks({_fmt(lo)}, {_fmt(hi)}) raised {type(exc).__name__}: {exc}") from exc
    return np.sort(np.asarray(out, dtype=np.float64).ravel())


def _is_declared(act: Activation, z: float) -> bool:
    return bool(_kinks(act, z, z).size)


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


# -- probe inputs ----------------------------------------------------------------


def extreme_inputs(dtype: type[np.floating]) -> NDArray[np.floating]:
    """Finite inputs that break careless formulas, in ``dtype``: the largest,
    the tiniest, where ``exp`` overflows, and ordinary points, with both signs.

    Examples
    --------
    >>> float(extreme_inputs(np.float16).max())
    65504.0
    """
    fi = np.finfo(dtype)
    mx = float(fi.max)
    base = [0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 10.0, 20.0, 30.0, 50.0, 88.0, 89.0, 100.0, 700.0, 710.0, 1e3, 1e4, 1e5, 1e10,
            1e20, 1e38, 1e100, 1e300, mx, mx / 2, math.sqrt(mx), math.log(mx), math.log(mx) + 1.0, float(fi.tiny),
            float(fi.smallest_subnormal), float(fi.eps)]
    vals = np.array(base + [-v for v in base], dtype=np.float64)
    vals = vals[np.abs(vals) <= mx]
    return np.unique(vals.astype(dtype))


def _window_grid(options: Options, n: int) -> NDArray[np.float64]:
    return np.linspace(-options.window, options.window, n)


# -- the checks -------------------------------------------------------------------


def check_params(act: Activation, options: Options) -> list[str]:
    """``name``, ``defaults``, ``formula`` and the parameters follow the contract.

    The name matches ``[a-z][a-z0-9_]*``; ``defaults`` maps names to finite
    numbers; rebuilding from ``act.params`` gives an equal activation; an
    unknown parameter raises ``TypeError`` and a non-finite one ``ValueError``.
    """
    problems: list[str] = []
    cls = type(act)
    if not isinstance(act.name, str) or not NAME_PATTERN.match(act.name):
        problems.append(f"name {act.name!r} does not match [a-z][a-z0-9_]*")
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
            out = _call(act, meth, z)
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
    return np.unique(np.concatenate([extreme_inputs(dtype), _window_grid(options, 41).astype(dtype)]))


def check_finite(act: Activation, options: Options) -> list[str]:
    """Finite inputs give finite values and derivatives, in every dtype.

    Extreme inputs included (the largest float, where ``exp`` overflows, the
    tiniest).  Two exceptions: a one-sided derivative may be infinite at a
    declared kink (a jump), and a result may be ±inf where its true value is
    beyond the dtype's range (``selu`` at the largest float, ``leaky_relu``
    with alpha > 1 at the most negative one; see :func:`_overflows`).
    """
    found: list[str] = []
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        z = _finite_probes(dtype, options)
        for meth in METHODS:
            with np.errstate(all="ignore"):
                out = np.asarray(_call(act, meth, z))
            if out.shape != z.shape:
                continue  # check_shape_and_dtype says so
            bad = ~np.isfinite(out)
            for i in np.flatnonzero(np.isinf(out)):
                jump = meth != "value" and _is_declared(act, float(z[i]))
                bad[i] = not (jump or _overflows(act, meth, z[i], out[i]))
            idx = np.flatnonzero(bad)
            if idx.size:
                i = idx[0]
                what = "a finite number" if meth == "value" else "a number (infinite only at a declared kink)"
                found.append(f"{meth}(z) is {_fmt(out[i])} at z={_fmt(z[i])} ({name}); expected {what}"
                             + _more(idx.size - 1))
    return _report_points(found)


def _overflows(act: Activation, meth: str, z: np.floating, out: np.floating) -> bool:
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
            return float(np.asarray(_call(act, meth, x), dtype=np.float64).ravel()[0])

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
                out = np.asarray(_call(act, meth, z))
            if out.shape != z.shape:
                continue
            if not np.isnan(out[0]):
                found.append(f"{meth}(z) is {_fmt(out[0])} at z=nan ({name}); expected nan")
            for i in (1, 2):
                if np.isnan(out[i]):
                    found.append(f"{meth}(z) is nan at z={_fmt(z[i])} ({name}); expected the limit there")
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
            where = f"z={_fmt(culprits[0])}" if culprits else f"an array of {z.size} inputs"
            found.append(f"{meth}(z) emitted {first.category.__name__} '{first.message}' for {name} input {where}"
                         + _more(len(culprits) - 1))
    return _report_points(found)


def _legit_overflow(act: Activation, meth: str, x: np.floating) -> bool:
    with np.errstate(all="ignore"):
        out = np.asarray(_call(act, meth, np.array([x], dtype=x.dtype))).ravel()[0]
    return _overflows(act, meth, x, out)


def _warnings_of(act: Activation, meth: str, z: NDArray) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        _call(act, meth, z)
    return list(caught)


def check_dtype_consistency(act: Activation, options: Options) -> list[str]:
    """float16 and float32 results agree with float64 at the same points.

    Tolerance ``64 eps (1 + |f64|)`` with the eps of the lower precision;
    ±inf where the float64 result is beyond the lower precision's range (with
    the same sign) is the correct rounding.  Points within ``1e-3 (1 + |k|)``
    of a declared kink are left out.
    """
    found: list[str] = []
    w = options.window
    pts = np.concatenate([_window_grid(options, 81), [20.0, 50.0, 100.0, 1e3, 1e4], [-20.0, -50.0, -100.0, -1e3, -1e4]])
    kinks = _kinks(act, -w - 1.0, w + 1.0)
    for dtype in (np.float16, np.float32):
        name = np.dtype(dtype).name
        eps = float(np.finfo(dtype).eps)
        z = np.unique(pts.astype(dtype))
        z64 = z.astype(np.float64)
        near = np.zeros(z.shape, dtype=bool)
        for k in kinks:
            near |= np.abs(z64 - k) <= 1e-3 * (1 + abs(k))
        for i in np.flatnonzero(np.abs(z64) > w + 1.0):
            near[i] = _kinks(act, z64[i] - 1e-3 * abs(z64[i]), z64[i] + 1e-3 * abs(z64[i])).size > 0
        z, z64 = z[~near], z64[~near]
        for meth in METHODS:
            low = _eval64(act, meth, z)
            high = _eval64(act, meth, z64)
            same = (low == high) | (np.isnan(low) & np.isnan(high))
            with np.errstate(all="ignore"):
                ok = same | (np.abs(low - high) <= 64 * eps * (1 + np.abs(high)))
                ok |= np.isinf(low) & (np.abs(high) > float(np.finfo(dtype).max)) & (np.sign(low) == np.sign(high))
            idx = np.flatnonzero(~ok)
            if idx.size:
                i = idx[0]
                found.append(f"{meth}(z) in {name} gives {_fmt(low[i])} at z={_fmt(z64[i])} but float64 gives "
                             f"{_fmt(high[i])} (tolerance 64 eps (1 + |f|) = {_fmt(64 * eps * (1 + abs(high[i])))})"
                             + _more(idx.size - 1))
    return _report_points(found)


def _derivative_points(act: Activation, options: Options) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Points to test the derivatives at, and the step for each."""
    w = options.window
    far = np.array([20.0, 50.0, 100.0, 1e3, 1e4, 1e6])
    grid = np.linspace(-w, w, 161)
    kinks = _kinks(act, -w - 1.0, w + 1.0)
    local = []
    usable = np.ones(2 * far.size, dtype=bool)
    for j, p in enumerate(np.concatenate([far, -far])):
        reach = 3e-4 * abs(p)  # a little beyond the 2h = 2e-4 |p| the differences span
        try:
            local.append(np.asarray(act.kinks(p - reach, p + reach), dtype=np.float64).ravel())
        except Exception:
            usable[j] = False  # e.g. too many kinks in that window: do not test there
    far_pts = np.concatenate([far, -far])[usable]
    allk = np.unique(np.concatenate([kinks, *local]))
    inside = kinks[(kinks >= -w) & (kinks <= w)]
    if inside.size > 400:
        inside = inside[np.linspace(0, inside.size - 1, 400).astype(int)]
    pts = np.unique(np.concatenate([grid, inside, [1e-3, -1e-3, 1e-6, -1e-6], far_pts]))
    h = 1e-4 * np.maximum(1.0, np.abs(pts))
    if allk.size:
        pos = np.searchsorted(allk, pts)
        gap = np.full(pts.shape, np.inf)
        for off in (-1, 0, 1):
            j = np.clip(pos + off, 0, allk.size - 1)
            d = np.abs(allk[j] - pts)
            gap = np.where(d > 0, np.minimum(gap, d), gap)
        h = np.minimum(h, gap / 4)
    keep = h >= 1e-9 * np.maximum(1.0, np.abs(pts))
    return pts[keep], h[keep]


def _one_sided(act: Activation, options: Options, side: str) -> list[str]:
    meth, sign = ("left_derivative", -1.0) if side == "left" else ("right_derivative", 1.0)
    kind = "backward" if side == "left" else "forward"
    z, h = _derivative_points(act, options)
    d = _eval64(act, meth, z)
    f0 = _eval64(act, "value", z)
    f1 = _eval64(act, "value", z + sign * h)
    f2 = _eval64(act, "value", z + 2 * sign * h)
    with np.errstate(all="ignore"):
        fd = sign * (-3 * f0 + 4 * f1 - f2) / (2 * h)
        noise = 8 * np.finfo(np.float64).eps * (np.abs(f0) + np.abs(f1) + np.abs(f2)) / h
        tol = options.atol + options.rtol * np.abs(d) + noise
        finite_f = np.isfinite(f0) & np.isfinite(f1) & np.isfinite(f2)
        bad = finite_f & ~(np.abs(fd - d) <= tol)
    found: list[str] = []
    idx = np.flatnonzero(bad)
    kinks = _kinks(act, -options.window, options.window)
    idx = idx[np.lexsort((np.abs(z[idx]), ~np.isin(z[idx], kinks)))]  # declared kinks first, then nearest to 0
    for i in idx:
        zi, hi, di = float(z[i]), float(h[i]), float(d[i])
        if math.isfinite(di) and _agrees(act, zi, hi / 1000, sign, di, options):
            continue  # a kink within 2h of z (kinks() may not declare it: check_undeclared_kinks says so)
        q1 = _quotient(act, zi, hi, sign)
        q2 = _quotient(act, zi, hi / 100, sign)
        growing = abs(q2) >= 3 * abs(q1) and abs(q2) > 1.0
        if math.isinf(di):
            if growing and np.sign(q2) == np.sign(di):
                continue  # a jump on that side: the quotients blow up as they should
            found.append(f"at z={_fmt(zi)} {meth} gives {_fmt(di)} but the {kind} difference quotient stays finite "
                         f"({_fmt(q1)} with step {_fmt(hi)}, {_fmt(q2)} with step {_fmt(hi / 100)})")
        elif growing and not np.isnan(di):
            found.append(f"at z={_fmt(zi)} {meth} gives {_fmt(di)} but the {kind} difference quotient grows without "
                         f"bound ({_fmt(q1)} with step {_fmt(hi)}, {_fmt(q2)} with step {_fmt(hi / 100)}): f jumps "
                         f"there and the derivative from that side is {'+' if q2 > 0 else '-'}inf")
        else:
            found.append(f"at z={_fmt(zi)} {meth} gives {_fmt(di)} but the {kind} difference gives {_fmt(fd[i])} "
                         f"(step {_fmt(hi)}, tolerance {_fmt(tol[i]) if np.isfinite(tol[i]) else _fmt(options.atol)})")
    return _report_points(found)


def _agrees(act: Activation, z: float, h: float, sign: float, d: float, options: Options) -> bool:
    f = _eval64(act, "value", np.array([z, z + sign * h, z + 2 * sign * h]))
    with np.errstate(all="ignore"):
        fd = sign * (-3 * f[0] + 4 * f[1] - f[2]) / (2 * h)
        noise = 8 * np.finfo(np.float64).eps * float(np.sum(np.abs(f))) / h
    return bool(abs(fd - d) <= options.atol + options.rtol * abs(d) + noise)


def _quotient(act: Activation, z: float, h: float, sign: float) -> float:
    f = _eval64(act, "value", np.array([z, z + sign * h]))
    with np.errstate(all="ignore"):
        return float(sign * (f[1] - f[0]) / h)


def check_left_derivative(act: Activation, options: Options) -> list[str]:
    """``left_derivative`` agrees with backward differences (kinks included)."""
    return _one_sided(act, options, "left")


def check_right_derivative(act: Activation, options: Options) -> list[str]:
    """``right_derivative`` agrees with forward differences (kinks included)."""
    return _one_sided(act, options, "right")


def _slopes_at(act: Activation, c: float, h: float) -> tuple[float, float, bool]:
    """Backward and forward slopes at c from values (second order), and whether f jumps or has a cusp."""
    x = np.array([c - 2 * h, c - h, c, c + h, c + 2 * h])
    f = _eval64(act, "value", x)
    with np.errstate(all="ignore"):
        back = (3 * f[2] - 4 * f[1] + f[0]) / (2 * h)
        fwd = (-3 * f[2] + 4 * f[3] - f[4]) / (2 * h)
    blowup = False
    for sign in (-1.0, 1.0):
        q1, q2 = _quotient(act, c, h, sign), _quotient(act, c, h / 100, sign)
        blowup |= abs(q2) >= 3 * abs(q1) and abs(q2) > 1.0
    return float(back), float(fwd), blowup


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
        raise _PluginRaised(f"kinks({_fmt(-w)}, {_fmt(w)}) raised {type(exc).__name__}: {exc}") from exc
    arr = np.asarray(raw)
    if arr.ndim != 1 or arr.dtype.kind != "f":
        problems.append(f"kinks({_fmt(-w)}, {_fmt(w)}) returned {type(raw).__name__} of dtype {arr.dtype} and shape "
                        f"{arr.shape}; expected a 1-d float array (use kit.within)")
    k = np.asarray(arr, dtype=np.float64).ravel()
    if k.size and (np.any(np.diff(k) < 0)):
        problems.append(f"kinks({_fmt(-w)}, {_fmt(w)}) is not sorted: {k[:5]}")
    outside = k[(k < -w) | (k > w)]
    if outside.size:
        problems.append(f"kinks({_fmt(-w)}, {_fmt(w)}) returned z={_fmt(outside[0])}, outside the window asked for")
    k = np.unique(k[(k >= -w) & (k <= w)])
    half = _kinks(act, 0.0, w)
    if not np.array_equal(half, k[k >= 0]):
        problems.append(f"kinks(0, {_fmt(w)}) gives {half[:5]} but kinks({_fmt(-w)}, {_fmt(w)}) restricted to [0, "
                        f"{_fmt(w)}] gives {k[k >= 0][:5]}")
    sample = k if k.size <= 200 else k[np.linspace(0, k.size - 1, 200).astype(int)]
    found = []
    for c in sample:
        gap = np.inf
        if k.size > 1:
            others = np.abs(k - c)
            others = others[others > 0]
            gap = float(others.min()) if others.size else np.inf
        h = min(1e-4 * max(1.0, abs(c)), gap / 4)
        back, fwd, blowup = _slopes_at(act, float(c), h)
        if blowup or not (np.isfinite(back) and np.isfinite(fwd)):
            continue
        if abs(back - fwd) <= 1e-6 * (1 + abs(back) + abs(fwd)):
            found.append(f"kinks() declares z={_fmt(c)} but f is differentiable there: backward slope {_fmt(back)}, "
                         f"forward slope {_fmt(fwd)}")
    return problems + _report_points(found)


def check_undeclared_kinks(act: Activation, options: Options) -> list[str]:
    """A scan of ``value`` over ``[-window, window]`` finds no kink or jump that ``kinks()`` omits."""
    w = options.window
    n = round(2 * w / 0.0025) + 1
    x = np.linspace(-w, w, n)
    declared = _kinks(act, -w - 1.0, w + 1.0)
    cand = _spikes(act, x)
    if declared.size and cand.size:
        pos = np.searchsorted(declared, x[cand])
        near = np.zeros(cand.shape, dtype=bool)
        for off in (-1, 0):
            j = np.clip(pos + off, 0, declared.size - 1)
            near |= np.abs(declared[j] - x[cand]) <= 3 * (x[1] - x[0])
        cand = cand[~near]
    found: list[str] = []
    last = -np.inf
    dx = x[1] - x[0]
    for i in cand:
        if x[i] - last < 4 * dx:
            continue
        fine = np.linspace(x[i] - 2 * dx, x[i] + 2 * dx, 401)
        f = _eval64(act, "value", fine)
        with np.errstate(all="ignore"):
            s = np.diff(f) / np.diff(fine)
            e = s[1:] - s[:-1]
            e2 = e[1:] + e[:-1]
        coarse = _spike_size(act, x, i)
        if not e2.size or not np.isfinite(coarse):
            continue
        j = int(np.nanargmax(np.abs(e2)))
        if not (abs(e2[j]) > 0.5 * coarse and abs(e2[j]) > _threshold(s)):
            continue  # shrank with the step: a smooth bend, not a kink
        last = x[i]
        step = fine[1] - fine[0]
        df = np.abs(np.diff(f))
        k = int(np.nanargmax(df))
        lo, hi = max(j - 3, 0), min(j + 5, f.size - 1)
        a, b = float(s[max(lo - 1, 0)]), float(s[min(hi, s.size - 1)])
        if df[k] > 100 * step * (1 + abs(a) + abs(b)):
            at = round(float(fine[k] + fine[k + 1]) / 2, 4)
            found.append(f"f jumps near z={_fmt(at)} (from {_fmt(f[k])} to {_fmt(f[k + 1])}) but kinks() does not "
                         f"declare it")
            continue
        at = float(fine[j + 2])
        if a != b:  # where the straight pieces on either side meet
            at = (f[hi] - f[lo] + a * fine[lo] - b * fine[hi]) / (a - b)
        found.append(f"f has a kink near z={_fmt(round(at, 9))} (slope {_fmt(a)} on the left, {_fmt(b)} on the right)"
                     f" that kinks() does not declare")
    return _report_points(found)


def _threshold(s: NDArray[np.float64]) -> float:
    return 1e-6 * (1 + float(np.nanmax(np.abs(s)))) if s.size and np.isfinite(s).any() else 1e-6


def _second(act: Activation, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    f = _eval64(act, "value", x)
    with np.errstate(all="ignore"):
        s = np.diff(f) / np.diff(x)
        e = s[1:] - s[:-1]
    return s, e[1:] + e[:-1]  # e2[i] is centred on x[i + 2]


def _spikes(act: Activation, x: NDArray[np.float64]) -> NDArray[np.intp]:
    """Indices into x where the doubly differenced secant slopes spike."""
    s, e2 = _second(act, x)
    with np.errstate(all="ignore"):
        # a smooth bend changes e2 gradually; a kink makes it stand out from its neighbours
        spike = e2[3:-3] - (e2[:-6] + e2[6:]) / 2
        big = np.abs(spike) > _threshold(s)
    return np.flatnonzero(big) + 5


def _spike_size(act: Activation, x: NDArray[np.float64], i: int) -> float:
    lo, hi = max(i - 3, 0), min(i + 4, x.size)
    _, e2 = _second(act, x[lo:hi])
    return float(np.nanmax(np.abs(e2))) if e2.size else math.nan


def _bound(act: Activation, z: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.fmax(np.abs(_eval64(act, "left_derivative", z)), np.abs(_eval64(act, "right_derivative", z)))


def _intervals_str(ivs: Sequence[tuple[float, float]], most: int | None = None) -> str:
    """``[(lo, hi), ...]`` as people read it; with ``most``, long lists keep their first and last few."""
    if not ivs:
        return "[] (none)"
    parts = [f"({_fmt(a)}, {_fmt(b)})" for a, b in ivs]
    if most is not None and len(parts) > most:
        parts = [*parts[: most // 2], f"... {len(parts) - 2 * (most // 2)} more ...", *parts[-(most // 2):]]
    return "[" + ", ".join(parts) + "]"


def check_saturation(act: Activation, options: Options) -> list[str]:
    """``saturation(tol)`` for tol 0 and 1e-3 agrees with the derivatives.

    Intervals must be sorted, disjoint pairs ``lo <= hi``.  Every scan point
    inside an interval must have ``max(|f'_-|, |f'_+|) <= tol`` and every scan
    point outside all of them ``> tol``, and so must the points
    ``1e-6 (1 + |end|)`` on either side of each finite end.  Declared kinks
    are ignored (the answer holds almost everywhere), undeclared ones are not.
    """
    problems: list[str] = []
    for tol in (0.0, 1e-3):
        try:
            ivs = act.saturation(tol)
        except Exception as exc:
            raise _PluginRaised(f"saturation(tol={tol}) raised {type(exc).__name__}: {exc}") from exc
        try:
            pairs = [(float(a), float(b)) for a, b in ivs]
        except (TypeError, ValueError):
            problems.append(f"saturation(tol={tol}) returned {ivs!r}; expected a list of (lo, hi) pairs of numbers")
            continue
        shape_bad = [p for p in pairs if not p[0] <= p[1]]
        order_bad = any(pairs[i][1] > pairs[i + 1][0] for i in range(len(pairs) - 1))
        if shape_bad or order_bad:
            problems.append(f"saturation(tol={tol}) returned {_intervals_str(pairs, most=6)}; expected sorted, disjoint "
                            f"intervals with lo <= hi")
            continue
        ends = np.array([e for p in pairs for e in p if math.isfinite(e)])
        beside = np.concatenate([ends - 1e-6 * (1 + np.abs(ends)), ends + 1e-6 * (1 + np.abs(ends))])
        probes = np.unique(np.concatenate([_SCAN, beside]))
        inside = np.zeros(probes.shape, dtype=bool)
        for a, b in pairs:
            inside |= (probes > a) & (probes < b)
        at_end = np.isin(probes, ends)
        bound = _bound(act, probes)
        # beyond |z| = 700 an exactly zero derivative may be a positive one that underflowed
        # (sigmoid's, e.g.), so there a missing dead region (tol=0) is not held against the answer
        outside_bad = ~inside & ~(bound > tol) & ((tol > 0) | (np.abs(probes) <= 700))
        wrong = ~at_end & ((inside & ~(bound <= tol * (1 + 1e-9))) | outside_bad)
        wrong &= ~np.isnan(bound)
        for i in np.flatnonzero(wrong):
            if _is_declared(act, float(probes[i])):
                wrong[i] = False
        idx = np.flatnonzero(wrong)
        if not idx.size:
            continue
        i = idx[np.lexsort((np.abs(probes[idx]), ~np.isin(probes[idx], beside)))][0]  # beside an end, else near 0
        try:
            numeric = _intervals_str(numerical_saturation(act, tol), most=6)
        except Exception:
            numeric = "(failed)"
        where = "inside" if inside[i] else "outside every interval"
        relation = ">" if inside[i] else "<="
        problems.append(f"saturation(tol={tol}) gives {_intervals_str(pairs, most=6)} but the derivatives give {numeric}: "
                        f"z={_fmt(probes[i])} is {where} yet max(|f'_-|, |f'_+|) = {_fmt(bound[i])} {relation} {tol}"
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
                if not _is_declared(act, loc):
                    problems.append(f"frameworks[{fw!r}] gives a rule at z={_fmt(loc)}, which kinks() does not declare")
    if problems:
        return problems
    k = _kinks(act, -options.window, options.window)[:50]
    for fw in fws:
        with np.errstate(all="ignore"):
            try:
                out = np.asarray(act.derivative(k, kink=fw), dtype=np.float64)
            except Exception as exc:
                raise _PluginRaised(f"derivative(kinks, kink={fw!r}) raised {type(exc).__name__}: {exc}") from exc
        if np.isnan(out).any():
            i = int(np.flatnonzero(np.isnan(out))[0])
            problems.append(f"derivative(z, kink={fw!r}) is nan at the kink z={_fmt(k[i])}")
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
    ``-W error``.  Each sentence starts with the check's name.

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
    with warnings.catch_warnings(), np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("ignore")
        try:
            found = CHECKS[name](act, options)
        except _PluginRaised as exc:
            found = [str(exc)]
        except Exception as exc:  # e.g. outputs of the wrong shape that cannot be compared at all
            found = [f"could not be run on this activation: {type(exc).__name__}: {exc}"]
    return CheckResult(name, tuple(f"{name}: {s}" for s in found))


# -- information: what the activation means for gradient descent -----------------


def _gauss_mean(act: Activation, meth: str, kinks: NDArray[np.float64]) -> float:
    """E[g(z)] for z ~ N(0, 1), by Gauss-Legendre on [-12, 12] split at the kinks."""
    breaks = np.unique(np.concatenate([np.linspace(-12.0, 12.0, 49), kinks[(kinks > -12) & (kinks < 12)]]))
    nodes, weights = np.polynomial.legendre.leggauss(20)
    a, b = breaks[:-1, None], breaks[1:, None]
    x = (a + b) / 2 + (b - a) / 2 * nodes
    wts = (b - a) / 2 * weights
    g = _eval64(act, meth, x.ravel()).reshape(x.shape)
    phi = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    with np.errstate(all="ignore"):
        return float(np.sum(wts * g * phi))


def describe(act: Activation, options: Options | None = None) -> dict[str, str]:
    """What ``act`` means for gradient descent, as readable strings (not pass/fail).

    Examples
    --------
    >>> import kit
    >>> info = describe(kit.get("relu"))
    >>> info["dead region (tol=0)"], info["mean of f(z), z ~ N(0, 1)"]
    ('[(-inf, 0)]', '0.398942')
    """
    options = options or Options()
    w = options.window
    info: dict[str, str] = {}

    def put(key: str, fn: Callable[[], str]) -> None:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                info[key] = fn()
        except Exception as exc:
            info[key] = f"unavailable: {type(exc).__name__}: {exc}"

    kinks = np.empty(0)
    try:
        kinks = _kinks(act, -w, w)
    except Exception:
        pass

    def kink_text() -> str:
        if not kinks.size:
            return f"yes: no kinks in [{_fmt(-w)}, {_fmt(w)}]"
        shown = ", ".join(_fmt(k) for k in kinks[:5]) + (", ..." if kinks.size > 5 else "")
        return f"yes: {kinks.size} kink{'s' if kinks.size > 1 else ''} in [{_fmt(-w)}, {_fmt(w)}] ({shown})"

    def jumps() -> str:
        at = []
        for c in kinks[:200]:
            h = 1e-7 * max(1.0, abs(c))
            f = _eval64(act, "value", np.array([c - h, c, c + h]))
            if abs(f[1] - f[0]) > 1e-4 * (1 + abs(f[1])) or abs(f[2] - f[1]) > 1e-4 * (1 + abs(f[1])):
                at.append(c)
        if not at:
            return "no"
        return f"yes: jumps at z={', '.join(_fmt(c) for c in at[:5])}" + (", ..." if len(at) > 5 else "")

    def monotone() -> str:
        x = np.linspace(-w, w, 4001)
        d = np.diff(_eval64(act, "value", x))
        if np.all(d > 0):
            return f"increasing on [{_fmt(-w)}, {_fmt(w)}]"
        if np.all(d >= 0):
            return f"non-decreasing on [{_fmt(-w)}, {_fmt(w)}]"
        if np.all(d < 0):
            return f"decreasing on [{_fmt(-w)}, {_fmt(w)}]"
        if np.all(d <= 0):
            return f"non-increasing on [{_fmt(-w)}, {_fmt(w)}]"
        return f"no: f rises and falls on [{_fmt(-w)}, {_fmt(w)}]"

    put("dead region (tol=0)", lambda: saturation_text(act, 0.0, w))
    put("saturation (tol=1e-3)", lambda: saturation_text(act, 1e-3, w))
    put("differentiable almost everywhere", kink_text)
    put("discontinuous", jumps)
    put("monotone", monotone)
    put("mean of f(z), z ~ N(0, 1)", lambda: _fmt(_gauss_mean(act, "value", kinks)))
    put("mean of f'(z), z ~ N(0, 1)", lambda: _fmt(_gauss_mean(act, "left_derivative", kinks)))
    put("derivative at 0 (left, right)",
        lambda: f"{_fmt(act.left_derivative(0.0))}, {_fmt(act.right_derivative(0.0))}")
    if type(act).frameworks:
        put("at kinks: frameworks", lambda: "; ".join(f"{k}: {_rule_str(v)}" for k, v in type(act).frameworks.items()))
    return info


def _rule_str(rule: Any) -> str:
    if isinstance(rule, Mapping):
        return ", ".join(f"z={_fmt(k)} {_rule_str(v)}" for k, v in rule.items())
    if isinstance(rule, Fixed):
        return f"Fixed({_fmt(rule.value)})"
    return repr(rule) if isinstance(rule, str) else str(rule)


def saturation_text(act: Activation, tol: float, window: float = 10.0) -> str:
    """``act.saturation(tol)`` as people read it, saying so when it holds only almost everywhere.

    The note names the declared kinks in ``[-window, window]`` that lie inside
    an interval with a one-sided derivative above ``tol`` (a staircase's steps).

    Examples
    --------
    >>> import kit
    >>> saturation_text(kit.get("relu"), 0.0)
    '[(-inf, 0)]'
    >>> saturation_text(kit.get("staircase"), 0.0)
    '[(-inf, inf)] almost everywhere: not at the 21 kinks in [-10, 10]'
    """
    ivs = act.saturation(tol)
    text = _intervals_str(ivs, most=10)
    kinks = _kinks(act, -window, window)
    inside = np.array([c for c in kinks if any(a < c < b for a, b in ivs)])
    n = int(np.count_nonzero(_bound(act, inside) > tol)) if inside.size else 0
    if n:
        where = f"[{_fmt(-window)}, {_fmt(window)}]"
        text += f" almost everywhere: not at the {n} kink{'s' if n > 1 else ''} in {where}"
    return text


# -- the report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """The outcome of :func:`check`.

    Attributes
    ----------
    name : str
        What was checked, e.g. ``"leaky_relu(alpha=0.1)"``.
    results : tuple of CheckResult
        One per check run, in order.
    info : dict
        What the activation means for gradient descent (information, not
        failure): dead region, saturation, kinks, discontinuity, monotonicity,
        mean under N(0, 1), the derivative at 0 from each side.

    Examples
    --------
    >>> import kit
    >>> report = kit.check("step")
    >>> report.ok, report.info["discontinuous"], report.info["dead region (tol=0)"]
    (True, 'yes: jumps at z=0', '[(-inf, 0), (0, inf)]')
    >>> print(str(report).splitlines()[0])
    kit.check step(): ok (12 of 12 checks passed)
    """

    name: str
    results: tuple[CheckResult, ...]
    info: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no check found a problem."""
        return all(r.ok for r in self.results)

    @property
    def problems(self) -> list[str]:
        """Every problem, one sentence each, starting with the check's name."""
        return [p for r in self.results for p in r.problems]

    def __bool__(self) -> bool:
        return self.ok

    def _rows(self) -> list[tuple[str, str]]:
        rows = []
        for r in self.results:
            if r.ok:
                rows.append((r.check, "ok"))
            for p in r.problems:
                rows.append((r.check, "FAIL  " + p.split(": ", 1)[1]))
        return rows

    def __str__(self) -> str:
        passed = sum(r.ok for r in self.results)
        head = f"kit.check {self.name}: {'ok' if self.ok else 'FAILED'} ({passed} of {len(self.results)} checks passed)"
        rows = [*self._rows(), ("", ""), *list(self.info.items())]
        width = max((len(a) for a, _ in rows), default=0)
        lines = [head, ""] + [f"{a:<{width}}  {b}".rstrip() for a, b in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        colour = "#1a7f37" if self.ok else "#cf222e"
        out = [f"<p><b>kit.check {esc(self.name)}</b>: <span style='color:{colour}'>"
               f"{'ok' if self.ok else 'FAILED'}</span></p>", "<table>",
               "<tr><th style='text-align:left'>check</th><th style='text-align:left'>result</th></tr>"]
        for a, b in self._rows():
            style = "" if b == "ok" else " style='color:#cf222e'"
            out.append(f"<tr><td style='text-align:left'>{esc(a)}</td><td style='text-align:left'{style}>{esc(b)}</td></tr>")
        out.append("<tr><th style='text-align:left'>information</th><th></th></tr>")
        for a, b in self.info.items():
            out.append(f"<tr><td style='text-align:left'>{esc(a)}</td><td style='text-align:left'>{esc(b)}</td></tr>")
        out.append("</table>")
        return "\n".join(out)


def resolve(activation: Any, params: Mapping[str, float] | None = None) -> Activation:
    """An :class:`Activation` from an instance, a class, a registered name or ``"module:Class"``.

    A ``"package.module:Class"`` spelling is imported (never evaluated); like
    an entry point it may also name a function that returns an Activation
    when called with keyword parameters.

    Raises
    ------
    kit.UnknownActivation
        for a name that is not registered.
    ValueError
        for a malformed ``"module:Class"`` spelling.
    kit.PluginError
        when the plugin cannot be imported or built (the message says why).
    TypeError
        for unknown parameters, a class that is not an Activation, or anything else.

    Examples
    --------
    >>> resolve("leaky_relu", {"alpha": 0.1})
    leaky_relu(alpha=0.1)
    >>> resolve("kit.activations.piecewise:ReLU")
    relu()
    >>> resolve("kit.activation:Fixed")
    Traceback (most recent call last):
    ...
    TypeError: kit.activation:Fixed is not a subclass of kit.Activation
    """
    params = dict(params or {})
    what = activation if isinstance(activation, str) else getattr(activation, "__qualname__", repr(activation))
    if isinstance(activation, str) and ":" in activation:
        activation = _import_spec(activation)
    if isinstance(activation, (str, Activation)):
        return get(activation, **params)
    if isinstance(activation, type):
        if not issubclass(activation, Activation):
            raise TypeError(f"{what} is not a subclass of kit.Activation")
        unknown = sorted(set(params) - set(activation.defaults))
        if unknown:
            valid = ", ".join(activation.defaults) or "none"
            raise TypeError(f"{activation.__name__}: unknown parameter(s) {', '.join(unknown)}; valid parameters: {valid}")
    elif not callable(activation):
        raise TypeError(f"expected an Activation, its class, a registered name or 'module:Class', got {activation!r}")
    try:
        act = activation(**params)
    except Exception as exc:
        raise PluginError(f"building {what} raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(act, Activation):
        raise PluginError(f"calling {what} returned {type(act).__name__}, not a kit.Activation")
    return act


def _import_spec(spec: str) -> Any:
    """The object ``"package.module:Class"`` names, imported."""
    if not _SPEC.match(spec):
        raise ValueError(f"expected 'package.module:Class', got {spec!r}")
    mod_name, qual = spec.split(":")
    try:
        obj: Any = importlib.import_module(mod_name)
        for part in qual.split("."):
            obj = getattr(obj, part)
    except Exception as exc:
        raise PluginError(f"cannot import {spec}: {type(exc).__name__}: {exc}") from exc
    return obj


def check(
    activation: Any,
    *,
    params: Mapping[str, float] | None = None,
    checks: str | Iterable[str] | None = None,
    window: float = 10.0,
    rtol: float = 1e-5,
    atol: float = 1e-5,
    info: bool = True,
) -> Report:
    """Run the conformance checks on an activation and describe it.

    Parameters
    ----------
    activation : Activation, subclass of Activation, str
        An instance, a class (built with ``params``), a registered name or
        ``"package.module:Class"``.
    params : dict, optional
        Parameters used to build ``activation`` from a class or name.
    checks : str or iterable of str, optional
        Name(s) of the checks to run (see :data:`CHECKS`); all by default.
    window, rtol, atol : float
        See :class:`Options`.
    info : bool
        Also compute :attr:`Report.info` (default True).

    Returns
    -------
    Report
        ``.ok``, ``.problems`` (one sentence each), ``.info``; ``str()`` is a
        plain table and notebooks show an HTML one.  A plugin that cannot be
        imported or built gives a report with that one problem.

    Examples
    --------
    >>> import kit
    >>> kit.check("leaky_relu", params={"alpha": 0.1}).ok
    True
    >>> class Bad(kit.Activation):          # forgets the kink at 0
    ...     def value(self, z): return np.abs(z)
    ...     def left_derivative(self, z): return np.sign(z)
    ...     def right_derivative(self, z): return np.sign(z)
    >>> print(kit.check(Bad).problems[0])
    check_left_derivative: at z=0 left_derivative gives 0 but the backward difference gives -1 (step 0.0001, tolerance 1e-05)
    """
    options = Options(window=window, rtol=rtol, atol=atol)
    names = list(CHECKS) if checks is None else [checks] if isinstance(checks, str) else list(checks)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)}; known checks: {', '.join(CHECKS)}")
    try:
        act = resolve(activation, params)
    except PluginError as exc:
        label = activation if isinstance(activation, str) else getattr(activation, "__name__", repr(activation))
        return Report(str(label), (CheckResult("load", (f"load: {exc}",)),))
    results = tuple(run_check(n, act, options) for n in names)
    return Report(repr(act), results, describe(act, options) if info else {})
