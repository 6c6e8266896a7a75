"""The common frame of every app: title, controls, picture, message line.

The picture is an :class:`ipywidgets.Image` fed with the PNG of the model's
Agg-drawn figure.  That works the same under ``%matplotlib inline``, under
ipympl and headless (nothing depends on the notebook's backend), the browser
gets one small image per redraw, and tests can compare bytes.
"""

from __future__ import annotations

import asyncio
import functools
import html
import time
import traceback
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from kit.activation import Activation
from kit.widgets.models.base import KINK_CHOICES, activation_names, contained, param_range, param_values

__all__ = ["ActivationApp", "App", "Throttle", "activation_picker", "build_app", "kink_picker", "param_sliders"]

DRAG_RATE = 15.0
"""Redraws per second at most while a slider is dragged (the picture follows the handle)."""


class Throttle:
    """Run the latest of a burst of calls at most ``rate`` times a second, and always the last one.

    A slider dragged with ``continuous_update`` sends a value for every mouse
    move; redrawing for each would queue work faster than it is done and the
    picture would lag further and further behind the handle.  Calls submitted
    here are coalesced (per key, only the newest value is kept) and run on the
    kernel's event loop: at once if the previous run started more than
    ``1 / rate`` seconds ago, else when that time has passed.  Without a
    running event loop (plain Python, tests) each call runs at once.
    """

    def __init__(self, rate: float = DRAG_RATE) -> None:
        self.interval = 1.0 / float(rate)
        self.pending: dict[Any, Callable[[], None]] = {}
        self.handle: Any = None
        self.last = -1e9
        self.runs = 0

    def submit(self, key: Any, call: Callable[[], None]) -> None:
        """Run ``call`` soon; a newer call with the same ``key`` replaces it if it has not run yet."""
        self.pending[key] = call
        loop = _kernel_loop()
        if loop is None:
            self.flush()
            return
        if self.handle is None:
            delay = max(0.0, self.last + self.interval - time.monotonic())
            self.handle = loop.call_later(delay, self.flush)

    def flush(self) -> None:
        """Run every pending call now (oldest key first)."""
        self.handle = None
        calls = list(self.pending.values())
        self.pending.clear()
        self.last = time.monotonic()
        for call in calls:
            self.runs += 1
            call()


