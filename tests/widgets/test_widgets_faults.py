"""Defects of the apps found by hand, and plugins that raise anything: each one a test."""

from __future__ import annotations

import numpy as np
import pytest

import kit
import kit.widgets


class Exits(kit.Activation):
    """A hostile plugin: evaluating it calls sys.exit()."""

    name = "kit_test_exits"

    def value(self, z):
        raise SystemExit(3)

    def left_derivative(self, z):
        return np.ones_like(z)

    right_derivative = left_derivative


class Interrupts(Exits):
    """Ctrl-C while it runs."""

    name = "kit_test_interrupts"

    def value(self, z):
        raise KeyboardInterrupt


@pytest.fixture
def hostile():
    names = [kit.register(Exits), kit.register(Interrupts)]
    yield names
    for name in names:
        kit.unregister(name)


@pytest.mark.parametrize("make", [kit.widgets.explorer, kit.widgets.descent])
def test_a_plugin_raising_systemexit_in_a_dropdown_is_shown_and_the_kernel_lives(hostile, make):
    app = make("relu")
    app.controls["activation"].value = "kit_test_exits"
    assert app.error.startswith("SystemExit") and "⚠" in app.message.value
    assert app.model.name == "relu"
    app.controls["activation"].value = "relu"
    assert app.error is None


def test_training_apps_show_a_plugin_systemexit_too(hostile):
    p = kit.widgets.playground(n=100, hidden=[4])
    p.view.act({"action": "activation", "layer": 0, "name": "kit_test_exits"})
    assert p.error.startswith("SystemExit") and p.model.settings["activation"] == "relu"
    d = kit.widgets.dead_units(n=100, hidden=[4])
    d.controls["activation"].value = "kit_test_exits"
    assert d.error.startswith("SystemExit")


@pytest.mark.parametrize(("make", "args"), [(kit.widgets.explorer, ("kit_test_exits",)),
                                            (kit.widgets.descent, ("kit_test_exits",)),
                                            (kit.widgets.playground, ()), (kit.widgets.dead_units, ())])
def test_an_app_built_on_a_hostile_activation_shows_the_error_inside_itself(hostile, make, args):
    settings = {} if args else {"activation": "kit_test_exits", "n": 100}
    app = make(*args, **settings)
    assert "SystemExit" in app.error and "could not build the app as asked" in app.message.value
    assert app.model is not None  # the app runs, on its defaults


def test_ctrl_c_is_not_swallowed(hostile):
    app = kit.widgets.explorer("relu")
    with pytest.raises(KeyboardInterrupt):
        app.controls["activation"].value = "kit_test_interrupts"


def test_the_staircase_width_slider_offers_only_widths_the_plugin_accepts():
    app = kit.widgets.explorer("staircase")
    slider = app.param_controls["width"]
    assert len(slider.options) == 12 and slider.options[0] == 2.0**-10 and slider.options[-1] == 2.0
    for width in slider.options:  # every position draws
        slider.value = width
        assert app.error is None, width
        assert app.model.params["width"] == width


def test_the_z_range_keeps_lo_below_hi():
    app = kit.widgets.explorer("relu")
    zrange = app.controls["range"]
    zrange.value = (2.0, 2.0)
    assert app.error is None and app.model.lo < app.model.hi
    assert zrange.value[1] - zrange.value[0] == zrange.step
    zrange.value = (20.0, 20.0)
    assert (app.model.lo, app.model.hi) == (19.5, 20.0)


def test_descent_hides_x_b_y_in_activation_mode():
    app = kit.widgets.descent("relu", mode="activation")
    assert app.unit_row.layout.display == "none"
    app.controls["mode"].value = "unit"
    assert app.unit_row.layout.display is None
    before = app.snapshot()
    app.controls["x"].value = 2.0
    assert app.snapshot() != before  # in unit mode they matter


def test_drag_sliders_update_continuously_others_on_release():
    ex = kit.widgets.explorer("leaky_relu")
    assert ex.param_controls["alpha"].continuous_update and ex.controls["tol"].continuous_update
    de = kit.widgets.descent("relu")
    assert de.controls["w0"].continuous_update and de.controls["lr"].continuous_update
    pg = kit.widgets.playground(n=100)
    assert not pg.controls["noise"].continuous_update  # a retrain per mouse move would be wasteful


def test_learning_rates_up_to_100_and_a_fixed_kink_value_are_selectable():
    pg = kit.widgets.playground(n=100)
    assert pg.controls["lr"].max == 2  # 10**2
    pg.controls["lr"].value = 50.0
    assert pg.model.settings["lr"] == pytest.approx(50.0)
    ex = kit.widgets.explorer("sign")
    ex.controls["kink"].value = "fixed"
    ex.controls["t"].value = 0.0
    assert ex.model.rule == kit.Fixed(0.0) and ex.model.kink_rows()[0].used == 0.0
    assert not ex.controls["t"].disabled and ex.controls["t"].description == "f'(kink)"
