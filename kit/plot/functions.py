"""Pictures of activation functions: value, derivative, kinks, saturation.

At each kink the two one-sided derivatives are drawn as dots: a filled dot for
the value the chosen kink rule uses, an open dot for the other one.  A jump
(of f' at a kink, or of f itself) is drawn as a jump: the line is broken there,
never joined by a vertical segment.  The saturation region (both one-sided
|f'| <= tol) is shaded, the dead region (f' = 0 exactly) more strongly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from numpy.typing import ArrayLike

import kit
from kit.activation import SATURATION_TOL, Activation, Rule, validate_kink
from kit.plot.style import (
    BLACK,
    BLUE,
    DEAD,
    LINE_WIDTH,
    SATURATED,
    VERMILLION,
    new_figure,
    rc,
    set_legend,
    sticky_range,
)

__all__ = ["ActivationPlot", "Curves", "activation", "compare", "curves", "rule_label", "shade_regions"]

_EMPTY = np.empty((0, 2))


def rule_label(kink: Rule) -> str:
    """A short human name of a kink rule: ``'left'``, ``'t=0.3'``, ``'pytorch'``, ``'fixed 0'``."""
    rule = validate_kink(kink)
    if isinstance(rule, float):
        return f"t={rule:g}"
    if isinstance(rule, kit.Fixed):
        return f"fixed {rule.value:g}"
    return str(rule)




def _check_range(lo: float, hi: float) -> tuple[float, float]:
    """``(lo, hi)`` as floats; ``ValueError`` unless they are finite, ``lo < hi`` and ``hi - lo`` is finite too.

    Examples
    --------
    >>> _check_range(-1e308, 1e308)
    Traceback (most recent call last):
    ...
    ValueError: the plotted range needs finite lo < hi with a finite width hi - lo, got lo=-1e+308, hi=1e+308
    """
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi and math.isfinite(hi - lo)):
        raise ValueError(f"the plotted range needs finite lo < hi with a finite width hi - lo, got lo={lo!r}, hi={hi!r}")
    return lo, hi


@dataclass
class Curves:
    """What an activation picture shows, as numbers (computed by :func:`curves`).

    ``x``, ``f`` and ``df`` are the plotted lines, NaN where a line is broken
    (at a jump) or infinite.  For each kink in the range: ``left``, ``right``
    (the one-sided derivatives) and ``used`` (what the kink rule picks);
    ``f_left``/``f_right``/``f_at`` the one-sided limits and the value of f.
    ``saturated`` and ``dead`` are the intervals clipped to the range.
    """

    x: np.ndarray
    f: np.ndarray
    df: np.ndarray
    kinks: np.ndarray
    left: np.ndarray
    right: np.ndarray
    used: np.ndarray
    f_left: np.ndarray
    f_right: np.ndarray
    f_at: np.ndarray
    saturated: list[tuple[float, float]] = field(default_factory=list)
    dead: list[tuple[float, float]] = field(default_factory=list)


def _clip(intervals: Sequence[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    out = []
    for a, b in intervals:
        a, b = max(float(a), lo), min(float(b), hi)
        if a < b:
            out.append((a, b))
    return out


def _minus(intervals: Sequence[tuple[float, float]], holes: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of ``intervals`` outside every hole."""
    out = list(intervals)
    for c, d in holes:
        out = [piece for a, b in out for piece in ((a, min(b, c)), (max(a, d), b)) if piece[0] < piece[1]]
    return out


def shade_regions(ax: Axes, saturated: Sequence[tuple[float, float]], dead: Sequence[tuple[float, float]],
                  tol: float, lo: float, hi: float) -> tuple[list[Any], list[Any], list[Patch]]:
    """Shade ``dead`` (f' = 0) in dark grey and the rest of ``saturated`` (|f'| <= tol) in light grey.

    The two never overlap, so each shade is the one its legend entry shows.
    Returns the saturated spans, the dead spans and the legend patches.
    """
    dead = _clip(dead, lo, hi)
    sat_only = _minus(_clip(saturated, lo, hi), dead)
    kw = {"alpha": 0.3, "linewidth": 0, "zorder": 0}
    sat_spans = [ax.axvspan(a, b, color=SATURATED, **kw) for a, b in sat_only]
    dead_spans = [ax.axvspan(a, b, color=DEAD, **kw) for a, b in dead]
    patches = []
    if sat_only:
        patches.append(Patch(color=SATURATED, alpha=0.3, label=f"saturated: |f'| ≤ {tol:g}"))
    if dead:
        patches.append(Patch(color=DEAD, alpha=0.3, label="dead: f' = 0"))
    return sat_spans, dead_spans, patches


