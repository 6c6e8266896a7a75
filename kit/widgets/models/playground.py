"""Playground: a TensorFlow-Playground-like app whose whole state is one dict."""

from __future__ import annotations

import copy
from typing import Any

import matplotlib

from kit.plot.style import rc
from kit.plot.training import BoundaryPlot, LossPlot, UnitsPlot
from kit.widgets.models.training import BASE_DEFAULTS, TrainingModel

__all__ = ["PlaygroundModel"]


class PlaygroundModel(TrainingModel):
    """State and picture of :func:`kit.widgets.playground`.

    :attr:`state` is every setting as a plain dict (JSON-friendly); give it
    back to :meth:`set_state` (or ``playground(state=...)``) to restore a
    setup, e.g. in a lesson.  ``activation`` is a name for every hidden layer
    or a list with one per layer (a name, or ``[name, {params}]``).

    Parameters
    ----------
    **settings
        Any key of :data:`~kit.widgets.models.training.BASE_DEFAULTS`;
        defaults: a 2-16-16-1 ReLU network on ``xor`` with 500 points, Adam
        with learning rate 0.01: big enough to learn every data set offered,
        the spiral included (training accuracy about 0.95 or more after 1000
        steps; the former 2-8-8-1 network with SGD at 0.1 stayed near 0.6).

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
    """

    DEFAULTS: dict[str, Any] = {**BASE_DEFAULTS, "dataset": "xor", "hidden": [16, 16], "optimizer": "adam", "lr": 0.01}

    @property
    def state(self) -> dict[str, Any]:
        """Every setting as a new dict."""
        return copy.deepcopy(self.settings)

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state (missing keys take their defaults); training restarts at step 0."""
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict, got {type(state).__name__}")
        self.set(**{**copy.deepcopy(self.DEFAULTS), **state})

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
        h = self.history
        with matplotlib.rc_context(rc()):
            self.boundary_plot.update(self.predict, self.X_train, self.y_train, self.X_test, self.y_test)
            self.loss_plot.update(h.step, h.loss, self.test_loss, self.test_steps)
            self.dead_plot.update(h.step, h.dead_fraction)
            self.sat_plot.update(h.step, h.saturated)
