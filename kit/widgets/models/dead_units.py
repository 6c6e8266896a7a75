"""Dead units: a ReLU network trained live; which hidden units still pass a gradient."""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np

from kit.plot.style import rc
from kit.plot.training import AlivePlot, LossPlot, UnitsPlot, active_fraction
from kit.widgets.models.training import BASE_DEFAULTS, TrainingModel

__all__ = ["DeadUnitsModel"]


class DeadUnitsModel(TrainingModel):
    """State and picture of :func:`kit.widgets.dead_units`.

    A unit is dead when its derivative (with the network's kink rule) is
    exactly zero on every training input: no gradient reaches its weights,
    so gradient descent can never revive it.  A high learning rate or a
    negative bias initialisation kills ReLU units; leaky ReLU and ELU have a
    non-zero derivative almost everywhere and cannot die this way.

    Parameters
    ----------
    **settings
        As :class:`~kit.widgets.models.training.TrainingModel`; defaults: a
        2-16-16-16-1 ReLU network on ``moons``, SGD with lr 0.1.
    """

    DEFAULTS: dict[str, Any] = {**BASE_DEFAULTS, "hidden": [16, 16, 16], "lr": 0.1, "steps_per_frame": 20}

    def _build_figure(self) -> None:
        with matplotlib.rc_context(rc()):
            _fig, (a0, a1, a2) = self._new_figure(1, 3, figsize=(11.5, 4.0), dpi=85, width_ratios=[2, 3, 3])
            self.alive_plot = AlivePlot(a0)
            self.dead_plot = UnitsPlot(a1, ylabel="dead units (fraction)", title="dead units per layer")
            self.loss_plot = LossPlot(a2)

    def moving(self) -> list[Any]:
        """The artists that change from frame to frame (see :class:`~kit.plot.style.FrameCache`)."""
        return self.alive_plot.moving() + self.dead_plot.moving() + self.loss_plot.moving()

    def alive_fractions(self) -> list[np.ndarray]:
        """Per layer and unit: the share of training inputs that give a non-zero derivative."""
        return active_fraction(self.net, self.F_train)

    def _draw(self) -> None:
        c = self.curves
        with matplotlib.rc_context(rc()):
            fractions = self.alive_fractions()
            self.alive_plot.update(fractions)
            act = self.net.activations[0]
            self.alive_plot.ax.set_title(f"units alive ({act.name})")
            self.dead_plot.update(c.steps, c.column(1))
            self.loss_plot.update(c.steps, c.column(0), self.test_loss, self.test_steps)
