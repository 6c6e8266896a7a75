"""Claims: a lesson sentence that a number can back, stated, measured and judged in one call.

A claim prints one *verdict line*.  When the claim holds, the line is the same
on every machine: it shows the statement, the band that makes it true and the
measured value only at a resolution the band keeps stable (or not at all).
When the claim fails, it prints a different line with the measured value and
the band, so that a stored notebook no longer matches (nbval fails) and a
student sees why.

Kinds of claim
--------------
=====================  =======================================================
:func:`exact`          an exact quantity equals its exact value (one-sided
                       derivatives, framework conventions, identities)
:func:`close`          a number equals a closed form within a stated tolerance
:func:`within`         a measured number lies in a band ``[lo, hi]``
:func:`mean_within`    the mean of per-seed measurements lies in a band
:func:`greater`        ``a > b``: the confidence interval of the mean
                       difference (paired over seeds) lies above 0
:func:`indistinguishable`  the interval of the difference contains 0: "not
                       distinguishable at this size" is an honest result
:func:`increasing`     a trend: the interval of the least-squares slope lies
                       above 0 (:func:`decreasing`: below 0)
=====================  =======================================================

Bands are earned, not chosen: measure the spread over seeds (and under the
portability perturbation, see :mod:`kit.lessons`) with :func:`spread`, and
write down next to the claim where the band comes from.  ``excludes=``
names the counter-claim's values: a band that contains one of them is refused
when the claim is stated, because such a claim could not tell the two apart.

The line is printed when the claim is made and the :class:`Verdict` is
returned; in a notebook the returned verdict displays nothing more, so a cell
may state several claims and each prints exactly one line.

Examples
--------
ReLU has no derivative at 0, but two one-sided ones, and they are exact:

>>> import kit
>>> from kit import claims
>>> relu = kit.get("relu")
>>> v = claims.exact("ReLU's left derivative at 0", relu.left_derivative(0.0), 0.0)
✔ ReLU's left derivative at 0 is 0.0 exactly
>>> v.holds
True

A measured accuracy, shown only at a resolution its band keeps stable:

>>> _ = claims.within("accuracy after training", 0.8731, 0.85, 0.95, show=0.1, excludes=0.5)
✔ accuracy after training ≈ 0.9 (band [0.85, 0.95], excludes 0.5)
>>> _ = claims.within("accuracy after training", 0.61, 0.85, 0.95, excludes=0.5)
✘ FAILS: accuracy after training: measured 0.61, outside the band [0.85, 0.95]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Spread",
    "Verdict",
    "close",
    "decreasing",
    "exact",
    "greater",
    "increasing",
    "indistinguishable",
    "interval",
    "mean_within",
    "spread",
    "within",
]

HOLDS = "✔"
FAILS = "✘ FAILS:"


@dataclass(frozen=True)
class Verdict:
    """The outcome of a claim: what was claimed, whether it holds, and why.

    Attributes
    ----------
    statement : str
        The claim in words, as the lesson states it.
    holds : bool
        Whether the measurement satisfies the band.
    band : str
        What makes the claim true, in words (``"in [0.85, 0.95]"``).
    shown : str
        The value as the holding line shows it (stable on every machine), or "".
    measured : str
        The value as measured, for the failing line.
    """

    statement: str
    holds: bool
    band: str
    shown: str = ""
    measured: str = ""

    @property
    def line(self) -> str:
        """The verdict line: identical on every machine while the claim holds."""
        if self.holds:
            return f"{HOLDS} {self.statement}{self.shown} ({self.band})" if self.band else f"{HOLDS} {self.statement}{self.shown}"
        return f"{FAILS} {self.statement}: measured {self.measured}, {self.failure_band}"

    @property
    def failure_band(self) -> str:
        return self.band if self.band.startswith(("outside", "not ", "but ")) else f"outside the {self.band}"

    def __str__(self) -> str:
        return self.line

    def __bool__(self) -> bool:
        return self.holds

    def _ipython_display_(self) -> None:
        """Already printed when the claim was made: show nothing more."""


def _emit(verdict: Verdict) -> Verdict:
    print(verdict.line)
    return verdict


# -- formatting ----------------------------------------------------------------------


def _num(x: float, digits: int = 4) -> str:
    """A measured number for a failure line: enough digits to see how far off it is."""
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def _bound(x: float) -> str:
    """A band's end as written by the author (shortest repr that round-trips)."""
    x = float(x)
    return repr(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _decimals(step: float) -> int:
    """Decimals needed to print multiples of ``step`` (0.1 -> 1, 0.05 -> 2, 5 -> 0)."""
    for d in range(0, 12):
        if abs(round(step * 10**d) - step * 10**d) < 1e-9 * max(1.0, step * 10**d):
            return d
    return 12


def _stable_shown(lo: float, hi: float, show: float | None, what: str) -> tuple[float, str] | None:
    """The one value every point of ``[lo, hi]`` rounds to at resolution ``show``, or an error.

    ``show`` is the step of the printed value (0.1 prints 0.9).  Every value in
    the band must round to the same multiple of ``show``, so that the holding
    line is the same on every machine; otherwise the author asked for more
    precision than the band guarantees.
    """
    if show is None:
        return None
    if not (isinstance(show, (int, float)) and math.isfinite(show) and show > 0):
        raise ValueError(f"{what}: show must be a positive number (the step of the printed value), got {show!r}")
    q = round((lo + hi) / 2 / show)
    eps = 1e-9 * show
    if lo < (q - 0.5) * show - eps or hi > (q + 0.5) * show + eps:
        raise ValueError(
            f"{what}: the band [{_bound(lo)}, {_bound(hi)}] spans more than one value at resolution {show!r} "
            f"(it rounds to {round(lo / show) * show:g} and to {round(hi / show) * show:g}); show it coarser, or not at all"
        )
    value = q * show
    return value, f"{value:.{_decimals(show)}f}"


def _check_band(lo: Any, hi: Any, what: str) -> tuple[float, float]:
    lo_f, hi_f = float(lo), float(hi)
    if math.isnan(lo_f) or math.isnan(hi_f) or lo_f > hi_f:
        raise ValueError(f"{what}: the band must be [lo, hi] with lo <= hi, got [{lo!r}, {hi!r}]")
    return lo_f, hi_f


def _check_excludes(lo: float, hi: float, excludes: Any, what: str) -> str:
    """Refuse a band that contains a counter-claim value; return the words for the line."""
    if excludes is None:
        return ""
    values = [float(v) for v in np.atleast_1d(np.asarray(excludes, dtype=np.float64))]
    inside = [v for v in values if lo <= v <= hi]
    if inside:
        raise ValueError(
            f"{what}: the band [{_bound(lo)}, {_bound(hi)}] contains the counter-claim's value "
            f"{', '.join(_bound(v) for v in inside)}: such a claim cannot tell the two apart"
        )
    return ", excludes " + ", ".join(_bound(v) for v in values)


def _statement(statement: Any) -> str:
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(f"a claim needs its statement in words (a non-empty str), got {statement!r}")
    return " ".join(statement.split())


def _scalar(value: Any, what: str) -> float:
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf" or arr.size != 1:
        raise TypeError(f"{what}: expected one real number, got {value!r}")
    return float(arr.reshape(()))


def _samples(values: Any, what: str, least: int = 2) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size < least:
        raise ValueError(f"{what}: needs at least {least} measurements (one per seed), got {arr.size}")
    return arr


# -- exact quantities ----------------------------------------------------------------


def exact(statement: str, value: Any, expected: Any) -> Verdict:
    """Claim that an exact quantity has its exact value.

    For quantities that are exact on every machine: one-sided derivatives of
    closed forms, framework conventions, identities, counts.  Numbers are
    compared with ``==`` (arrays elementwise, NaN equal to NaN), never within a
    tolerance.

    Parameters
    ----------
    statement : str
        The quantity in words ("ReLU's left derivative at 0").
    value : number, array_like, str or bool
        What was computed.
    expected : same kind as ``value``
        Its exact value, shown in the line.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> import kit
    >>> relu = kit.get("relu")
    >>> _ = exact("ReLU's one-sided derivatives at 0", [relu.left_derivative(0.0), relu.right_derivative(0.0)], [0.0, 1.0])
    ✔ ReLU's one-sided derivatives at 0 are [0.0, 1.0] exactly
    >>> _ = exact("ReLU'(0) as PyTorch takes it", relu.derivative(0.0, kink="pytorch"), 1.0)
    ✘ FAILS: ReLU'(0) as PyTorch takes it: measured 0.0, but exactly 1.0 was claimed
    """
    text = _statement(statement)
    got, want = np.asarray(value), np.asarray(expected)
    if got.dtype.kind in "biuf" and want.dtype.kind in "biuf":
        same = got.shape == want.shape and bool(np.array_equal(got, want, equal_nan=True))
    else:
        same = got.shape == want.shape and bool(np.all(got == want))
    shown = _exact_repr(expected)
    verb = " are " if want.ndim > 0 else " is "
    return _emit(
        Verdict(text, same, "", shown=f"{verb}{shown} exactly", measured=_exact_repr(value))
        if same
        else Verdict(text, False, f"but exactly {shown} was claimed", measured=_exact_repr(value))
    )


def _exact_repr(x: Any) -> str:
    arr = np.asarray(x)
    if arr.dtype.kind in "biuf":
        if arr.ndim == 0:
            v = arr.item()
            return repr(float(v)) if arr.dtype.kind == "f" else repr(v)
        return "[" + ", ".join(_exact_repr(v) for v in arr.tolist()) + "]"
    return repr(x) if not isinstance(x, str) else x


def close(statement: str, value: Any, expected: float, tol: float, *, show: float | None = None) -> Verdict:
    """Claim that a computed number equals a closed form within ``tol`` (absolute).

    Use it for quadratures, Monte Carlo estimates with a known standard error,
    or float results of exact formulas; ``tol`` says how far the computation
    may be off, and why belongs in the text.

    Parameters
    ----------
    statement : str
    value : float
        What was computed.
    expected : float
        The closed form's value.
    tol : float
        The largest accepted ``|value - expected|``.
    show : float, optional
        The resolution at which the line prints the value (default: the
        expected value is printed to the resolution of ``tol`` when stable).

    Examples
    --------
    The mean of σ'(z) for z ~ N(0, 1), against its quadrature value 0.2066:

    >>> import numpy as np, kit
    >>> z = np.random.default_rng(0).standard_normal(100_000)
    >>> _ = close("E[σ'(z)] for z ~ N(0, 1) by Monte Carlo", kit.get("sigmoid").derivative(z).mean(), 0.2066, 0.002)
    ✔ E[σ'(z)] for z ~ N(0, 1) by Monte Carlo (0.2066 ± 0.002)
    """
    text = _statement(statement)
    v, e, t = _scalar(value, text), float(expected), float(tol)
    if not (math.isfinite(t) and t >= 0):
        raise ValueError(f"{text}: tol must be a finite number >= 0, got {tol!r}")
    lo, hi = e - t, e + t
    stable = _stable_shown(lo, hi, show, text)
    holds = lo <= v <= hi
    band = f"{_bound(e)} ± {_bound(t)}"
    shown = f" ≈ {stable[1]}" if stable else ""
    return _emit(Verdict(text, holds, band if holds else f"outside {band}", shown=shown, measured=_num(v, 6)))


# -- bands ---------------------------------------------------------------------------


def within(
    statement: str,
    value: Any,
    lo: float,
    hi: float,
    *,
    show: float | None = None,
    excludes: Any = None,
    unit: str = "",
) -> Verdict:
    """Claim that a measured number lies in the band ``[lo, hi]``.

    Parameters
    ----------
    statement : str
    value : float
        The measurement (one run; for several seeds use :func:`mean_within`).
    lo, hi : float
        The band, earned from the measured spread (see :func:`spread`).
    show : float, optional
        Print the value rounded to this step; refused unless every value of
        the band rounds to the same number, so the line cannot change between
        machines.  Default: the value is not printed.
    excludes : float or sequence of float, optional
        Values of the counter-claim (chance accuracy 0.5, "no effect" 0): a
        band containing one is refused with ``ValueError``.
    unit : str
        Appended to the shown value (``"%"`` with a value in percent).

    Examples
    --------
    >>> _ = within("share of dead units", 0.31, 0.2, 0.4, excludes=0.0)
    ✔ share of dead units (band [0.2, 0.4], excludes 0)
    >>> _ = within("share of dead units", 0.31, 0.2, 0.4, show=0.1)
    Traceback (most recent call last):
    ...
    ValueError: share of dead units: the band [0.2, 0.4] spans more than one value at resolution 0.1 (it rounds to 0.2 and to 0.4); show it coarser, or not at all
    """
    text = _statement(statement)
    lo_f, hi_f = _check_band(lo, hi, text)
    excl = _check_excludes(lo_f, hi_f, excludes, text)
    stable = _stable_shown(lo_f, hi_f, show, text)
    v = _scalar(value, text)
    holds = lo_f <= v <= hi_f
    band = f"band [{_bound(lo_f)}, {_bound(hi_f)}]"
    shown = f" ≈ {stable[1]}{unit}" if stable else ""
    return _emit(Verdict(text, holds, band + excl if holds else band, shown=shown, measured=_num(v) + unit))


def mean_within(
    statement: str,
    samples: ArrayLike,
    lo: float,
    hi: float,
    *,
    show: float | None = None,
    excludes: Any = None,
    unit: str = "",
) -> Verdict:
    """Claim that the mean of per-seed measurements lies in ``[lo, hi]``.

    The line says how many seeds were averaged; a failing line gives the mean
    and its standard error.

    Examples
    --------
    >>> _ = mean_within("final accuracy, standardised inputs", [0.97, 0.99, 0.98, 0.99, 0.96], 0.93, 1.0, excludes=0.5)
    ✔ final accuracy, standardised inputs (mean over 5 seeds, band [0.93, 1], excludes 0.5)
    """
    text = _statement(statement)
    lo_f, hi_f = _check_band(lo, hi, text)
    excl = _check_excludes(lo_f, hi_f, excludes, text)
    stable = _stable_shown(lo_f, hi_f, show, text)
    s = _samples(samples, text)
    m, se = float(s.mean()), float(s.std(ddof=1) / math.sqrt(s.size))
    holds = lo_f <= m <= hi_f
    band = f"mean over {s.size} seeds, band [{_bound(lo_f)}, {_bound(hi_f)}]"
    shown = f" ≈ {stable[1]}{unit}" if stable else ""
    measured = f"{_num(m)}{unit} ± {_num(se, 2)}{unit} (standard error)"
    return _emit(Verdict(text, holds, band + excl if holds else band, shown=shown, measured=measured))


# -- comparisons and trends ------------------------------------------------------------


def _t_quantile(confidence: float, dof: int) -> float:
    from scipy import stats  # the claims module may use scipy; ``import kit`` does not

    return float(stats.t.ppf(0.5 + confidence / 2, dof))


def _check_confidence(confidence: Any, what: str) -> float:
    c = float(confidence)
    if not 0.5 <= c < 1:
        raise ValueError(f"{what}: confidence must be in [0.5, 1), got {confidence!r}")
    return c


def _difference(a: Any, b: Any, paired: bool, what: str) -> tuple[float, float, int]:
    """Mean difference a - b, its standard error and degrees of freedom."""
    x, y = _samples(a, what), _samples(b, what)
    if paired:
        if x.size != y.size:
            raise ValueError(f"{what}: paired samples need one pair per seed, got {x.size} and {y.size}")
        d = x - y
        return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size)), d.size - 1
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(vx + vy)
    # Welch-Satterthwaite degrees of freedom
    dof = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1)) if vx + vy > 0 else x.size + y.size - 2
    return float(x.mean() - y.mean()), se, max(1, math.floor(dof))


