"""The saturation app: a sigmoid/tanh network whose inputs are shifted, scaled or standardised."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from kit.widgets.models.saturation import SaturationModel
from kit.widgets.views.base import activation_picker
from kit.widgets.views.training import TrainingApp, log_slider, slider

__all__ = ["SaturationApp"]


class SaturationApp(TrainingApp):
    """Widget of :func:`kit.widgets.saturation`; ``.model`` is a :class:`SaturationModel`."""

    def __init__(self, **settings: Any) -> None:
        model = SaturationModel(**settings)
        s = model.settings
        act = s["activation"] if isinstance(s["activation"], str) else "sigmoid"
        controls = {
            "activation": activation_picker(act),
            "input_shift": slider(s["input_shift"], -10.0, 10.0, 0.5, "input mean"),
            "input_scale": log_slider(s["input_scale"], -1, 2, "input scale"),
            "standardize": w.Checkbox(value=bool(s["standardize"]), description="standardise inputs"),
            "lr": log_slider(s["lr"], -3, 1, "learning rate"),
        }
        rows = [w.HBox([controls["activation"], controls["standardize"], controls["lr"]]),
                w.HBox([controls["input_shift"], controls["input_scale"]])]
        super().__init__(model, "Saturation: far from zero, sigmoid and tanh units get tiny gradients and learn slowly", controls, rows)
        for key in controls:
            self.bind(key, controls[key])

    def note(self) -> str:
        """The summary, and the share of pre-activations in the shaded region now."""
        share = ", ".join(f"{v:.0%}" for v in self.model.saturated_share)
        return f"{self.model.summary()}; in the shaded region now: {share}"
