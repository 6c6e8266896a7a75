"""The playground's network view (numbers computed headless), features, the state string, the player."""

from __future__ import annotations

import asyncio
import math
import threading

import numpy as np
import pytest

import kit
import kit.widgets
from kit.nn.diagnostics import Saturation
from kit.widgets.models import features as F
from kit.widgets.models.network import GRID, OUT_GRID, network_frame, quantize
from kit.widgets.models.playground import PlaygroundModel, StateError, decode_state, encode_state
from kit.widgets.models.training import DIVERGED, HISTORY_RECORDS, Thinned
from kit.widgets.views import base
from kit.widgets.views.base import Throttle

SMALL = {"n": 200, "hidden": [8, 8], "optimizer": "sgd", "lr": 0.1}


def u8(b: bytes) -> np.ndarray:
    return np.frombuffer(b, dtype=np.uint8)


def f32(b: bytes) -> np.ndarray:
    return np.frombuffer(b, dtype=np.float32)


def plane(extent, n):
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y1, y0, n))
    return np.column_stack([gx.ravel(), gy.ravel()])


def test_unit_tiles_are_each_units_output_over_the_plane():
    m = PlaygroundModel(**SMALL, features=["x1", "x2", "x1^2"])
    m.step(20)
    f = m.frame
    P = plane(f["extent"], GRID)
    Phi = np.column_stack([P[:, 0], P[:, 1], P[:, 0] ** 2])  # the features, written out independently
    a = np.concatenate(m.net.hidden(Phi), axis=1).astype(np.float64)
    scale = np.abs(a).max(axis=0)
    np.testing.assert_allclose(f32(f["unit_scale"]), scale, rtol=1e-6)
    tiles = u8(f["unit_tiles"]).reshape(16, GRID * GRID)
    expected = np.clip(np.rint(127.5 * (1 + a / np.where(scale > 0, scale, 1))), 0, 255).T
    np.testing.assert_array_equal(tiles, expected)
    assert f["inputs"] == ["x1", "x2", "x1^2"] and len(f["features"]) == 7
    out = u8(f["output"]).reshape(OUT_GRID, OUT_GRID)
    p = m.net.predict(np.column_stack([(Q := plane(f["extent"], OUT_GRID))[:, 0], Q[:, 1], Q[:, 0] ** 2]),
                      loss="bce")[:, 0]
    np.testing.assert_array_equal(out.ravel(), np.clip(np.rint(p.astype(np.float64) * 255), 0, 255))
    for W, b in zip(m.net.W, f["weights"], strict=True):
        np.testing.assert_array_equal(f32(b).reshape(W.shape), W)
    assert f["wmax"] == pytest.approx(max(float(np.abs(W).max()) for W in m.net.W))
    assert f["stats"]["step"] == 20 and f["stats"]["accuracy"] == pytest.approx(m.history.accuracy[-1])
    assert f["stats"]["test_accuracy"] == pytest.approx(m.test_accuracy[-1])


def test_quantize_maps_minus_max_zero_and_max():
    q = quantize(np.array([[-1.0, 5.0], [0.0, 5.0], [1.0, 5.0]]), np.array([1.0, 5.0]))
    assert q[:, 0].tolist() == [0, 128, 255] and q[:, 1].tolist() == [255, 255, 255]


def test_dead_saturated_and_kink_hits_per_unit_use_the_one_definitions():
    m = PlaygroundModel(**SMALL, bias=-0.6, dtype="float16")
    m.step(30)
    f = m.frame
    zs = m.net.pre_activations(m.F_train)
    dead = np.concatenate([np.all(z <= 0, axis=0) for z in zs])  # relu, kink "left": f'(z) = 0 iff z <= 0
    np.testing.assert_array_equal(u8(f["dead"]).astype(bool), dead)
    assert dead.any() and int(dead.sum()) == sum(m.history.dead[-1])
    sat = np.concatenate([[Saturation(m.net.activations[0], 1e-3).fraction(z[:, j]) for j in range(z.shape[1])]
                          for z in zs])
    np.testing.assert_allclose(f32(f["saturated"]), sat, rtol=1e-6)
    hits = np.concatenate([(z == 0).sum(axis=0) for z in zs])  # relu's one kink, at 0
    np.testing.assert_array_equal(np.frombuffer(f["kink_hits"], dtype=np.int32), hits)