def _interval(mean: float, se: float, dof: int, confidence: float) -> tuple[float, float]:
    half = _t_quantile(confidence, dof) * se
    return mean - half, mean + half


def greater(
    statement: str,
    a: ArrayLike,
    b: ArrayLike,
    *,
    paired: bool = True,
    confidence: float = 0.95,
) -> Verdict:
    """Claim ``a > b`` on average: the confidence interval of the mean difference lies above 0.

    Parameters
    ----------
    statement : str
        The claim in words ("dropout leaves fewer dead units than no dropout").
    a, b : sequence of float
        Per-seed measurements; with ``paired=True`` (default) ``a[i]`` and
        ``b[i]`` come from the same seed, and the interval is that of the
        paired differences.
    confidence : float
        Of the two-sided t interval (default 0.95).

    Examples
    --------
    >>> _ = greater("ReLU nets have more dead units at lr 2 than at lr 0.1", [8, 9, 7, 9, 8], [1, 0, 2, 1, 0])
    ✔ ReLU nets have more dead units at lr 2 than at lr 0.1 (95 % interval of the mean difference over 5 seeds lies above 0)
    >>> _ = greater("seed noise is a trend", [1, 2, 3, 1, 2], [2, 1, 1, 3, 2])
    ✘ FAILS: seed noise is a trend: measured mean difference 0 (95 % interval [-2, 2]), not above 0: not distinguishable at 5 seeds
    """
    return _compare(statement, a, b, paired, confidence, ">")


