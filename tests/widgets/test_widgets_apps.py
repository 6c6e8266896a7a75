"""Every app builds, answers every control, lists run-time plugins, and shows errors inside itself."""

from __future__ import annotations

import ipywidgets as w
import pytest

import kit
import kit.widgets
from kit.widgets.models.playground import encode_state
from kit.widgets.views.player import Player

SMALL = {"n": 120}
APPS = {
    "explorer": lambda: kit.widgets.explorer(),
    "descent": lambda: kit.widgets.descent(),
    "dead_units": lambda: kit.widgets.dead_units(hidden=[6, 6], **SMALL),
    "saturation": lambda: kit.widgets.saturation(**SMALL),
    "playground": lambda: kit.widgets.playground(hidden=[8, 8], **SMALL),
}
TRAINING = {"dead_units", "saturation", "playground"}


def decode(text: str) -> dict:
    from kit.widgets.models.playground import decode_state

    return decode_state(text)
# moving these may leave the picture as it was: t only counts when the rule is "t"; steps/frame and the
# learning rate are for the frames to come (training goes on at the new rate)
SAME_PICTURE_OK = {"t", "steps_per_frame", "lr"}


def poke(ctrl: w.Widget) -> None:
    """Change a control the way a user would."""
    if isinstance(ctrl, w.Button):
        ctrl.click()
    elif isinstance(ctrl, Player):  # what the browser does: play, then ask for a frame
        ctrl.playing = True
        ctrl.tick()
        ctrl.playing = False
    elif isinstance(ctrl, w.SelectionSlider):
        ctrl.index = (ctrl.index + 1) % len(ctrl.options)
    elif isinstance(ctrl, w.Text):  # the playground's state box: paste another set-up
        ctrl.value = encode_state({**decode(ctrl.value), "dataset": "circle", "hidden": [3, 5]})
    elif isinstance(ctrl, (w.Dropdown, w.ToggleButtons)):
        ctrl.index = (ctrl.index + 1) % len(ctrl.options)
    elif isinstance(ctrl, w.Checkbox):
        ctrl.value = not ctrl.value
    elif isinstance(ctrl, w.FloatLogSlider):
        ctrl.value = ctrl.value * 2 if ctrl.value * 2 <= 10**ctrl.max else ctrl.value / 2
    elif isinstance(ctrl, w.FloatRangeSlider):
        lo, hi = ctrl.value
        ctrl.value = (lo + 1, hi - 1)
    elif isinstance(ctrl, (w.FloatSlider, w.IntSlider)):
        up = ctrl.value + 5 * ctrl.step
        ctrl.value = up if up <= ctrl.max else ctrl.value - 5 * ctrl.step
    else:
        raise AssertionError(f"no way to poke {type(ctrl).__name__}")


@pytest.mark.parametrize("name", list(APPS))
def test_app_builds_and_answers_every_control(name):
    app = APPS[name]()
    assert isinstance(app, w.VBox)
    if app.image is not None:
        assert app.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert app.error is None
    for key in list(app.controls):
        ctrl = app.controls.get(key)
        if ctrl is None:  # a per-layer picker removed by an earlier control
            continue
        if name in TRAINING and key != "reset":
            app.controls["step"].click()  # so that a restart shows
        before = app.snapshot()
        table = getattr(app, "table", None)
        table_before = table.value if table is not None else None
        poke(ctrl)
        assert app.error is None, f"{name}: {key}: {app.error}"
        if key not in SAME_PICTURE_OK:
            # where all saturation is dead (relu6), a new tol changes the table, not the shading
            changed = app.snapshot() != before or (table is not None and table.value != table_before)
            assert changed, f"{name}: moving {key} did not change the picture"


