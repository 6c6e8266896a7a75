"""What :func:`kit.check` returns: the checks' results and what the activation means for gradient descent.

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

import functools
import html
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kit._text import intervals
from kit._text import number as fmt
from kit.activation import Activation, Fixed, KinkRule
from kit.conformance.checks import CHECKS, CheckResult, check_result, run_check_here
from kit.conformance.differences import blows_up
from kit.conformance.evaluate import Options, PluginRaised, declared_kinks, eval64, gradient_bound, kinks_remembered
from kit.conformance.limits import Outcome, run_steps
from kit.registry import PluginError, resolve

__all__ = ["Report", "check", "describe", "gaussian_mean", "saturation_text"]

_MAX_SPLITS = 2000


def gaussian_mean(act: Activation, g: Callable[[NDArray[np.float64]], Any], scale: float = 1.0) -> float:
    """E[g(z)] for z ~ N(0, scale²), by 20-point Gauss-Legendre on 48 cells over ±12 scale, split at the kinks.

    The one definition of a Gaussian expectation in the kit (the report's means
    and :func:`kit.lab.experiments.mean_derivative` use it).  The activation's
    kinks are cell edges, so a jump of ``g`` falls between nodes; on each smooth
    piece the rule is exact to float64 rounding.  With more than 2000 kinks in
    the range (a fine staircase) the cells are not split: the error is then of
    the order of the gap between kinks.

    Parameters
    ----------
    act : Activation
        Whose kinks split the cells.
    g : callable
        A function of float64 arrays (``act.value``, a derivative, ...).
    scale : float
        The standard deviation s > 0.

    Examples
    --------
    >>> import kit
    >>> relu = kit.get("relu")
    >>> round(gaussian_mean(relu, relu.value), 5), round(gaussian_mean(relu, relu.left_derivative), 12)
    (0.39894, 0.5)
    """
    half = 12.0 * scale
    try:
        kinks = declared_kinks(act, -half, half)
    except PluginRaised:  # e.g. a staircase refusing a window with too many steps
        kinks = np.empty(0)
    if kinks.size > _MAX_SPLITS:  # countably many, densely: a split per kink costs more than it gains
        kinks = np.empty(0)
    breaks = np.unique(np.concatenate([np.linspace(-half, half, 49), kinks[(kinks > -half) & (kinks < half)]]))
    nodes, weights = np.polynomial.legendre.leggauss(20)
    a, b = breaks[:-1, None], breaks[1:, None]
    x = (a + b) / 2 + (b - a) / 2 * nodes
    wts = (b - a) / 2 * weights
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        vals = np.asarray(g(x.ravel()), dtype=np.float64).reshape(x.shape)
        phi = np.exp(-0.5 * (x / scale) ** 2) / (scale * math.sqrt(2 * math.pi))
        return float(np.sum(wts * vals * phi))


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
        kinks = declared_kinks(act, -w, w)
    except Exception:
        pass

    def kink_text() -> str:
        if not kinks.size:
            return f"yes: no kinks in [{fmt(-w)}, {fmt(w)}]"
        shown = ", ".join(fmt(k) for k in kinks[:5]) + (", ..." if kinks.size > 5 else "")
        return f"yes: {kinks.size} kink{'s' if kinks.size > 1 else ''} in [{fmt(-w)}, {fmt(w)}] ({shown})"

    def jumps() -> str:
        at = []
        gaps = np.diff(kinks)
        for j, c in enumerate(kinks[:200]):
            gap = min(gaps[j - 1] if j > 0 else np.inf, gaps[j] if j < gaps.size else np.inf)
            h = min(1e-4 * max(1.0, abs(c)), gap / 4)
            if blows_up(act, float(c), h, -1.0) or blows_up(act, float(c), h, 1.0):
                at.append(c)
        if not at:
            return "no"
        return f"yes: jumps at z={', '.join(fmt(c) for c in at[:5])}" + (", ..." if len(at) > 5 else "")

    def monotone() -> str:
        x = np.linspace(-w, w, 4001)
        d = np.diff(eval64(act, "value", x))
        if np.all(d > 0):
            return f"increasing on [{fmt(-w)}, {fmt(w)}]"
        if np.all(d >= 0):
            return f"non-decreasing on [{fmt(-w)}, {fmt(w)}]"
        if np.all(d < 0):
            return f"decreasing on [{fmt(-w)}, {fmt(w)}]"
        if np.all(d <= 0):
            return f"non-increasing on [{fmt(-w)}, {fmt(w)}]"
        return f"no: f rises and falls on [{fmt(-w)}, {fmt(w)}]"

    put("dead region (tol=0)", lambda: saturation_text(act, 0.0, w))
    put("saturation (tol=1e-3)", lambda: saturation_text(act, 1e-3, w))
    put("differentiable almost everywhere", kink_text)
    put("discontinuous", jumps)
    put("monotone", monotone)
    put("mean of f(z), z ~ N(0, 1)", lambda: fmt(gaussian_mean(act, lambda u: eval64(act, "value", u))))
    put("mean of f'(z), z ~ N(0, 1)", lambda: fmt(gaussian_mean(act, lambda u: eval64(act, "left_derivative", u))))
    put("derivative at 0 (left, right)",
        lambda: f"{fmt(act.left_derivative(0.0))}, {fmt(act.right_derivative(0.0))}")
    if type(act).frameworks:
        put("at kinks: frameworks", lambda: "; ".join(f"{k}: {_rule_str(v)}" for k, v in type(act).frameworks.items()))
    return info


def _rule_str(rule: KinkRule) -> str:
    if isinstance(rule, Mapping):
        return ", ".join(f"z={fmt(k)} {_rule_str(v)}" for k, v in rule.items())
    if isinstance(rule, Fixed):
        return f"Fixed({fmt(rule.value)})"
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
    text = intervals(ivs, most=10)
    kinks = declared_kinks(act, -window, window)
    within_any = np.zeros(kinks.shape, dtype=bool)
    for a, b in ivs:
        within_any |= (kinks > a) & (kinks < b)
    inside = kinks[within_any]
    n = int(np.count_nonzero(gradient_bound(act, inside) > tol)) if inside.size else 0
    if n:
        where = f"[{fmt(-window)}, {fmt(window)}]"
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


def check(
    activation: Any,
    *,
    params: Mapping[str, float] | None = None,
    checks: str | Iterable[str] | None = None,
    window: float = 10.0,
    rtol: float = 1e-5,
    atol: float = 1e-5,
    info: bool = True,
    time_limit: float | None = 20.0,
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
    time_limit : float or None
        Seconds each check (and the information) may take, 20 by default.
        The checks run in a child process, so one whose activation never
        returns, or ends the process, is reported by name and the others
        still run; ``None`` runs them here without a limit (for a debugger).

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
    options = Options(window=window, rtol=rtol, atol=atol, time_limit=time_limit)
    names = list(CHECKS) if checks is None else [checks] if isinstance(checks, str) else list(checks)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)}; known checks: {', '.join(CHECKS)}")
    try:
        act = resolve(activation, **dict(params or {}))
    except PluginError as exc:
        label = activation if isinstance(activation, str) else getattr(activation, "__name__", repr(activation))
        return Report(str(label), (CheckResult("load", (f"load: {exc}",)),))
    steps: list[Callable[[], Any]] = [functools.partial(run_check_here, n, act, options) for n in names]
    if info:
        steps.append(functools.partial(describe, act, options))
    if options.time_limit is None:
        with kinks_remembered():
            outcomes = [Outcome("done", step()) for step in steps]
    else:
        outcomes = run_steps(steps, options.time_limit, kinks_remembered)
    results = tuple(check_result(n, o) for n, o in zip(names, outcomes, strict=False))
    about: dict[str, str] = {}
    if info:
        last = outcomes[-1]
        about = last.value if last.status == "done" else {"information": f"unavailable: {last.detail}"}
    return Report(repr(act), results, about)