def _compare(statement: str, a: Any, b: Any, paired: bool, confidence: float, how: str) -> Verdict:
    text = _statement(statement)
    c = _check_confidence(confidence, text)
    m, se, dof = _difference(a, b, paired, text)
    lo, hi = _interval(m, se, dof, c)
    n = np.asarray(a).size
    pct = f"{100 * c:g} %"
    seeds = f"{n} seeds" if paired else f"{n} and {np.asarray(b).size} seeds"
    measured = f"mean difference {_num(m, 2)} ({pct} interval [{_num(lo, 2)}, {_num(hi, 2)}])"
    if how == ">":
        holds = lo > 0
        band = f"{pct} interval of the mean difference over {seeds} lies above 0"
        fail = f"not above 0: not distinguishable at {seeds}"
    else:  # "~": indistinguishable
        holds = lo <= 0 <= hi
        band = f"{pct} interval of the mean difference over {seeds} contains 0: not distinguishable at this size"
        fail = "not containing 0: the difference is real"
    return _emit(Verdict(text, holds, band if holds else fail, measured=measured))


def indistinguishable(
    statement: str,
    a: ArrayLike,
    b: ArrayLike,
    *,
    paired: bool = True,
    confidence: float = 0.95,
) -> Verdict:
    """Claim that ``a`` and ``b`` cannot be told apart at this size: the interval of the difference contains 0.

    An honest result when a trend was hoped for: say so instead of reading a
    trend into noise.

    Examples
    --------
    >>> _ = indistinguishable("dropout's effect on dead units", [3, 4, 2, 5, 3], [4, 3, 3, 4, 2])
    ✔ dropout's effect on dead units (95 % interval of the mean difference over 5 seeds contains 0: not distinguishable at this size)
    """
    return _compare(statement, a, b, paired, confidence, "~")


