"""What every app model shares: its figure, its PNG, its activation picker."""

from __future__ import annotations

import math
from typing import Any

import matplotlib
from matplotlib.figure import Figure

import kit
from kit.activation import Activation, Rule, validate_kink
from kit.plot.style import FrameCache, new_figure, rc

__all__ = ["KINK_CHOICES", "AppModel", "activation_names", "contained", "param_range", "param_values", "rule_from"]

KINK_CHOICES: tuple[str, ...] = ("left", "right", "mean", "t", "fixed", "pytorch", "tensorflow", "jax")
"""What a convention selector offers.  ``"t"`` uses ``(1 - t) f'(z−) + t f'(z+)`` for the number t of a
slider; ``"fixed"`` uses that number itself as the derivative at the kink (``kit.Fixed(t)``: what a
jump needs, where both one-sided derivatives may be infinite)."""


def activation_names() -> list[str]:
    """The registered activations, read now: plugins registered at run time included."""
    return kit.names()


def contained(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, BaseException | None]:
    """``(fn(*args, **kwargs), None)``, or ``(None, exc)`` for anything it raises but KeyboardInterrupt.

    Plugin code may raise anything, ``SystemExit`` and ``GeneratorExit``
    included; an app shows it instead of letting it end the kernel.  Ctrl-C
    (KeyboardInterrupt) is the user's and goes through.
    """
    try:
        return fn(*args, **kwargs), None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # (a plugin's SystemExit must not end the kernel)
        return None, exc


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


def param_values(cls: type[Activation], key: str, params: dict[str, float], lo: float, hi: float, step: float,
                 limit: int = 2001) -> list[float] | None:
    """The values of parameter ``key`` in [lo, hi] that ``cls`` accepts, or None if it accepts every slider position.

    A slider from ``lo`` to ``hi`` in steps of ``step`` is probed position by
    position (with the other parameters as in ``params``), plus the powers of
    two and of ten in the range, so a plugin that accepts only some values
    (a staircase whose width must be a power of two) gets a slider of exactly
    those, instead of one that errors at most positions.

    Examples
    --------
    >>> class Even(kit.Activation):
    ...     defaults = {"k": 2}
    ...     def __init__(self, **p):
    ...         super().__init__(**p)
    ...         if self.k % 2:
    ...             raise ValueError("k must be even")
    ...     def value(self, z): return z
    ...     def left_derivative(self, z): return z * 0 + 1
    ...     right_derivative = left_derivative
    >>> param_values(Even, "k", {"k": 2}, 0, 8, 1)
    [0, 2, 4, 6, 8]
    """
    if getattr(cls, "__init__", None) is kit.Activation.__init__:
        return None  # only a plugin's own __init__ refuses values (the contract's way); the base takes any number
    n = round((hi - lo) / step) if step > 0 else 0
    if n > limit or n < 1:
        return None
    grid = [lo + i * step for i in range(n + 1)]
    grid = [round(v, 12) for v in grid]
    ok = [v for v in grid if _accepts(cls, key, params, v)]
    if len(ok) == len(grid):
        return None
    extra = [s * b**k for b in (2.0, 10.0) for k in range(-12, 13) for s in (1.0, -1.0)]
    ok += [v for v in extra if lo <= v <= hi and v not in ok and _accepts(cls, key, params, v)]
    return sorted(set(ok))


def _accepts(cls: type[Activation], key: str, params: dict[str, float], value: float) -> bool:
    default = cls.defaults[key]
    v = int(value) if isinstance(default, int) and not isinstance(default, bool) else value
    if isinstance(v, int) and v != value:
        return False
    _act, exc = contained(cls, **{**params, key: v})
    return exc is None


def rule_from(choice: str, t: float) -> Rule:
    """The kink rule of a selector value: the number ``t`` for ``"t"``, ``kit.Fixed(t)`` for ``"fixed"``, else ``choice``.

    Examples
    --------
    >>> rule_from("t", 0.25), rule_from("fixed", 0.0), rule_from("pytorch", 0.5)
    (0.25, Fixed(value=0.0), 'pytorch')
    """
    if choice == "fixed":
        return kit.Fixed(float(t))
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
