"""Pictures of training: loss curves, decision boundary / fit, dead and saturated units, pre-activations.

Each picture is a small class that owns its artists in one Axes and has an
``update(...)`` that changes them in place (the widgets call it every frame),
and a function that makes a figure with it (for notebooks and lessons).
Legends of the curves sit in a row above the axes, where no curve crosses them.

Examples
--------
>>> import kit.plot
>>> from kit import nn
>>> from kit.lab import datasets
>>> X, y = datasets.make("moons", n=100, noise=0.1, seed=0)
>>> net = nn.MLP([2, 4, 1], activation="relu", seed=0)
>>> history = nn.train(net, X, y, loss="bce", lr=0.1, steps=20, seed=0)
>>> fig = kit.plot.loss(history)
>>> fig.axes[0].get_title(), fig.axes[0].get_yscale()
('loss', 'log')
>>> [len(kit.plot.units(history, which).axes) for which in ("dead", "saturated", "grad_norm")]
[1, 1, 1]
>>> fig = kit.plot.boundary(net, X, y)
>>> fig = kit.plot.alive(net, X)
>>> fig = kit.plot.preactivations(net, X)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from kit.activation import SATURATION_TOL, Activation
from kit.nn.diagnostics import Saturation
from kit.plot.functions import shade_regions
from kit.plot.style import (
    BLACK,
    BLUE,
    CYCLE,
    DEAD,
    DIVERGING,
    LINE_WIDTH,
    ORANGE,
    VERMILLION,
    legend_above,
    new_figure,
    nice_ceil,
    plain_log_ticks,
    rc,
    set_legend,
)

__all__ = [
    "AlivePlot",
    "BoundaryPlot",
    "HistogramPlot",
    "LossPlot",
    "UnitsPlot",
    "active_fraction",
    "alive",
    "boundary",
    "loss",
    "preactivations",
    "smoothed",
    "units",
]

_EMPTY = np.empty((0, 2))
ALIVE_CMAP = ListedColormap(
    [DEAD] + [matplotlib.colors.to_hex(c) for c in
              matplotlib.colors.LinearSegmentedColormap.from_list("a", ["#cfe3f2", BLUE])(np.linspace(0, 1, 255))],
    name="kit_alive",
)
"""Dead units (exactly no input with a non-zero gradient) dark grey; alive light to dark blue."""


def _picture(ax: Axes | None, figsize: tuple[float, float], make: Any, update: Any) -> Figure:
    """Make a picture with ``make(ax)`` in ``ax`` (a new figure of ``figsize`` if None), fill it with ``update``."""
    with matplotlib.rc_context(rc()):
        if ax is None:
            _fig, ax = new_figure(figsize=figsize)
        plot = make(ax)
        update(plot)
    ax._kit_plot = plot  # type: ignore[union-attr]  # for tests and later updates
    return cast(Figure, ax.figure)  # the stubs say Figure | SubFigure; kit draws on Figures


def _finite_limits(values: np.ndarray, log: bool = False) -> tuple[float, float]:
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if log:
        v = v[v > 0]
    if not v.size:
        return (0.1, 1.0) if log else (0.0, 1.0)
    lo, hi = float(v.min()), float(v.max())
    if log:  # whole decades: the limits change rarely while training
        return 10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(hi) + 1e-9)
    pad = 0.06 * (hi - lo or max(abs(hi), 1.0))
    return lo - pad, hi + pad


def smoothed(values: ArrayLike, weight: float, *, log: bool = False) -> np.ndarray:
    """An exponential moving average with its start-up bias removed (TensorBoard's smoothing).

    ``out[i] = Σ_j≤i w^(i-j) (1-w) v_j / Σ_j≤i w^(i-j) (1-w)`` over the finite
    values; ``log`` averages the logarithms (for a curve on a log axis).  A
    noisy minibatch gradient norm becomes a readable trend.

    Examples
    --------
    >>> smoothed([1.0, 3.0, 3.0], 0.5).tolist()
    [1.0, 2.3333333333333335, 2.7142857142857144]
    >>> smoothed([10.0, 1000.0], 0.0, log=True).round(9).tolist()
    [10.0, 1000.0]
    """
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(all="ignore"):
        x = np.log(v) if log else v
    out = np.full(v.shape, np.nan)
    acc = norm = 0.0
    w = float(weight)
    for i, xi in enumerate(x.tolist()):
        if math.isfinite(xi):
            acc = w * acc + (1 - w) * xi
            norm = w * norm + (1 - w)
        if norm > 0:
            out[i] = acc / norm
    return np.exp(out) if log else out


# -- loss ---------------------------------------------------------------------------


class LossPlot:
    """Training (and test) loss against the step, log scale, updated in place.

    With ``smooth`` (a weight in [0, 1), see :func:`smoothed`) the training
    loss is drawn faint as measured and bold smoothed.
    """

    def __init__(self, ax: Axes, *, log: bool = True, smooth: float = 0.0) -> None:
        self.ax = ax
        self.log = log
        self.smooth = float(smooth)
        (self.train,) = ax.plot([], [], color=BLUE, linewidth=LINE_WIDTH, label="train")
        (self.raw,) = ax.plot([], [], color=BLUE, linewidth=1.0, alpha=0.35, label="train, as measured")
        self.raw.set_visible(self.smooth > 0)
        if self.smooth > 0:
            self.train.set_label("train (smoothed)")
        (self.test,) = ax.plot([], [], color=ORANGE, linewidth=LINE_WIDTH, linestyle="--", label="test")
        if log:
            ax.set_yscale("log")
            plain_log_ticks(ax.yaxis)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.set_title("loss")

    def update(self, steps: ArrayLike, train: ArrayLike, test: Sequence[float] | None = None,
               test_steps: Sequence[float] | None = None) -> None:
        """New data: ``train`` loss at ``steps``, ``test`` loss at ``test_steps`` (default ``steps``)."""
        steps = np.asarray(steps, dtype=np.float64)
        train = np.asarray(train, dtype=np.float64)
        if self.smooth > 0:
            self.raw.set_data(steps, train)
            self.train.set_data(steps, smoothed(train, self.smooth, log=self.log))
        else:
            self.train.set_data(steps, train)
        tsteps = steps if test_steps is None else np.asarray(test_steps, dtype=np.float64)
        has_test = test is not None and len(test) == len(tsteps) and len(tsteps) > 0
        if has_test:
            self.test.set_data(tsteps, np.asarray(test, dtype=np.float64))
        else:
            self.test.set_data([], [])
        self.ax.set_xlim(0, nice_ceil(float(steps.max()) if steps.size else 1.0))
        both = np.concatenate([train, np.asarray(test, dtype=np.float64)]) if has_test else train
        self.ax.set_ylim(*_finite_limits(both, log=self.log))
        legend_above(self.ax, [self.train] + ([self.raw] if self.smooth > 0 else []) + ([self.test] if has_test
                                                                                         else []))

    def moving(self) -> list[Any]:
        """The artists that change every frame."""
        return [self.raw, self.train, self.test]


def loss(history: Any, test: Sequence[float] | None = None, ax: Axes | None = None, *, log: bool = True,
         test_steps: Sequence[float] | None = None) -> Figure:
    """The loss curve of a training run.

    Parameters
    ----------
    history : kit.nn.History
        Anything with ``.step`` and ``.loss`` lists.
    test : sequence of float, optional
        Test loss, at the same steps or at ``test_steps``.
    ax : Axes, optional
        Draw here; by default a new figure.
    log : bool
        Logarithmic loss axis.

    Returns
    -------
    Figure
    """
    return _picture(ax, (6.0, 3.6), lambda a: LossPlot(a, log=log),
                    lambda p: p.update(history.step, history.loss, test, test_steps))


# -- decision boundary / regression fit ---------------------------------------------


def _grid(X: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, tuple[float, float, float, float]]:
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    lo, hi = lo - pad, hi + pad
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    return gx, gy, (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


class BoundaryPlot:
    """The network's output over the data: probability map (2-D) or fitted curve (1-D).

    Class 0 points are blue circles, class 1 orange triangles (shape and
    colour both differ); test points are drawn hollow.
    """

    def __init__(self, ax: Axes, *, resolution: int = 60) -> None:
        self.ax = ax
        self.resolution = int(resolution)
        self.image = ax.imshow(np.full((2, 2), 0.5), origin="lower", cmap=DIVERGING, vmin=0, vmax=1,
                               aspect="auto", interpolation="bilinear", zorder=0)
        self.image.set_visible(False)
        kw: dict[str, Any] = {"s": 22, "linewidths": 0.6, "zorder": 3}
        self.class0 = ax.scatter([], [], marker="o", facecolors=BLUE, edgecolors=BLACK, label="class 0", **kw)
        self.class1 = ax.scatter([], [], marker="^", facecolors=ORANGE, edgecolors=BLACK, label="class 1", **kw)
        self.test0 = ax.scatter([], [], marker="o", facecolors="none", edgecolors=BLUE, label="test (hollow)", **kw)
        self.test1 = ax.scatter([], [], marker="^", facecolors="none", edgecolors=VERMILLION, **kw)
        (self.fit,) = ax.plot([], [], color=VERMILLION, linewidth=LINE_WIDTH, label="network", zorder=4)
        self.points = ax.scatter([], [], s=14, color=BLUE, label="train", zorder=3)
        self.test_points = ax.scatter([], [], s=14, facecolors="none", edgecolors=ORANGE, label="test", zorder=3)
        self.grid_output: np.ndarray | None = None

    def update(self, predict: Any, X: np.ndarray, y: np.ndarray, X_test: np.ndarray | None = None,
               y_test: np.ndarray | None = None, *, title: str | None = None) -> None:
        """Redraw for ``predict`` (inputs -> probability of class 1, or the regression output)."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        X_test = None if X_test is None or len(X_test) == 0 else np.asarray(X_test, dtype=np.float64)
        ax = self.ax
        if X.ndim == 1:
            X = X[:, None]
        allX = X if X_test is None else np.concatenate([X, X_test.reshape(len(X_test), -1)])
        if X.shape[1] == 2:
            gx, gy, extent = _grid(allX, self.resolution)
            with np.errstate(all="ignore"):
                p = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()])), dtype=np.float64)
            p = p.reshape(len(gx.ravel()), -1)[:, -1].reshape(gx.shape)
            self.grid_output = p
            self.image.set_data(np.nan_to_num(p, nan=0.5))
            self.image.set_extent(extent)
            self.image.set_visible(True)
            for art, mask, data in ((self.class0, y == 0, X), (self.class1, y != 0, X)):
                art.set_offsets(data[mask] if mask.any() else _EMPTY)
            if X_test is not None and y_test is not None:
                yt = np.asarray(y_test)
                self.test0.set_offsets(X_test[yt == 0] if (yt == 0).any() else _EMPTY)
                self.test1.set_offsets(X_test[yt != 0] if (yt != 0).any() else _EMPTY)
            else:
                self.test0.set_offsets(_EMPTY)
                self.test1.set_offsets(_EMPTY)
            self.fit.set_data([], [])
            self.points.set_offsets(_EMPTY)
            self.test_points.set_offsets(_EMPTY)
            ax.set_xlim(extent[0], extent[1])
            ax.set_ylim(extent[2], extent[3])
            ax.set_xlabel("x₁")
            ax.set_ylabel("x₂")
            handles: list[Artist] = [self.class0, self.class1, *([self.test0] if X_test is not None else [])]
        elif X.shape[1] == 1:
            lo, hi = float(allX.min()), float(allX.max())
            pad = 0.05 * (hi - lo or 1.0)
            xs = np.linspace(lo - pad, hi + pad, 300)
            with np.errstate(all="ignore"):
                out = np.asarray(predict(xs[:, None]), dtype=np.float64).reshape(len(xs), -1)[:, 0]
            self.grid_output = out
            self.image.set_visible(False)
            for art in (self.class0, self.class1, self.test0, self.test1):
                art.set_offsets(_EMPTY)
            self.fit.set_data(xs, out)
            yv = np.asarray(y, dtype=np.float64).reshape(len(X), -1)[:, 0]
            self.points.set_offsets(np.column_stack([X[:, 0], yv]))
            if X_test is not None and y_test is not None:
                yt = np.asarray(y_test, dtype=np.float64).reshape(len(X_test), -1)[:, 0]
                self.test_points.set_offsets(np.column_stack([X_test.reshape(len(X_test), -1)[:, 0], yt]))
            else:
                self.test_points.set_offsets(_EMPTY)
                yt = np.empty(0)
            ax.set_xlim(lo - pad, hi + pad)
            ylo, yhi = _finite_limits(np.concatenate([yv, yt]))
            ypad = 0.25 * (yhi - ylo)
            ax.set_ylim(ylo - ypad, yhi + ypad)  # from the data only: steady while training
            ax.set_xlabel("x")
            ax.set_ylabel("y")
            ax.xaxis.set_major_locator(MaxNLocator(5))
            handles = [self.points, self.fit] + ([self.test_points] if X_test is not None else [])
        else:
            raise ValueError(f"a decision boundary needs 1-D or 2-D inputs, got {X.shape[1]} features")
        ax.set_title(title if title is not None else ("decision boundary" if X.shape[1] == 2 else "fit"))
        legend_above(ax, handles)

    def moving(self) -> list[Any]:
        """The artists that change every frame."""
        return [self.image, self.class0, self.class1, self.test0, self.test1, self.fit, self.points,
                self.test_points]