def _slope(x: Any, samples: Any, what: str) -> tuple[float, float, int, int]:
    """Least-squares slope of samples against x (one row of seeds per x), its standard error, dof, n."""
    xs = np.asarray(x, dtype=np.float64).ravel()
    rows = [np.asarray(r, dtype=np.float64).ravel() for r in samples]
    if len(rows) != xs.size or xs.size < 2:
        raise ValueError(f"{what}: give one row of per-seed measurements for each of at least two x values")
    X = np.concatenate([np.full(r.size, xv) for xv, r in zip(xs, rows, strict=True)])
    Y = np.concatenate(rows)
    n = Y.size
    if n < 3 or np.ptp(X) == 0:
        raise ValueError(f"{what}: needs at least three measurements at two different x values")
    xm = X.mean()
    sxx = float(((X - xm) ** 2).sum())
    slope = float(((X - xm) * (Y - Y.mean())).sum() / sxx)
    resid = Y - (Y.mean() + slope * (X - xm))
    se = math.sqrt(float((resid**2).sum()) / (n - 2) / sxx)
    return slope, se, n - 2, n


def increasing(
    statement: str, x: Sequence[float], samples: Sequence[ArrayLike], *, confidence: float = 0.95
) -> Verdict:
    """Claim a rising trend: the interval of the least-squares slope of ``samples`` against ``x`` lies above 0.

    Parameters
    ----------
    statement : str
    x : sequence of float
        The settings (depths, learning rates, ...).
    samples : sequence of sequences of float
        For each ``x``, the per-seed measurements.

    Examples
    --------
    >>> _ = increasing("dead share grows with the learning rate", [0.1, 1, 2], [[0, 0.1, 0], [0.2, 0.3, 0.25], [0.5, 0.6, 0.55]])
    ✔ dead share grows with the learning rate (95 % interval of the slope over 9 runs lies above 0)
    """
    return _trend(statement, x, samples, confidence, +1)


