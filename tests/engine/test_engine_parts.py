"""Data sets, initialisations, losses, optimisers and diagnostics, each against exact values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kit
from kit import nn
from kit.lab import datasets
from kit.nn import init, losses, optim

# -- data sets -------------------------------------------------------------------


@pytest.mark.parametrize("name", datasets.names())
def test_datasets_shapes_reproducible_balanced(name):
    X, y = datasets.make(name, n=120, seed=4)
    X2, y2 = datasets.make(name, n=120, seed=4)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert X.dtype == np.float64 and len(X) == len(y) == 120
    if datasets.task(name) == "classification":
        assert y.dtype == np.int64
        counts = np.bincount(y)
        assert counts.max() - counts.min() <= 1
    else:
        assert X.shape == (120, 1) and y.dtype == np.float64
    assert not np.array_equal(X, datasets.make(name, n=120, seed=5)[0])


def _knn_accuracy(X: np.ndarray, y: np.ndarray, k: int = 5) -> float:
    """Leave-one-out k-nearest-neighbour accuracy: how separable the classes are."""
    d = ((X[:, None] - X[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    near = np.argsort(d, axis=1)[:, :k]
    return float(((y[near].mean(1) > 0.5).astype(int) == y).mean())


def test_spiral_noise_is_relative_to_the_arm_spacing():
    # TensorFlow Playground keeps the arms visible at its highest noise; with noise measured
    # in units of the arm spacing, 0.1 leaves two arms a 5-NN classifier separates (0.98 with
    # these seeds), and the arms blur only at several times that
    accuracy = {noise: _knn_accuracy(*datasets.make("spiral", n=800, noise=noise, seed=0)) for noise in (0.1, 0.5)}
    assert accuracy[0.1] >= 0.95
    assert 0.6 <= accuracy[0.5] < 0.8
    X, _ = datasets.make("spiral", n=800, noise=0.0, seed=0)
    assert np.abs(X).max() <= 1.0


def test_regression_targets_are_the_functions_without_noise():
    for name, f in (("sine", lambda x: np.sin(math.pi * x)), ("abs", np.abs), ("cubic", lambda x: x**3 - 0.5 * x)):
        X, y = datasets.make(name, n=50, noise=0.0, seed=0)
        np.testing.assert_array_equal(y, f(X[:, 0]))


def test_pixels_are_8_bit_with_many_exact_zeros():
    X, y = datasets.make("pixels", n=200, seed=0)
    assert X.shape == (200, 64) and set(np.unique(y).tolist()) == set(range(10))
    np.testing.assert_array_equal(X * 255, np.round(X * 255))
    assert 0.3 < np.mean(X == 0) < 0.7


def test_xor_labels_follow_the_signs():
    X, y = datasets.make("xor", n=400, noise=0.1, seed=0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="swirl"), "unknown data set"),
    (dict(name="xor", n=0), "n must be"),
    (dict(name="xor", noise=-1.0), "noise"),
    (dict(name="xor", classes=3), "takes no option"),
    (dict(name="spiral", classes=1), "classes"),
    (dict(name="xor", seed=-1), "seed"),
    (dict(name="xor", seed=1.5), "seed"),
])
def test_dataset_errors(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        datasets.make(**kwargs)


# -- initialisations --------------------------------------------------------------


@pytest.mark.parametrize("name, var", [
    ("he", lambda i, o: 2 / i), ("xavier", lambda i, o: 2 / (i + o)), ("lecun", lambda i, o: 1 / i),
    (("normal", {"std": 0.3}), lambda i, o: 0.09), (("uniform", {"limit": 0.3}), lambda i, o: 0.09 / 3),
])
def test_init_variances(name, var):
    """Sample variance of 200×300 weights within 3 % (its relative s.d. is about 0.4 %)."""
    W, b = init.draw(name, 200, 300, np.random.default_rng(0), bias=0.25)
    assert W.var() == pytest.approx(var(200, 300), rel=0.03)
    assert abs(W.mean()) < 0.01
    np.testing.assert_array_equal(b, 0.25)


def test_rai_has_one_beta_entry_per_unit():
    """RAI: per unit, fan_in + 1 numbers from N(0, 0.6007²/fan_in) except one from Beta(2, 1).

    With fan_in = 10000 the Gaussian entries are below 0.04 in absolute value (6.7 s.d.: about
    1e-4 of the 4 million exceed it), while Beta(2, 1) exceeds 0.04 with probability 1 - 0.04² =
    0.998: so each unit has at most one large entry, in W or b, nearly all exactly one, and those
    have Beta(2, 1)'s mean 2/3."""
    fan_in, fan_out = 10_000, 400
    W, b = init.draw("rai", fan_in, fan_out, np.random.default_rng(1))
    V = np.vstack([W, b[None, :]])
    big = np.abs(V) > 0.04
    assert np.all(big.sum(axis=0) <= 1) and big.sum() >= fan_out - 5
    assert np.all(V[big] > 0)
    assert V[big].mean() == pytest.approx(2 / 3, abs=0.05)  # s.d. of the mean: 0.236 / sqrt(400) = 0.012
    small = V[~big]
    assert small.std() == pytest.approx(init.RAI_SIGMA / math.sqrt(fan_in), rel=0.01)