def _jumps(a: float, b: float, scale: float) -> bool:
    if not (math.isfinite(a) and math.isfinite(b)):
        return a != b
    return abs(a - b) > 1e-6 * max(1.0, scale)


def curves(act: Activation | str, *, kink: Rule = "left", lo: float = -5.0, hi: float = 5.0,
           tol: float = SATURATION_TOL, n: int = 801) -> Curves:
    """Compute the lines and kink dots of an activation picture.

    Parameters
    ----------
    act : Activation or str
        The activation (or its registered name).
    kink : kink rule
        Which derivative is used at a kink (see :meth:`kit.Activation.derivative`).
    lo, hi : float
        The plotted range of z.
    tol : float
        Saturation tolerance: shaded where both one-sided |f'| <= tol.
    n : int
        Number of sample points (kinks are always included exactly).

    Returns
    -------
    Curves
    """
    act = kit.resolve(act)
    lo, hi = _check_range(lo, hi)
    validate_kink(kink)
    with np.errstate(all="ignore"):
        kinks = np.asarray(act.kinks(lo, hi), dtype=np.float64)
        inner = kinks[(kinks > lo) & (kinks < hi)]
        bounds = np.concatenate([[lo], inner, [hi]])
        if kinks.size:
            left = np.asarray(act.left_derivative(kinks), dtype=np.float64)
            right = np.asarray(act.right_derivative(kinks), dtype=np.float64)
            used = np.asarray(act.derivative(kinks, kink=kink), dtype=np.float64)
            step = 1e-9 * np.maximum(1.0, np.abs(kinks))
            f_left = np.asarray(act.value(kinks - step), dtype=np.float64)
            f_right = np.asarray(act.value(kinks + step), dtype=np.float64)
            f_at = np.asarray(act.value(kinks), dtype=np.float64)
        else:
            left = right = used = f_left = f_right = f_at = np.empty(0)
        f_jump = np.array([_jumps(a, b, 1.0) for a, b in zip(f_left, f_right, strict=False)], dtype=bool)
        inner_idx = np.flatnonzero((kinks > lo) & (kinks < hi))
        xs, fs, ds = [], [], []
        span = hi - lo
        for i, (a, b) in enumerate(itertools.pairwise(bounds)):
            m = max(3, int(n * (b - a) / span))
            x = np.linspace(a, b, m)
            f = np.asarray(act.value(x), dtype=np.float64)
            d = np.asarray(act.left_derivative(x), dtype=np.float64)
            if i > 0:  # a is a kink: limits from the right (for f only if f jumps there)
                d[0] = act.right_derivative(float(a))
                j = inner_idx[i - 1]
                if f_jump[j]:
                    f[0] = f_right[j]
            if i < len(bounds) - 2:  # b is a kink: limits from the left
                d[-1] = act.left_derivative(float(b))
                j = inner_idx[i]
                if f_jump[j]:
                    f[-1] = f_left[j]
            xs.append(x)
            fs.append(f)
            ds.append(d)
    # between two pieces, a point at the kink: NaN (a break) for a line that jumps there
    x_all: list[ArrayLike] = []
    f_all: list[ArrayLike] = []
    d_all: list[ArrayLike] = []
    for j, x in enumerate(xs):
        if j:
            x_all.append([x[0]])
            f_all.append([np.nan] if f_jump[inner_idx[j - 1]] else [fs[j - 1][-1]])
            d_all.append([np.nan] if _jumps(float(ds[j - 1][-1]), float(ds[j][0]), 1.0) else [ds[j - 1][-1]])
        x_all.append(x)
        f_all.append(fs[j])
        d_all.append(ds[j])
    x_cat = np.concatenate(x_all)
    f_cat = np.concatenate(f_all)
    d_cat = np.concatenate(d_all)
    f_cat[~np.isfinite(f_cat)] = np.nan
    d_cat[~np.isfinite(d_cat)] = np.nan
    sat = _clip(act.saturation(tol), lo, hi) if tol > 0 else []
    dead = _clip(act.saturation(0.0), lo, hi)
    return Curves(x_cat, f_cat, d_cat, kinks, left, right, used, f_left, f_right, f_at, sat, dead)