def decreasing(
    statement: str, x: Sequence[float], samples: Sequence[ArrayLike], *, confidence: float = 0.95
) -> Verdict:
    """Claim a falling trend: the interval of the least-squares slope lies below 0.

    Examples
    --------
    >>> _ = decreasing("the loss falls with more steps", [100, 200, 300], [[0.9, 0.8], [0.6, 0.65], [0.3, 0.35]])
    ✔ the loss falls with more steps (95 % interval of the slope over 6 runs lies below 0)
    >>> _ = decreasing("E[σ'(z)] falls with the spread of z", [1, 3, 10], [[0.207], [0.115], [0.039]])
    ✘ FAILS: E[σ'(z)] falls with the spread of z: measured slope -0.01663 (95 % interval [-0.09743, 0.06418]), not below 0
    """
    return _trend(statement, x, samples, confidence, -1)


def _trend(statement: str, x: Any, samples: Any, confidence: float, sign: int) -> Verdict:
    text = _statement(statement)
    c = _check_confidence(confidence, text)
    slope, se, dof, n = _slope(x, samples, text)
    lo, hi = _interval(slope, se, dof, c)
    pct = f"{100 * c:g} %"
    holds = lo > 0 if sign > 0 else hi < 0
    side = "above" if sign > 0 else "below"
    band = f"{pct} interval of the slope over {n} runs lies {side} 0"
    measured = f"slope {_num(slope)} ({pct} interval [{_num(lo)}, {_num(hi)}])"
    return _emit(Verdict(text, holds, band if holds else f"not {side} 0", measured=measured))


