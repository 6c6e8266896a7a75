"""Playground: a TensorFlow-Playground-like app whose whole state is one dict, or one short string."""

from __future__ import annotations

import base64
import binascii
import copy
import json
import zlib
from typing import Any

import matplotlib

from kit.plot.style import rc
from kit.plot.training import BoundaryPlot, LossPlot, UnitsPlot
from kit.widgets.models.network import network_frame
from kit.widgets.models.training import BASE_DEFAULTS, TrainingModel

__all__ = ["STATE_PREFIX", "PlaygroundModel", "StateError", "decode_state", "encode_state"]

STATE_PREFIX = "kitpg"
"""A state string starts with this, then its format version, then a dot: ``kitpg1.…``."""
STATE_VERSION = 1

# Version 1 stores the settings that differ from these, which never change (whatever the app's defaults
# become later), so a string made today restores the same set-up tomorrow.
_BASE_V1: dict[str, Any] = {
    "dataset": "xor", "n": 500, "noise": 0.1, "test_fraction": 0.3, "seed": 0, "data_seed": None,
    "features": ["x1", "x2"], "hidden": [8, 8], "activation": "relu", "kink": "left", "t": 0.5, "init": "he",
    "bias": 0.0, "optimizer": "sgd", "lr": 0.1, "l1": 0.0, "l2": 0.0, "dropout": 0.0, "batch_size": 32,
    "dtype": "float32", "standardize": False, "input_shift": 0.0, "input_scale": 1.0, "steps_per_frame": 10,
    "show_test": False, "discretize": False,
}


class StateError(ValueError):
    """A state string that cannot be read: not one, damaged, or from another version."""


def encode_state(state: dict[str, Any]) -> str:
    """One short string holding ``state``: ``kitpg1.`` and the settings that differ from version 1's base,
    as compact JSON, compressed (zlib, whose checksum catches a damaged copy) and base64url-encoded.

    Examples
    --------
    >>> s = encode_state({**_BASE_V1, "dataset": "spiral", "hidden": [6, 6, 6], "lr": 0.03})
    >>> s.startswith("kitpg1."), len(s) < 80
    (True, True)
    >>> decode_state(s)["hidden"]
    [6, 6, 6]
    """
    diff = {k: v for k, v in state.items() if k not in _BASE_V1 or _BASE_V1[k] != v}
    raw = json.dumps(diff, separators=(",", ":"), sort_keys=True, allow_nan=False).encode()
    packed = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    return f"{STATE_PREFIX}{STATE_VERSION}.{packed}"


def decode_state(text: str) -> dict[str, Any]:
    """The settings a state string holds (every key: the base fills in the rest); a clear error otherwise.

    JSON is read with :func:`json.loads` (nothing is evaluated); the values
    are checked when the app applies them.

    Examples
    --------
    >>> decode_state("kitpg2.abc")
    Traceback (most recent call last):
    ...
    kit.widgets.models.playground.StateError: this playground state string has format version 2; this kit reads version 1 (a newer kit made it)
    """
    if not isinstance(text, str):
        raise StateError(f"a playground state string is text, got {type(text).__name__}")
    text = text.strip().strip("'\"")
    head, dot, body = text.partition(".")
    if not head.startswith(STATE_PREFIX) or not dot:
        raise StateError(f"not a playground state string: it should start with '{STATE_PREFIX}{STATE_VERSION}.' "
                         f"(got {text[:20]!r}); copy it whole from the app's state box")
    version = head[len(STATE_PREFIX):]
    if not version.isdigit():
        raise StateError(f"not a playground state string: {head!r} has no version number")
    if int(version) != STATE_VERSION:
        newer = "a newer" if int(version) > STATE_VERSION else "an older"
        raise StateError(f"this playground state string has format version {int(version)}; this kit reads "
                         f"version {STATE_VERSION} ({newer} kit made it)")
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        diff = json.loads(raw.decode())
    except (binascii.Error, zlib.error, ValueError, UnicodeDecodeError) as exc:
        raise StateError("this playground state string is damaged (a character missing or changed?): copy it "
                         "whole again") from exc
    if not isinstance(diff, dict):
        raise StateError("this playground state string does not hold settings")
    return {**copy.deepcopy(_BASE_V1), **diff}


