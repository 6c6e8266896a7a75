"""The playground app: TensorFlow Playground's network view, live, plus what it cannot show.

The controls are ipywidgets in compact rows (they fit a 1024 × 768 projector
screen without scrolling); the picture is a :class:`~kit.widgets.views.network.NetworkView`
drawn in the browser (features, a tile per unit, weights, the output map,
the loss curve, the selected unit's pre-activations).  The whole set-up is
one dict (``app.state``) or one short string (``app.state_string``, shown
in the state box at the bottom, where a pasted string restores its set-up).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import ipywidgets as w

from kit.nn import DTYPES
from kit.nn import init as _init
from kit.nn import optim as _optim
from kit.widgets.models.base import activation_names
from kit.widgets.models.playground import PlaygroundModel
from kit.widgets.models.training import DATASETS
from kit.widgets.views.base import activation_picker, kink_picker, sync_number
from kit.widgets.views.network import MAX_LAYERS, MAX_UNITS, NetworkView
from kit.widgets.views.training import TrainingApp, log_slider, slider

__all__ = ["PlaygroundApp"]

_PENALTIES = [("0", 0.0), ("1e-4", 1e-4), ("1e-3", 1e-3), ("1e-2", 1e-2), ("1e-1", 1e-1)]
_BATCHES = [("1", 1), ("8", 8), ("16", 16), ("32", 32), ("64", 64), ("128", 128), ("full", 0)]


def _layer_name(spec: Any) -> str:
    return spec if isinstance(spec, str) else str(spec[0])


def _compact(ctrl: w.Widget, width: int = 200, label: int = 62) -> w.Widget:
    """One control of a row: a fixed width and a short label column, so that rows line up and wrap."""
    ctrl.layout.width = f"{width}px"
    if hasattr(ctrl, "style") and hasattr(ctrl.style, "description_width"):
        ctrl.style.description_width = f"{label}px"
    return ctrl


class PlaygroundApp(TrainingApp):
    """Widget of :func:`kit.widgets.playground`; ``.model`` is a :class:`PlaygroundModel`, ``.view`` the network view.

    ``app.state`` / ``app.set_state(d)`` (or ``app.model.state`` /
    ``app.model.set_state(d)``: the controls follow) read and restore every
    setting; ``app.state_string`` and ``app.set_state(text)`` do the same with a string.
    """

    def __init__(self, state: dict[str, Any] | str | None = None, **settings: Any) -> None:
        model = PlaygroundModel(**settings)
        if state is not None:
            model.set_state(state if isinstance(state, str) else {**model.state, **state})
        s = model.settings
        kink, t = kink_picker(s["kink"], s["t"])
        c: dict[str, w.Widget] = {
            "dataset": _compact(w.Dropdown(options=list(DATASETS), value=s["dataset"], description="data"), 135, 34),
            "noise": _compact(slider(s["noise"], 0.0, 0.5, 0.01, "noise"), 185, 40),
            "n": _compact(w.IntSlider(value=s["n"], min=20, max=2000, step=20, description="points",
                                      continuous_update=False), 205, 46),
            "test_fraction": _compact(slider(s["test_fraction"], 0.0, 0.8, 0.05, "test share"), 205, 66),
            "regenerate": w.Button(description="regenerate", tooltip="regenerate data: new points, same data set",
                                   layout=w.Layout(width="105px")),
            "show_test": w.Checkbox(value=bool(s["show_test"]), description="show test data", indent=False,
                                    layout=w.Layout(width="120px")),
            "discretize": w.Checkbox(value=bool(s["discretize"]), description="discretise", indent=False,
                                     layout=w.Layout(width="95px")),
            "lr": _compact(log_slider(s["lr"], -4, 2, "learning rate"), 245, 86),
            "activation": _compact(activation_picker(_layer_name(self._acts(model)[0]), description="activation"),
                                   190, 68),
            "kink": _compact(kink, 160, 60),
            "t": _compact(t, 195, 54),
            "optimizer": _compact(w.Dropdown(options=_optim.names(), value=s["optimizer"], description="optimizer"),
                                  150, 66),
            "batch_size": _compact(w.Dropdown(options=_BATCHES, value=_nearest(s["batch_size"] or 0, _BATCHES),
                                              description="batch"), 100, 40),
            "init": _compact(w.Dropdown(options=_init.names(), value=_layer_name(s["init"]), description="init"),
                             115, 30),
            "bias": _compact(slider(s["bias"], -1.0, 1.0, 0.05, "initial bias"), 215, 76),
            "dropout": _compact(slider(s["dropout"], 0.0, 0.8, 0.05, "dropout"), 195, 56),
            "l1": _compact(w.Dropdown(options=_PENALTIES, value=_nearest(s["l1"], _PENALTIES), description="L1"),
                           90, 22),
            "l2": _compact(w.Dropdown(options=_PENALTIES, value=_nearest(s["l2"], _PENALTIES), description="L2"),
                           90, 22),
            "dtype": _compact(w.Dropdown(options=list(DTYPES), value=s["dtype"], description="dtype"), 130, 42),
            "standardize": w.Checkbox(value=bool(s["standardize"]), description="standardise", indent=False,
                                      layout=w.Layout(width="100px")),
            "steps_per_frame": _compact(w.IntSlider(value=s["steps_per_frame"], min=1, max=100,
                                                    description="steps/frame", continuous_update=False), 225, 80),
            "state": w.Text(value=model.state_string, description="state", continuous_update=False,
                            placeholder="paste a state string and press Enter",
                            tooltip="copy this string to share the set-up; paste one and press Enter to restore it",
                            layout=w.Layout(flex="1 1 300px", min_width="240px"), style={"description_width": "40px"}),
        }
        row = {"flex_flow": "row wrap", "align_items": "center"}
        rows = [
            w.HBox([c["noise"], c["n"], c["test_fraction"], c["show_test"], c["discretize"]], layout=w.Layout(**row)),
            w.HBox([c["lr"], c["activation"], c["kink"], c["t"]], layout=w.Layout(**row)),
            w.HBox([c["optimizer"], c["batch_size"], c["init"], c["bias"], c["dropout"]], layout=w.Layout(**row)),
            w.HBox([c["l1"], c["l2"], c["dtype"], c["standardize"], c["state"]], layout=w.Layout(**row)),
        ]
        self.view = NetworkView(self._act, activation_names=activation_names(), max_units=MAX_UNITS,
                                max_layers=MAX_LAYERS, layout=w.Layout(width="100%"))
        super().__init__(model, "Playground: train a small network live", c, rows,
                         play_row=[c["steps_per_frame"], c["dataset"], c["regenerate"]], picture=self.view,
                         play_first=True)
        for key in ("dataset", "noise", "n", "test_fraction", "show_test", "discretize", "t", "init", "bias",
                    "optimizer", "lr", "dropout", "dtype", "standardize", "steps_per_frame"):
            self.bind(key, c[key])
        self.bind("l1", c["l1"])
        self.bind("l2", c["l2"])
        self.bind("batch_size", c["batch_size"], lambda v: None if v == 0 else v)
        self.on(c["activation"], lambda name: None if self._syncing else model.set(activation=name))
        c["regenerate"].on_click(self.guarded(lambda _b: model.regenerate()))
        self.on(c["state"], lambda text: None if self._syncing or text == model.state_string else
                model.set_state(text))
        self.wire_kink(kink, t)
        self.controls["play"].depth = 2  # drawn in the browser: two frames in flight hide the websocket's latency
        model.listeners.append(self._sync)

    # -- state ------------------------------------------------------------------
    @property
    def state(self) -> dict[str, Any]:
        """Every setting as a new dict (see :attr:`PlaygroundModel.state`)."""
        return self.model.state

    @property
    def state_string(self) -> str:
        """Every setting as one short string (see :func:`~kit.widgets.models.playground.encode_state`)."""
        return self.model.state_string

    def set_state(self, state: dict[str, Any] | str) -> None:
        """Restore a state (a dict or a state string); errors are shown in the app."""
        self.guarded(self.model.set_state)(state)

    def note(self) -> str:
        """One short line under the controls (the numbers are in the view): the stop, dying units, kink hits."""
        m = self.model
        if m.stopped:
            return m.summary()
        h = m.history
        died = m.dying()
        parts = ["dead units " + ", ".join(f"{d}/{w}" for d, w in zip(h.dead[-1], h.widths, strict=True)),
                 "saturated " + ", ".join(f"{v:.0%}" for v in h.saturated[-1])]
        if any(m.kink_hits):
            parts.append("on a kink " + ", ".join(map(str, m.kink_hits)))
        if sum(died):
            parts.append(f"⚠ {sum(died)} unit{'s' if sum(died) > 1 else ''} died while training: lower the "
                         "learning rate, give a positive initial bias or use leaky_relu")
        return " · ".join(parts)

    # -- the picture ------------------------------------------------------------
    def redraw(self) -> None:
        """Send the model's current frame to the network view."""
        if hasattr(self, "view"):
            self.view.frame = self.model.frame

    def snapshot(self) -> bytes:
        """What the network view shows now, as bytes."""
        frame = self.view.frame
        plain = {k: v for k, v in frame.items() if not isinstance(v, (bytes, list))}
        digest = hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode())
        for key in sorted(frame):
            v = frame[key]
            if isinstance(v, bytes):
                digest.update(v)
            elif isinstance(v, list):
                digest.update(json.dumps([x.hex() if isinstance(x, bytes) else x for x in v]).encode())
        return digest.digest()

    # -- what the network view asks ----------------------------------------------
    @staticmethod
    def _acts(model: PlaygroundModel) -> list[Any]:
        s = model.settings
        acts = s["activation"]
        if isinstance(acts, list) and not (len(acts) == 2 and isinstance(acts[1], dict)):
            return list(acts)
        return [acts] * len(s["hidden"])

    def _act(self, action: dict[str, Any]) -> None:
        self.guarded(self._apply)(action)

    def _apply(self, action: dict[str, Any]) -> None:
        kind = action.get("action")
        m = self.model
        hidden = list(m.settings["hidden"])
        acts = self._acts(m)
        mixed = len({json.dumps(a) for a in acts}) > 1
        if kind == "feature":
            name = action.get("feature")
            now = list(m.settings["features"])
            m.set(features=[f for f in now if f != name] if name in now else [*now, name])
        elif kind == "units":
            layer, delta = int(action["layer"]), int(action["delta"])
            hidden[layer] = max(1, min(MAX_UNITS, hidden[layer] + delta))
            m.set(hidden=hidden)
        elif kind == "layers":
            delta = int(action["delta"])
            if delta > 0 and len(hidden) < MAX_LAYERS:
                hidden, acts = [*hidden, hidden[-1]], [*acts, acts[-1]]
            elif delta < 0 and len(hidden) > 1:
                hidden, acts = hidden[:-1], acts[:-1]
            m.set(hidden=hidden, activation=acts if mixed else acts[0])
        elif kind == "activation":
            layer, name = int(action["layer"]), str(action["name"])
            acts[layer] = name
            m.set(activation=acts if len({json.dumps(a) for a in acts}) > 1 else name)
        elif kind == "select":
            layer, unit = int(action["layer"]), int(action["unit"])
            m.select(None if m.selected == (layer, unit) else layer, unit)
        else:
            raise ValueError(f"the network view sent an unknown action {kind!r}")

    def _sync(self) -> None:
        """Make the controls show the model's settings (after set_state or a rebuild)."""
        s = self.model.settings
        values = {
            "dataset": s["dataset"], "noise": s["noise"], "n": s["n"], "test_fraction": s["test_fraction"],
            "show_test": bool(s["show_test"]), "discretize": bool(s["discretize"]), "kink": s["kink"], "t": s["t"],
            "init": _layer_name(s["init"]), "bias": s["bias"], "optimizer": s["optimizer"], "lr": s["lr"],
            "l1": _nearest(s["l1"], _PENALTIES), "l2": _nearest(s["l2"], _PENALTIES), "dropout": s["dropout"],
            "batch_size": _nearest(s["batch_size"] or 0, _BATCHES), "dtype": s["dtype"],
            "steps_per_frame": s["steps_per_frame"], "standardize": bool(s["standardize"]),
            "activation": _layer_name(self._acts(self.model)[0]), "state": self.model.state_string,
        }
        self._syncing = True
        try:
            for key, value in values.items():
                ctrl = self.controls[key]
                if key == "activation" and value not in ctrl.options:
                    ctrl.options = [value, *activation_names()]
                if hasattr(ctrl, "max") and isinstance(value, (int, float)) and value > ctrl.max:
                    ctrl.max = value
                if hasattr(ctrl, "min") and isinstance(value, (int, float)) and value < ctrl.min:
                    ctrl.min = value
                if ctrl.value != value:
                    ctrl.value = value
            sync_number(self.controls["t"], s["kink"])
            names = activation_names()
            if self.view.activation_names != names:
                self.view.activation_names = names
        finally:
            self._syncing = False
        self.show_note(self.note())
        self.redraw()


def _nearest(value: float, options: list[tuple[str, Any]]) -> Any:
    vals = [v for _, v in options]
    return min(vals, key=lambda v: abs(float(v) - float(value)))