# -- earning a band ---------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """What a set of per-seed measurements says, to earn a band from.

    Attributes
    ----------
    n : int
    mean, std, se : float
        Mean, sample standard deviation and standard error of the mean.
    min, max : float
    """

    n: int
    mean: float
    std: float
    se: float
    min: float
    max: float

    def __str__(self) -> str:
        return (
            f"n={self.n}: mean {_num(self.mean)}, std {_num(self.std, 2)}, se {_num(self.se, 2)}, "
            f"range [{_num(self.min)}, {_num(self.max)}]"
        )


def spread(samples: ArrayLike) -> Spread:
    """Summarise per-seed measurements, to earn a claim's band from them.

    A lesson author runs the experiment over many seeds (and under the
    portability perturbation), looks at the spread, and writes a band that
    contains every measurement with room to spare yet excludes the
    counter-claim.

    Examples
    --------
    >>> print(spread([0.91, 0.93, 0.92, 0.95, 0.9]))
    n=5: mean 0.922, std 0.019, se 0.0086, range [0.9, 0.95]
    """
    s = _samples(samples, "spread")
    return Spread(
        n=int(s.size),
        mean=float(s.mean()),
        std=float(s.std(ddof=1)),
        se=float(s.std(ddof=1) / math.sqrt(s.size)),
        min=float(s.min()),
        max=float(s.max()),
    )


# -- the interval the comparisons use, for pictures ---------------------------------------


def interval(samples: ArrayLike, *, confidence: float = 0.95) -> tuple[float, float, float]:
    """The mean of per-seed measurements and its two-sided t interval: ``(mean, lo, hi)``.

    The same Student-t interval (``n - 1`` degrees of freedom) as the
    comparisons above use for a difference, here for one sample: what
    :func:`kit.plot.measurements` draws as error bars, so that a picture and a
    claim beside it agree on what "distinguishable" means.

    Parameters
    ----------
    samples : sequence of float
        At least two measurements (one per seed).
    confidence : float
        In [0.5, 1); default 0.95.

    Examples
    --------
    >>> m, lo, hi = interval([0.91, 0.93, 0.92, 0.95, 0.9])
    >>> round(m, 3), round(lo, 3), round(hi, 3)
    (0.922, 0.898, 0.946)
    >>> interval([3, 3, 3])  # no spread: the interval is the mean
    (3.0, 3.0, 3.0)
    """
    c = _check_confidence(confidence, "interval")
    s = _samples(samples, "interval")
    m, se = float(s.mean()), float(s.std(ddof=1) / math.sqrt(s.size))
    lo, hi = _interval(m, se, s.size - 1, c)
    return m, lo, hi
