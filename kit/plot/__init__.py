"""Pictures of activations and of training (matplotlib, headless-safe).

Every function returns the matplotlib :class:`~matplotlib.figure.Figure` it
drew (``ax.figure`` when an Axes is given).  Figures are made without pyplot,
so nothing is shown twice in a notebook and nothing leaks between cells; they
display in JupyterLab as the cell's value and render headless with Agg.
Colours are Okabe & Ito's colour-blind-safe palette, lines thick enough for a
projector, and meaning is also carried by line style and marker shape.

Activations: :func:`activation`, :func:`compare`.  Training:
:func:`loss`, :func:`boundary`, :func:`units`, :func:`alive`,
:func:`preactivations`.  Measurements over seeds: :func:`measurements`
(mean ± confidence interval per setting, beside a formula).

Examples
--------
>>> import kit.plot
>>> fig = kit.plot.activation("relu")
>>> fig = kit.plot.compare(["relu", "relu"])
"""

import sys

from kit.plot.functions import ActivationPlot, Curves, activation, compare, curves, rule_label
from kit.plot.measured import MeasurementsPlot, measurements
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


def _show_figures_in_notebooks() -> None:
    """Display returned figures as PNG in IPython, with or without ``%matplotlib inline``.

    Our figures are made without pyplot, so no backend registers a display
    for them unless the user ran ``%matplotlib inline``; without this, a
    student would see ``<Figure size ...>`` text.  A formatter the user has
    already chosen (inline, ipympl, svg) is left alone.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    if Figure not in formatter.type_printers:
        formatter.for_type(Figure, png)


_show_figures_in_notebooks()

__all__ = [
    "ActivationPlot",
    "AlivePlot",
    "BoundaryPlot",
    "Curves",
    "HistogramPlot",
    "LossPlot",
    "MeasurementsPlot",
    "UnitsPlot",
    "activation",
    "active_fraction",
    "alive",
    "boundary",
    "compare",
    "curves",
    "loss",
    "measurements",
    "png",
    "preactivations",
    "rule_label",
    "units",
]