def test_draw_many_matches_draw_shapes_and_rai_biases_in_net():
    W, b = init.draw_many("rai", 3, 4, np.random.default_rng(0), 7)
    assert W.shape == (7, 3, 4) and b.shape == (7, 4)
    net = nn.MLP([3, 4, 1], init="rai", seed=0)
    assert net.b[-1][0] == 0.0 and np.any(net.b[0] != 0)


# -- losses -----------------------------------------------------------------------


def test_losses_match_direct_formulas_in_float64():
    rng = np.random.default_rng(0)
    out = rng.standard_normal((6, 1)) * 3
    t = rng.integers(0, 2, 6)
    sig = 1 / (1 + np.exp(-out[:, 0]))
    bce = losses.get("bce")
    tt = bce.targets(t, 1, np.float64)
    np.testing.assert_allclose(bce.per_sample(out, tt), -(t * np.log(sig) + (1 - t) * np.log(1 - sig)), rtol=1e-13)
    np.testing.assert_allclose(bce.grad(out, tt)[:, 0], (sig - t) / 6, rtol=1e-13)
    logits = rng.standard_normal((6, 3))
    k = rng.integers(0, 3, 6)
    ce = losses.get("ce")
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ce.per_sample(logits, k), -np.log(p[np.arange(6), k]), rtol=1e-13)
    onehot = np.eye(3)[k]
    np.testing.assert_allclose(ce.grad(logits, k), (p - onehot) / 6, rtol=1e-13, atol=1e-16)
    mse = losses.get("mse")
    y = rng.standard_normal((6, 2))
    o = rng.standard_normal((6, 2))
    assert mse.value(o, y) == pytest.approx(np.mean((o - y) ** 2), rel=1e-14)
    np.testing.assert_allclose(mse.grad(o, y), 2 * (o - y) / 12, rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_losses_stable_for_huge_logits_and_keep_dtype(dtype):
    out = np.array([[-1e4], [1e4], [0.0]], dtype=dtype)
    bce = losses.get("bce")
    t = bce.targets(np.array([1, 0, 1]), 1, np.dtype(dtype))
    v = bce.per_sample(out, t)
    assert v.dtype == dtype and np.all(np.isfinite(v))
    np.testing.assert_allclose(v.astype(float), [1e4, 1e4, math.log(2)], rtol=1e-3)
    g = bce.grad(out, t)
    assert g.dtype == dtype
    np.testing.assert_allclose(g[:, 0].astype(float), [-1 / 3, 1 / 3, -1 / 6], rtol=1e-3)
    ce = losses.get("ce")
    logits = np.array([[1e4, 0.0], [0.0, 1e4]], dtype=dtype)
    assert np.all(np.isfinite(ce.per_sample(logits, np.array([1, 1]))))
    assert ce.grad(logits, np.array([1, 1])).dtype == dtype


def test_loss_names():
    assert losses.names() == ["bce", "ce", "mse"]
    assert losses.get("cross_entropy").name == "ce"
    with pytest.raises(ValueError, match="unknown loss"):
        losses.get("nll")


# -- optimisers ---------------------------------------------------------------------


def test_optimisers_closed_form_steps():
    g = np.array([0.5, -2.0])
    p = [np.array([1.0, 1.0])]
    sgd = optim.get("sgd", p, lr=0.1)
    sgd.update([g])
    np.testing.assert_allclose(p[0], [0.95, 1.2], rtol=1e-15)
    p = [np.zeros(2)]
    mom = optim.get("momentum", p, lr=0.1, momentum=0.5)
    mom.update([g])
    mom.update([g])  # v = g, then 0.5 g + g
    np.testing.assert_allclose(p[0], -0.1 * (g + 1.5 * g), rtol=1e-15)
    p = [np.zeros(2)]
    adam = optim.get("adam", p, lr=0.01)
    adam.update([g])  # first Adam step is lr * sign(g) (up to eps)
    np.testing.assert_allclose(p[0], -0.01 * np.sign(g), rtol=1e-6)


def test_adam_float16_eps_is_representable():
    p = [np.zeros(3, dtype=np.float16)]
    adam = optim.get("adam", p, lr=0.01)
    assert adam.eps == 1e-4 and np.float16(adam.eps) > 0
    adam.update([np.array([0.0, 1e-3, -1.0], dtype=np.float16)])
    assert p[0].dtype == np.float16 and np.all(np.isfinite(p[0])) and p[0][0] == 0


def test_optimizer_errors():
    with pytest.raises(ValueError, match="unknown optimizer"):
        optim.get("rmsprop", [np.zeros(1)])
    with pytest.raises(ValueError, match="betas"):
        optim.get("adam", [np.zeros(1)], betas=(0.9,))


# -- diagnostics ---------------------------------------------------------------------


def test_dead_units_saturation_and_kink_hits_exact():
    net = nn.MLP([1, 3, 1], activation="relu", dtype="float64", seed=0)
    # unit 0: z = x (alive), unit 1: z = -x - 1 (dead on x >= 0), unit 2: z = x - 1 (kink at x = 1)
    net.set_weights([([[1.0, -1.0, 1.0]], [0.0, -1.0, -1.0]), ([[1.0], [1.0], [1.0]], [0.0])])
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    d = nn.diagnostics(net, X)
    assert d["dead"] == [1]
    np.testing.assert_array_equal(d["dead_units"][0], [False, True, False])
    assert d["kink_hits"] == [2]  # x = 0 (unit 0) and x = 1 (unit 2)
    assert d["saturated"] == [pytest.approx(5 / 12)]  # z < 0: unit 1 four times, unit 2 once
    assert nn.diagnostics(net.copy(kink="right"), X)["dead"] == [1]
    # with ReLU'(0) = 0 a unit whose only positive-side input sits on the kink counts as dead
    net.set_weights([([[1.0, -1.0, 1.0]], [0.0, -1.0, -3.0]), ([[1.0], [1.0], [1.0]], [0.0])])
    assert nn.diagnostics(net, X)["dead"] == [2]
    assert nn.diagnostics(net.copy(kink="right"), X)["dead"] == [1]


def test_saturation_of_sigmoid_uses_tol():
    if "sigmoid" not in kit.names():
        pytest.skip("sigmoid is not registered")
    net = nn.MLP([1, 1, 1], activation="sigmoid", dtype="float64", seed=0)
    net.set_weights([([[1.0]], [0.0]), ([[1.0]], [0.0])])
    X = np.array([[-10.0], [-1.0], [0.0], [1.0], [10.0]])
    # sigma'(z) <= 0.01 iff |z| >= 4.5951...
    assert nn.diagnostics(net, X, saturation_tol=0.01)["saturated"] == [pytest.approx(2 / 5)]
    assert nn.diagnostics(net, X, saturation_tol=0.2)["saturated"] == [pytest.approx(4 / 5)]


def test_notebook_registered_activation_trains(local_activations):
    X, y = datasets.make("moons", n=100, seed=0)
    net = nn.MLP([2, 6, 1], activation=(local_activations["bent"], {"at": 0.1}), kink="mean", seed=0)
    hist = nn.train(net, X, y, loss="bce", lr=0.05, steps=50)
    assert hist.loss[-1] < hist.loss[0] and not hist.stopped


class Zigzag(kit.Activation):
    """|z - round(z)|: infinitely many kinks (every multiple of 1/2); kinks() needs finite bounds."""

    name = "engine_test_zigzag"

    def value(self, z):
        return np.abs(z - np.round(z))

    def left_derivative(self, z):
        frac = z - np.floor(z)
        return np.where((frac > 0) & (frac <= 0.5), 1.0, -1.0).astype(z.dtype)

    def right_derivative(self, z):
        frac = z - np.floor(z)
        return np.where(frac < 0.5, 1.0, -1.0).astype(z.dtype)

    def kinks(self, lo=-np.inf, hi=np.inf):
        return np.arange(math.ceil(2 * lo), math.floor(2 * hi) + 1) / 2.0  # OverflowError for infinite bounds


def test_kink_hits_for_an_activation_with_infinitely_many_kinks():
    net = nn.MLP([1, 1, 1], activation=Zigzag(), dtype="float64", seed=0)
    net.set_weights([([[1.0]], [0.0]), ([[1.0]], [0.0])])
    X = np.array([[0.0], [0.5], [1.0], [0.3], [2.5], [-7.0], [1e6]])
    assert nn.diagnostics(net, X)["kink_hits"] == [6]
    hist = nn.train(net, X, np.zeros(7), loss="mse", lr=1e-3, steps=1, batch_size=None)
    assert hist.kink_hits[-1] == [6]
