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
        kink, t = kink_picker(model.kink)
        t.value = model.t
        tol = w.FloatLogSlider(value=max(model.tol, 1e-6), base=10, min=-6, max=0, step=0.25,
                               description="saturation tol", readout_format=".0e", continuous_update=False,
                               style={"description_width": "initial"})
        zrange = w.FloatRangeSlider(value=(model.lo, model.hi), min=-20, max=20, step=0.5, description="z range",
                                    continuous_update=False, layout=w.Layout(width="420px"))
        self.table = w.HTMLMath(layout=w.Layout(min_width="380px"))
        controls = {"activation": pick, "kink": kink, "t": t, "tol": tol, "range": zrange}
        layout = [w.HBox([pick, kink, t]), w.HBox([tol, zrange])]
        super().__init__(model, "Activation explorer: one-sided derivatives, kinks, saturation", controls, layout,
                         side=self.table)
        self.table.value = model.table_html()
        self.on(tol, lambda v: model.set(tol=v))
        self.on(zrange, lambda v: model.set(lo=v[0], hi=v[1]))

    def redraw(self) -> None:
        """Put the current picture into the image and the kinks table beside it."""
        super().redraw()
        if hasattr(self, "table"):
            self.table.value = self.model.table_html()
