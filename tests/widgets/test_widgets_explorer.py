"""ExplorerModel: kinks table, one-sided derivatives, kink rules, errors leave the state alone."""

from __future__ import annotations

import numpy as np
import pytest
from widget_plugins import KitTestBent, KitTestLogistic

from kit.widgets.models.explorer import ExplorerModel, KinkRow


def test_relu_row_and_frameworks():
    m = ExplorerModel("relu")
    assert m.kink_rows() == [KinkRow(0.0, 0.0, 1.0, 0.0, {"pytorch": 0.0, "tensorflow": 0.0, "jax": 0.0})]
    assert m.saturation_intervals() == {"saturated": [(-np.inf, 0.0)], "dead": [(-np.inf, 0.0)]}
    html = m.table_html()
    assert "used (left)" in html and "(−∞, 0)" in html


@pytest.mark.parametrize(("kink", "t", "used"), [("left", 0.5, 0.0), ("right", 0.5, 1.0), ("mean", 0.5, 0.5),
                                                  ("t", 0.3, 0.3), ("pytorch", 0.5, 0.0)])
def test_rule_moves_the_filled_dot(kink, t, used):
    m = ExplorerModel("relu")
    m.set(kink=kink, t=t)
    assert m.kink_rows()[0].used == pytest.approx(used, abs=0)
    np.testing.assert_array_equal(m.plot.used_dots.get_offsets(), [[0.0, used]])
    assert m.rule == (t if kink == "t" else kink)


def test_plugin_with_params_dots_equal_one_sided_derivatives(plugins):
    m = ExplorerModel("kit_test_bent", params={"slope": 3.0, "top": 0.25})
    act = KitTestBent(slope=3.0, top=0.25)
    rows = m.kink_rows()
    assert [r.z for r in rows] == [0.0, 1.0]
    assert [(r.left, r.right) for r in rows] == [(act.left_derivative(0.0), act.right_derivative(0.0)),
                                                 (act.left_derivative(1.0), act.right_derivative(1.0))]
    assert all(v is None for r in rows for v in r.frameworks.values())  # no framework has this function
    assert "—" in m.table_html()
    m.set(kink="right")
    np.testing.assert_array_equal(m.plot.used_dots.get_offsets(), [[0.0, 3.0], [1.0, 0.25]])
    np.testing.assert_array_equal(m.plot.other_dots.get_offsets(), [[0.0, 0.0], [1.0, 3.0]])


def test_new_name_takes_defaults_and_other_changes_keep_params(plugins):
    m = ExplorerModel("kit_test_bent", params={"slope": 3.0})
    m.set(kink="mean")
    assert m.params == {"slope": 3.0, "top": 0.5}
    m.set(name="relu")
    assert m.params == {}
    m.set(name="kit_test_bent")
    assert m.params == {"slope": 2.0, "top": 0.5}


def test_smooth_activation_has_no_rows_and_saturation(plugins):
    m = ExplorerModel("kit_test_logistic", tol=0.01, lo=-8, hi=8)
    assert m.kink_rows() == []
    sat = m.saturation_intervals()["saturated"]
    assert sat == KitTestLogistic().saturation(0.01)
    assert "no kinks" in m.table_html()


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"kink": "jax"}, ValueError, "not recorded"),
        ({"params": {"slope": "x"}}, ValueError, "must be a number"),
        ({"params": {"nope": 1.0}}, TypeError, "unknown parameter"),
        ({"tol": -1.0}, ValueError, "tol"),
        ({"lo": 3.0, "hi": 1.0}, ValueError, "lo < hi"),
        ({"name": "rleu"}, KeyError, "relu"),
        ({"colour": 1}, TypeError, "unknown explorer setting"),
    ],
)
def test_bad_change_raises_and_keeps_state(plugins, change, error, match):
    m = ExplorerModel("kit_test_bent", kink="right")
    before = (m.name, m.params, m.kink, m.lo, m.hi, m.tol, m.plot.used_dots.get_offsets().copy())
    png = m.png()
    with pytest.raises(error, match=match):
        m.set(**change)
    assert (m.name, m.params, m.kink, m.lo, m.hi, m.tol) == before[:6]
    np.testing.assert_array_equal(m.plot.used_dots.get_offsets(), before[6])
    assert m.png() == png


def test_fast_redraw_matches_a_full_redraw():
    m = ExplorerModel("relu")
    first = m.png()
    m.set(kink="mean")
    moved = m.png()
    assert moved != first
    m.set(kink="left")
    assert m.png() == first  # blitted over the saved background: pixel for pixel the same
    assert m.frames.full_draws == 1
    m.set(lo=-2.0)  # limits change: a full redraw
    m.png()
    assert m.frames.full_draws == 2


