"""Descent: gradient descent on one unit, stepping through a kink with a chosen convention.

Two one-parameter losses built from an activation f:

* ``"unit"``: one unit fitting one example, L(w) = ½ (f(w·x + b) − y)², so
  dL/dw = (f(z) − y) · f'(z) · x with z = w·x + b;
* ``"activation"``: the activation itself as the loss, L(w) = f(w), so
  dL/dw = f'(w) (for abs this is the textbook subgradient example).

At an iterate whose z is exactly on a kink, f'(z) is what the kink rule says;
everywhere else all rules agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np

import kit
from kit.activation import Activation, Rule
from kit.plot.functions import rule_label
from kit.plot.style import (
    BLACK,
    BLUE,
    GREEN,
    PURPLE,
    SKY,
    VERMILLION,
    nice_ceil,
    rc,
    set_legend,
    sticky_range,
)
from kit.widgets.models.base import AppModel, rule_from

__all__ = ["MODES", "DescentModel", "Path", "descend", "sticky_range"]

MODES: tuple[str, ...] = ("unit", "activation")
COMPARED: tuple[str, ...] = ("left", "right", "mean")
# the compared paths: colours apart from the chosen path's vermillion, and a line style each
_GHOSTS = {"left": (GREEN, "-"), "right": (SKY, "--"), "mean": (PURPLE, ":")}


@dataclass(frozen=True)
class Path:
    """Iterates of gradient descent: ``w[i]``, ``z[i]``, ``loss[i]``, ``grad[i]``, ``slope[i]`` (the f'(z) used).

    ``on_kink[i]`` is True where z[i] is exactly a kink of f.  ``diverged`` is
    the step at which w or the loss stopped being finite (None otherwise).
    """

    w: np.ndarray
    z: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    slope: np.ndarray
    on_kink: np.ndarray
    diverged: int | None


W0_RANGE = (-5.0, 5.0)
"""The start slider's range (the w axis always shows it)."""


def loss_of(act: Activation, w: Any, *, mode: str, x: float, b: float, y: float) -> np.ndarray:
    """L(w) for an array of w (see the module docstring)."""
    w = np.asarray(w, dtype=np.float64)
    if mode == "unit":
        return 0.5 * (np.asarray(act.value(w * x + b), dtype=np.float64) - y) ** 2
    return np.asarray(act.value(w), dtype=np.float64)


def descend(act: Activation, *, kink: Rule, mode: str = "unit", x: float = 1.0, b: float = 0.0, y: float = 1.0,
            w0: float = 0.0, lr: float = 0.5, steps: int = 10) -> Path:
    """Run ``steps`` steps of gradient descent on L(w) from ``w0`` (float64).

    Stops early (``diverged`` set) when w or the loss leaves the finite numbers.

    Examples
    --------
    >>> import kit
    >>> p = descend(kit.get("relu"), kink="right", mode="activation", w0=1.0, lr=0.5, steps=3)
    >>> p.w.tolist(), p.on_kink.tolist()
    ([1.0, 0.5, 0.0, -0.5], [False, False, True, False])
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    lr = float(lr)
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be a finite number > 0, got {lr!r}")
    ws, zs, ls, gs, ss, ks = [], [], [], [], [], []
    w = float(w0)
    diverged = None
    with np.errstate(all="ignore"):
        for i in range(steps + 1):
            z = w * x + b if mode == "unit" else w
            fz = float(act.value(z))
            slope = float(act.derivative(z, kink=kink))
            if mode == "unit":
                loss = 0.5 * (fz - y) ** 2
                grad = (fz - y) * slope * x
            else:
                loss, grad = fz, slope
            ws.append(w)
            zs.append(z)
            ls.append(loss)
            gs.append(grad)
            ss.append(slope)
            ks.append(math.isfinite(z) and act.kinks(z, z).size > 0)  # a window of one point: staircases too
            if not (math.isfinite(w) and math.isfinite(loss) and math.isfinite(grad)):
                diverged = i
                break
            if i < steps:
                w = w - lr * grad
    w_, z_, loss_, grad_, slope_ = (np.asarray(v, dtype=np.float64) for v in (ws, zs, ls, gs, ss))
    return Path(w_, z_, loss_, grad_, slope_, np.asarray(ks, dtype=bool), diverged)


class DescentModel(AppModel):
    """State and picture of :func:`kit.widgets.descent`.

    Parameters
    ----------
    name, params : activation and its parameters
    kink, t : the kink convention (``"t"`` uses the number t)
    mode : ``"unit"`` or ``"activation"`` (see the module docstring)
    x, b, y : the example and bias of the unit
    w0, lr, steps : start, learning rate, number of steps shown
    compare : also draw the paths of the left, right and mean rules

    Examples
    --------
    >>> m = DescentModel("relu", mode="activation", w0=1.0, lr=0.5, steps=3, kink="right")
    >>> m.path.w.tolist()
    [1.0, 0.5, 0.0, -0.5]
    >>> m.path.on_kink.tolist(), float(m.path.slope[2])  # on the kink at step 2, where "right" uses 1
    ([False, False, True, False], 1.0)
    """

    FIELDS = ("name", "params", "kink", "t", "mode", "x", "b", "y", "w0", "lr", "steps", "compare")

    def __init__(self, name: str = "relu", params: dict[str, float] | None = None, kink: str = "left",
                 t: float = 0.5, mode: str = "activation", x: float = 1.0, b: float = 0.0, y: float = 1.0,
                 w0: float = 2.0, lr: float = 0.5, steps: int = 6, compare: bool = True) -> None:
        self.name = ""
        self.params: dict[str, float] = {}
        self.kink, self.t, self.mode = "left", 0.5, "activation"
        self.x, self.b, self.y, self.w0, self.lr, self.steps, self.compare = 1.0, 0.0, 1.0, 2.0, 0.5, 6, True
        self.act: Activation = kit.resolve(name, **(params or {}))
        _fig, (self.ax_loss, self.ax_iter) = self._new_figure(1, 2, figsize=(9.5, 4.0), dpi=90,
                                                           width_ratios=[3, 2])
        ax = self.ax_loss
        (self.curve,) = ax.plot([], [], color=BLACK, linewidth=2, label="L(w)", zorder=2)
        self.ghosts = {}
        for rule, (color, style) in _GHOSTS.items():
            (self.ghosts[rule],) = ax.plot([], [], color=color, linestyle=style, linewidth=1.8, marker=".",
                                           label=f"path, {rule}", zorder=3)
        (self.path_line,) = ax.plot([], [], color=VERMILLION, linewidth=2.2, marker="o", markersize=7,
                                    markeredgecolor=BLACK, label="path, chosen rule", zorder=4)
        self.kink_marks = ax.scatter([], [], marker="x", s=80, color=BLUE, zorder=5, label="kink of f")
        self.on_kink_marks = ax.scatter([], [], s=260, facecolors="none", edgecolors=BLUE, linewidths=2.5, zorder=6,
                                        label="iterate exactly on a kink")
        ax.set_xlabel("w")
        ax.set_ylabel("loss")
        (self.iter_line,) = self.ax_iter.plot([], [], color=VERMILLION, marker="o", markersize=5)
        self.iter_ghosts = {}
        for rule, (color, style) in _GHOSTS.items():
            (self.iter_ghosts[rule],) = self.ax_iter.plot([], [], color=color, linestyle=style, linewidth=1.8)
        self.ax_iter.set_xlabel("step")
        self.ax_iter.set_ylabel("loss")
        self.ax_iter.set_title("loss per step")
        self.set(name=name, params=params or {}, kink=kink, t=t, mode=mode, x=x, b=b, y=y, w0=w0, lr=lr, steps=steps,
                 compare=compare)

    def moving(self) -> list[Any]:
        """The artists that change from frame to frame (see :class:`~kit.plot.style.FrameCache`)."""
        return [self.curve, *self.ghosts.values(), self.path_line, self.kink_marks, self.on_kink_marks,
                self.iter_line, *self.iter_ghosts.values(), self.ax_loss.title]

    @property
    def rule(self) -> Rule:
        """The kink rule in force."""
        return rule_from(self.kink, self.t)

    def set(self, **changes: Any) -> None:
        """Change any setting (see the class docstring) and redraw; a bad value raises, nothing changes."""
        unknown = set(changes) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"unknown descent setting(s): {', '.join(sorted(unknown))}")
        new = {k: getattr(self, k) for k in self.FIELDS}
        new.update(changes)
        if "name" in changes and "params" not in changes and changes["name"] != self.name:
            new["params"] = {}
        act = kit.resolve(new["name"], **(new["params"] or {}))
        rule = rule_from(new["kink"], new["t"])
        for key in ("x", "b", "y", "w0", "lr", "t"):
            new[key] = float(new[key])
            if not math.isfinite(new[key]):
                raise ValueError(f"{key} must be finite, got {new[key]!r}")
        kw = {k: new[k] for k in ("mode", "x", "b", "y", "w0", "lr", "steps")}
        path = descend(act, kink=rule, **kw)
        paths = {r: descend(act, kink=r, **kw) for r in COMPARED} if new["compare"] else {}
        for key in self.FIELDS:
            setattr(self, key, new[key])
        self.params, self.steps, self.act = act.params, int(new["steps"]), act
        self.path: Path = path
        self.paths: dict[str, Path] = paths
        with matplotlib.rc_context(rc()):
            self._draw()

    def step(self, k: int = 1) -> None:
        """Show ``k`` more steps."""
        self.set(steps=self.steps + int(k))

    def reset(self) -> None:
        """Back to the start: no steps."""
        self.set(steps=0)

    def kink_w(self, wlo: float = -1e3, whi: float = 1e3) -> np.ndarray:
        """The values of w in [wlo, whi] at which z = w·x + b (or w) is a kink of f."""
        if self.mode == "unit":
            ends = sorted((wlo * self.x + self.b, whi * self.x + self.b))
            ks = self.act.kinks(*ends)
        else:
            ks = self.act.kinks(wlo, whi)
        if self.mode == "unit":
            return (ks - self.b) / self.x if self.x != 0 else np.empty(0)
        return ks

    def _draw(self) -> None:
        p = self.path
        finite = p.w[np.isfinite(p.w)]
        pts = [finite] + [q.w[np.isfinite(q.w)] for q in self.paths.values()]
        # the w axis always holds the start slider's range: dragging w0 then moves the paths inside steady
        # axes (no new background per position) instead of re-framing the picture at every step of the drag
        allw = np.concatenate([*pts, np.array([self.w0 - 1.0, self.w0 + 1.0, *W0_RANGE])])
        allw = allw[np.abs(allw) < 1e6]
        wlo, whi = sticky_range(float(allw.min()), float(allw.max()), getattr(self, "_wrange", None))
        self._wrange = (wlo, whi)
        kw = self.kink_w(wlo, whi)
        kw = np.sort(kw[(kw >= wlo) & (kw <= whi)])
        grid = np.union1d(np.linspace(wlo, whi, 600), kw)
        kwargs: dict[str, Any] = {"mode": self.mode, "x": self.x, "b": self.b, "y": self.y}
        with np.errstate(all="ignore"):
            curve = loss_of(self.act, grid, **kwargs)
            kloss = loss_of(self.act, kw, **kwargs)
        self.curve.set_data(grid, curve)
        self.path_line.set_data(p.w, p.loss)
        for rule, line in self.ghosts.items():
            q = self.paths.get(rule)
            line.set_data((q.w, q.loss) if q is not None else ([], []))
            self.iter_ghosts[rule].set_data((np.arange(q.loss.size), q.loss) if q is not None else ([], []))
        self.kink_marks.set_offsets(np.column_stack([kw, kloss]) if kw.size else np.empty((0, 2)))
        on = p.on_kink
        self.on_kink_marks.set_offsets(np.column_stack([p.w[on], p.loss[on]]) if on.any() else np.empty((0, 2)))
        ax = self.ax_loss
        ax.set_xlim(wlo, whi)
        vis = curve[np.isfinite(curve)]
        ymin, ymax = (float(vis.min()), float(vis.max())) if vis.size else (0.0, 1.0)
        ax.set_ylim(*sticky_range(ymin, ymax, getattr(self, "_lrange", None), pad=0.08))
        self._lrange = ax.get_ylim()
        formula = "L(w) = ½(f(w·x+b) − y)²" if self.mode == "unit" else "L(w) = f(w)"
        ax.set_title(f"{self.act.name}: {formula}, kink rule {rule_label(self.rule)}")
        handles = [self.curve, self.path_line] + [self.ghosts[r] for r in COMPARED if r in self.paths]
        if self.act.kinks(-1e3, 1e3).size:  # the same entries whether or not an iterate hits: a steady legend
            handles += [self.kink_marks, self.on_kink_marks]
        set_legend(ax, handles, loc="best", fontsize=9, framealpha=0.9)
        self.iter_line.set_data(np.arange(p.loss.size), p.loss)
        series = [p.loss] + [q.loss for q in self.paths.values()]
        lv = np.concatenate(series)
        lv = lv[np.isfinite(lv)]
        lo, hi = (float(lv.min()), float(lv.max())) if lv.size else (0.0, 1.0)
        lo, hi = min(lo, ymin), max(hi, ymax)  # the losses the curve shows: steady while w0 is dragged
        self.ax_iter.set_xlim(-0.5, nice_ceil(max(self.steps, 1)) + 0.5)
        self.ax_iter.set_ylim(*sticky_range(lo, hi, getattr(self, "_irange", None), pad=0.08))
        self._irange = self.ax_iter.get_ylim()

    def summary(self) -> str:
        """What happened, in words: kink hits, the derivative used there, divergence, where w ended."""
        p = self.path
        parts = []
        hits = np.flatnonzero(p.on_kink)
        for i in hits[:1]:
            z = p.z[i]
            left, right = float(self.act.left_derivative(z)), float(self.act.right_derivative(z))
            parts.append(f"step {i}: z = {z:g} is exactly on a kink; f'(z−) = {left:g}, f'(z+) = {right:g}, "
                         f"{rule_label(self.rule)} uses {p.slope[i]:g}")
        if hits.size > 1:
            parts.append(f"{hits.size} iterates on a kink in all")
        if p.diverged is not None:
            parts.append(f"diverged at step {p.diverged}: w or the loss is no longer finite "
                         "(learning rate too large?)")
        else:
            parts.append(f"after {self.steps} steps: w = {p.w[-1]:.6g}, loss = {p.loss[-1]:.6g}")
        if self.paths:
            ends = ", ".join(f"{r}: w = {q.w[-1]:.4g}" for r, q in self.paths.items())
            parts.append(f"end points by rule: {ends}")
        return "; ".join(parts)
