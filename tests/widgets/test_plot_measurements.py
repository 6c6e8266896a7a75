"""kit.plot.measurements: mean ± the claims' t interval per setting, beside a formula."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import kit.plot
from kit import claims
from kit.plot.style import new_figure


def test_error_bars_are_the_t_interval_of_each_setting():
    rows = [[0.1, 0.2, 0.15, 0.3, 0.25], [0.5, 0.55, 0.6, 0.4, 0.45]]
    fig = kit.plot.measurements([1, 2], rows, label="dead")
    s = fig.axes[0]._kit_plot.series[0]
    for i, r in enumerate(rows):
        r = np.asarray(r)
        half = stats.t.ppf(0.975, r.size - 1) * r.std(ddof=1) / np.sqrt(r.size)  # independent of kit.claims
        assert s.means[i] == pytest.approx(r.mean(), abs=1e-15)
        assert s.lo[i] == pytest.approx(r.mean() - half, abs=1e-12)
        assert s.hi[i] == pytest.approx(r.mean() + half, abs=1e-12)
    # what is drawn is what the claims module computes
    assert (s.means[1], s.lo[1], s.hi[1]) == claims.interval(rows[1])
    bars = fig.axes[0].containers[0]
    x, y = bars.lines[0].get_data()
    np.testing.assert_array_equal(x, [1, 2])
    np.testing.assert_array_equal(y, s.means)
    segments = bars.lines[2][0].get_segments()
    np.testing.assert_allclose([seg[:, 1] for seg in segments], np.stack([s.lo, s.hi], axis=1))


def test_confidence_changes_the_interval():
    rows = [[1.0, 2.0, 3.0, 4.0]]
    narrow = kit.plot.measurements([0], rows, confidence=0.5).axes[0]._kit_plot.series[0]
    wide = kit.plot.measurements([0], rows, confidence=0.99).axes[0]._kit_plot.series[0]
    assert wide.lo[0] < narrow.lo[0] < 2.5 < narrow.hi[0] < wide.hi[0]


def test_several_series_formula_and_a_second_call_on_the_same_axes():
    fig = kit.plot.measurements([0.01, 0.1], {"SGD": [[0, 0.1], [0.2, 0.3]], "Adam": np.array([[0.1, 0.1], [0.5, 0.7]])},
                                logx=True, xlabel="learning rate")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate"
    again = kit.plot.measurements([1.0], [[0.9, 1.0]], label="momentum", ax=ax,
                                  formula=lambda x: x / 2, formula_label="half")
    assert again is fig
    p = ax._kit_plot
    assert [s.label for s in p.series] == ["SGD", "Adam", "momentum"]
    xs, ys = p.formula_line.get_data()
    assert xs[0] == pytest.approx(0.01) and xs[-1] == pytest.approx(1.0)
    np.testing.assert_allclose(ys, xs / 2)
    assert np.allclose(np.diff(np.log(xs)), np.log(xs[1] / xs[0]))  # log-spaced on a log axis
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "half" in labels and any(lab.startswith("SGD (mean, 95 % interval") for lab in labels)
    assert ax.get_ylim()[0] < 0  # the interval of two measurements reaches below 0, and is drawn so


def test_points_without_a_line():
    ax = kit.plot.measurements([1, 2], [[0.5, 0.6], [0.7, 0.8]], connect=False).axes[0]
    assert ax.containers[0].lines[0].get_linestyle() == "None"
    assert kit.plot.measurements([1, 2], [[0.5, 0.6], [0.7, 0.8]]).axes[0].containers[0].lines[0].get_linestyle() == "-"


def test_shares_show_the_zero():
    ax = kit.plot.measurements([1, 2], [[0.5, 0.6, 0.55], [0.7, 0.72, 0.71]]).axes[0]
    assert ax.get_ylim()[0] == 0


def test_formula_as_points_and_in_a_given_axes():
    _fig, (a, b) = new_figure(1, 2)
    kit.plot.measurements([1, 5, 10], [[0.1, 0.2]] * 3, formula=([1, 10], [0.0, 1.0]), ax=b)
    np.testing.assert_array_equal(b._kit_plot.formula_line.get_data()[0], [1, 10])
    assert not a.lines


def test_bad_input_is_refused_before_drawing():
    _fig, ax = new_figure()
    with pytest.raises(ValueError, match="one row of measurements per setting"):
        kit.plot.measurements([1, 2, 3], [[0.1, 0.2]] * 2, ax=ax)
    with pytest.raises(ValueError, match="at least 2 measurements"):
        kit.plot.measurements([1, 2], {"a": [[0.1, 0.2]] * 2, "b": [[0.1, 0.2], [0.3]]}, ax=ax)
    assert not ax.lines and not ax.containers  # nothing drawn, not even the good series
    with pytest.raises(ValueError, match="finite numbers"):
        kit.plot.measurements([1, float("nan")], [[0, 1]] * 2)
    with pytest.raises(ValueError, match="logarithmic x axis needs settings > 0"):
        kit.plot.measurements([0, 1], [[0, 1]] * 2, logx=True)
    with pytest.raises(ValueError, match="draw a series first"):
        kit.plot.MeasurementsPlot(ax).formula(lambda x: x)
    with pytest.raises(ValueError, match="confidence must be in"):
        kit.plot.measurements([1], [[0, 1]], confidence=1.0)
