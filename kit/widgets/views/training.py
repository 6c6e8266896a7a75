"""The frame of the three training apps: play / step / reset, and controls bound to settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from kit.widgets.views.base import App

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

    ``controls["play"]`` (an ``ipywidgets.Play``) trains one frame
    (``steps_per_frame`` steps) per tick; ``"step"`` trains one frame;
    ``"reset"`` rebuilds the network at step 0.  Other controls are bound to
    settings with :meth:`bind`; moving one restarts training with the new setting.

    Parameters
    ----------
    model : TrainingModel
    title : str
    controls : dict
        The app's own controls by name (play, step and reset are added).
    rows : list of widgets
        The rows of controls above the play row.
    interval_ms : int
        Time between two frames while playing.
    play_row : list of widgets, optional
        More controls shown after play / step / reset (e.g. steps per frame).
    """

    def __init__(self, model: Any, title: str, controls: dict[str, w.Widget], rows: list[Any],
                 interval_ms: int = 150, play_row: list[w.Widget] | None = None) -> None:
        play = w.Play(value=0, min=0, max=10**9, step=1, interval=interval_ms, description="train",
                      show_repeat=False)
        step = w.Button(description="step", icon="step-forward", tooltip="train one frame")
        reset = w.Button(description="reset", icon="undo", tooltip="new network, step 0")
        controls = {**controls, "play": play, "step": step, "reset": reset}
        self._syncing = False
        super().__init__(model, title, controls, [*rows, w.HBox([play, step, reset, *(play_row or [])])])
        self.show_note(self.note())
        self.on(play, lambda _v: self.frame())
        step.on_click(self.guarded(lambda _b: self.frame()))
        reset.on_click(self.guarded(lambda _b: model.reset()))

    def run(self, frames: int = 1) -> None:
        """Train ``frames`` frames now and show the result (for notebooks and lessons)."""
        self.guarded(lambda: [self.frame() for _ in range(int(frames))])()

    def frame(self) -> None:
        """Train one frame; stop the player when training has stopped."""
        self.model.step()
        if self.model.stopped:
            self.controls["play"].playing = False

    def note(self) -> str:
        """The summary shown under the controls after each update."""
        return self.model.summary()

    def bind(self, key: str, control: w.Widget, to_setting: Callable[[Any], Any] | None = None) -> None:
        """Moving ``control`` sets the model's ``key`` (through ``to_setting`` if given)."""
        convert = to_setting or (lambda v: v)

        def apply(value: Any) -> None:
            if not self._syncing:
                self.model.set(**{key: convert(value)})

        self.on(control, apply)

    def show_error(self, exc: BaseException) -> None:
        """Show the error in the message line and stop the player."""
        super().show_error(exc)
        play = self.controls.get("play") if hasattr(self, "controls") else None
        if play is not None:
            play.playing = False
