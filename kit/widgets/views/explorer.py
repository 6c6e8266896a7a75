"""The explorer app: pick an activation, its parameters and a kink rule; see kinks and saturation."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from kit.widgets.models.explorer import ExplorerModel
from kit.widgets.views.base import ActivationApp, activation_picker, kink_picker

__all__ = ["ExplorerApp"]


class ExplorerApp(ActivationApp):
    """Widget of :func:`kit.widgets.explorer`; ``.model`` is an :class:`ExplorerModel`.

    ``.table`` (an HTML widget beside the picture) lists the kinks, the
    one-sided derivatives, what the rule and each framework use, and the
    saturation intervals.
    """

    def __init__(self, name: str = "relu", **settings: Any) -> None:
        model = ExplorerModel(name=name, **settings)
        pick = activation_picker(model.name)
        kink, t = kink_picker(model.kink, model.t)
        tol = w.FloatLogSlider(value=max(model.tol, 1e-6), base=10, min=-6, max=0, step=0.25,
                               description="saturation tol", readout_format=".0e", continuous_update=False,
                               style={"description_width": "initial"})
        zrange = w.FloatRangeSlider(value=(model.lo, model.hi), min=min(-20, model.lo), max=max(20, model.hi),
                                    step=0.5, description="z range", continuous_update=False,
                                    layout=w.Layout(width="420px"))
        self.table = w.HTMLMath(layout=w.Layout(min_width="380px"))
        controls = {"activation": pick, "kink": kink, "t": t, "tol": tol, "range": zrange}
        layout = [w.HBox([pick, kink, t]), w.HBox([tol, zrange])]
        super().__init__(model, "Activation explorer: one-sided derivatives, kinks, saturation", controls, layout,
                         side=self.table)
        self.table.value = model.table_html()
        self.on(tol, lambda v: model.set(tol=v), throttle=True)
        self.on(zrange, self._set_range, throttle=True)
        self.on(t, lambda v: model.set(t=v), throttle=True)

    def _set_range(self, value: tuple[float, float]) -> None:
        """A new z range; the ends are kept one slider step apart (a range needs lo < hi)."""
        zrange = self.controls["range"]
        lo, hi = value
        if hi - lo < zrange.step:
            if lo == self.model.lo:  # the upper end was moved onto the lower one
                lo = hi - zrange.step
            else:
                hi = lo + zrange.step
            if hi > zrange.max:
                lo, hi = zrange.max - zrange.step, zrange.max
            if lo < zrange.min:
                lo, hi = zrange.min, zrange.min + zrange.step
            zrange.value = (lo, hi)  # its own callback sets the model
            return
        self.model.set(lo=lo, hi=hi)

    def redraw(self) -> None:
        """Put the current picture into the image and the kinks table beside it."""
        super().redraw()
        if hasattr(self, "table"):
            self.table.value = self.model.table_html()
