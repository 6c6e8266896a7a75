"""Saturation: sigmoid/tanh networks whose inputs are shifted and scaled away from standardised."""

from __future__ import annotations

import math
from typing import Any

import matplotlib

from kit.plot.style import rc
from kit.plot.training import HistogramPlot, LossPlot, UnitsPlot
from kit.widgets.models.training import BASE_DEFAULTS, TrainingModel

__all__ = ["SMOOTH", "SaturationModel"]

SMOOTH = 0.8
"""Smoothing weight of the gradient-norm and loss curves (minibatch noise otherwise hides the trend)."""


class SaturationModel(TrainingModel):
    """State and picture of :func:`kit.widgets.saturation`.

    The data are as if measured in raw units, ``x * input_scale +
    input_shift`` (think "age in years").  Large or off-centre inputs push
    sigmoid and tanh units into their flat tails, where |f'| <= tol and the
    gradient is tiny, so they learn slowly: the histogram shows how many
    pre-activations land there, and the gradient norm per layer shows what
    reaches the weights.  ``standardize=True`` maps the raw inputs to mean 0
    and standard deviation 1 per feature, as one would preprocess real data:
    whatever the shift and scale, the network then sees the same inputs.

    Parameters
    ----------
    **settings
        As :class:`~kit.widgets.models.training.TrainingModel`; defaults: a
        2-16-1 sigmoid network on ``circle``, xavier init, SGD with lr 2, inputs
        mapped to ``x * 30 + 10`` (most first-layer pre-activations saturated;
        with ``standardize=True`` it learns).

    Examples
    --------
    >>> raw = SaturationModel(n=200)
    >>> standardised = SaturationModel(n=200, standardize=True)
    >>> raw.saturated_share[0] > 0.2 > 0.0 == standardised.saturated_share[0]
    True
    """

    DEFAULTS: dict[str, Any] = {**BASE_DEFAULTS, "dataset": "circle", "hidden": [16], "activation": "sigmoid",
                                "init": "xavier", "lr": 2.0, "input_shift": 10.0, "input_scale": 30.0,
                                "steps_per_frame": 20}

    def _build(self, s: dict[str, Any]) -> tuple[Any, ...]:
        if s["standardize"]:
            # standardising x * a + c gives sign(a) (x - mean) / std: the raw units cancel
            s = {**s, "input_shift": 0.0, "input_scale": math.copysign(1.0, float(s["input_scale"]))}
        return super()._build(s)

    def _build_figure(self) -> None:
        with matplotlib.rc_context(rc()):
            _fig, (a0, a1, a2) = self._new_figure(1, 3, figsize=(12.0, 4.0), dpi=85)
            self.hist_plot = HistogramPlot(a0)
            self.grad_plot = UnitsPlot(a1, ylabel="‖gradient‖", title="gradient norm per layer", log=True,
                                       fraction=False, smooth=SMOOTH)
            self.loss_plot = LossPlot(a2, smooth=SMOOTH)
        self.saturated_share: list[float] = []

    def moving(self) -> list[Any]:
        """The artists that change from frame to frame (see :class:`~kit.plot.style.FrameCache`)."""
        return self.hist_plot.moving() + self.grad_plot.moving() + self.loss_plot.moving()

    def _draw(self) -> None:
        c = self.curves
        tol = self.trainer.saturation_tol
        with matplotlib.rc_context(rc()):
            zs = self.net.pre_activations(self.F_train)
            self.saturated_share = self.hist_plot.update(zs, self.net.activations[0], tol=tol)
            self.hist_plot.ax.set_title(f"pre-activations ({self.net.activations[0].name})")
            labels = [f"weights {i + 1}" for i in range(len(self.net.W))]
            self.grad_plot.update(c.steps, c.column(3), labels)
            self.loss_plot.update(c.steps, c.column(0), self.test_loss, self.test_steps)
