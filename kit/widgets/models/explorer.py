"""Explorer: one activation, its one-sided derivatives at kinks, saturation, frameworks."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np

import kit
from kit.activation import FRAMEWORKS, SATURATION_TOL, Activation, Rule
from kit.plot.functions import ActivationPlot, Curves, rule_label
from kit.plot.style import rc
from kit.widgets.models.base import AppModel, rule_from

__all__ = ["ExplorerModel", "KinkRow"]


@dataclass(frozen=True)
class KinkRow:
    """One kink: the one-sided derivatives, the one used, each framework's (None: not recorded)."""

    z: float
    left: float
    right: float
    used: float
    frameworks: dict[str, float | None]


class ExplorerModel(AppModel):
    """State and picture of :func:`kit.widgets.explorer`.

    Parameters
    ----------
    name : str
        A registered activation.
    params : dict, optional
        Its parameters (defaults otherwise).
    kink : str
        ``"left"``, ``"right"``, ``"mean"``, ``"t"`` (use :attr:`t`) or a framework.
    t : float
        The number t in [0, 1] used when ``kink == "t"``.
    lo, hi : float
        The range of z shown.
    tol : float
        The saturation tolerance.

    Examples
    --------
    >>> m = ExplorerModel("leaky_relu", kink="right")
    >>> row = m.kink_rows()[0]
    >>> row.z, row.left, row.right, row.used, row.frameworks["pytorch"]
    (0.0, 0.01, 1.0, 1.0, 0.01)
    >>> m.set(tol=0.1)
    >>> m.saturation_intervals()["saturated"]
    [(-inf, 0.0)]
    """

    def __init__(self, name: str = "relu", params: dict[str, float] | None = None, kink: str = "left",
                 t: float = 0.5, lo: float = -5.0, hi: float = 5.0, tol: float = SATURATION_TOL) -> None:
        self.name = ""
        self.params: dict[str, float] = {}
        self.kink = "left"
        self.t = 0.5
        self.lo, self.hi, self.tol = -5.0, 5.0, SATURATION_TOL
        self.act: Activation = kit.resolve(name, **(params or {}))
        self._new_figure(figsize=(7.5, 4.2), dpi=90)
        self.plot = ActivationPlot(self.figure.axes[0])
        self.set(name=name, params=params or {}, kink=kink, t=t, lo=lo, hi=hi, tol=tol)

    def moving(self) -> list[Any]:
        """The artists that change from frame to frame (see :class:`~kit.plot.style.FrameCache`)."""
        return self.plot.moving()

    def overlay(self) -> list[Any]:
        """The shaded spans and the legend: they change with the tolerance only."""
        return self.plot.overlay()

    @property
    def rule(self) -> Rule:
        """The kink rule in force (``"left"``, a number t, ``"pytorch"``, ...)."""
        return rule_from(self.kink, self.t)

    def set(self, **changes: Any) -> None:
        """Change any of ``name``, ``params``, ``kink``, ``t``, ``lo``, ``hi``, ``tol`` and redraw.

        A new ``name`` without ``params`` takes that activation's defaults.  On a
        bad value the error is raised and the previous state stays in force.
        """
        unknown = set(changes) - {"name", "params", "kink", "t", "lo", "hi", "tol"}
        if unknown:
            raise TypeError(f"unknown explorer setting(s): {', '.join(sorted(unknown))}")
        name = changes.get("name", self.name)
        if "params" in changes:
            params = dict(changes["params"] or {})
        elif name != self.name:
            params = {}
        else:
            params = dict(self.params)
        act = kit.resolve(name, **(params or {}))
        kink = changes.get("kink", self.kink)
        t = float(changes.get("t", self.t))
        rule = rule_from(kink, t)
        lo, hi = float(changes.get("lo", self.lo)), float(changes.get("hi", self.hi))
        tol = float(changes.get("tol", self.tol))
        if not (math.isfinite(tol) and tol >= 0):
            raise ValueError(f"tol must be a number >= 0, got {tol!r}")
        with matplotlib.rc_context(rc()):
            self.curves: Curves = self.plot.update(act, kink=rule, lo=lo, hi=hi, tol=tol)
        self.name, self.params, self.act = name, act.params, act
        self.kink, self.t, self.lo, self.hi, self.tol = kink, t, lo, hi, tol

    # -- the table -----------------------------------------------------------
    def kink_rows(self) -> list[KinkRow]:
        """Each kink in the shown range with its one-sided derivatives and what frameworks use."""
        c = self.curves
        rows = []
        for k, lft, rgt, u in zip(c.kinks, c.left, c.right, c.used, strict=False):
            fw: dict[str, float | None] = {}
            for f in FRAMEWORKS:
                try:
                    fw[f] = float(self.act.derivative(float(k), kink=f))
                except ValueError:
                    fw[f] = None
            rows.append(KinkRow(float(k), float(lft), float(rgt), float(u), fw))
        return rows

    def saturation_intervals(self) -> dict[str, list[tuple[float, float]]]:
        """Saturation (|f'| <= tol) and dead (f' = 0) intervals over the whole real line."""
        return {"saturated": list(self.act.saturation(self.tol)), "dead": list(self.act.saturation(0.0))}

    def table_html(self) -> str:
        """The kinks, one-sided derivatives, frameworks and saturation as an HTML table."""
        rows = self.kink_rows()
        head = "".join(f"<th>{h}</th>" for h in ("kink z", "f'(z−)", "f'(z+)", f"used ({rule_label(self.rule)})",
                                                   *FRAMEWORKS))
        body = []
        for r in rows:
            fws = "".join(f"<td>{_num(v) if v is not None else '—'}</td>" for v in r.frameworks.values())
            body.append(f"<tr><td>{_num(r.z)}</td><td>{_num(r.left)}</td><td>{_num(r.right)}</td>"
                        f"<td><b>{_num(r.used)}</b></td>{fws}</tr>")
        if not rows:
            body.append(f"<tr><td colspan='{4 + len(FRAMEWORKS)}'>no kinks in [{_num(self.lo)}, {_num(self.hi)}]: "
                        "differentiable here, every rule gives the same derivative</td></tr>")
        sat = self.saturation_intervals()
        formula = f": $f(z) = {html.escape(self.act.formula)}$" if self.act.formula else ""
        lines = [
            f"<b>{html.escape(self.act.name)}</b>{formula}",
            f"kinks in [{_num(self.lo)}, {_num(self.hi)}]:",
            f"<table class='kit-table' style='border-collapse:collapse' cellpadding='4'><tr>{head}</tr>{''.join(body)}</table>",
            f"saturated (|f'| ≤ {self.tol:g}): {_intervals(sat['saturated'])}; "
            f"dead (f' = 0): {_intervals(sat['dead'])}",
        ]
        return "<br>".join(lines)


def _num(v: float) -> str:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:.4g}"


def _intervals(iv: list[tuple[float, float]]) -> str:
    if not iv:
        return "none"
    return ", ".join(f"({_num(a)}, {_num(b)})" for a, b in iv)