def _dots(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    keep = np.isfinite(ys)
    return np.column_stack([xs[keep], ys[keep]]) if keep.any() else _EMPTY


def _other_dots(c: Curves) -> tuple[np.ndarray, np.ndarray]:
    """Open dots: each one-sided derivative that differs from the one used."""
    px, py = [], []
    for k, lft, rgt, u in zip(c.kinks, c.left, c.right, c.used, strict=False):
        for v in {lft, rgt}:
            if v != u:
                px.append(k)
                py.append(v)
    return np.asarray(px, dtype=np.float64), np.asarray(py, dtype=np.float64)


class ActivationPlot:
    """The artists of one activation picture in one Axes, updated in place.

    :func:`activation` draws one; :func:`kit.widgets.explorer` keeps one and
    calls :meth:`update` when a control moves (``set_data``/``set_offsets``,
    no clearing).  After :meth:`update`, :attr:`curves` holds the numbers.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    derivative, value : bool
        Which lines to show.
    legend : bool
        Draw a legend.
    """

    def __init__(self, ax: Axes, *, value: bool = True, derivative: bool = True, legend: bool = True) -> None:
        self.ax = ax
        self.show_value = value
        self.show_derivative = derivative
        self.show_legend = legend
        self.curves: Curves | None = None
        (self.f_line,) = ax.plot([], [], color=BLUE, label="f(z)", zorder=3, linewidth=LINE_WIDTH)
        (self.df_line,) = ax.plot([], [], color=VERMILLION, linestyle="--", label="f'(z)", zorder=3,
                                  linewidth=LINE_WIDTH)
        self.f_line.set_visible(value)
        self.df_line.set_visible(derivative)
        dot: dict[str, Any] = {"s": 70, "zorder": 5, "linewidths": 1.8}
        self.used_dots = ax.scatter([], [], facecolors=VERMILLION, edgecolors=BLACK,
                                    label="f'(kink) used by the rule", **dot)
        self.other_dots = ax.scatter([], [], facecolors="white", edgecolors=VERMILLION,
                                     label="other one-sided f'(kink)", **dot)
        self.f_used = ax.scatter([], [], facecolors=BLUE, edgecolors=BLACK, **dot)
        self.f_other = ax.scatter([], [], facecolors="white", edgecolors=BLUE, **dot)
        self.inf_marks = ax.scatter([], [], marker="^", facecolors=VERMILLION, edgecolors=BLACK, s=90, zorder=6,
                                    clip_on=False, label="one-sided f' = ±inf",
                                    transform=ax.get_xaxis_transform())
        self.spans: list[Any] = []
        self._patches: list[Patch] = []
        self._ylim: tuple[float, float] | None = None
        ax.axhline(0.0, color=BLACK, linewidth=0.8, zorder=1)
        ax.set_xlabel("z")

    def update(self, act: Activation | str, *, kink: Rule = "left", lo: float = -5.0, hi: float = 5.0,
               tol: float = SATURATION_TOL, n: int = 801, title: str | None = None) -> Curves:
        """Redraw for ``act`` (see :func:`curves` for the arguments); returns the numbers."""
        act = kit.resolve(act)
        c = curves(act, kink=kink, lo=lo, hi=hi, tol=tol, n=n)
        self.curves = c
        ax = self.ax
        self.f_line.set_data(c.x, c.f)
        self.df_line.set_data(c.x, c.df)
        dvis = self.show_derivative
        self.used_dots.set_offsets(_dots(c.kinks, c.used) if dvis else _EMPTY)
        ox, oy = _other_dots(c)
        self.other_dots.set_offsets(_dots(ox, oy) if dvis else _EMPTY)
        # f itself jumps at a kink: filled dot at f(k), open at the other one-sided limit
        fx, fo_x, fo_y = [], [], []
        for k, fl, fr, fa in zip(c.kinks, c.f_left, c.f_right, c.f_at, strict=False):
            if _jumps(fl, fr, 1.0):
                fx.append((k, fa))
                for v in (fl, fr):
                    if _jumps(v, fa, 1.0):
                        fo_x.append(k)
                        fo_y.append(v)
        fvis = self.show_value
        self.f_used.set_offsets(np.asarray(fx, dtype=np.float64).reshape(-1, 2) if fvis else _EMPTY)
        self.f_other.set_offsets(_dots(np.asarray(fo_x), np.asarray(fo_y)) if fvis else _EMPTY)
        # limits from the finite values shown
        shown = []
        if fvis:
            shown += [c.f, c.f_at]
        if dvis:
            shown += [c.df, c.left, c.right, c.used]
        vals = np.concatenate([np.ravel(v) for v in shown]) if shown else np.zeros(1)
        vals = vals[np.isfinite(vals)]
        ymin, ymax = (float(vals.min()), float(vals.max())) if vals.size else (-1.0, 1.0)
        ymin, ymax = min(ymin, 0.0), max(ymax, 0.0)
        ax.set_xlim(lo, hi)
        # kept while the curves still fill them well: a slider moves the curve, not the axes
        ax.set_ylim(*sticky_range(ymin, ymax, self._ylim, pad=0.08))
        self._ylim = ax.get_ylim()
        # infinite one-sided derivatives: a triangle at the top (bottom) edge of the axes
        inf_k = [(k, 1.0 if v > 0 else 0.0)
                 for k, lft, rgt in zip(c.kinks, c.left, c.right, strict=False) for v in (lft, rgt) if np.isinf(v)]
        self.inf_marks.set_offsets(np.asarray(inf_k, dtype=np.float64).reshape(-1, 2) if dvis else _EMPTY)
        marks = (tuple(c.saturated), tuple(c.dead))
        if marks != getattr(self, "_marks", None):  # remade only when they change
            self._marks = marks
            for span in self.spans:
                span.remove()
            sat_spans, dead_spans, self._patches = shade_regions(ax, c.saturated, c.dead, tol, lo, hi)
            self.spans = sat_spans + dead_spans
        ax.set_title(title if title is not None else _title(act, kink, c.kinks.size > 0), pad=12)  # clear of the ±inf triangles
        if self.show_legend:
            self._legend(c, tol, kink)
        return c

    def _legend(self, c: Curves, tol: float, kink: Rule) -> None:
        set_legend(self.ax, self.legend_handles(c, tol), loc="best", framealpha=0.9)

    def legend_handles(self, c: Curves, tol: float) -> list[Any]:
        """The legend entries of what is shown for ``c``: lines, kink dots, shaded regions."""
        handles: list[Any] = []
        if self.show_value:
            handles.append(self.f_line)
        if self.show_derivative:
            handles.append(self.df_line)
            if c.kinks.size:
                handles.append(self.used_dots)
                if len(np.asarray(self.other_dots.get_offsets())):
                    handles.append(self.other_dots)
                if len(np.asarray(self.inf_marks.get_offsets())):
                    handles.append(self.inf_marks)
        return handles + self._patches

    def moving(self) -> list[Any]:
        """The artists whose data change with a control (the rest changes rarely)."""
        return [self.f_line, self.df_line, self.used_dots, self.other_dots, self.f_used, self.f_other,
                self.inf_marks, self.ax.title]

    def overlay(self) -> list[Any]:
        """What the saturation tolerance changes: the shaded spans and the legend."""
        return [*self.spans, self.ax.get_legend()]


def _title(act: Activation, kink: Rule, has_kinks: bool) -> str:
    """Name, parameters, and the kink rule when a kink is in view."""
    params = ", ".join(f"{k}={v:g}" for k, v in act.params.items())
    name = f"{act.name}({params})" if params else act.name
    return name + (f", kink rule: {rule_label(kink)}" if has_kinks else "")


def activation(act_or_name: Activation | str, ax: Axes | None = None, lo: float = -5.0, hi: float = 5.0,
               tol: float = SATURATION_TOL, *, kink: Rule = "left", value: bool = True, derivative: bool = True,
               legend: bool = True) -> Figure:
    """Plot an activation and its derivative, with its kinks and saturation.

    Parameters
    ----------
    act_or_name : Activation or str
        The activation, or a registered name (``"relu"``).
    ax : Axes, optional
        Draw into this Axes; by default a new figure is made.
    lo, hi : float
        Range of z.
    tol : float
        Saturation tolerance: where both one-sided |f'| <= tol is shaded (and
        named in the legend); the dead region, f' = 0, is shaded more strongly.
    kink : kink rule
        The derivative used at a kink, drawn as a filled dot; the other
        one-sided value is an open dot.
    value, derivative, legend : bool
        What to show.

    Returns
    -------
    Figure
        The figure drawn into (``ax.figure`` when ``ax`` is given).

    Examples
    --------
    >>> import kit.plot
    >>> fig = kit.plot.activation("relu", kink="right")
    >>> fig.axes[0].get_title()
    'relu, kink rule: right'
    """
    with matplotlib.rc_context(rc()):
        if ax is None:
            _fig, ax = new_figure(figsize=(7.0, 4.2))
        plot = ActivationPlot(ax, value=value, derivative=derivative, legend=legend)
        plot.update(act_or_name, kink=kink, lo=lo, hi=hi, tol=tol)
    ax._kit_plot = plot  # type: ignore[union-attr]  # for tests and later updates
    return cast(Figure, ax.figure)  # the stubs say Figure | SubFigure; kit draws on Figures


def compare(acts: Sequence[Activation | str], lo: float = -5.0, hi: float = 5.0, tol: float = SATURATION_TOL, *,
            kink: Rule = "left", ncols: int = 3, sharey: bool = True) -> Figure:
    """Several activations side by side on a grid with shared axes.

    One legend below the grid names everything any panel shows.

    Parameters
    ----------
    acts : sequence of Activation or str
        What to compare (names or instances, e.g. ``kit.get("elu", alpha=0.5)``).
    lo, hi, tol, kink
        As for :func:`activation`.
    ncols : int
        Columns of the grid.
    sharey : bool
        Share the y axis too (x is always shared).

    Returns
    -------
    Figure

    Examples
    --------
    >>> import kit.plot
    >>> len(kit.plot.compare(["relu", "relu"]).axes)
    2
    """
    acts = list(acts)
    if not acts:
        raise ValueError("compare() needs at least one activation")
    if int(ncols) < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols!r}")
    ncols = min(int(ncols), len(acts))
    nrows = math.ceil(len(acts) / ncols)
    with matplotlib.rc_context(rc()):
        fig, axes = new_figure(nrows, ncols, figsize=(4.2 * ncols, 3.4 * nrows), sharex=True, sharey=sharey,
                               squeeze=False)
        flat = list(axes.ravel())
        ymin, ymax = math.inf, -math.inf
        entries: dict[str, Any] = {}
        for i, (ax, act) in enumerate(zip(flat, acts, strict=False)):
            plot = ActivationPlot(ax, legend=False)
            c = plot.update(act, kink=kink, lo=lo, hi=hi, tol=tol)
            ax._kit_plot = plot
            for handle in plot.legend_handles(c, tol):
                entries.setdefault(handle.get_label(), handle)
            y0, y1 = ax.get_ylim()
            ymin, ymax = min(ymin, y0), max(ymax, y1)
            if i + ncols < len(acts):  # a panel below shows the shared z axis
                ax.set_xlabel("")
        if sharey:
            flat[0].set_ylim(ymin, ymax)
        for ax in flat[len(acts):]:
            ax.set_visible(False)
        fig.legend(handles=list(entries.values()), loc="outside lower center", ncols=min(4, len(entries)),
                   frameon=False)
    return fig
