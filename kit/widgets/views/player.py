"""The play / pause button of the training apps: the browser asks for each frame (anywidget).

:class:`Player` is an ``anywidget.AnyWidget`` whose front end is the plain ES
module ``kit/widgets/static/player.js``.  While :attr:`Player.playing`, the
browser sends a "frame" message, the kernel runs one frame (``on_frame``) and
answers "done", and only then, after painting, does the browser ask for the
next.  An ``ipywidgets.Play`` ticks at a fixed interval instead: a slow frame
makes ticks queue up (frames keep coming after Pause) and a fast one waits
for the next tick (the first frame comes late).

In plain Python (tests, lessons) :meth:`Player.tick` is what one browser
request does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

__all__ = ["STATIC", "Player"]

STATIC = Path(__file__).resolve().parents[1] / "static"
"""The folder of the kit's ES modules."""


class Player(anywidget.AnyWidget):
    """Play / pause for an app; ``on_frame()`` runs one frame and returns whether to go on.

    Attributes
    ----------
    playing : bool
        Synced with the button; set it False to stop.
    frames : int
        Frames run since the app was made (kernel side only: one message a frame less).
    depth : int
        Frame requests the browser keeps in flight: 1 for a PNG picture (the
        kernel's drawing is the bottleneck), 2 for a picture drawn in the
        browser, which then shows only the last frame that arrives after Pause.
    """

    _esm = STATIC / "player.js"
    playing = traitlets.Bool(False).tag(sync=True)
    frames = traitlets.Int(0)
    depth = traitlets.Int(1).tag(sync=True)

    def __init__(self, on_frame: Callable[[], bool], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_frame = on_frame
        self.on_msg(self._message)

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "frame":
            # run it after the messages already waiting: a Pause sent after this request is seen first
            try:
                asyncio.get_running_loop().call_soon(self.tick)
            except RuntimeError:
                self.tick()

    def tick(self) -> None:
        """Run one frame if playing (what a browser request does), then tell the browser it is done."""
        if self.playing:
            go_on = self.on_frame()
            self.frames += 1
            if not go_on:
                self.playing = False
        self.send({"type": "done"})
