"""kit.plot.activation / compare: dots at kinks, jumps as jumps, saturation shading."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_plugins import KitTestBent, KitTestLogistic, KitTestStep, no_vertical_segments

import kit
import kit.plot
from kit.plot.style import new_figure


def _plot(fig: Figure, i: int = 0):
    return fig.axes[i]._kit_plot


@pytest.mark.parametrize(
    ("rule", "used", "others"),
    [("left", 0.0, [1.0]), ("right", 1.0, [0.0]), ("mean", 0.5, [0.0, 1.0]), (0.25, 0.25, [0.0, 1.0]),
     ("pytorch", 0.0, [1.0]), (kit.Fixed(0.7), 0.7, [0.0, 1.0])],
)
def test_relu_kink_dots_follow_the_rule(rule, used, others):
    fig = kit.plot.activation("relu", kink=rule)
    p = _plot(fig)
    np.testing.assert_array_equal(p.used_dots.get_offsets(), [[0.0, used]])
    np.testing.assert_array_equal(sorted(p.other_dots.get_offsets()[:, 1]), others)
    np.testing.assert_array_equal(p.other_dots.get_offsets()[:, 0], 0.0)


def test_dots_equal_one_sided_derivatives_of_a_plugin_with_two_kinks():
    act = KitTestBent(slope=3.0, top=0.25)
    for rule in ("left", "right"):
        p = _plot(kit.plot.activation(act, kink=rule, lo=-2, hi=3))
        side = act.left_derivative if rule == "left" else act.right_derivative
        other = act.right_derivative if rule == "left" else act.left_derivative
        np.testing.assert_array_equal(p.used_dots.get_offsets(), [[0.0, side(0.0)], [1.0, side(1.0)]])
        np.testing.assert_array_equal(p.other_dots.get_offsets(), [[0.0, other(0.0)], [1.0, other(1.0)]])
        np.testing.assert_array_equal(p.curves.left, [0.0, 3.0])
        np.testing.assert_array_equal(p.curves.right, [3.0, 0.25])


def test_derivative_jump_is_broken_not_a_vertical_line():
    p = _plot(kit.plot.activation("relu", lo=-2, hi=2))
    x, d = p.df_line.get_data()
    assert no_vertical_segments(np.asarray(x), np.asarray(d))
    assert np.isnan(d).sum() == 1  # one break, at the kink
    i = int(np.flatnonzero(np.isnan(d))[0])
    assert (d[i - 1], d[i + 1]) == (0.0, 1.0)  # exact one-sided limits on either side
    # f itself is continuous: not broken
    fx, f = p.f_line.get_data()
    assert not np.isnan(f).any()
    np.testing.assert_allclose(f, np.maximum(fx, 0), atol=0)


def test_value_jump_has_filled_and_open_dots_and_infinite_derivative_mark():
    p = _plot(kit.plot.activation(KitTestStep(), lo=-1, hi=1))
    x, f = (np.asarray(a) for a in p.f_line.get_data())
    assert np.isnan(f).sum() == 1
    assert no_vertical_segments(x, f)
    np.testing.assert_array_equal(p.f_used.get_offsets(), [[0.0, 1.0]])  # f(0) = 1
    np.testing.assert_array_equal(p.f_other.get_offsets(), [[0.0, 0.0]])  # the limit from the left
    # the left derivative at 0 is +inf: a triangle at the top edge (axes coordinates), none among the dots
    np.testing.assert_array_equal(p.inf_marks.get_offsets(), [[0.0, 1.0]])
    assert np.isfinite(p.other_dots.get_offsets()).all()


def test_saturation_and_dead_shading_match_the_activation():
    act = KitTestLogistic()
    fig = kit.plot.activation(act, tol=0.01, lo=-8, hi=8)
    p = _plot(fig)
    z = np.log((1 + np.sqrt(1 - 0.04)) / (1 - np.sqrt(1 - 0.04)) )  # s(1-s) = 0.01 at |z| = z
    assert len(p.curves.saturated) == 2 and p.curves.dead == []
    (a0, b0), (a1, b1) = p.curves.saturated
    assert (a0, b1) == (-8.0, 8.0)
    np.testing.assert_allclose([b0, a1], [-z, z], rtol=1e-6)
    assert len(p.spans) == 2
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "saturated: |f'| ≤ 0.01" in labels
    relu = _plot(kit.plot.activation("relu", lo=-3, hi=2))
    assert relu.curves.dead == [(-3.0, 0.0)]
    labels = [t.get_text() for t in relu.ax.get_legend().get_texts()]
    assert "dead: f' = 0" in labels


def test_fills_a_given_axes_and_returns_its_figure():
    fig, (a, b) = new_figure(1, 2)
    out = kit.plot.activation("relu", ax=b)
    assert out is fig
    assert len(a.lines) == 0 and len(b.lines) >= 2
    assert b.get_xlim() == (-5.0, 5.0)


def test_compare_grid_shares_axes():
    fig = kit.plot.compare(["relu", KitTestBent(), KitTestLogistic(), KitTestStep()], ncols=3, lo=-2, hi=2)
    axes = fig.axes
    assert len(axes) == 6
    assert [ax.get_visible() for ax in axes] == [True] * 4 + [False] * 2
    assert len({ax.get_ylim() for ax in axes[:4]}) == 1
    assert all(ax.get_xlim() == (-2.0, 2.0) for ax in axes[:4])
    assert all(ax.get_legend() is None for ax in axes)  # one legend for the grid, naming all that is shown
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert {"f(z)", "f'(z)", "dead: f' = 0", "one-sided f' = ±inf"} <= set(labels)
    assert axes[0].get_xlabel() == "" and axes[3].get_xlabel() == "z"
    assert kit.plot.png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: kit.plot.activation("relu", lo=1, hi=0), ValueError, "finite lo < hi"),
        (lambda: kit.plot.activation("relu", kink="middle"), ValueError, "kink must be"),
        (lambda: kit.plot.activation("rleu"), KeyError, "did you mean 'relu'"),
        (lambda: kit.plot.activation(3), TypeError, r"activation must be a kit\.Activation"),
        (lambda: kit.plot.compare([]), ValueError, "at least one"),
        (lambda: kit.plot.compare(["relu"], ncols=0), ValueError, "ncols"),
    ],
)
def test_bad_input_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_import_kit_does_not_import_matplotlib_or_ipywidgets():
    code = "import sys, kit; kit.get('relu'); print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