@pytest.mark.parametrize(("default", "expected"), [(0.01, (0.0, 1.0, 0.001)), (1.0, (0.0, 2.0, 0.01)),
                                                   (0.0, (-2.0, 2.0, 0.01)), (-0.5, (-1.0, 0.0, 0.001)),
                                                   (6, (0, 12, 1))])
def test_parameter_slider_ranges(default, expected):
    from kit.widgets.models.base import param_range

    assert param_range(default) == pytest.approx(expected)


def test_parameter_change_keeps_the_axes_and_redraws_fast():
    m = ExplorerModel("leaky_relu")
    m.png()
    m.set(params={"alpha": 0.3})  # wider y range, and no saturated region any more: a full redraw
    m.png()
    assert m.frames.full_draws == 2
    for alpha in (0.2, 0.1, 0.05):
        m.set(params={"alpha": alpha})
        m.png()
        np.testing.assert_array_equal(m.plot.used_dots.get_offsets(), [[0.0, alpha]])
    assert m.frames.full_draws == 2  # the curves moved inside the axes they had


def test_new_tolerance_redraws_shading_and_legend_only():
    import io

    import matplotlib
    from matplotlib.image import imread

    from kit.plot.style import FrameCache, rc

    m = ExplorerModel("sigmoid")
    m.png()
    for tol in (0.05, 0.02, 0.01):
        m.set(tol=tol)
        fast = imread(io.BytesIO(m.png()))
        labels = [t.get_text() for t in m.plot.ax.get_legend().get_texts()]
        assert f"saturated: |f'| ≤ {tol:g}" in labels
        with matplotlib.rc_context(rc()):  # as the model draws
            fresh = imread(io.BytesIO(FrameCache(m.figure, m.moving, overlay=m.overlay).render()))
        np.testing.assert_array_equal(fast, fresh)
    assert m.frames.full_draws == 1  # axes, ticks and grid drawn once; spans and legend over them


def test_relu_dead_region_is_shaded_once_in_the_dead_shade():
    m = ExplorerModel("relu", lo=-3, hi=2)
    assert m.curves.saturated == m.curves.dead == [(-3.0, 0.0)]
    assert len(m.plot.spans) == 1 and m.plot.spans[0].get_facecolor()[:3] == pytest.approx((0.439, 0.439, 0.439),
                                                                                          abs=1e-3)
    labels = [t.get_text() for t in m.plot.ax.get_legend().get_texts()]
    assert "dead: f' = 0" in labels and not any(t.startswith("saturated") for t in labels)


def test_going_back_to_an_activation_reuses_its_static_picture():
    import io

    import matplotlib
    from matplotlib.image import imread

    from kit.plot.style import FrameCache, rc

    m = ExplorerModel("relu")
    m.png()
    m.set(name="tanh")
    m.png()  # tanh's tick labels are wider: laid out again, once
    m.set(name="relu")
    first = m.png()
    draws = m.frames.full_draws
    m.set(name="tanh")
    m.png()
    m.set(name="relu")
    assert m.png() == first
    assert m.frames.full_draws == draws  # once laid out for both, each comes back from the store
    m.set(name="tanh")
    kept = imread(io.BytesIO(m.png()))
    with matplotlib.rc_context(rc()):
        fresh = imread(io.BytesIO(FrameCache(m.figure, m.moving, overlay=m.overlay).render()))
    np.testing.assert_array_equal(kept, fresh)
    assert m.frames.full_draws == draws


@pytest.mark.parametrize("changes", [
    [{"name": "elu"}, {"lo": -20.0, "hi": 20.0}, {"name": "relu6", "lo": -3.0, "hi": 3.0}],
    [{"name": "softplus", "lo": -20.0, "hi": 20.0}, {"name": "gelu", "lo": -0.5, "hi": 0.5}, {"name": "relu"}],
])
def test_tick_labels_stay_inside_the_figure_after_new_activations_and_ranges(changes):
    """The layout found at the first draw is kept for speed, but laid out again when labels no longer fit
    (the y tick labels were clipped at the left edge after a wider range or another activation)."""
    m = ExplorerModel("relu")
    m.png()
    fig = m.figure
    for change in changes:
        m.set(**change)
        m.png()
        renderer = fig.canvas.get_renderer()
        box = m.plot.ax.get_tightbbox(renderer)  # what is drawn: tick labels, axis labels, title
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= fig.bbox.x1 + 1 and box.y1 <= fig.bbox.y1 + 1, (change, box)
    assert m.frames.relayouts >= 1
