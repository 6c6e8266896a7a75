"""What every app model shares: its figure, its PNG, its activation picker."""

from __future__ import annotations

import math
from typing import Any

import matplotlib
from matplotlib.figure import Figure

import kit
from kit.activation import validate_kink
from kit.plot.style import FrameCache, new_figure, rc

__all__ = ["KINK_CHOICES", "AppModel", "activation_names", "param_range"]

KINK_CHOICES: tuple[str, ...] = ("left", "right", "mean", "t", "pytorch", "tensorflow", "jax")
"""What a convention selector offers; ``"t"`` means the number t in [0, 1] of a slider."""


def activation_names() -> list[str]:
    """The registered activations, read now: plugins registered at run time included."""
    return kit.names()




def param_range(default: float) -> tuple[float, float, float]:
    """A slider range ``(min, max, step)`` around a parameter's default value."""
    d = float(default)
    if isinstance(default, int) and not isinstance(default, bool):
        hi = max(2 * abs(int(default)), 4)
        return (min(0, int(default)), hi, 1)
    if d == 0:
        return (-2.0, 2.0, 0.01)
    top = max(2 * abs(d), 1.0)  # leaky_relu's 0.01 gets [0, 1]; elu's 1 gets [0, 2]
    step = 10 ** math.floor(math.log10(top / 200))
    return (0.0, top, step) if d > 0 else (-top, 0.0, step)


def rule_from(choice: str, t: float) -> Any:
    """The kink rule of a selector value: the number ``t`` for ``"t"``, else ``choice``."""
    return validate_kink(float(t) if choice == "t" else choice)


class AppModel:
    """Base of the app models: a figure made without pyplot, drawn to PNG by Agg."""

    figure: Figure

    def _new_figure(self, nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
        with matplotlib.rc_context(rc()):
            fig, axes = new_figure(nrows, ncols, **kwargs)
        self.figure = fig
        self.frames = FrameCache(fig, self.moving, overlay=self.overlay)
        return fig, axes

    def moving(self) -> list[Any]:
        """The artists whose data change from frame to frame (override)."""
        return []

    def overlay(self) -> list[Any]:
        """Artists that change with some controls only, drawn over the static picture (override)."""
        return []

    def png(self) -> bytes:
        """The current picture as PNG bytes (Agg; static parts redrawn only when they change)."""
        with matplotlib.rc_context(rc()):
            return self.frames.render()