def _kernel_loop() -> Any:
    """The running event loop of an IPython kernel (where widget messages arrive), else None.

    Another library's loop in this thread (Playwright's, in a test) is not one: there, calls run at once.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return loop if shell is not None and getattr(shell, "kernel", None) is not None else None


def build_app(make: Callable[..., Any], fallback: dict[str, Any], *args: Any, **settings: Any) -> Any:
    """``make(*args, **settings)``; if plugin code (or a setting) makes that fail, the app with ``fallback``
    settings instead, showing the error inside itself.

    A notebook cell that builds an app on a hostile activation still shows an
    app, with the reason it could not use it in its message line.
    """
    app, exc = contained(make, *args, **settings)
    if exc is None:
        return app
    app, exc2 = contained(make, **fallback)
    if exc2 is not None:
        box = w.VBox([w.HTML()])
        box.add_class("kit-app")
        box.error = f"{type(exc).__name__}: {exc}"
        box.children[0].value = _error_html(box.error)
        return box
    app.show_error(exc, prefix="could not build the app as asked, so it shows its defaults: ")
    app.last_traceback = "".join(traceback.format_exception(exc))
    return app


def _error_html(text: str) -> str:
    return f"<div style='color:#B00020;font-weight:bold'>⚠ {html.escape(text)}</div>"


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
                 side: w.Widget | None = None, picture: w.Widget | None = None) -> None:
        self.model = model
        self.controls = controls
        self.message = w.HTML(layout=w.Layout(min_height="1.5em"))
        self.image: w.Image | None = None
        if picture is None:
            self.image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
            picture = self.image
        self.error: str | None = None
        self.last_traceback = ""
        header = w.HTML(f"<div style='font-size:1.15em;font-weight:bold;margin:0 0 2px 0'>{html.escape(title)}</div>")
        shown = w.HBox([picture, side], layout=w.Layout(flex_flow="row wrap")) if side is not None else picture  # the table goes below on a narrow screen
        super().__init__([header, *layout, self.message, shown])
        self.add_class("kit-app")
        self.redraw()

    def redraw(self) -> None:
        """Put the model's current picture into the image."""
        if self.image is not None:
            self.image.value = self.model.png()

    def snapshot(self) -> bytes:
        """What the app shows now, as bytes (tests compare two of them): the PNG."""
        return bytes(self.image.value) if self.image is not None else b""

    def show_error(self, exc: BaseException, prefix: str = "") -> None:
        """Show ``exc`` in the app's message line instead of raising it."""
        self.error = f"{prefix}{type(exc).__name__}: {exc}"
        self.message.value = _error_html(self.error)

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
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # (plugin code may raise SystemExit: show it, keep the kernel)
                self.show_error(exc)
                self.last_traceback = traceback.format_exc()

        return run

    def note(self) -> str:
        """A message to show after a successful update (override)."""
        return ""

    def on(self, control: w.Widget, fn: Callable[[Any], Any], *, throttle: bool = False) -> None:
        """Call ``fn(new_value)`` (guarded) when ``control``'s value changes.

        With ``throttle``, a burst of changes (a slider being dragged) is
        coalesced by the app's :class:`Throttle`: the picture follows the
        handle at up to :data:`DRAG_RATE` redraws a second and ends on the last value.
        """
        guarded = self.guarded(fn)
        if not throttle:
            control.observe(lambda change: guarded(change["new"]), names="value")
            return
        control.continuous_update = True
        control.observe(lambda change: self.throttle.submit(control, lambda: guarded(control.value)), names="value")

    @functools.cached_property
    def throttle(self) -> Throttle:
        """The app's :class:`Throttle` of slider drags."""
        return Throttle()

    def wire_kink(self, kink: w.Dropdown, t: w.FloatSlider) -> None:
        """The kink selector sets ``model.set(kink=...)``; the number slider is enabled for ``"t"`` and ``"fixed"``."""

        def on_kink(choice: str) -> None:
            sync_number(t, choice)
            if not getattr(self, "_syncing", False):
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

    def _rebuild_params(self) -> None:
        for old in self.param_controls.values():
            old.close()  # frees its comm in the kernel
        sliders = param_sliders(self.model.act)
        for slider in sliders.values():
            self.on(slider, lambda _v: self._set_params(), throttle=True)
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


def kink_picker(value: str = "left", number: float = 0.5) -> tuple[w.Dropdown, w.FloatSlider]:
    """The kink-convention selector and its number slider (t for ``"t"``, the derivative for ``"fixed"``)."""
    pick = w.Dropdown(options=list(KINK_CHOICES), value=value, description="kink rule",
                      style={"description_width": "initial"}, layout=w.Layout(width="220px"),
                      tooltip="what f'(kink) is: left, right, mean, (1-t)·left + t·right, a fixed number, "
                              "or what a framework uses")
    t = w.FloatSlider(value=number, min=0.0, max=1.0, step=0.05, description="t", continuous_update=False)
    sync_number(t, value)
    return pick, t


def sync_number(t: w.FloatSlider, choice: str) -> None:
    """Enable and name the kink rule's number slider for ``choice`` (``"t"``: t; ``"fixed"``: f'(kink))."""
    t.disabled = choice not in ("t", "fixed")
    t.description = "f'(kink)" if choice == "fixed" else "t"


def param_sliders(act: Activation) -> dict[str, w.Widget]:
    """One slider per parameter of ``act``, ranged around its class default.

    Where the plugin refuses some slider positions (see
    :func:`~kit.widgets.models.base.param_values`), the slider offers only the
    values it accepts.
    """
    out: dict[str, w.Widget] = {}
    cls_ = type(act)
    for key, default in cls_.defaults.items():
        lo, hi, step = param_range(default)
        cur = act.params[key]
        lo, hi = min(lo, cur), max(hi, cur)
        values = param_values(cls_, key, act.params, lo, hi, step)
        if values is not None:
            options = sorted({*values, cur})
            out[key] = w.SelectionSlider(options=options, value=cur, description=key, continuous_update=False)
            continue
        cls = w.IntSlider if isinstance(default, int) and not isinstance(default, bool) else w.FloatSlider
        out[key] = cls(value=cur, min=lo, max=hi, step=step, description=key, continuous_update=False)
    return out
