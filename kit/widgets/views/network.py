"""The playground's network view: drawn on a canvas in the browser, its numbers computed here.

:class:`NetworkView` is an ``anywidget.AnyWidget`` whose front end is the
plain ES module ``kit/widgets/static/network.js`` (no build step).  Each frame
Python sets :attr:`NetworkView.frame` to the numbers of
:func:`kit.widgets.models.network.network_frame` (small byte arrays travel as
binary websocket buffers, about 30 kB a frame for 2-8-8-1); the browser draws
the tiles, weight lines, output map, loss curve and the selected unit's
histogram itself, so a frame costs the kernel no drawing and no PNG.

What the user does in the view comes back as one message each (see
:meth:`NetworkView.act`): ``{"action": "feature", "feature": "x1^2"}``,
``{"action": "units", "layer": 0, "delta": 1}``, ``{"action": "layers", "delta": -1}``,
``{"action": "activation", "layer": 1, "name": "tanh"}``,
``{"action": "select", "layer": 0, "unit": 3}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from kit.widgets.views.player import STATIC

__all__ = ["MAX_LAYERS", "MAX_UNITS", "NetworkView"]

MAX_UNITS = 16
"""Units a hidden layer can have in the view."""
MAX_LAYERS = 6
"""Hidden layers the view can have."""


class NetworkView(anywidget.AnyWidget):
    """The canvas of the network view; ``on_action(dict)`` handles what the user clicks."""

    _esm = STATIC / "network.js"
    frame = traitlets.Dict().tag(sync=True)
    activation_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    max_units = traitlets.Int(MAX_UNITS).tag(sync=True)
    max_layers = traitlets.Int(MAX_LAYERS).tag(sync=True)

    def __init__(self, on_action: Callable[[dict[str, Any]], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_action = on_action
        self.on_msg(self._message)

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and "action" in content:
            self.act(content)

    def act(self, action: dict[str, Any]) -> None:
        """Do what a click in the browser asks (see the module docstring)."""
        self.on_action(action)
