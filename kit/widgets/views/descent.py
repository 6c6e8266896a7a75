"""The descent app: gradient descent on one unit, stepped through a kink with each convention."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from kit.widgets.models.descent import MODES, DescentModel
from kit.widgets.views.base import App, activation_picker, kink_picker, param_sliders

__all__ = ["DescentApp"]


def _slider(value: float, lo: float, hi: float, step: float, description: str) -> w.FloatSlider:
    return w.FloatSlider(value=value, min=min(lo, value), max=max(hi, value), step=step, description=description,
                         continuous_update=False)


class DescentApp(App):
    """Widget of :func:`kit.widgets.descent`; ``.model`` is a :class:`DescentModel`."""

    def __init__(self, name: str = "relu", **settings: Any) -> None:
        model = DescentModel(name=name, **settings)
        pick = activation_picker(model.name)
        kink, t = kink_picker(model.kink)
        t.value = model.t
        mode = w.ToggleButtons(options=list(MODES), value=model.mode, description="loss",
                               tooltips=["½(f(w·x+b) − y)²", "f(w)"])
        x = _slider(model.x, -3, 3, 0.1, "x")
        b = _slider(model.b, -3, 3, 0.1, "b")
        y = _slider(model.y, -3, 3, 0.1, "y")
        w0 = _slider(model.w0, -5, 5, 0.25, "w₀")
        lr = w.FloatLogSlider(value=model.lr, base=10, min=-3, max=1, step=0.05, description="learning rate",
                              continuous_update=False, style={"description_width": "initial"})
        steps = w.IntSlider(value=model.steps, min=0, max=max(100, model.steps), description="steps",
                            continuous_update=False)
        compare = w.Checkbox(value=model.compare, description="compare left/right/mean")
        step = w.Button(description="step", icon="step-forward")
        reset = w.Button(description="reset", icon="undo")
        self.params_box = w.HBox()
        self.param_controls: dict[str, w.Widget] = {}
        controls = {"activation": pick, "kink": kink, "t": t, "mode": mode, "x": x, "b": b, "y": y, "w0": w0,
                    "lr": lr, "steps": steps, "compare": compare, "step": step, "reset": reset}
        layout = [w.HBox([pick, kink, t]), w.HBox([mode, compare]), self.params_box, w.HBox([w0, lr]),
                  w.HBox([x, b, y]), w.HBox([steps, step, reset])]
        super().__init__(model, "Gradient descent through a kink", controls, layout)
        self._rebuild_params()
        self.show_note(self.note())

        def on_name(name: str) -> None:
            model.set(name=name)
            self._rebuild_params()

        def on_kink(choice: str) -> None:
            t.disabled = choice != "t"
            model.set(kink=choice)

        def on_steps(n: int) -> None:
            model.set(steps=n)

        self.on(pick, on_name)
        self.on(kink, on_kink)
        self.on(t, lambda v: model.set(t=v))
        self.on(mode, lambda v: model.set(mode=v))
        for key, ctrl in (("x", x), ("b", b), ("y", y), ("w0", w0), ("lr", lr), ("compare", compare)):
            self.on(ctrl, lambda v, key=key: model.set(**{key: v}))
        self.on(steps, on_steps)

        def do_step(_: Any) -> None:
            if steps.value >= steps.max:
                steps.max = steps.value + 50
            steps.value += 1  # the slider's callback runs the step

        # the slider's own (guarded) callback runs the model and redraws once
        step.on_click(do_step)
        reset.on_click(lambda _: setattr(steps, "value", 0))

    def note(self) -> str:
        return self.model.summary()

    def _rebuild_params(self) -> None:
        sliders = param_sliders(self.model.act)
        for key, slider in sliders.items():
            self.on(slider, lambda _v, key=key: self._set_params())
        self.param_controls = sliders
        self.params_box.children = list(sliders.values())

    def _set_params(self) -> None:
        self.model.set(params={k: s.value for k, s in self.param_controls.items()})
