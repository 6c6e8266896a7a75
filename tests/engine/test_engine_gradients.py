"""Backprop gradients against finite differences, and the kink rule's exact effect."""

from __future__ import annotations

import numpy as np
import pytest

import kit
from kit import nn
from kit.nn import losses


def _loss(net, X, y, loss, l1=0.0, l2=0.0):
    t = losses.get(loss).targets(np.asarray(y), net.sizes[-1], net.dtype)
    data = losses.get(loss).value(net.forward(X), t)
    pen = sum(l1 * np.abs(W).sum() + 0.5 * l2 * (W * W).sum() for W in net.W)
    return data + float(pen)


def _finite_differences(net, X, y, loss, h, l1=0.0, l2=0.0):
    """Forward and backward one-sided differences of the loss for every parameter."""
    base = _loss(net, X, y, loss, l1, l2)
    fwd, bwd = [], []
    for p in net.parameters():
        f = np.empty(p.shape)
        b = np.empty(p.shape)
        for idx in np.ndindex(p.shape):
            keep = p[idx]
            p[idx] = keep + h
            f[idx] = (_loss(net, X, y, loss, l1, l2) - base) / h
            p[idx] = keep - h
            b[idx] = (base - _loss(net, X, y, loss, l1, l2)) / h
            p[idx] = keep
        fwd.append(f)
        bwd.append(b)
    return fwd, bwd


def _flat(grads):
    return [g for pair in grads for g in pair]


CASES = [
    # sizes, activation, loss, labels
    ([3, 5, 4, 1], "tanh", "bce", "binary"),
    ([3, 5, 4, 3], "sigmoid", "ce", "classes"),
    ([3, 6, 2], ("leaky_relu", {"alpha": 0.1}), "mse", "real2"),
    ([3, 5, 4, 2], ["relu", "elu"], "mse", "real2"),
    ([3, 4, 4, 1], "engine_test_cube", "mse", "real"),
    ([3, 4, 4, 1], ("engine_test_bent", {"at": 0.3}), "bce", "binary"),
]


def _targets(kind, rng, n):
    return {
        "binary": rng.integers(0, 2, n),
        "classes": rng.integers(0, 3, n),
        "real": rng.standard_normal(n),
        "real2": rng.standard_normal((n, 2)),
    }[kind]


@pytest.mark.parametrize("sizes, activation, loss, kind", CASES)
def test_gradients_match_one_sided_finite_differences_away_from_kinks(local_activations, sizes, activation, loss, kind):
    """float64; h = 1e-6; both one-sided differences agree with backprop to 2e-5 (abs + rel),
    and no pre-activation lies within 1e-3 of a kink, so the loss is smooth around the point."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((7, sizes[0]))
    y = _targets(kind, rng, 7)
    init = ("normal", {"std": 0.3}) if activation == "engine_test_cube" else "xavier"  # keep z³ of z³ moderate
    net = nn.MLP(sizes, activation=activation, init=init, bias=0.05, dtype="float64", seed=1)
    for act, z in zip(net.activations, net.pre_activations(X), strict=True):
        k = act.kinks(-100, 100)
        if k.size:
            assert np.min(np.abs(z[..., None] - k)) > 1e-3
    grads = _flat(nn.gradients(net, X, y, loss=loss, l2=0.01))
    fwd, bwd = _finite_differences(net, X, y, loss, 1e-6, l2=0.01)
    for g, f, b in zip(grads, fwd, bwd, strict=True):
        np.testing.assert_allclose(g, f, rtol=2e-5, atol=2e-5)
        np.testing.assert_allclose(g, b, rtol=2e-5, atol=2e-5)


def test_l1_penalty_gradient_is_sign_of_weights():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 2)), rng.standard_normal(5)
    net = nn.MLP([2, 3, 1], activation="tanh", dtype="float64", seed=0)
    plain = nn.gradients(net, X, y, loss="mse")
    pen = nn.gradients(net, X, y, loss="mse", l1=0.3)
    for (g0, b0), (g1, b1), W in zip(plain, pen, net.W, strict=True):
        np.testing.assert_array_equal(g1, g0 + 0.3 * np.sign(W))
        np.testing.assert_array_equal(b1, b0)  # biases are not penalised


def test_gradient_dtype_is_the_network_dtype():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((4, 2)), rng.integers(0, 2, 4)
    for dt in ("float16", "float32", "float64"):
        net = nn.MLP([2, 3, 1], dtype=dt, seed=0)
        for dW, db in nn.gradients(net, X, y, loss="bce"):
            assert dW.dtype == np.dtype(dt) and db.dtype == np.dtype(dt)


def _kinked_net(dtype="float64", kink="left"):
    """2-2-1 ReLU net; the input (1, -1) puts unit 0 exactly on the kink, unit 1 above it."""
    net = nn.MLP([2, 2, 1], activation="relu", kink=kink, dtype=dtype, seed=0)
    net.set_weights([([[1.0, 1.0], [1.0, -1.0]], [0.0, 0.0]), ([[1.0], [2.0]], [0.0])])
    return net


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_kink_rule_changes_gradient_exactly_at_the_kink(dtype):
    X = np.array([[1.0, -1.0]])  # z = (0, 2)
    y = np.array([3.0])
    out = {}
    for kink in ("left", "right", "mean", 0.25, kit.Fixed(-1.0), "pytorch", "jax", "tensorflow"):
        (_, db0), (dW1, _) = nn.gradients(_kinked_net(dtype, kink), X, y, loss="mse")
        out[str(kink)] = db0
        np.testing.assert_array_equal(dW1, nn.gradients(_kinked_net(dtype), X, y, loss="mse")[1][0])
    d = 2 * (4.0 - 3.0)  # dL/d(out) for out = relu(0) * 1 + relu(2) * 2 = 4
    # unit 0 sits on the kink: its bias gradient is d * w * ReLU'(0) under each rule
    expect = {"left": 0.0, "right": 1.0, "mean": 0.5, "0.25": 0.25, "Fixed(value=-1.0)": -1.0,
              "pytorch": 0.0, "jax": 0.0, "tensorflow": 0.0}
    for key, rp in expect.items():
        assert out[key][0] == pytest.approx(d * 1.0 * rp)
        assert out[key][1] == pytest.approx(d * 2.0 * 1.0)  # unit 1 is away from the kink


def test_kink_rules_give_identical_gradients_without_kink_hits(local_activations):
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((64, 3)), rng.integers(0, 2, 64)
    for act in ("relu", ("engine_test_bent", {"at": 0.2}), "leaky_relu", "abs"):
        base = nn.MLP([3, 8, 8, 1], activation=act, kink="left", dtype="float32", seed=2)
        assert sum(nn.diagnostics(base, X)["kink_hits"]) == 0
        g0 = nn.gradients(base, X, y, loss="bce")
        for kink in ("right", "mean", 0.7):
            g1 = nn.gradients(base.copy(kink=kink), X, y, loss="bce")
            for (a, b), (c, d) in zip(g0, g1, strict=True):
                np.testing.assert_array_equal(a, c)
                np.testing.assert_array_equal(b, d)


def test_per_layer_activation_and_kink():
    net = nn.MLP([2, 3, 3, 1], activation=["relu", ("leaky_relu", {"alpha": 0.2})], kink=["left", "right"], seed=0)
    assert [a.name for a in net.activations] == ["relu", "leaky_relu"]
    assert net.activations[1].alpha == 0.2
    assert net.kink_rules == ["left", "right"]
