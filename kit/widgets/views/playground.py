"""The playground app: a TensorFlow-Playground-like trainer whose whole state is one dict."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from kit.nn import DTYPES
from kit.nn import init as _init
from kit.nn import optim as _optim
from kit.widgets.models.playground import PlaygroundModel
from kit.widgets.models.training import DATASETS
from kit.widgets.views.base import activation_picker, kink_picker
from kit.widgets.views.training import TrainingApp, log_slider, slider

__all__ = ["PlaygroundApp"]

_PENALTIES = [("0", 0.0), ("1e-4", 1e-4), ("1e-3", 1e-3), ("1e-2", 1e-2), ("1e-1", 1e-1)]
_BATCHES = [("1", 1), ("8", 8), ("16", 16), ("32", 32), ("64", 64), ("128", 128), ("full", 0)]
_WIDE = {"description_width": "initial"}


def _layer_name(spec: Any) -> str:
    return spec if isinstance(spec, str) else str(spec[0])


class PlaygroundApp(TrainingApp):
    """Widget of :func:`kit.widgets.playground`; ``.model`` is a :class:`PlaygroundModel`.

    ``app.state`` / ``app.set_state(d)`` (or ``app.model.state`` /
    ``app.model.set_state(d)``: the controls follow) read and restore every setting.
    """

    def __init__(self, state: dict[str, Any] | None = None, **settings: Any) -> None:
        model = PlaygroundModel(**settings)
        if state is not None:
            model.set_state({**model.state, **state})
        s = model.settings
        kink, t = kink_picker(s["kink"])
        t.value = s["t"]
        c: dict[str, w.Widget] = {
            "dataset": w.Dropdown(options=list(DATASETS), value=s["dataset"], description="data"),
            "noise": slider(s["noise"], 0.0, 0.5, 0.01, "noise"),
            "n": w.IntSlider(value=s["n"], min=20, max=2000, step=20, description="points", continuous_update=False),
            "test_fraction": slider(s["test_fraction"], 0.0, 0.8, 0.05, "test share"),
            "layers": w.IntSlider(value=len(s["hidden"]), min=1, max=6, description="hidden layers",
                                  continuous_update=False, style=_WIDE),
            "units": w.IntSlider(value=s["hidden"][0], min=1, max=32, description="units", continuous_update=False),
            "kink": kink,
            "t": t,
            "init": w.Dropdown(options=_init.names(), value=_layer_name(s["init"]), description="init"),
            "bias": slider(s["bias"], -1.0, 1.0, 0.05, "initial bias"),
            "optimizer": w.Dropdown(options=_optim.names(), value=s["optimizer"], description="optimizer",
                                    style=_WIDE),
            "lr": log_slider(s["lr"], -4, 1, "learning rate"),
            "l1": w.Dropdown(options=_PENALTIES, value=_nearest(s["l1"], _PENALTIES), description="L1"),
            "l2": w.Dropdown(options=_PENALTIES, value=_nearest(s["l2"], _PENALTIES), description="L2"),
            "dropout": slider(s["dropout"], 0.0, 0.8, 0.05, "dropout"),
            "batch_size": w.Dropdown(options=_BATCHES, value=_nearest(s["batch_size"] or 0, _BATCHES),
                                     description="batch"),
            "dtype": w.Dropdown(options=list(DTYPES), value=s["dtype"], description="dtype"),
            "standardize": w.Checkbox(value=bool(s["standardize"]), description="standardise inputs"),
            "steps_per_frame": w.IntSlider(value=s["steps_per_frame"], min=1, max=100, description="steps/frame",
                                           continuous_update=False, style=_WIDE),
        }
        for ctrl in c.values():  # one width, aligned labels: four controls a row fit a projector's 1024 px
            ctrl.layout.width = "250px"
            ctrl.style.description_width = "90px"
        c["standardize"].indent = False
        self.layer_box = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.layer_pickers: list[w.Dropdown] = []
        rows = [
            w.HBox([c["dataset"], c["noise"], c["n"], c["test_fraction"]]),
            w.HBox([c["layers"], c["units"], c["init"], c["bias"]]),
            self.layer_box,
            w.HBox([c["kink"], c["t"], c["dtype"], c["standardize"]]),
            w.HBox([c["optimizer"], c["lr"], c["batch_size"], c["dropout"]]),
            w.HBox([c["l1"], c["l2"]]),
        ]
        super().__init__(model, "Playground: train a small network live", c, rows, play_row=[c["steps_per_frame"]])
        self._rebuild_layer_pickers()
        for key in ("dataset", "noise", "n", "test_fraction", "kink", "t", "init", "bias", "optimizer", "lr", "l1",
                    "l2", "dropout", "dtype", "steps_per_frame"):
            self.bind(key, c[key])
        self.bind("batch_size", c["batch_size"], lambda v: None if v == 0 else v)
        self.on(c["layers"], lambda n: None if self._syncing else model.set(**self._shape(layers=n)))
        self.on(c["units"], lambda u: None if self._syncing else model.set(**self._shape(units=u)))
        self.bind("standardize", c["standardize"])
        model.listeners.append(self._sync)

    # -- state ------------------------------------------------------------------
    @property
    def state(self) -> dict[str, Any]:
        """Every setting as a new dict (see :attr:`PlaygroundModel.state`)."""
        return self.model.state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state; errors are shown in the app."""
        self.guarded(self.model.set_state)(state)

    # -- layers -----------------------------------------------------------------
    def _shape(self, layers: int | None = None, units: int | None = None) -> dict[str, Any]:
        """The settings for a new number of layers or units per layer (activations follow the layers)."""
        hidden = list(self.model.settings["hidden"])
        n = len(hidden) if layers is None else int(layers)
        if units is not None:
            hidden = [int(units)] * len(hidden)
        out: dict[str, Any] = {"hidden": (hidden + [hidden[-1]] * n)[:n]}
        acts = self._layer_acts()
        if len(set(map(str, acts))) > 1:  # per-layer activations: keep them, the new layers copy the last
            out["activation"] = (acts + [acts[-1]] * n)[:n]
        return out

    def _layer_acts(self) -> list[Any]:
        s = self.model.settings
        n = len(s["hidden"])
        acts = s["activation"]
        if isinstance(acts, list) and not (len(acts) == 2 and isinstance(acts[1], dict)):
            return list(acts)
        return [acts] * n

    def _rebuild_layer_pickers(self) -> None:
        pickers = []
        for i, spec in enumerate(self._layer_acts()):
            pick = activation_picker(_layer_name(spec), description=f"layer {i + 1}")
            pick.layout.width = "250px"
            pick.style.description_width = "90px"
            self.on(pick, lambda _v: None if self._syncing else self._set_layer_acts())
            pickers.append(pick)
        self.layer_pickers = pickers
        self.layer_box.children = pickers
        self.controls.update({f"activation_{i + 1}": p for i, p in enumerate(pickers)})
        for key in [k for k in self.controls if k.startswith("activation_")]:
            if int(key.split("_")[1]) > len(pickers):
                del self.controls[key]

    def _set_layer_acts(self) -> None:
        old = self._layer_acts()
        new: list[Any] = []
        for spec, pick in zip(old, self.layer_pickers, strict=False):
            new.append(spec if _layer_name(spec) == pick.value else pick.value)
        self.model.set(activation=new)

    def _sync(self) -> None:
        """Make the controls show the model's settings (after set_state or a rebuild)."""
        s = self.model.settings
        values = {
            "dataset": s["dataset"], "noise": s["noise"], "n": s["n"], "test_fraction": s["test_fraction"],
            "layers": len(s["hidden"]), "units": s["hidden"][0], "kink": s["kink"], "t": s["t"],
            "init": _layer_name(s["init"]), "bias": s["bias"], "optimizer": s["optimizer"], "lr": s["lr"],
            "l1": _nearest(s["l1"], _PENALTIES), "l2": _nearest(s["l2"], _PENALTIES), "dropout": s["dropout"],
            "batch_size": _nearest(s["batch_size"] or 0, _BATCHES), "dtype": s["dtype"],
            "steps_per_frame": s["steps_per_frame"], "standardize": bool(s["standardize"]),
        }
        self._syncing = True
        try:
            for key, value in values.items():
                ctrl = self.controls[key]
                if hasattr(ctrl, "max") and isinstance(value, (int, float)) and value > ctrl.max:
                    ctrl.max = value
                if hasattr(ctrl, "min") and isinstance(value, (int, float)) and value < ctrl.min:
                    ctrl.min = value
                if ctrl.value != value:
                    ctrl.value = value
            self.controls["t"].disabled = s["kink"] != "t"
            names = [_layer_name(a) for a in self._layer_acts()]
            if names != [p.value for p in self.layer_pickers]:
                self._rebuild_layer_pickers()
        finally:
            self._syncing = False
        self.show_note(self.note())
        self.redraw()


def _nearest(value: float, options: list[tuple[str, Any]]) -> Any:
    vals = [v for _, v in options]
    return min(vals, key=lambda v: abs(float(v) - float(value)))