def test_controls_reach_the_model():
    app = kit.widgets.explorer()
    app.controls["kink"].value = "t"
    app.controls["t"].value = 0.25
    assert app.model.rule == 0.25 and not app.controls["t"].disabled
    assert "used (t=0.25)" in app.table.value
    app.controls["range"].value = (-2.0, 3.0)
    assert (app.model.lo, app.model.hi) == (-2.0, 3.0)

    d = kit.widgets.descent()
    d.controls["lr"].value = 0.25
    d.controls["step"].click()
    assert d.model.lr == 0.25 and d.model.steps == 7
    d.controls["reset"].click()
    assert d.model.steps == 0 and d.controls["steps"].value == 0

    p = kit.widgets.playground(hidden=[8, 8], **SMALL)
    p.view.act({"action": "layers", "delta": 1})
    for _ in range(3):
        p.view.act({"action": "units", "layer": 0, "delta": -1})
    assert p.model.settings["hidden"] == [5, 8, 8] and p.view.frame["hidden"] == [5, 8, 8]
    p.view.act({"action": "activation", "layer": 1, "name": "tanh"})
    assert p.model.settings["activation"] == ["relu", "tanh", "relu"]
    assert [a.name for a in p.model.net.activations] == ["relu", "tanh", "relu"]
    assert p.view.frame["activations"] == ["relu", "tanh", "relu"]
    p.view.act({"action": "feature", "feature": "x1*x2"})
    assert p.model.net.sizes[0] == 3 and p.view.frame["inputs"] == ["x1", "x2", "x1*x2"]
    p.controls["batch_size"].value = 0
    assert p.model.settings["batch_size"] is None
    p.controls["play"].playing = True
    p.controls["play"].tick()
    assert p.model.steps_done == p.model.settings["steps_per_frame"]
    assert p.view.frame["stats"]["step"] == p.model.steps_done


def test_playground_state_restores_the_controls():
    p = kit.widgets.playground(**SMALL)
    state = {**p.state, "dataset": "circle", "hidden": [4, 4, 4], "activation": ["relu", "elu", "tanh"],
             "lr": 0.03, "dtype": "float64", "kink": "mean", "features": ["x1", "x2", "x1^2", "x2^2"]}
    p.set_state(state)
    assert p.error is None and p.state == state
    assert p.controls["dataset"].value == "circle" and p.view.frame["hidden"] == [4, 4, 4]
    assert p.view.frame["activations"] == ["relu", "elu", "tanh"]
    assert p.controls["lr"].value == pytest.approx(0.03)
    assert p.controls["state"].value == p.state_string
    q = kit.widgets.playground(state=state)
    assert q.state == state
    r = kit.widgets.playground(state=p.state_string)  # the string restores the same set-up
    assert r.state == state
    r.controls["state"].value = encode_state({**state, "lr": 0.5})  # pasted into the box
    assert r.error is None and r.model.settings["lr"] == 0.5
    p.model.set_state({**state, "hidden": [2], "activation": "relu"})  # through the model: controls follow
    assert p.view.frame["hidden"] == [2] and p.controls["activation"].value == "relu"


def test_runtime_plugin_appears_in_every_picker(plugins):
    for name, make in APPS.items():
        app = make()
        pickers = [c for c in app.controls.values() if isinstance(c, w.Dropdown) and "relu" in c.options]
        assert pickers, name
        for pick in pickers:
            assert {"kit_test_bent", "kit_test_step", "kit_test_logistic"} <= set(pick.options), name


def test_a_plugin_can_be_chosen_and_drawn(plugins):
    app = kit.widgets.explorer()
    app.controls["activation"].value = "kit_test_bent"
    assert app.error is None
    assert set(app.param_controls) == {"slope", "top"}
    before = app.snapshot()
    app.param_controls["slope"].value = 3.0
    assert app.model.params["slope"] == 3.0 and app.snapshot() != before
    assert [r.right for r in app.model.kink_rows()] == [3.0, 0.5]


def test_errors_are_shown_inside_the_app(plugins):
    app = kit.widgets.explorer()
    before = app.snapshot()
    app.controls["activation"].value = "kit_test_broken"
    assert "kit_test_broken cannot evaluate arrays" in app.message.value
    assert app.error.startswith("RuntimeError")
    assert app.snapshot() == before and app.model.name == "relu"
    app.controls["activation"].value = "relu"
    assert app.error is None and app.message.value == ""

    d = kit.widgets.descent()
    d.controls["activation"].value = "kit_test_bent"
    d.controls["kink"].value = "jax"
    assert "not recorded" in d.error

    p = kit.widgets.playground(**SMALL)
    p.view.act({"action": "activation", "layer": 0, "name": "kit_test_broken"})
    assert "kit_test_broken" in p.error
    assert [a.name for a in p.model.net.activations] == ["relu", "relu"]
    p.set_state({"dataset": "nope"})
    assert "dataset" in p.error and p.model.settings["dataset"] == "xor"


def test_diverging_training_is_a_message_and_stops_the_player():
    p = kit.widgets.playground(dataset="sine", n=100, optimizer="sgd", lr=10.0, batch_size=None, steps_per_frame=100)
    p.controls["play"].playing = True
    p.controls["play"].tick()
    p.controls["play"].tick()
    assert p.model.stopped
    assert "STOPPED" in p.message.value and p.error is None
    assert p.controls["play"].playing is False