class PlaygroundModel(TrainingModel):
    """State and numbers of :func:`kit.widgets.playground`.

    :attr:`state` is every setting as a plain dict (JSON-friendly); give it
    back to :meth:`set_state` (or ``playground(state=...)``) to restore a
    setup, e.g. in a lesson.  :attr:`state_string` is the same as one short
    string (see :func:`encode_state`); :meth:`set_state` takes it too.
    ``activation`` is a name for every hidden layer or a list with one per
    layer (a name, or ``[name, {params}]``); ``features`` the inputs the
    network sees (see :mod:`kit.widgets.models.features`).

    Every frame computes :attr:`frame`, the numbers of the network view
    (:func:`~kit.widgets.models.network.network_frame`); :meth:`png` draws a
    static picture of the same state with matplotlib (for a report or a test).

    Parameters
    ----------
    **settings
        Any key of :data:`~kit.widgets.models.training.BASE_DEFAULTS`, and
        ``show_test`` (draw the test points), ``discretize`` (the output map
        as two classes); defaults: a 2-16-16-1 ReLU network on ``xor`` with
        500 points, Adam with learning rate 0.01: big enough to learn every
        data set offered, the spiral included (training accuracy about 0.95
        or more after 1000 steps; the former 2-8-8-1 network with SGD at 0.1
        stayed near 0.6).

    Examples
    --------
    >>> m = PlaygroundModel(n=100, hidden=[4])
    >>> m.step(5)
    >>> m.steps_done
    5
    >>> setup = {**m.state, "activation": "leaky_relu"}
    >>> m.set_state(setup)
    >>> m.steps_done, m.state == setup
    (0, True)
    >>> text = m.state_string
    >>> m.set_state(text)
    >>> m.state == setup
    True
    """

    DEFAULTS: dict[str, Any] = {**BASE_DEFAULTS, "dataset": "xor", "hidden": [16, 16], "optimizer": "adam", "lr": 0.01,
                                "show_test": False, "discretize": False}

    selected: tuple[int, int] | None = None
    """The unit whose pre-activations the view shows, ``(layer, unit)`` from 0, or None."""

    @property
    def state(self) -> dict[str, Any]:
        """Every setting as a new dict."""
        return copy.deepcopy(self.settings)

    @property
    def state_string(self) -> str:
        """Every setting as one short string (see :func:`encode_state`)."""
        return encode_state(self.settings)

    def set_state(self, state: dict[str, Any] | str) -> None:
        """Restore a state, a dict or a state string (missing keys take their defaults); training restarts at step 0.

        A bad state raises (:class:`StateError` for a string that cannot be
        read, ``ValueError``/``TypeError`` for a bad setting) and changes nothing.
        """
        if isinstance(state, str):
            state = decode_state(state)
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict or a state string, got {type(state).__name__}")
        self.set(**{**copy.deepcopy(self.DEFAULTS), **state})

    def select(self, layer: int | None, unit: int | None = None) -> None:
        """Show the pre-activations of hidden ``unit`` of ``layer`` (from 0); ``None`` shows none."""
        if layer is None:
            self.selected = None
        else:
            layer, unit = int(layer), int(unit if unit is not None else 0)
            if not (0 <= layer < self.net.n_hidden and 0 <= unit < self.net.sizes[layer + 1]):
                raise ValueError(f"no unit {unit + 1} in hidden layer {layer + 1} of {list(self.net.sizes)}")
            self.selected = (layer, unit)
        self._draw()

    def _build_figure(self) -> None:
        with matplotlib.rc_context(rc()):
            _fig, axes = self._new_figure(2, 2, figsize=(10.0, 7.0), dpi=80)
            self.boundary_plot = BoundaryPlot(axes[0, 0], resolution=50)
            self.loss_plot = LossPlot(axes[0, 1])
            self.dead_plot = UnitsPlot(axes[1, 0], ylabel="dead units (fraction)", title="dead units per layer")
            self.sat_plot = UnitsPlot(axes[1, 1], ylabel="saturated (fraction)", title="saturated pre-activations")

    def moving(self) -> list[Any]:
        """The artists that change from frame to frame (see :class:`~kit.plot.style.FrameCache`)."""
        return (self.boundary_plot.moving() + self.loss_plot.moving() + self.dead_plot.moving()
                + self.sat_plot.moving())

    def _draw(self) -> None:
        sel = self.selected
        if sel is not None and not (sel[0] < self.net.n_hidden and sel[1] < self.net.sizes[sel[0] + 1]):
            self.selected = None
        self.frame = network_frame(self, self.selected)
        self._drawn = False

    def draw_figure(self) -> None:
        """Bring the matplotlib picture up to date (done by :meth:`png`; the network view needs none)."""
        c = self.curves
        with matplotlib.rc_context(rc()):
            test = self.settings["show_test"]
            self.boundary_plot.update(self.predict, self.X_train, self.y_train, self.X_test if test else None,
                                      self.y_test if test else None)
            self.loss_plot.update(c.steps, c.column(0), self.test_loss, self.test_steps)
            self.dead_plot.update(c.steps, c.column(1))
            self.sat_plot.update(c.steps, c.column(2))
        self._drawn = True

    def png(self) -> bytes:
        """The matplotlib picture of the current state as PNG bytes."""
        if not self._drawn:
            self.draw_figure()
        return super().png()
