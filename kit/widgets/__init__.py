"""Five interactive apps, each one call in a notebook cell.

>>> import kit.widgets
>>> app = kit.widgets.explorer("relu")
>>> app.controls["kink"].value = "right"        # what a user's click does
>>> app.model.kink_rows()[0].used, app.error
(1.0, None)
>>> bytes(app.image.value[:4])
b'\\x89PNG'

Each returns an ipywidgets box with ``.model`` (the app's logic as a plain
Python object), ``.controls`` (name -> widget), ``.image`` (the picture, an
Agg-drawn PNG; the playground has ``.view``, drawn in the browser) and
``.message`` (errors appear there instead of being raised: whatever plugin
code raises, ``SystemExit`` included, is shown there, and an app asked for
on a hostile activation shows itself on its defaults with the reason).

The picture is an :class:`ipywidgets.Image` fed from a figure made without
pyplot, so the apps look and behave the same under ``%matplotlib inline``,
under ipympl (``%matplotlib widget``) and headless, and a redraw sends one
small PNG.  Redraws reuse the static part of the figure (axes, ticks,
legends) and draw only what moved; sliders of the explorer and the descent
app redraw while dragged (throttled).  The training apps train in frames of
``steps_per_frame`` steps; their play button (an anywidget) asks the kernel
for the next frame only when the last one is shown.  The playground's
network view is a canvas drawn in the browser by a plain ES module
(anywidget, no build step) from numbers computed in Python.

- :func:`explorer`: an activation, its one-sided derivatives at kinks, saturation, frameworks.
- :func:`descent`: gradient descent on one unit, through a kink, with each convention.
- :func:`dead_units`: a ReLU network training live; which units are alive.
- :func:`saturation`: sigmoid/tanh networks, input scale and standardisation.
- :func:`playground`: a TensorFlow-Playground-like app; its state is one dict.
"""

from __future__ import annotations

from typing import Any

__all__ = ["dead_units", "descent", "explorer", "playground", "saturation"]


def explorer(name: str = "relu", **settings: Any) -> Any:
    """Explore an activation: parameters, kink rule, kinks table, saturation, frameworks.

    Parameters
    ----------
    name : str
        A registered activation (the picker lists every one, plugins included).
    **settings
        ``params``, ``kink`` (left/right/mean/t/pytorch/tensorflow/jax), ``t``,
        ``lo``, ``hi``, ``tol``: see :class:`kit.widgets.models.explorer.ExplorerModel`.

    Returns
    -------
    ExplorerApp
        A displayable widget with ``.model``.
    """
    from kit.widgets.views.base import build_app
    from kit.widgets.views.explorer import ExplorerApp

    return build_app(ExplorerApp, {"name": "relu"}, name, **settings)


def descent(name: str = "relu", **settings: Any) -> Any:
    """Gradient descent on a one-parameter loss built from an activation, through its kink.

    Parameters
    ----------
    name : str
        A registered activation.
    **settings
        ``params``, ``kink``, ``t``, ``mode`` (``"unit"``: ½(f(w·x+b) − y)²,
        ``"activation"``: f(w)), ``x``, ``b``, ``y``, ``w0``, ``lr``, ``steps``,
        ``compare``: see :class:`kit.widgets.models.descent.DescentModel`.

    Returns
    -------
    DescentApp
        A displayable widget with ``.model``.
    """
    from kit.widgets.views.base import build_app
    from kit.widgets.views.descent import DescentApp

    return build_app(DescentApp, {"name": "relu"}, name, **settings)


def dead_units(**settings: Any) -> Any:
    """Train a ReLU network live and watch which units die.

    Learning-rate and initial-bias sliders, an activation picker (switch to
    leaky_relu or elu), dropout, the kink rule; play / step / reset.

    Parameters
    ----------
    **settings
        Any setting of :class:`kit.widgets.models.dead_units.DeadUnitsModel`
        (``lr``, ``bias``, ``activation``, ``dropout``, ``hidden``, ``dataset``, ...).

    Returns
    -------
    DeadUnitsApp
    """
    from kit.widgets.views.base import build_app
    from kit.widgets.views.dead_units import DeadUnitsApp

    return build_app(DeadUnitsApp, {}, **settings)


def saturation(**settings: Any) -> Any:
    """A sigmoid/tanh network whose inputs' mean and scale are sliders, with a standardise toggle.

    Shows the pre-activation histogram against the saturation region and the
    gradient norm per layer.

    Parameters
    ----------
    **settings
        Any setting of :class:`kit.widgets.models.saturation.SaturationModel`
        (``input_shift``, ``input_scale``, ``standardize``, ``activation``, ...).

    Returns
    -------
    SaturationApp
    """
    from kit.widgets.views.base import build_app
    from kit.widgets.views.saturation import SaturationApp

    return build_app(SaturationApp, {}, **settings)


def playground(state: dict[str, Any] | None = None, **settings: Any) -> Any:
    """A TensorFlow-Playground-like app: data, network, training, all live.

    Parameters
    ----------
    state : dict, optional
        A state read from another playground (``app.state``) to restore.
    **settings
        Any setting of :class:`kit.widgets.models.playground.PlaygroundModel`.

    Returns
    -------
    PlaygroundApp
        With ``.state`` and ``.set_state(d)`` (also on ``.model``).
    """
    from kit.widgets.views.base import build_app
    from kit.widgets.views.playground import PlaygroundApp

    return build_app(PlaygroundApp, {}, state, **settings)
