"""Figures display in IPython without %matplotlib inline; countably many kinks never ask for an unbounded window."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import kit
import kit.plot
import kit.widgets
from kit.widgets.models.descent import DescentModel, descend


def test_figures_get_a_png_formatter_in_an_ipython_shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        formatter = shell.display_formatter.formatters["image/png"]
        formatter.type_printers.pop(Figure, None)
        kit.plot._show_figures_in_notebooks()
        data, _ = shell.display_formatter.format(kit.plot.activation("relu"))
        assert data["image/png"][:4] == b"\x89PNG"
        chosen = formatter.type_printers[Figure]
        kit.plot._show_figures_in_notebooks()  # a formatter already there is left alone
        assert formatter.type_printers[Figure] is chosen
    finally:
        InteractiveShell.clear_instance()


class Floor(kit.Activation):
    """floor(z): a jump at every integer; kinks() refuses an unbounded window, as the staircase plugin does."""

    name = "floor_test"

    def value(self, z):
        return np.floor(z)

    def left_derivative(self, z):
        return np.where(z == np.floor(z), np.inf, 0.0).astype(z.dtype)

    def right_derivative(self, z):
        return np.where(np.isnan(z), z, 0 * z)

    def kinks(self, lo=-math.inf, hi=math.inf):
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError("floor_test has infinitely many kinks: give a finite window")
        return np.arange(math.ceil(lo), math.floor(hi) + 1, dtype=np.float64)


@pytest.fixture
def floor():
    kit.register(Floor)
    yield kit.get("floor_test")
    kit.unregister("floor_test")


def test_plot_and_apps_work_with_countably_many_kinks(floor):
    fig = kit.plot.activation(floor, lo=-2.5, hi=2.5)
    assert fig.axes[0].get_title() == "floor_test, kink rule: left"
    assert kit.widgets.explorer("floor_test").error is None
    assert kit.widgets.descent("floor_test").error is None


def test_descent_marks_iterates_exactly_on_a_kink(floor):
    path = descend(floor, kink=kit.Fixed(0.0), mode="activation", w0=1.5, lr=0.5, steps=2)
    assert path.on_kink.tolist() == [False, False, False]  # the gradient is 0: w stays at 1.5
    path = descend(floor, kink=kit.Fixed(0.0), mode="activation", w0=2.0, lr=0.5, steps=1)
    assert path.on_kink.tolist() == [True, True]


def test_kink_positions_in_w_for_a_unit(floor):
    m = DescentModel("floor_test", mode="unit", x=2.0, b=1.0)
    np.testing.assert_array_equal(m.kink_w(-1.0, 1.0), [-1.0, -0.5, 0.0, 0.5, 1.0])  # 2w + 1 in [-1, 3]