def boundary(net: Any, X: np.ndarray, y: np.ndarray, ax: Axes | None = None, *, loss: str = "bce",
             X_test: np.ndarray | None = None, y_test: np.ndarray | None = None, resolution: int = 80) -> Figure:
    """The decision boundary (2-D inputs) or the regression fit (1-D inputs) of ``net``.

    Parameters
    ----------
    net : kit.nn.MLP
        Anything with ``predict(X, loss=...)``.
    X, y : arrays
        The (training) data drawn over it.
    ax : Axes, optional
    loss : str
        ``"bce"`` shows the probability of class 1; ``"mse"`` the output.
    X_test, y_test : arrays, optional
        Drawn hollow.
    resolution : int
        Grid points per axis (2-D).

    Returns
    -------
    Figure
    """
    return _picture(ax, (5.0, 4.4), lambda a: BoundaryPlot(a, resolution=resolution),
                    lambda p: p.update(lambda Z: net.predict(Z, loss=loss), X, y, X_test, y_test))


# -- per-layer curves: dead units, saturation, gradient norms ---------------------------


class UnitsPlot:
    """One curve per layer against the step (dead fraction, saturated fraction, gradient norm).

    With ``smooth`` (see :func:`smoothed`) each curve is drawn faint as
    measured and bold smoothed (``lines`` are the smoothed ones, ``raw`` the others).
    """

    def __init__(self, ax: Axes, *, ylabel: str, title: str, log: bool = False, fraction: bool = True,
                 smooth: float = 0.0) -> None:
        self.ax = ax
        self.log = log
        self.fraction = fraction
        self.smooth = float(smooth)
        self.lines: list[Any] = []
        self.raw: list[Any] = []
        ax.set_xlabel("step")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if log:
            ax.set_yscale("log")
            plain_log_ticks(ax.yaxis)

    def update(self, steps: ArrayLike, values: Any, labels: Sequence[str] | None = None) -> None:
        """``values[record][layer]``: one line per layer."""
        steps = np.asarray(steps, dtype=np.float64)
        vals = np.asarray(values, dtype=np.float64).reshape(len(steps), -1) if len(steps) else np.empty((0, 0))
        n = vals.shape[1]
        while len(self.lines) < n:
            i = len(self.lines)
            style = ("-", "--", "-.", ":")[i % 4]
            (line,) = self.ax.plot([], [], color=CYCLE[i % len(CYCLE)], linestyle=style, linewidth=LINE_WIDTH)
            self.lines.append(line)
            if self.smooth > 0:
                (raw,) = self.ax.plot([], [], color=CYCLE[i % len(CYCLE)], linewidth=1.0, alpha=0.3)
                self.raw.append(raw)
        while len(self.lines) > n:
            self.lines.pop().remove()
            if self.raw:
                self.raw.pop().remove()
        names = list(labels) if labels is not None else [f"layer {i + 1}" for i in range(n)]
        for i, line in enumerate(self.lines):
            if self.smooth > 0:
                self.raw[i].set_data(steps, vals[:, i])
                line.set_data(steps, smoothed(vals[:, i], self.smooth, log=self.log))
            else:
                line.set_data(steps, vals[:, i])
            line.set_label(names[i] + (" (smoothed)" if self.smooth > 0 else ""))
        self.ax.set_xlim(0, nice_ceil(float(steps.max()) if steps.size else 1.0))
        if self.fraction:
            self.ax.set_ylim(-0.03, 1.03)
        else:
            self.ax.set_ylim(*_finite_limits(vals, log=self.log))
        if self.lines:
            legend_above(self.ax, list(self.lines))

    def moving(self) -> list[Any]:
        """The artists that change every frame."""
        return list(self.raw) + list(self.lines)


