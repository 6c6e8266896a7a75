"""Descent: gradient descent paths through a kink, checked step by step."""

from __future__ import annotations

import numpy as np
import pytest
from widget_plugins import KitTestLogistic

import kit
from kit.widgets.models.descent import DescentModel, descend, loss_of, sticky_range


class Square(kit.Activation):
    """f(z) = z², for a diverging run."""

    name = "kit_test_square"

    def value(self, z):
        return z * z

    def left_derivative(self, z):
        return 2 * z

    right_derivative = left_derivative


@pytest.mark.parametrize(("kink", "end"), [("left", 0.0), ("right", -0.5), ("mean", -0.25)])
def test_relu_as_loss_lands_on_the_kink(kink, end):
    p = descend(kit.get("relu"), kink=kink, mode="activation", w0=2.0, lr=0.5, steps=8)
    np.testing.assert_array_equal(p.w[:5], [2.0, 1.5, 1.0, 0.5, 0.0])  # exact in binary floating point
    assert p.on_kink[4] and not p.on_kink[:4].any()
    assert p.w[-1] == end
    assert p.slope[4] == {"left": 0.0, "right": 1.0, "mean": 0.5}[kink]


@pytest.mark.parametrize("kink", ["left", "right"])
def test_unit_starting_on_the_kink(kink):
    # z = w - 0.5 starts exactly at ReLU's kink; target 1
    p = descend(kit.get("relu"), kink=kink, mode="unit", x=1.0, b=-0.5, y=1.0, w0=0.5, lr=0.5, steps=6)
    if kink == "left":  # f'(0) = 0: no gradient, stuck on the kink forever
        np.testing.assert_array_equal(p.w, 0.5)
        assert p.on_kink.all()
    else:  # f'(0) = 1: z_k = 1 - 0.5^k
        np.testing.assert_allclose(p.z, 1 - 0.5 ** np.arange(7), rtol=0, atol=1e-15)
        assert p.on_kink.tolist() == [True] + [False] * 6


def test_unit_gradient_matches_finite_differences():
    act = KitTestLogistic()
    kw = {"mode": "unit", "x": 1.5, "b": -0.3, "y": 0.8}
    p = descend(act, kink="left", w0=0.7, lr=0.4, steps=5, **kw)
    h = 1e-6
    numeric = (loss_of(act, p.w + h, **kw) - loss_of(act, p.w - h, **kw)) / (2 * h)
    np.testing.assert_allclose(p.grad, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(p.w[1:], p.w[:-1] - 0.4 * p.grad[:-1], rtol=0, atol=0)
    np.testing.assert_allclose(p.loss, loss_of(act, p.w, **kw), rtol=0, atol=0)


def test_divergence_is_reported_not_raised():
    p = descend(Square(), kink="left", mode="activation", w0=1.0, lr=10.0, steps=400)
    assert p.diverged is not None and p.diverged < 400
    assert not np.isfinite(p.w[-1]) or not np.isfinite(p.loss[-1])
    m = DescentModel("relu")
    kit.register(Square)
    try:
        m.set(name="kit_test_square", lr=10.0, steps=400)
        assert "diverged at step" in m.summary()
        m.png()
    finally:
        kit.unregister("kit_test_square")


def test_model_artists_follow_the_path():
    m = DescentModel("relu", mode="activation", w0=2.0, lr=0.5, steps=6, kink="right")
    x, y = m.path_line.get_data()
    np.testing.assert_array_equal(x, [2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -0.5])
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    np.testing.assert_array_equal(m.on_kink_marks.get_offsets(), [[0.0, 0.0]])
    np.testing.assert_array_equal(m.kink_marks.get_offsets(), [[0.0, 0.0]])
    assert set(m.paths) == {"left", "right", "mean"}
    np.testing.assert_array_equal(m.ghosts["left"].get_data()[0], [2.0, 1.5, 1.0, 0.5, 0.0, 0.0, 0.0])
    assert "step 4: z = 0 is exactly on a kink" in m.summary()
    assert "right uses 1" in m.summary()


def test_step_and_reset():
    m = DescentModel("relu", steps=3)
    m.step()
    m.step(2)
    assert m.steps == 6 and len(m.path.w) == 7
    m.reset()
    assert m.steps == 0 and len(m.path.w) == 1


def test_unit_mode_kink_position_in_w():
    m = DescentModel("relu", mode="unit", x=2.0, b=1.0)
    np.testing.assert_array_equal(m.kink_w(), [-0.5])  # w·2 + 1 = 0


@pytest.mark.parametrize(
    ("change", "match"),
    [({"lr": 0.0}, "learning rate"), ({"mode": "both"}, "mode"), ({"steps": -1}, "steps"),
     ({"x": float("nan")}, "finite"), ({"kink": "middle"}, "kink must be")],
)
def test_bad_change_keeps_state(change, match):
    m = DescentModel("relu")
    before = m.path.w.copy()
    with pytest.raises((ValueError, TypeError), match=match):
        m.set(**change)
    np.testing.assert_array_equal(m.path.w, before)


def test_sticky_range():
    assert sticky_range(0.0, 1.0, None) == (-0.15, 1.15)
    assert sticky_range(0.1, 0.9, (-0.15, 1.15)) == (-0.15, 1.15)  # still fits well: kept
    assert sticky_range(0.0, 0.1, (-0.15, 1.15)) != (-0.15, 1.15)  # far too wide: new limits
    assert sticky_range(0.0, 2.0, (-0.15, 1.15)) == (-0.3, 2.3)


@pytest.mark.parametrize("mode", ["activation", "unit"])
@pytest.mark.parametrize("name", ["relu", "abs", "tanh"])
def test_dragging_w0_across_its_slider_moves_the_paths_inside_steady_axes(name, mode):
    # every position of a drag is a frame over the same background: no full matplotlib draw per position
    m = DescentModel(name, mode=mode, steps=8)
    m.png()
    draws = m.frames.full_draws
    for w0 in [*np.arange(-5, 5.01, 0.25), *np.arange(5, -5.01, -0.25)]:
        m.set(w0=float(w0))
        lo, hi = m.ax_loss.get_xlim()
        assert lo <= min(w0, *m.path.w[np.isfinite(m.path.w)]) and max(w0, *m.path.w[np.isfinite(m.path.w)]) <= hi
        m.png()
    assert m.frames.full_draws == draws
