"""The dead-units app: a ReLU network trained live; learning rate, bias init, activation, dropout."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from kit.widgets.models.dead_units import DeadUnitsModel
from kit.widgets.views.base import activation_picker, kink_picker
from kit.widgets.views.training import TrainingApp, log_slider, slider

__all__ = ["DeadUnitsApp"]


class DeadUnitsApp(TrainingApp):
    """Widget of :func:`kit.widgets.dead_units`; ``.model`` is a :class:`DeadUnitsModel`."""

    def __init__(self, **settings: Any) -> None:
        model = DeadUnitsModel(**settings)
        s = model.settings
        act = s["activation"] if isinstance(s["activation"], str) else "relu"
        controls = {
            "activation": activation_picker(act),
            "lr": log_slider(s["lr"], -3, 1, "learning rate"),
            "bias": slider(s["bias"], -3.0, 1.0, 0.05, "initial bias"),
            "dropout": slider(s["dropout"], 0.0, 0.8, 0.05, "dropout"),
        }
        kink, t = kink_picker(s["kink"], s["t"])
        controls["kink"], controls["t"] = kink, t
        rows = [w.HBox([controls["activation"], kink, t]), w.HBox([controls["lr"], controls["bias"],
                                                                   controls["dropout"]])]
        super().__init__(model, "Dead units: which ReLU units still pass a gradient?", controls, rows)
        for key in ("activation", "lr", "bias", "dropout", "t"):
            self.bind(key, controls[key])
        self.wire_kink(kink, t)