def units(history: Any, which: str = "dead", ax: Axes | None = None) -> Figure:
    """Per-layer dead-unit fraction, saturated fraction or gradient norm over a training run.

    Parameters
    ----------
    history : kit.nn.History
    which : {"dead", "saturated", "grad_norm"}
        ``"dead"``: fraction of each hidden layer's units with a zero
        derivative on every training input; ``"saturated"``: fraction of
        pre-activations in the saturation region; ``"grad_norm"``: per weight
        layer, log scale.
    ax : Axes, optional

    Returns
    -------
    Figure
    """
    choices = {
        "dead": ("dead units (fraction)", "dead units per layer", False, True),
        "saturated": ("saturated pre-activations", "saturation per layer", False, True),
        "grad_norm": ("‖gradient‖", "gradient norm per layer", True, False),
    }
    if which not in choices:
        raise ValueError(f"which must be one of {', '.join(choices)}; got {which!r}")
    ylabel, title, log, fraction = choices[which]
    values = history.dead_fraction if which == "dead" else getattr(history, which)
    labels = None if which != "grad_norm" else [f"weights {i + 1}" for i in range(len(history.widths) + 1)]
    return _picture(ax, (6.0, 3.6), lambda a: UnitsPlot(a, ylabel=ylabel, title=title, log=log, fraction=fraction),
                    lambda p: p.update(history.step, values, labels))


