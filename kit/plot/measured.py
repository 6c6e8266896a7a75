"""Pictures of measurements: the mean over seeds and its confidence interval per setting.

A lesson measures something several times per setting (seeds, random
initialisations) and claims a trend or a match with a formula.  The picture
shows what the claim judges: for each setting the mean of the measurements and
the same Student-t interval :mod:`kit.claims` uses (:func:`kit.claims.interval`),
optionally beside a formula's curve.  Where two error bars overlap, the
picture does not tell the settings apart either.

Examples
--------
Born dead (lesson 4): the share of networks whose output is zero, per depth
H, over 5 seeds of 400 networks of width 3, beside the formula
1 - (1 - 2^-N)^H:

>>> import numpy as np
>>> import kit.plot
>>> depths = np.array([1, 2, 5, 10])
>>> formula = lambda h: 1 - (1 - 2.0**-3) ** h
>>> rng = np.random.default_rng(0)
>>> shares = [rng.binomial(400, formula(h), size=5) / 400 for h in depths]
>>> fig = kit.plot.measurements(depths, shares, label="simulated", formula=formula, connect=False,
...                             formula_label="1 - (1 - 2^-N)^H", xlabel="hidden layers H", ylabel="born dead")
>>> p = fig.axes[0]._kit_plot
>>> len(p.series[0].means), p.formula_line.get_label()
(4, '1 - (1 - 2^-N)^H')
>>> p.series[0].n.tolist()  # measurements behind each point
[5, 5, 5, 5]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from kit import claims
from kit.plot.style import BLACK, CYCLE, LINE_WIDTH, new_figure, plain_log_ticks, rc, set_legend

__all__ = ["MeasurementsPlot", "Series", "measurements"]

MARKERS = ("o", "s", "^", "D", "v", "P")
"""Marker shapes of successive series (meaning is not carried by colour alone)."""


@dataclass(frozen=True)
class Series:
    """One drawn series: per setting, the mean and the ends of its confidence interval.

    Attributes
    ----------
    label : str
    x, means, lo, hi : ndarray
    n : ndarray of int
        Measurements per setting.
    """

    label: str
    x: np.ndarray
    means: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    n: np.ndarray


def _settings(x: Any) -> np.ndarray:
    xs = np.asarray(x, dtype=np.float64).ravel()
    if xs.size == 0 or not np.all(np.isfinite(xs)):
        raise ValueError(f"x must be one or more finite numbers (the settings), got {x!r}")
    return xs


def _summarise(label: str, xs: np.ndarray, samples: Any, confidence: float) -> Series:
    rows = [np.asarray(r, dtype=np.float64).ravel() for r in (samples.tolist() if isinstance(samples, np.ndarray)
                                                              else samples)]
    if len(rows) != xs.size:
        raise ValueError(f"{label or 'samples'}: one row of measurements per setting is needed: "
                         f"{xs.size} settings, {len(rows)} rows")
    stats = [claims.interval(r, confidence=confidence) for r in rows]  # refuses rows of fewer than 2
    means, lo, hi = (np.asarray(v) for v in zip(*stats, strict=True))
    return Series(label, xs, means, lo, hi, np.asarray([r.size for r in rows]))


class MeasurementsPlot:
    """Mean ± confidence interval per setting, series by series, and formula curves, in one Axes.

    Parameters
    ----------
    ax : Axes
    xlabel, ylabel, title : str
    logx : bool
        A logarithmic x axis (learning rates), labelled 0.01, 0.1, 1.
    """

    def __init__(self, ax: Axes, *, xlabel: str = "", ylabel: str = "", title: str = "", logx: bool = False) -> None:
        self.ax = ax
        self.logx = bool(logx)
        self.series: list[Series] = []
        self.formula_line: Any = None
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if self.logx:
            ax.set_xscale("log")
            plain_log_ticks(ax.xaxis)

    def add(self, x: ArrayLike, samples: Any, label: str = "", *, confidence: float = 0.95,
            connect: bool = True) -> Series:
        """Draw one series: ``samples[i]`` are the measurements (one per seed) at setting ``x[i]``.

        ``connect=False`` draws the points and their intervals without a line
        between them (beside a formula's curve, which the line would hide).
        """
        xs = _settings(x)
        if self.logx and np.any(xs <= 0):
            raise ValueError(f"a logarithmic x axis needs settings > 0, got {x!r}")
        s = _summarise(label, xs, samples, confidence)
        i = len(self.series)
        self.ax.errorbar(s.x, s.means, yerr=np.vstack([s.means - s.lo, s.hi - s.means]), color=CYCLE[i % len(CYCLE)],
                         marker=MARKERS[i % len(MARKERS)], markersize=7, linewidth=LINE_WIDTH,
                         linestyle=("-", "--", "-.", ":")[i % 4] if connect else "none", capsize=5, capthick=1.5, elinewidth=1.5,
                         label=f"{label} (mean, {100 * confidence:g} % interval)" if label
                         else f"mean, {100 * confidence:g} % interval", zorder=3)
        self.series.append(s)
        self._legend()
        return s

    def formula(self, f: Callable[[np.ndarray], Any] | tuple[Sequence[float], Sequence[float]],
                label: str = "formula", *, points: int = 200) -> Any:
        """Draw a formula's curve: ``f(x)`` over the range of the settings drawn so far, or given ``(xs, ys)``."""
        if callable(f):
            if not self.series:
                raise ValueError("draw a series first (the formula is drawn over its settings), or give (xs, ys)")
            lo = min(float(s.x.min()) for s in self.series)
            hi = max(float(s.x.max()) for s in self.series)
            xs = np.geomspace(lo, hi, points) if self.logx else np.linspace(lo, hi, points)
            ys = np.asarray(f(xs), dtype=np.float64)
        else:
            xs, ys = (np.asarray(v, dtype=np.float64) for v in f)
        if xs.shape != ys.shape:
            raise ValueError(f"the formula gives {ys.shape} values for {xs.shape} settings")
        (self.formula_line,) = self.ax.plot(xs, ys, color=BLACK, linestyle=":", linewidth=2.0, label=label, zorder=2)
        self._legend()
        return self.formula_line

    def _legend(self) -> None:
        handles, _ = self.ax.get_legend_handles_labels()
        set_legend(self.ax, handles, loc="best", fontsize=9, framealpha=0.85)


def measurements(
    x: Sequence[float],
    samples: Any,
    *,
    label: str = "",
    formula: Callable[[np.ndarray], Any] | tuple[Sequence[float], Sequence[float]] | None = None,
    formula_label: str = "formula",
    confidence: float = 0.95,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    logx: bool = False,
    connect: bool = True,
    ylim: tuple[float, float] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Mean ± confidence interval of measurements per setting, optionally beside a formula's curve.

    Parameters
    ----------
    x : sequence of float
        The settings (depths, learning rates, biases).
    samples : sequence of sequences, 2-D array, or mapping
        ``samples[i]``: the measurements at ``x[i]`` (one per seed, at least
        two).  A mapping ``{label: samples}`` draws one series per entry, all
        at the same settings; to draw series at other settings, call again
        with ``ax=fig.axes[0]``.
    label : str
        The series' name in the legend (one series).
    formula : callable or (xs, ys), optional
        A curve to compare with: ``formula(x)`` over the settings' range, or
        the points given.
    formula_label : str
    confidence : float
        Of the t interval drawn (as :func:`kit.claims.interval`); default 0.95.
    xlabel, ylabel, title : str
    logx : bool
        Logarithmic x axis.
    connect : bool
        Join the means by a line (default); False: points and intervals only.
    ylim : (float, float), optional
    ax : Axes, optional
        Draw here (a new series in an existing picture keeps its axes'
        settings); by default a new figure.

    Returns
    -------
    Figure

    Examples
    --------
    Dead fraction against the learning rate, two series on one axis:

    >>> import kit.plot
    >>> lrs = [0.1, 1.0, 3.0]
    >>> fig = kit.plot.measurements(lrs, {"SGD": [[0.0, 0.1], [0.1, 0.1], [0.3, 0.5]],
    ...                                   "Adam": [[0.2, 0.3], [0.5, 0.6], [0.7, 0.9]]},
    ...                             logx=True, xlabel="learning rate", ylabel="dead fraction")
    >>> p = fig.axes[0]._kit_plot
    >>> [s.label for s in p.series], p.series[0].means.round(2).tolist()
    (['SGD', 'Adam'], [0.05, 0.1, 0.4])
    >>> kit.plot.measurements([1, 2], [[0.5], [0.7]])
    Traceback (most recent call last):
    ...
    ValueError: interval: needs at least 2 measurements (one per seed), got 1
    """
    c = float(confidence)
    groups = list(samples.items()) if isinstance(samples, Mapping) else [(label, samples)]
    xs = _settings(x)
    for name, rows in groups:  # every argument checked before anything is drawn
        _summarise(name, xs, rows, c)
    with matplotlib.rc_context(rc()):
        if ax is None:
            _fig, ax = new_figure(figsize=(6.0, 3.8))
            plot = MeasurementsPlot(ax, xlabel=xlabel, ylabel=ylabel, title=title, logx=logx)
        else:
            kept = getattr(ax, "_kit_plot", None)
            plot = kept if isinstance(kept, MeasurementsPlot) else MeasurementsPlot(ax, xlabel=xlabel, ylabel=ylabel,
                                                                                     title=title, logx=logx)
        for name, rows in groups:
            plot.add(xs, rows, name, confidence=c, connect=connect)
        if formula is not None:
            plot.formula(formula, formula_label)
        if ylim is not None:
            ax.set_ylim(*ylim)
        elif all(float(s.means.min()) >= 0 for s in plot.series) and ax.get_ylim()[0] > 0:
            ax.set_ylim(bottom=0)  # shares and counts: show the zero
    ax._kit_plot = plot  # type: ignore[union-attr]  # for tests and later updates
    return cast(Figure, ax.figure)  # the stubs say Figure | SubFigure; kit draws on Figures
