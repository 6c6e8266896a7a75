"""The frame of the three training apps: play / step / reset, and controls bound to settings."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from kit.widgets.views.base import App
from kit.widgets.views.player import Player

__all__ = ["TrainingApp", "log_slider", "slider"]


def slider(value: float, lo: float, hi: float, step: float, description: str) -> w.FloatSlider:
    """A float slider that only reports when released (a retrain per move would be wasteful)."""
    return w.FloatSlider(value=value, min=min(lo, value), max=max(hi, value), step=step, description=description,
                         continuous_update=False, style={"description_width": "initial"})


def log_slider(value: float, lo_exp: float, hi_exp: float, description: str, fmt: str = ".3g") -> w.FloatLogSlider:
    """A logarithmic slider from 10**lo_exp to 10**hi_exp."""
    return w.FloatLogSlider(value=value, base=10, min=lo_exp, max=hi_exp, step=0.05, description=description,
                            readout_format=fmt, continuous_update=False, style={"description_width": "initial"})


class TrainingApp(App):
    """An app around a :class:`~kit.widgets.models.training.TrainingModel`.

    ``controls["play"]`` (a :class:`~kit.widgets.views.player.Player`) trains
    one frame (``steps_per_frame`` steps) each time the browser asks for one,
    and the browser asks again only once the frame is shown; ``"step"``
    trains one frame; ``"reset"`` rebuilds the network at step 0.  Other
    controls are bound to settings with :meth:`bind`; moving one restarts
    training with the new setting (unless the setting is live).

    Parameters
    ----------
    model : TrainingModel
    title : str
    controls : dict
        The app's own controls by name (play, step and reset are added).
    rows : list of widgets
        The rows of controls above the play row.
    play_row : list of widgets, optional
        More controls shown after play / step / reset (e.g. steps per frame).
    picture : widget, optional
        What shows the model (default: its PNG in an Image).
    """

    def __init__(self, model: Any, title: str, controls: dict[str, w.Widget], rows: list[Any],
                 play_row: list[w.Widget] | None = None, picture: w.Widget | None = None,
                 play_first: bool = False) -> None:
        play = Player(self._play_frame)
        step = w.Button(description="step", icon="step-forward", tooltip="train one frame",
                        layout=w.Layout(width="80px"))
        reset = w.Button(description="reset", icon="undo", tooltip="new network, step 0",
                         layout=w.Layout(width="80px"))
        controls = {**controls, "play": play, "step": step, "reset": reset}
        self._syncing = False
        self._noted = -1.0
        play_box = w.HBox([play, step, reset, *(play_row or [])], layout=w.Layout(flex_flow="row wrap",
                                                                                   align_items="center"))
        rows = [play_box, *rows] if play_first else [*rows, play_box]
        super().__init__(model, title, controls, rows, picture=picture)
        self.show_note(self.note())
        step.on_click(self.guarded(lambda _b: self.frame()))
        reset.on_click(self.guarded(lambda _b: model.reset()))

    def _play_frame(self) -> bool:
        """One frame for the player; False (stop playing) after an error or a stop.

        While playing, the note under the controls is renewed a few times a
        second only (each renewal is one more message to the browser).
        """
        self._playing_frame = True
        try:
            self.guarded(self.frame)()
        finally:
            self._playing_frame = False
        return self.error is None and not self.model.stopped

    def show_note(self, text: str) -> None:
        """The note, in red when training stopped (diverged); renewed at most 4 times a second while playing."""
        now = time.monotonic()
        if getattr(self, "_playing_frame", False) and not self.model.stopped and now - self._noted < 0.25:
            return
        self._noted = now
        if text and getattr(self.model, "stopped", False):
            self.error = None
            self.message.value = f"<div style='color:#B00020;font-weight:bold'>⚠ {html.escape(text)}</div>"
            return
        super().show_note(text)

    def run(self, frames: int = 1) -> None:
        """Train ``frames`` frames now and show the result (for notebooks and lessons)."""
        def frames_now() -> None:
            for _ in range(int(frames)):
                self.frame()

        self.guarded(frames_now)()

    def frame(self) -> None:
        """Train one frame; stop the player when training has stopped."""
        self.model.step()
        if self.model.stopped:
            self.controls["play"].playing = False

    def note(self) -> str:
        """The summary shown under the controls after each update."""
        return self.model.status()

    def bind(self, key: str, control: w.Widget, to_setting: Callable[[Any], Any] | None = None) -> None:
        """Moving ``control`` sets the model's ``key`` (through ``to_setting`` if given)."""
        convert = to_setting or (lambda v: v)

        def apply(value: Any) -> None:
            if not self._syncing:
                self.model.set(**{key: convert(value)})

        self.on(control, apply)

    def show_error(self, exc: BaseException, prefix: str = "") -> None:
        """Show the error in the message line and stop the player."""
        super().show_error(exc, prefix)
        play = self.controls.get("play") if hasattr(self, "controls") else None
        if play is not None:
            play.playing = False