# -- which units are alive ----------------------------------------------------------


def active_fraction(net: Any, X: np.ndarray) -> list[np.ndarray]:
    """Per hidden layer and unit: the fraction of inputs ``X`` giving a non-zero derivative.

    0 means the unit is dead on ``X`` (no input passes a gradient through it),
    with the network's own kink rule (``net.kink_rules``).

    Examples
    --------
    >>> import numpy as np
    >>> from kit import nn
    >>> net = nn.MLP([1, 2, 1], activation="relu", bias=-10.0, dtype="float64", seed=0)
    >>> [f.tolist() for f in active_fraction(net, np.array([[-1.0], [0.0], [1.0]]))]
    [[0.0, 0.0]]
    """
    out = []
    for act, rule, z in zip(net.activations, net.kink_rules, net.pre_activations(X), strict=True):
        with np.errstate(all="ignore"):
            d = act.derivative_function(rule)(z)
        out.append(np.mean(d != 0, axis=0))
    return out


class AlivePlot:
    """A column of squares per hidden layer, one per unit: dark grey dead, blue by share of inputs alive."""

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        self.image = ax.imshow(np.zeros((1, 1)), cmap=ALIVE_CMAP, vmin=0, vmax=1, aspect="auto",
                               interpolation="nearest", origin="upper")
        self.texts: list[Any] = []
        ax.grid(False)
        ax.set_title("units alive")

    def update(self, fractions: Sequence[np.ndarray]) -> None:
        """``fractions[layer][unit]`` in [0, 1]; exactly 0 is drawn as dead."""
        n = len(fractions)
        width = max((len(f) for f in fractions), default=1)
        grid = np.full((width, max(n, 1)), np.nan)
        for j, f in enumerate(fractions):
            grid[: len(f), j] = f
        masked = np.ma.masked_invalid(grid)
        self.image.set_data(masked)
        self.image.set_extent((-0.5, max(n, 1) - 0.5, width - 0.5, -0.5))
        ax = self.ax
        ax.set_xlim(-0.5, max(n, 1) - 0.5)
        ax.set_ylim(width - 0.5, -0.5)
        ax.set_xticks(range(n))
        dead = [int(np.count_nonzero(np.asarray(f) == 0)) for f in fractions]
        ax.set_xticklabels([f"L{j + 1}\n{d}/{len(f)}" for j, (d, f) in enumerate(zip(dead, fractions,
                                                                                              strict=True))])
        ax.set_yticks([])
        ax.set_ylabel("unit")
        ax.set_xlabel("layer: dead / units", fontsize=10)
        if ax.get_legend() is None:
            ax.legend(handles=[Patch(color=DEAD, label="dead"), Patch(color=BLUE, label="alive (all inputs)"),
                               Patch(color="#cfe3f2", label="alive (few inputs)")],
                      loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False)

    def moving(self) -> list[Any]:
        """The artists that change every frame."""
        return [self.image]


