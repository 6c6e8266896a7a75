"""The three training models on kit.nn: numbers checked against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kit
from kit.plot.training import smoothed
from kit.widgets.models.dead_units import DeadUnitsModel
from kit.widgets.models.playground import PlaygroundModel
from kit.widgets.models.saturation import SMOOTH, SaturationModel

SMALL = {"n": 200, "hidden": [8, 8]}


def test_alive_fractions_match_relu_pre_activations():
    m = DeadUnitsModel(**SMALL)
    m.step(30)
    zs = m.net.pre_activations(m.X_train)
    fractions = m.alive_fractions()
    for z, f in zip(zs, fractions, strict=True):
        np.testing.assert_array_equal(f, (z > 0).mean(axis=0))  # kink "left": ReLU'(0) = 0
    assert [int((f == 0).sum()) for f in fractions] == m.history.dead[-1]
    img = np.ma.filled(m.alive_plot.image.get_array(), np.nan)
    np.testing.assert_array_equal(img[:, 0], fractions[0])
    x, y = m.dead_plot.lines[0].get_data()
    np.testing.assert_array_equal(x, m.history.step)  # a record every frame (20 steps) and at the end
    assert m.history.step == [0, 20, 30]
    np.testing.assert_array_equal(y, np.asarray(m.history.dead_fraction)[:, 0])


def test_negative_bias_and_high_learning_rate_kill_relu_units_leaky_relu_does_not_die():
    born = DeadUnitsModel(bias=-3.0, **SMALL)
    assert sum(born.history.dead[0]) > 0  # dead before any training
    calm = DeadUnitsModel(lr=0.01, **SMALL)
    calm.step(100)
    wild = DeadUnitsModel(lr=3.0, **SMALL)
    wild.step(100)
    assert sum(wild.history.dead[-1]) > sum(calm.history.dead[-1])
    leaky = DeadUnitsModel(lr=3.0, activation="leaky_relu", **SMALL)
    leaky.step(100)
    assert all(d == 0 for row in leaky.history.dead for d in row)


def test_saturated_share_matches_closed_form_for_sigmoid():
    m = SaturationModel(n=200)
    # sigmoid'(z) = 1 / (4 cosh²(z/2)) <= tol  <=>  |z| >= 2 acosh(1 / (2 sqrt(tol))), tol = kit.SATURATION_TOL
    edge = 2 * math.acosh(1 / (2 * math.sqrt(kit.SATURATION_TOL)))
    zs = m.net.pre_activations(m.X_train)
    expected = [float((np.abs(z.astype(np.float64)) >= edge).mean()) for z in zs]
    np.testing.assert_allclose(m.saturated_share, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.saturated_share, m.history.saturated[-1], rtol=0, atol=1e-12)


def test_standardising_the_inputs_lowers_saturation_and_lets_it_learn():
    far = SaturationModel(n=200)  # inputs mapped to x * 30 + 10
    near = SaturationModel(n=200, standardize=True, input_scale=1.0, input_shift=0.0)
    far.step(300)
    near.step(300)
    assert far.saturated_share[0] > 0.5 > near.saturated_share[0]
    assert near.history.accuracy[-1] > 0.95 > 0.85 > far.history.accuracy[-1]
    lines, raw = far.grad_plot.lines, far.grad_plot.raw
    assert len(lines) == len(raw) == len(far.net.W)
    measured = np.asarray(far.history.grad_norm)[:, 0]
    np.testing.assert_array_equal(raw[0].get_data()[1], measured)  # faint: as measured
    np.testing.assert_allclose(lines[0].get_data()[1], smoothed(measured, SMOOTH, log=True), rtol=1e-12)


def test_smoothing_is_a_debiased_moving_average_of_the_logarithms():
    values = np.array([np.nan, 1.0, 100.0, 10.0, 1000.0])
    w = 0.8
    expected = [np.nan]
    for i in range(1, len(values)):  # the weighted mean of log values so far, weights w^(i - j)
        js = np.arange(1, i + 1)
        weights = w ** (i - js)
        expected.append(np.exp(np.sum(weights * np.log(values[js])) / np.sum(weights)))
    np.testing.assert_allclose(smoothed(values, w, log=True), expected, rtol=1e-12)
    noisy = SaturationModel(n=200, batch_size=8)
    for _ in range(20):
        noisy.step()
    g = np.asarray(noisy.history.grad_norm)[2:, 0]
    s = smoothed(np.asarray(noisy.history.grad_norm)[:, 0], SMOOTH, log=True)[2:]
    assert np.std(np.diff(np.log(s))) < 0.5 * np.std(np.diff(np.log(g)))  # the trace is steadier


def test_standardise_undoes_the_raw_units_whatever_the_shift_and_scale():
    """The box standardises the raw inputs x * scale + shift (it used to apply shift and scale after
    standardising, so ticking it at the defaults raised saturation at step 0 from 43 % to 60 %)."""
    raw = SaturationModel(n=200)
    ticked = SaturationModel(n=200, standardize=True)  # the app's default shift 10 and scale 30, standardised
    plain = SaturationModel(n=200, standardize=True, input_scale=1.0, input_shift=0.0)
    assert ticked.saturated_share[0] == 0.0 and raw.saturated_share[0] > 0.2
    Xs = ticked.net.prepare(ticked.X_train).astype(np.float64)
    np.testing.assert_allclose(Xs.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(Xs.std(axis=0), 1, atol=1e-6)
    np.testing.assert_array_equal(Xs, plain.net.prepare(plain.X_train))
    flipped = SaturationModel(n=200, standardize=True, input_scale=-5.0)
    np.testing.assert_allclose(flipped.net.prepare(flipped.X_train), -Xs, atol=1e-6)


def test_test_loss_is_binary_cross_entropy_on_held_out_points():
    m = PlaygroundModel(n=200, test_fraction=0.25, dtype="float64")
    m.step(20)
    assert len(m.X_test) == 50 and len(m.X_train) == 150
    p = m.net.predict(m.X_test, loss="bce")[:, 0]
    y = m.y_test
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert m.test_loss[-1] == pytest.approx(bce, rel=1e-9)
    assert m.test_steps == [0, 20]
    m.png()  # the matplotlib picture is drawn when asked for
    np.testing.assert_array_equal(m.loss_plot.test.get_data()[1], m.test_loss)
    np.testing.assert_array_equal(m.loss_plot.train.get_data()[1], m.history.loss)


@pytest.mark.parametrize("seed", [0, 3])
def test_the_default_network_learns_the_spiral(seed):
    """Measured over seeds 0-4: training accuracy 0.95-0.99 after 1000 steps, 0.97-0.99 on the test points
    after 2000 (the former default, 2-8-8-1 with SGD at 0.1, stayed at 0.61-0.67)."""
    m = PlaygroundModel(dataset="spiral", seed=seed)
    m.trainer.record_every = 1000
    m.step(1000)
    assert m.history.accuracy[-1] >= 0.9
    assert np.mean((m.predict(m.X_test)[:, 0] > 0.5) == m.y_test) >= 0.85


def test_boundary_image_is_the_network_on_a_grid():
    m = PlaygroundModel(n=200)
    m.step(10)
    m.png()
    img = m.boundary_plot.image.get_array()
    x0, x1, y0, y1 = m.boundary_plot.image.get_extent()
    r = m.boundary_plot.resolution
    gx, gy = np.meshgrid(np.linspace(x0, x1, r), np.linspace(y0, y1, r))
    p = m.net.predict(np.column_stack([gx.ravel(), gy.ravel()]), loss="bce")[:, 0].reshape(r, r)
    np.testing.assert_allclose(img, p, rtol=0, atol=0)
    allx = np.concatenate([m.X_train, m.X_test])
    assert x0 < allx[:, 0].min() and x1 > allx[:, 0].max()


def test_regression_shows_the_fit():
    m = PlaygroundModel(dataset="sine", n=100)
    m.step(10)
    m.png()
    x, y = m.boundary_plot.fit.get_data()
    np.testing.assert_allclose(y, m.net.forward(x[:, None])[:, 0], rtol=1e-6)
    assert not m.boundary_plot.image.get_visible()
    assert math.isnan(m.history.accuracy[-1])


def test_state_round_trip_and_reproducible_training():
    a = PlaygroundModel(n=200)
    a.set(hidden=[6, 4, 3], activation=["relu", "tanh", ["leaky_relu", {"alpha": 0.2}]], optimizer="adam",
          lr=0.01, dropout=0.1, l2=1e-3, kink="t", t=0.25, dtype="float64", batch_size=16)
    a.step(25)
    state = a.state
    assert state["hidden"] == [6, 4, 3] and state["t"] == 0.25
    b = PlaygroundModel()
    b.set_state(state)
    assert b.state == state
    b.step(25)
    c = PlaygroundModel()
    c.set_state(a.state_string)  # the short string restores the same run
    c.step(25)
    assert c.history.loss == a.history.loss
    assert b.history.loss == a.history.loss  # same seed, same numbers
    assert [x.name for x in b.net.activations] == ["relu", "tanh", "leaky_relu"]
    assert b.net.activations[2].params == {"alpha": 0.2}
    assert b.net.kink_rules == [0.25, 0.25, 0.25]
    state["lr"] = 1.0
    assert b.state["lr"] == 0.01  # a copy, not the live dict


def test_steps_per_frame_is_live_other_settings_restart():
    m = PlaygroundModel(n=100)
    m.step()
    assert m.steps_done == 10
    m.set(steps_per_frame=3)
    assert m.steps_done == 10
    m.step()
    assert m.steps_done == 13
    m.set(noise=0.2)
    assert m.steps_done == 0
    m.step(5)
    m.reset()
    assert m.steps_done == 0 and len(m.history.step) == 1


def test_the_learning_rate_is_live_as_in_tensorflow_playground():
    # the run goes on with the new rate: the same weights as a trainer told so at the same step
    m = PlaygroundModel(n=100, optimizer="adam", lr=0.01)
    m.step(20)
    m.set(lr=0.2)
    assert m.steps_done == 20 and m.trainer.optimizer.lr == 0.2
    m.step(30)
    ref = PlaygroundModel(n=100, optimizer="adam", lr=0.01)
    ref.trainer.step(20)
    ref.trainer.set_lr(0.2)
    ref.trainer.step(30)
    for a, b in zip(m.net.W + m.net.b, ref.net.W + ref.net.b, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="lr"):
        m.set(lr=-1.0)
    assert m.settings["lr"] == 0.2 and m.trainer.lr == 0.2  # refused: nothing changed


def test_a_stopped_run_restarts_when_the_learning_rate_is_lowered():
    m = PlaygroundModel(dataset="sine", n=100, lr=10.0, optimizer="sgd", batch_size=None)
    m.step(200)
    assert m.stopped
    m.set(lr=0.01)
    assert not m.stopped and m.steps_done == 0


def test_diverging_run_stops_with_a_message():
    m = PlaygroundModel(dataset="sine", n=100, lr=10.0, optimizer="sgd", batch_size=None)
    m.step(200)
    assert m.stopped and m.message
    assert "STOPPED" in m.summary()
    steps = m.steps_done
    m.step()  # nothing more happens
    assert m.steps_done == steps
    m.png()


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"dataset": "pixels"}, ValueError, "dataset"),
        ({"hidden": []}, ValueError, "hidden"),
        ({"hidden": [4, 0]}, ValueError, "at least one unit"),
        ({"test_fraction": 1.0}, ValueError, "test_fraction"),
        ({"activation": ["relu"]}, ValueError, "1 given for 2"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"dtype": "int8"}, (ValueError, TypeError), "dtype|int8"),
        ({"colour": "red"}, TypeError, "unknown setting"),
    ],
)
def test_bad_settings_keep_the_running_network(change, error, match):
    m = PlaygroundModel(n=100)
    m.step(10)
    net, state = m.net, m.state
    with pytest.raises(error, match=match):
        m.set(**change)
    assert m.net is net and m.state == state and m.steps_done == 10


def test_blitted_frames_equal_a_full_redraw():
    import io

    import matplotlib
    from matplotlib.image import imread

    from kit.plot.style import FrameCache, rc

    m = PlaygroundModel(n=200, hidden=[8, 8], optimizer="sgd", lr=0.1)  # a run whose y limits settle by frame 3
    m.png()
    for _ in range(5):  # x limits 10, 20, 50, 50, 50: full draws, then blitted frames
        m.step()
        fast = imread(io.BytesIO(m.png()))
        with matplotlib.rc_context(rc()):  # as the model draws
            fresh = imread(io.BytesIO(FrameCache(m.figure, m.moving).render()))  # a full draw, same state
        np.testing.assert_array_equal(fast, fresh)
    assert m.frames.frames == 6 and m.frames.full_draws == 4
