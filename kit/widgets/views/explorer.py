"""The explorer app: pick an activation, its parameters and a kink rule; see kinks and saturation."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from kit.widgets.models.explorer import ExplorerModel
from kit.widgets.views.base import App, activation_picker, kink_picker, param_sliders

__all__ = ["ExplorerApp"]


class ExplorerApp(App):
    """Widget of :func:`kit.widgets.explorer`; ``.model`` is an :class:`ExplorerModel`."""

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
        self.params_box = w.HBox()
        self.table = w.HTMLMath(layout=w.Layout(min_width="380px"))
        controls = {"activation": pick, "kink": kink, "t": t, "tol": tol, "range": zrange}
        layout = [w.HBox([pick, kink, t]), w.HBox([tol, zrange]), self.params_box]
        self.param_controls: dict[str, w.Widget] = {}
        super().__init__(model, "Activation explorer: one-sided derivatives, kinks, saturation", controls, layout,
                         side=self.table)
        self._rebuild_params()
        self.table.value = model.table_html()

        def on_name(name: str) -> None:
            model.set(name=name)
            self._rebuild_params()

        def on_kink(choice: str) -> None:
            t.disabled = choice != "t"
            model.set(kink=choice)

        self.on(pick, on_name)
        self.on(kink, on_kink)
        self.on(t, lambda v: model.set(t=v))
        self.on(tol, lambda v: model.set(tol=v))
        self.on(zrange, lambda v: model.set(lo=v[0], hi=v[1]))

    def redraw(self) -> None:
        super().redraw()
        if hasattr(self, "table"):
            self.table.value = self.model.table_html()

    def _rebuild_params(self) -> None:
        sliders = param_sliders(self.model.act)
        for key, slider in sliders.items():
            self.on(slider, lambda _v, key=key: self._set_params())
        self.param_controls = sliders
        self.params_box.children = list(sliders.values())

    def _set_params(self) -> None:
        self.model.set(params={k: s.value for k, s in self.param_controls.items()})
