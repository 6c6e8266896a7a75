"""The descent app: gradient descent on one unit, stepped through a kink with each convention."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from kit.widgets.models.descent import MODES, W0_RANGE, DescentModel
from kit.widgets.views.base import ActivationApp, activation_picker, kink_picker
from kit.widgets.views.training import slider

__all__ = ["DescentApp"]


class DescentApp(ActivationApp):
    """Widget of :func:`kit.widgets.descent`; ``.model`` is a :class:`DescentModel`.

    The message line says what happened: the first iterate exactly on a kink
    and the derivative the rule used there, divergence, where each rule ends.
    """

    def __init__(self, name: str = "relu", **settings: Any) -> None:
        model = DescentModel(name=name, **settings)
        pick = activation_picker(model.name)
        kink, t = kink_picker(model.kink, model.t)
        mode = w.ToggleButtons(options=list(MODES), value=model.mode, tooltips=["½(f(w·x+b) − y)²", "f(w)"],
                               style={"button_width": "90px"})
        x = slider(model.x, -3, 3, 0.1, "x")
        b = slider(model.b, -3, 3, 0.1, "b")
        y = slider(model.y, -3, 3, 0.1, "y")
        w0 = slider(model.w0, *W0_RANGE, 0.25, "w₀")
        lr = w.FloatLogSlider(value=model.lr, base=10, min=-3, max=1, step=0.05, description="learning rate",
                              continuous_update=False, style={"description_width": "initial"})
        steps = w.IntSlider(value=model.steps, min=0, max=max(100, model.steps), description="steps",
                            continuous_update=False)
        compare = w.Checkbox(value=model.compare, description="compare left/right/mean")
        step = w.Button(description="step", icon="step-forward")
        reset = w.Button(description="reset", icon="undo")
        controls = {"activation": pick, "kink": kink, "t": t, "mode": mode, "x": x, "b": b, "y": y, "w0": w0,
                    "lr": lr, "steps": steps, "compare": compare, "step": step, "reset": reset}
        self.unit_row = w.HBox([x, b, y])
        layout = [w.HBox([pick, kink, t]), w.HBox([w.Label("loss L(w):"), mode, compare]), w.HBox([w0, lr]),
                  self.unit_row, w.HBox([steps, step, reset])]
        super().__init__(model, "Gradient descent through a kink", controls, layout)
        self._show_unit_row()
        self.show_note(self.note())

        def on_mode(value: str) -> None:
            model.set(mode=value)
            self._show_unit_row()

        self.on(mode, on_mode)
        def setter(key: str) -> Callable[[Any], None]:
            return lambda v: model.set(**{key: v})

        for key, ctrl in (("x", x), ("b", b), ("y", y), ("w0", w0), ("lr", lr), ("t", t)):
            self.on(ctrl, setter(key), throttle=True)
        for key, ctrl in (("compare", compare), ("steps", steps)):
            self.on(ctrl, setter(key))

        def do_step(_: Any) -> None:
            if steps.value >= steps.max:
                steps.max = steps.value + 50
            steps.value += 1  # the slider's own (guarded) callback runs the model and redraws once

        step.on_click(do_step)
        reset.on_click(lambda _: setattr(steps, "value", 0))

    def _show_unit_row(self) -> None:
        """x, b and y shape the unit's loss only: hidden in ``"activation"`` mode, where L(w) = f(w)."""
        self.unit_row.layout.display = None if self.model.mode == "unit" else "none"

    def note(self) -> str:
        """The summary shown under the controls after each update."""
        return self.model.summary()
