"""kit.plot training pictures: each returns its Figure (or fills an Axes) and shows the run's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import kit.plot
from kit import nn
from kit.lab import datasets
from kit.plot.style import new_figure, nice_ceil


@pytest.fixture(scope="module")
def run():
    X, y = datasets.make("moons", n=120, noise=0.1, seed=0)
    net = nn.MLP([2, 6, 5, 1], activation="relu", dtype="float64", seed=0)
    hist = nn.train(net, X, y, loss="bce", optimizer="adam", lr=0.02, steps=40, seed=0)
    return net, X, y, hist


def test_loss_curve(run):
    _, _, _, hist = run
    fig = kit.plot.loss(hist, test=[0.9, 0.5], test_steps=[0, 40])
    p = fig.axes[0]._kit_plot
    np.testing.assert_array_equal(p.train.get_data()[1], hist.loss)
    np.testing.assert_array_equal(p.test.get_data()[0], [0, 40])
    assert fig.axes[0].get_yscale() == "log"
    assert fig.axes[0].get_xlim() == (0.0, 50.0)  # 40 rounded up to 1-2-5 steps


def test_units_dead_saturated_and_grad_norm(run):
    _, _, _, hist = run
    dead = kit.plot.units(hist, "dead").axes[0]._kit_plot
    assert len(dead.lines) == 2
    np.testing.assert_array_equal(dead.lines[1].get_data()[1], np.asarray(hist.dead)[:, 1] / 5)
    sat = kit.plot.units(hist, "saturated").axes[0]._kit_plot
    np.testing.assert_array_equal(sat.lines[0].get_data()[1], np.asarray(hist.saturated)[:, 0])
    grad = kit.plot.units(hist, "grad_norm").axes[0]
    assert len(grad._kit_plot.lines) == 3 and grad.get_yscale() == "log"
    with pytest.raises(ValueError, match="which must be one of"):
        kit.plot.units(hist, "alive")


def test_boundary_fills_a_given_axes(run):
    net, X, y, _ = run
    fig, (a, b) = new_figure(1, 2)
    assert kit.plot.boundary(net, X, y, ax=b, resolution=20) is fig
    p = b._kit_plot
    assert p.grid_output.shape == (20, 20)
    assert ((p.grid_output >= 0) & (p.grid_output <= 1)).all()
    assert len(p.class0.get_offsets()) == int((y == 0).sum())
    assert len(p.class1.get_offsets()) == int((y == 1).sum())
    assert not a.images
    with pytest.raises(ValueError, match="1-D or 2-D"):
        kit.plot.boundary(net, np.zeros((4, 3)), np.zeros(4))


def test_alive_and_active_fraction(run):
    net, X, _, _ = run
    fractions = kit.plot.active_fraction(net, X)
    for z, f in zip(net.pre_activations(X), fractions, strict=True):
        np.testing.assert_array_equal(f, (z > 0).mean(axis=0))
    fig = kit.plot.alive(net, X)
    img = np.ma.filled(fig.axes[0]._kit_plot.image.get_array(), np.nan)
    assert img.shape == (6, 2)
    np.testing.assert_array_equal(img[:5, 1], fractions[1])
    assert np.isnan(img[5, 1])  # layer 2 has 5 units: the sixth square is empty


def test_preactivation_histograms_mark_kink_and_saturation(run):
    net, X, _, _ = run
    fig = kit.plot.preactivations(net, X, bins=30)
    p = fig.axes[0]._kit_plot
    assert isinstance(fig, Figure) and len(p.stairs) == 2
    assert [line.get_xdata()[0] for line in p.kink_lines] == [0.0]
    zs = net.pre_activations(X)
    values, edges = p.stairs[0].get_data().values, p.stairs[0].get_data().edges
    counts, _ = np.histogram(np.clip(zs[0].ravel(), edges[0], edges[-1]), bins=edges)
    np.testing.assert_allclose(values, counts / zs[0].size, rtol=0, atol=1e-15)
    assert values.sum() == pytest.approx(1.0)
    assert len(p.dead_spans) == 1  # relu: dead for z < 0


def test_preactivations_of_several_networks_share_their_axes():
    X, _ = datasets.make("gauss", n=200, seed=0)
    wide = nn.MLP([2, 8, 1], activation="sigmoid", init="xavier", seed=0)
    narrow = wide.copy()
    narrow.preprocess = (np.full(2, 0.05), np.zeros(2))  # the same network on inputs 20 times smaller
    fig = kit.plot.preactivations({"raw inputs": wide, "standardised": narrow}, X * 20 + 30, bins=40)
    a, b = fig.axes
    assert (a.get_title(), b.get_title()) == ("raw inputs", "standardised")
    assert a.get_xlim() == b.get_xlim() and a.get_ylim() == b.get_ylim()
    for ax, net in ((a, wide), (b, narrow)):  # each panel is its own network's histogram, on the common bins
        st = ax._kit_plot.stairs[0].get_data()
        z = net.pre_activations(X * 20 + 30)[0].ravel()
        counts, _ = np.histogram(np.clip(z, st.edges[0], st.edges[-1]), bins=st.edges)
        np.testing.assert_allclose(st.values, counts / z.size, rtol=0, atol=1e-15)
        assert max(ax._kit_plot.stairs[0].get_data().values) <= ax.get_ylim()[1]
    with pytest.raises(ValueError, match="leave ax out"):
        kit.plot.preactivations({"a": wide}, X, ax=a)


@pytest.mark.parametrize(("x", "out"), [(0.3, 0.5), (1.0, 1.0), (7.0, 10.0), (120.0, 200.0), (0.0, 1.0)])
def test_nice_ceil(x, out):
    assert nice_ceil(x) == pytest.approx(out)


def test_a_moving_artist_crossing_a_legend_is_detected():
    from kit.plot.style import _crosses

    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 1], label="line")
    dots = ax.scatter([0.05], [0.95], s=40, label="dots")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    legend = ax.legend(loc="upper left")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    assert _crosses([dots], ax, box, renderer)  # a dot inside the legend
    assert not _crosses([line], ax, box, renderer)  # the diagonal passes below it
    line.set_data([0, 1], [0.95, 0.95])  # now straight through it, no point inside
    assert _crosses([line], ax, box, renderer)
    dots.set_offsets([[0.9, 0.1]])
    assert not _crosses([dots], ax, box, renderer)


def test_training_legends_sit_above_the_axes(run):
    _, _, _, hist = run
    ax = kit.plot.units(hist, "dead").axes[0]
    ax.figure.canvas.draw()
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.y0 >= ax.get_window_extent().y1 - 1  # outside the data area: no curve crosses it
    assert ax.title.get_window_extent().y0 >= legend_box.y1 - 1  # and under the title
    grad = kit.plot.units(hist, "grad_norm").axes[0]
    grad.figure.canvas.draw()
    labels = [t.get_text() for t in grad.yaxis.get_ticklabels() if t.get_text()]
    assert labels and all("10^" not in text for text in labels)  # 0.1, 1, 10: readable from the back row
