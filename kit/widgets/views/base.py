"""The common frame of every app: title, controls, picture, message line.

The picture is an :class:`ipywidgets.Image` fed with the PNG of the model's
Agg-drawn figure.  That works the same under ``%matplotlib inline``, under
ipympl and headless (nothing depends on the notebook's backend), the browser
gets one small image per redraw, and tests can compare bytes.
"""

from __future__ import annotations

import functools
import html
import traceback
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from kit.activation import Activation
from kit.widgets.models.base import KINK_CHOICES, activation_names, param_range

__all__ = ["ActivationApp", "App", "activation_picker", "kink_picker", "param_sliders"]


class App(w.VBox):
    """An app: ``.model`` (plain Python), ``.controls`` (name -> widget), ``.image``, ``.message``.

    Parameters
    ----------
    model : AppModel
        The app's logic; ``model.png()`` gives the picture.
    title : str
        Shown above the controls.
    controls : dict
        Every control by name (tests and lessons drive them by name).
    layout : list of widgets
        The rows of controls, top to bottom.
    side : widget, optional
        Shown to the right of the picture (the explorer's table).

    Attributes
    ----------
    error : str or None
        The last error shown in the message line (None after a success).
    last_traceback : str
        Its traceback, for debugging.
    """

    def __init__(self, model: Any, title: str, controls: dict[str, w.Widget], layout: list[Any],
                 side: w.Widget | None = None) -> None:
        self.model = model
        self.controls = controls
        self.message = w.HTML(layout=w.Layout(min_height="1.5em"))
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self.error: str | None = None
        self.last_traceback = ""
        header = w.HTML(f"<h3 style='margin:4px 0'>{html.escape(title)}</h3>")
        picture = w.HBox([self.image, side]) if side is not None else self.image
        super().__init__([header, *layout, self.message, picture])
        self.add_class("kit-app")
        self.redraw()

    def redraw(self) -> None:
        """Put the model's current picture into the image."""
        self.image.value = self.model.png()

    def show_error(self, exc: BaseException) -> None:
        """Show ``exc`` in the app's message line instead of raising it."""
        self.error = f"{type(exc).__name__}: {exc}"
        self.message.value = (f"<div style='color:#B00020;font-weight:bold'>⚠ {html.escape(self.error)}</div>")

    def show_note(self, text: str) -> None:
        """Show an informative (not error) message; an empty text clears the line."""
        self.error = None
        self.message.value = f"<div>{html.escape(text)}</div>" if text else ""

    def guarded(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a callback: errors go to the message line, the picture is redrawn on success."""

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> None:
            try:
                fn(*args, **kwargs)
                self.show_note(self.note())
                self.redraw()
            except Exception as exc:
                self.show_error(exc)
                self.last_traceback = traceback.format_exc()

        return run

    def note(self) -> str:
        """A message to show after a successful update (override)."""
        return ""

    def on(self, control: w.Widget, fn: Callable[[Any], Any]) -> None:
        """Call ``fn(new_value)`` (guarded) when ``control``'s value changes."""
        control.observe(self.guarded(lambda change: fn(change["new"])), names="value")

    def wire_kink(self, kink: w.Dropdown, t: w.FloatSlider) -> None:
        """The kink selector sets ``model.set(kink=...)``; the t slider is enabled only for ``"t"``."""

        def on_kink(choice: str) -> None:
            t.disabled = choice != "t"
            self.model.set(kink=choice)

        self.on(kink, on_kink)


class ActivationApp(App):
    """An app about one activation (explorer, descent): picker, parameter sliders, kink rule and t.

    The model has ``.act`` and ``.set(name=..., params=..., kink=..., t=...)``.
    :attr:`param_controls` holds one slider per parameter of the activation
    shown, in :attr:`params_box` (below the first row of ``layout``); they
    are remade when the activation changes.  ``controls`` must hold
    ``"activation"``, ``"kink"`` and ``"t"``.
    """

    def __init__(self, model: Any, title: str, controls: dict[str, w.Widget], layout: list[Any],
                 side: w.Widget | None = None) -> None:
        self.params_box = w.HBox()
        self.param_controls: dict[str, w.Widget] = {}
        super().__init__(model, title, controls, [*layout[:1], self.params_box, *layout[1:]], side=side)
        self._rebuild_params()

        def on_name(name: str) -> None:
            model.set(name=name)
            self._rebuild_params()

        self.on(controls["activation"], on_name)
        self.wire_kink(controls["kink"], controls["t"])
        self.on(controls["t"], lambda v: model.set(t=v))

    def _rebuild_params(self) -> None:
        for old in self.param_controls.values():
            old.close()  # frees its comm in the kernel
        sliders = param_sliders(self.model.act)
        for slider in sliders.values():
            self.on(slider, lambda _v: self._set_params())
        self.param_controls = sliders
        self.params_box.children = list(sliders.values())

    def _set_params(self) -> None:
        self.model.set(params={k: s.value for k, s in self.param_controls.items()})


def activation_picker(value: str, description: str = "activation") -> w.Dropdown:
    """A dropdown of the activations registered now (plugins included)."""
    options = activation_names()
    if value not in options:
        options = [value, *options]
    return w.Dropdown(options=options, value=value, description=description,
                      style={"description_width": "initial"}, layout=w.Layout(width="260px"))


def kink_picker(value: str = "left") -> tuple[w.Dropdown, w.FloatSlider]:
    """The kink-convention selector and its t slider (used when the selector says ``"t"``)."""
    pick = w.Dropdown(options=list(KINK_CHOICES), value=value, description="kink rule",
                      style={"description_width": "initial"}, layout=w.Layout(width="220px"))
    t = w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="t", continuous_update=False,
                      disabled=value != "t")
    return pick, t


def param_sliders(act: Activation) -> dict[str, w.Widget]:
    """One slider per parameter of ``act``, ranged around its class default."""
    out: dict[str, w.Widget] = {}
    for key, default in type(act).defaults.items():
        lo, hi, step = param_range(default)
        cur = act.params[key]
        lo, hi = min(lo, cur), max(hi, cur)
        cls = w.IntSlider if isinstance(default, int) and not isinstance(default, bool) else w.FloatSlider
        out[key] = cls(value=cur, min=lo, max=hi, step=step, description=key, continuous_update=False)
    return out