def alive(net: Any, X: np.ndarray, ax: Axes | None = None) -> Figure:
    """Which hidden units of ``net`` are alive on inputs ``X`` (see :func:`active_fraction`).

    Parameters
    ----------
    net : kit.nn.MLP
    X : array of shape (n, inputs)
    ax : Axes, optional
        Draw here; by default a new figure.

    Returns
    -------
    Figure
        One column of squares per hidden layer, one square per unit: dark grey
        for a dead unit, light to dark blue by the share of inputs that pass
        a gradient; the dead count of each layer under its column.
    """
    return _picture(ax, (4.5, 4.0), AlivePlot, lambda p: p.update(active_fraction(net, X)))


# -- pre-activation histograms --------------------------------------------------------


class HistogramPlot:
    """Histograms of each hidden layer's pre-activations, with kinks and saturation marked.

    The saturation region of the (first layer's) activation at ``tol`` is
    shaded, its dead region more strongly, and each kink is a dotted line.
    """

    def __init__(self, ax: Axes, *, bins: int = 60) -> None:
        self.ax = ax
        self.bins = int(bins)
        self.stairs: list[Any] = []
        self.spans: list[Any] = []
        self.sat_spans: list[Any] = []
        self.dead_spans: list[Any] = []
        self.kink_lines: list[Any] = []
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel("share of values")
        ax.set_title("pre-activations")

    def update(self, zs: Sequence[np.ndarray], act: Activation, *, tol: float = SATURATION_TOL,
               zmax: float | None = None, labels: Sequence[str] | None = None) -> list[float]:
        """Redraw; returns, per layer, the share of pre-activations in the saturation region."""
        zs = [np.asarray(z, dtype=np.float64).ravel() for z in zs]
        finite = np.concatenate([z[np.isfinite(z)] for z in zs]) if zs else np.zeros(1)
        if zmax is None:
            q = float(np.quantile(np.abs(finite), 0.995)) if finite.size else 1.0
            zmax = nice_ceil(max(6.0, 1.1 * q))
        edges = np.linspace(-zmax, zmax, self.bins + 1)
        while len(self.stairs) < len(zs):
            i = len(self.stairs)
            self.stairs.append(self.ax.stairs(np.zeros(self.bins), edges, color=CYCLE[i % len(CYCLE)],
                                              linewidth=LINE_WIDTH, linestyle=("-", "--", "-.", ":")[i % 4]))
        while len(self.stairs) > len(zs):
            self.stairs.pop().remove()
        top = 0.0
        names = list(labels) if labels is not None else [f"layer {i + 1}" for i in range(len(zs))]
        for i, (st, z) in enumerate(zip(self.stairs, zs, strict=True)):
            counts, _ = np.histogram(np.clip(z[np.isfinite(z)], -zmax, zmax), bins=edges)
            share = counts / max(1, z.size)
            st.set_data(share, edges)
            st.set_label(names[i])
            top = max(top, float(share.max()) if share.size else 0.0)
        sat = act.saturation(tol) if tol > 0 else []
        dead = act.saturation(0.0)
        kinks = act.kinks(-zmax, zmax)
        marks = (tuple(sat), tuple(dead), tuple(kinks.tolist()), zmax)
        if marks != getattr(self, "_marks", None):  # remade only when they change
            self._marks = marks
            for art in self.spans + self.kink_lines:
                art.remove()
            self.sat_spans, self.dead_spans, self._patches = shade_regions(self.ax, sat, dead, tol, -zmax, zmax)
            self.spans = self.sat_spans + self.dead_spans
            self.kink_lines = [self.ax.axvline(k, color=BLACK, linestyle=":", linewidth=1.5, zorder=1)
                               for k in kinks]
        self.ax.set_xlim(-zmax, zmax)
        self.ax.set_ylim(0, max(math.ceil(top * 1.5 / 0.05) * 0.05, 0.05))  # headroom for the legend
        handles = list(self.stairs) + self._patches
        if self.kink_lines:
            handles.append(self.kink_lines[0])
            self.kink_lines[0].set_label("kink")
        set_legend(self.ax, handles, loc="upper right", fontsize=9, framealpha=0.85)
        measure = Saturation(act, tol)
        return [measure.fraction(z) if z.size else math.nan for z in zs]

    def moving(self) -> list[Any]:
        """The artists that change every frame."""
        return list(self.stairs)