def test_a_unit_dies_in_the_view_when_the_learning_rate_is_raised():
    calm = PlaygroundModel(**{**SMALL, "lr": 0.05})
    wild = PlaygroundModel(**{**SMALL, "lr": 8.0})
    for _ in range(20):
        calm.step()
        wild.step()
    assert not u8(calm.frame["dead"]).any()
    dead = u8(wild.frame["dead"])
    assert dead.sum() >= 1
    died = wild.dying()
    assert sum(died) >= 1 and "died while training" in wild.status()
    layer, unit = divmod(int(np.flatnonzero(dead)[0]), 8)
    wild.select(layer, unit)
    h = wild.frame["histogram"]
    assert h["dead"] and h["name"] == "relu" and h["kinks"] == [0.0]
    assert h["dead_region"] == [[h["lo"], 0.0]]  # f' = 0 left of the kink: where every z of a dead unit is
    z = wild.net.pre_activations(wild.F_train)[layer][:, unit].astype(np.float64)
    counts = np.frombuffer(h["counts"], dtype=np.float32)
    expected, _ = np.histogram(np.clip(z, h["lo"], h["hi"]), bins=len(counts), range=(h["lo"], h["hi"]))
    np.testing.assert_allclose(counts, expected / len(z), rtol=1e-6)
    assert (z <= 0).all()


def test_selection_histogram_of_a_sigmoid_unit_marks_its_saturation_region():
    m = PlaygroundModel(**{**SMALL, "activation": "sigmoid", "init": "xavier", "input_scale": 20.0})
    m.select(0, 1)
    h = m.frame["histogram"]
    edge = 2 * math.acosh(1 / (2 * math.sqrt(1e-3)))  # sigmoid' <= 1e-3 beyond |z| = edge
    assert h["kinks"] == [] and h["dead_region"] == []
    np.testing.assert_allclose([h["saturated"][0][1], h["saturated"][1][0]], [-edge, edge], rtol=1e-6)
    assert h["share_saturated"] > 0.5
    m.select(None)
    assert m.frame["histogram"] is None
    with pytest.raises(ValueError, match="no unit 9 in hidden layer 1"):
        m.select(0, 8)


def test_features_are_what_the_network_sees():
    X = np.array([[0.5, -2.0], [3.0, 1.0]])
    names = F.used(["sin(x2)", "x1", "x1*x2", "x2^2"], 2)
    assert names == ["x1", "x2^2", "x1*x2", "sin(x2)"]
    np.testing.assert_array_equal(F.features(names, X), [[0.5, 4.0, -1.0, np.sin(-2.0)], [3.0, 1.0, 3.0, np.sin(1.0)]])
    m = PlaygroundModel(**SMALL, features=["x1^2", "x2^2"])
    assert m.net.sizes[0] == 2
    np.testing.assert_array_equal(m.F_train, m.X_train ** 2)
    np.testing.assert_array_equal(m.predict(m.X_test), m.net.predict(m.X_test ** 2, loss="bce"))
    sine = PlaygroundModel(**{**SMALL, "dataset": "sine"}, features=["x1", "x2", "sin(x1)"])
    assert sine.inputs == ["x1", "sin(x1)"] and sine.frame["features"] == ["x1", "x1^2", "sin(x1)"]
    with pytest.raises(ValueError, match="at least one input feature"):
        m.set(features=[])
    with pytest.raises(ValueError, match="unknown feature"):
        m.set(features=["x3"])


def test_a_circle_needs_squares_a_single_unit_learns_it_with_them():
    plain = PlaygroundModel(dataset="circle", n=300, hidden=[1], optimizer="adam", lr=0.05)
    squared = PlaygroundModel(dataset="circle", n=300, hidden=[1], optimizer="adam", lr=0.05,
                              features=["x1", "x2", "x1^2", "x2^2"])
    plain.step(400)
    squared.step(400)
    assert squared.history.accuracy[-1] > 0.95 > 0.8 > plain.history.accuracy[-1]


def test_regenerate_draws_new_points_of_the_same_data_set_and_the_state_says_so():
    m = PlaygroundModel(**SMALL)
    before = m.X_train.copy()
    m.regenerate()
    assert m.settings["data_seed"] == 1 and not np.array_equal(before, m.X_train)
    again = PlaygroundModel(**SMALL, data_seed=1)
    np.testing.assert_array_equal(again.X_train, m.X_train)
    np.testing.assert_array_equal(again.net.W[0], PlaygroundModel(**SMALL).net.W[0])  # same network seed


