"""Pictures of activations and of training (matplotlib, headless-safe).

Every function returns the matplotlib :class:`~matplotlib.figure.Figure` it
drew (``ax.figure`` when an Axes is given).  Figures are made without pyplot,
so nothing is shown twice in a notebook and nothing leaks between cells; they
display in JupyterLab as the cell's value and render headless with Agg.
Colours are Okabe & Ito's colour-blind-safe palette, lines thick enough for a
projector, and meaning is also carried by line style and marker shape.

Activations: :func:`activation`, :func:`compare`.  Training:
:func:`loss`, :func:`boundary`, :func:`units`, :func:`alive`,
:func:`preactivations`.

Examples
--------
>>> import kit.plot
>>> fig = kit.plot.activation("relu")
>>> fig = kit.plot.compare(["relu", "relu"])
"""

from kit.plot.functions import ActivationPlot, Curves, activation, compare, curves, rule_label
from kit.plot.style import png
from kit.plot.training import (
    AlivePlot,
    BoundaryPlot,
    HistogramPlot,
    LossPlot,
    UnitsPlot,
    active_fraction,
    alive,
    boundary,
    loss,
    preactivations,
    units,
)

__all__ = [
    "ActivationPlot",
    "AlivePlot",
    "BoundaryPlot",
    "Curves",
    "HistogramPlot",
    "LossPlot",
    "UnitsPlot",
    "activation",
    "active_fraction",
    "alive",
    "boundary",
    "compare",
    "curves",
    "loss",
    "png",
    "preactivations",
    "rule_label",
    "units",
]