def preactivations(net: Any, X: np.ndarray, ax: Axes | None = None, *, tol: float = SATURATION_TOL,
                   bins: int = 60) -> Figure:
    """Histograms of ``net``'s hidden pre-activations on ``X`` against the kink and saturation thresholds.

    The shading is that of the first hidden layer's activation.  Given
    several networks as ``{title: net}``, draws one panel per network side by
    side, with the same z range, the same vertical scale and each its title,
    so that the panels compare at a glance (raw against standardised inputs).

    Parameters
    ----------
    net : kit.nn.MLP, or a mapping of titles to networks
    X : array of shape (n, inputs)
        The inputs (each network applies its own input map).
    ax : Axes, optional
        Draw here (one network only); by default a new figure.
    tol : float
        Saturation tolerance: shaded where |f'| <= tol (dead, f' = 0, darker).
    bins : int
        Histogram bins over the symmetric z range shown.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import kit.plot
    >>> from kit import nn
    >>> from kit.lab import datasets
    >>> X, y = datasets.make("gauss", n=50, seed=0)
    >>> fig = kit.plot.preactivations({"raw inputs": nn.MLP([2, 4, 1], activation="sigmoid", seed=0),
    ...                                "other seed": nn.MLP([2, 4, 1], activation="sigmoid", seed=1)}, X * 20 + 30)
    >>> [a.get_title() for a in fig.axes], fig.axes[0].get_xlim() == fig.axes[1].get_xlim()
    (['raw inputs', 'other seed'], True)
    >>> fig.axes[0].get_ylim() == fig.axes[1].get_ylim()
    True
    """
    if not isinstance(net, Mapping):
        return _picture(ax, (6.0, 3.6), lambda a: HistogramPlot(a, bins=bins),
                        lambda p: p.update(net.pre_activations(X), net.activations[0], tol=tol))
    if ax is not None:
        raise ValueError("several networks are drawn in a new figure of their own: leave ax out")
    if not net:
        raise ValueError("no network to draw")
    zs = {title: m.pre_activations(X) for title, m in net.items()}
    finite = np.concatenate([np.abs(np.asarray(z, dtype=np.float64)).ravel() for zl in zs.values() for z in zl])
    finite = finite[np.isfinite(finite)]
    zmax = nice_ceil(max(6.0, 1.1 * float(np.quantile(finite, 0.995)))) if finite.size else 6.0
    with matplotlib.rc_context(rc()):
        fig, axes = new_figure(1, len(net), figsize=(5.0 * len(net), 3.6), squeeze=False)
        for a, (title, m) in zip(axes[0], net.items(), strict=True):
            plot = HistogramPlot(a, bins=bins)
            plot.update(zs[title], m.activations[0], tol=tol, zmax=zmax)
            a.set_title(str(title))
            a._kit_plot = plot
        top = max(a.get_ylim()[1] for a in axes[0])
        for a in axes[0]:
            a.set_ylim(0, top)
    return fig