def test_show_test_and_discretize_are_live():
    m = PlaygroundModel(**SMALL)
    m.step(10)
    m.set(show_test=True, discretize=True)
    assert m.steps_done == 10 and m.frame["flags"] == {"show_test": True, "discretize": True, "stopped": False}
    assert len(f32(m.frame["test_points"])) == 2 * len(m.X_test)


def test_state_string_round_trip_and_clear_errors():
    m = PlaygroundModel(**SMALL)
    m.set(dataset="spiral", hidden=[6, 6, 6], activation=["relu", "tanh", ["leaky_relu", {"alpha": 0.2}]],
          features=["x1", "x2", "sin(x1)"], kink="fixed", t=0.0, lr=0.03, data_seed=4)
    text = m.state_string
    assert text.startswith("kitpg1.") and len(text) < 240 and "\n" not in text
    assert len(encode_state({**PlaygroundModel().state, "dataset": "spiral", "activation": "tanh"})) < 140
    assert decode_state(text) == {**decode_state("kitpg1." + encode_state({})[7:]), **{
        k: v for k, v in m.state.items() if k in decode_state(text)}}
    n = PlaygroundModel()
    n.set_state(text)
    assert n.state == m.state
    for bad, match in [("hello", "should start with 'kitpg1.'"), ("kitpg9.eJyrrgUAAXUA-Q", "version 9"),
                       (text[:-3], "damaged"), ("kitpg1." + "A" * 10, "damaged"),
                       ("kitpgX.abc", "no version number")]:
        with pytest.raises(StateError, match=match):
            n.set_state(bad)
        assert n.state == m.state  # nothing changed
    code = encode_state({"__import__('os').system('true')": 1})  # a key that is code: read as JSON, refused
    with pytest.raises(TypeError, match="unknown setting"):
        n.set_state(code)
    with pytest.raises(ValueError, match="dataset"):
        n.set_state(encode_state({**m.state, "dataset": "nope"}))
    assert n.state == m.state


def test_state_strings_of_version_1_do_not_depend_on_todays_defaults():
    text = encode_state({"dataset": "circle"})  # everything else: version 1's base, 2-8-8-1 with SGD at 0.1
    m = PlaygroundModel()
    m.set_state(text)
    assert m.settings["hidden"] == [8, 8] and m.settings["optimizer"] == "sgd" and m.settings["dataset"] == "circle"


def test_thinned_records_stay_bounded_and_keep_the_newest():
    t = Thinned(size=50)
    for i in range(10_000):
        t.append(i, float(i))
    assert len(t) < 100 and t.steps[-1] == 9_999 and t.steps[0] == 0
    gaps = np.diff(t.steps[:-1])
    assert len(set(gaps.tolist())) == 1  # evenly spread


def test_a_long_run_keeps_bounded_curves_and_one_record_per_frame():
    m = PlaygroundModel(**{**SMALL, "n": 100, "steps_per_frame": 5})
    for _ in range(1200):
        m.step()
    h = m.history
    assert len(h.step) <= HISTORY_RECORDS and h.step[0] == 0 and h.step[-1] == 6000  # bounded, ends kept
    assert h.step[-HISTORY_RECORDS // 2:] == list(range(6000 - 5 * (HISTORY_RECORDS // 2 - 1), 6001, 5))
    assert h.at(12)["step"] == 10 and h.at(6000)["loss"] == h.loss[-1]  # lookup by step
    assert len(m.curves) < 1000 and len(m.test_steps) < 1000
    assert len(f32(m.frame["loss"])) == len(m.curves) and m.curves.steps[-1] == 6000


def test_a_loss_that_grows_ten_thousand_fold_stops_training_with_a_message(recwarn):
    """In float64 nothing overflows for a while: the loss grows to 1e16 and the engine would go on."""
    m = PlaygroundModel(**{**SMALL, "dataset": "sine", "n": 100, "dtype": "float64", "batch_size": None, "lr": 3.0})
    for _ in range(40):
        m.step()
        if m.stopped:
            break
    assert m.stopped and not m.history.stopped  # the app stopped it, the engine had not
    assert math.isfinite(m.history.loss[-1]) and m.history.loss[-1] > DIVERGED * max(m.history.loss[0], 1.0)
    assert "grew from" in m.message and "lr=3 is likely too high" in m.message
    steps = m.steps_done
    m.step()
    assert m.steps_done == steps and "STOPPED" in m.summary()
    assert m.frame["flags"]["stopped"]
    assert not recwarn.list  # the overflowing float32 copies of the view are quiet


def test_player_runs_a_frame_per_browser_request_and_stops_on_divergence():
    p = kit.widgets.playground(**{**SMALL, "dataset": "sine", "n": 100, "lr": 10.0, "batch_size": None,
                                  "steps_per_frame": 50})
    player = p.controls["play"]
    player.tick()  # not playing: a request does nothing
    assert p.model.steps_done == 0 and player.frames == 0
    player.playing = True
    for _ in range(10):
        if not player.playing:
            break
        player.tick()
    assert p.model.stopped and player.playing is False
    assert "STOPPED" in p.message.value and "⚠" in p.message.value
    n = player.frames
    player.tick()
    assert player.frames == n  # paused: no frame after the stop


def test_throttle_coalesces_a_drag_and_runs_the_last_value():
    seen = []

    async def drag():
        t = Throttle(rate=20)
        base._kernel_loop = asyncio.get_running_loop  # as inside a kernel
        for v in range(50):  # 50 values in about 0.25 s
            t.submit("slider", lambda v=v: seen.append(v))
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.2)
        return t

    kernel_loop = base._kernel_loop
    done = []  # a thread of its own: another test (Playwright's sync API) may have left a loop running in this one
    worker = threading.Thread(target=lambda: done.append(asyncio.run(drag())))
    try:
        worker.start()
        worker.join(30)
    finally:
        base._kernel_loop = kernel_loop
    t = done[0]
    assert seen[-1] == 49 and seen[0] == 0
    assert 3 <= len(seen) <= 12 and t.runs == len(seen)  # about 20 a second, not 50 redraws
    direct = Throttle()
    direct.submit("x", lambda: seen.append("now"))  # no event loop: at once
    assert seen[-1] == "now"


def test_network_frame_for_regression_is_a_curve():
    m = PlaygroundModel(**{**SMALL, "dataset": "sine"})
    m.step(10)
    f = network_frame(m)
    assert f["task"] == "regression" and f["dims"] == 1
    xs = np.linspace(f["extent"][0], f["extent"][1], f["out_grid"])
    np.testing.assert_allclose(f32(f["output"]), m.net.forward(xs[:, None])[:, 0], rtol=1e-6)
    assert len(u8(f["unit_tiles"])) == 16 * GRID


def test_kit_fixed_is_selectable_and_the_stop_message_names_it(plugins):
    p = kit.widgets.playground(**{**SMALL, "activation": "kit_test_step", "n": 100, "bias": 0.0})
    p.controls["kink"].value = "fixed"
    p.controls["t"].value = 0.0
    assert p.model.net.kink_rules == [kit.Fixed(0.0)] * 2 and p.controls["t"].description == "f'(kink)"
    m = PlaygroundModel(**{**SMALL, "activation": "kit_test_step", "kink": "left", "n": 100})
    m.step(20)
    if m.stopped:  # f'(0−) = inf: the engine stops and says which rule to pick
        assert "the kink rule 'fixed' with f'(kink) = 0" in m.message


def test_no_test_split_is_drawn_without_test_points():
    m = PlaygroundModel(**{**SMALL, "test_fraction": 0.0})
    m.step(10)
    assert m.frame["test_points"] == b"" and m.frame["stats"]["test_loss"] is None


@pytest.mark.parametrize("app", ["playground", "dead_units"])
def test_the_apps_history_stays_bounded_and_the_pictures_still_draw(monkeypatch, app):
    from kit.widgets.models import training
    from kit.widgets.models.dead_units import DeadUnitsModel

    monkeypatch.setattr(training, "HISTORY_RECORDS", 40)
    make = PlaygroundModel if app == "playground" else DeadUnitsModel
    m = make(**{**SMALL, "n": 100, "hidden": [4, 4], "steps_per_frame": 3})
    for _ in range(400):
        m.step()
        assert len(m.history) <= 40
    h = m.history
    assert h.step[0] == 0 and h.step[-1] == m.steps_done == 1200 and h.stride > 1
    assert h.at(1199)["step"] == 1197 and h.at(1)["step"] == 0  # lookup by step
    assert m.curves.steps[0] == 0 and m.curves.steps[-1] == 1200  # the curves were fed every record once
    assert len(m.curves.steps) == len(set(m.curves.steps))
    assert m.kink_hits == h.total_kink_hits and m.dying() == [max(0, a - b) for a, b in zip(h.dead[-1], h.dead[0], strict=True)]
    assert m.png()[:4] == b"\x89PNG" and "step 1200" in m.summary()
    if app == "playground":
        assert len(f32(m.frame["loss"])) == len(m.curves) and m.frame["stats"]["step"] == 1200
