"""How float16 matrix products are rounded: accumulate in float32 and round once, or round each step."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from kit import nn


def _linear(W, b, dtype="float16", accumulate=None):
    net = nn.MLP([W.shape[0], W.shape[1]], dtype=dtype, accumulate=accumulate, seed=0)
    net.set_weights([(W, b)])
    return net


def _ref_round_once(x, W):
    """Independent reference: exact products added one by one in float32, then one rounding."""
    out = np.empty((x.shape[0], W.shape[1]), dtype=np.float16)
    for i in range(x.shape[0]):
        for j in range(W.shape[1]):
            s = np.float32(0)
            for k in range(x.shape[1]):
                s = np.float32(s + np.float32(x[i, k]) * np.float32(W[k, j]))
            out[i, j] = np.float16(s)
    return out


def _ref_round_each(x, W):
    """Independent reference: exact rational multiply-add, rounded to float16 after each step."""
    out = np.empty((x.shape[0], W.shape[1]), dtype=np.float16)
    for i in range(x.shape[0]):
        for j in range(W.shape[1]):
            s = np.float16(0)
            for k in range(x.shape[1]):
                exact = Fraction(float(s)) + Fraction(float(x[i, k])) * Fraction(float(W[k, j]))
                s = np.float16(float(exact))
            out[i, j] = s
    return out


def test_default_float16_product_is_float32_accumulation_rounded_once():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 40)).astype(np.float16)
    W = rng.standard_normal((40, 5)).astype(np.float16)
    out = _linear(W, np.zeros(5)).forward(x)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out, _ref_round_once(x, W))
    np.testing.assert_array_equal(out, x @ W)  # numpy's own float16 matmul does the same


def test_round_each_step_mode_matches_reference():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 40)).astype(np.float16)
    W = rng.standard_normal((40, 5)).astype(np.float16)
    out = _linear(W, np.zeros(5), accumulate="float16").forward(x)
    np.testing.assert_array_equal(out, _ref_round_each(x, W))
    assert not np.array_equal(out, _ref_round_once(x, W))  # the modes do differ


def test_round_each_step_absorbs_small_terms_into_an_exact_zero():
    """1024 + 0.25 rounds to 1024 in float16 (spacing 1 there), so 1024 + 0.25 - 1024 is exactly 0
    when each step is rounded, and exactly 0.25 with a float32 accumulator: a kink hit appears."""
    x = np.array([[1024.0, 0.25, -1024.0]])
    W = np.ones((3, 1))
    assert _linear(W, np.zeros(1)).forward(x)[0, 0] == 0.25
    assert _linear(W, np.zeros(1), accumulate="float16").forward(x)[0, 0] == 0.0
    relu_net = nn.MLP([3, 1, 1], dtype="float16", accumulate="float16", seed=0)
    relu_net.set_weights([(W, np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])
    assert nn.diagnostics(relu_net, x)["kink_hits"] == [1]
    assert nn.diagnostics(relu_net.copy(accumulate="float32"), x)["kink_hits"] == [0]


@pytest.mark.parametrize("accumulate", ["float32", "float16"])
def test_float16_training_stays_float16(accumulate):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 2)), rng.integers(0, 2, 40)
    net = nn.MLP([2, 6, 1], dtype="float16", accumulate=accumulate, seed=0)
    hist = nn.train(net, X, y, loss="bce", lr=0.1, steps=30, optimizer="adam")
    assert not hist.stopped
    assert all(p.dtype == np.float16 for p in net.parameters())
    assert all(g.dtype == np.float16 for pair in nn.gradients(net, X, y, loss="bce") for g in pair)


@pytest.mark.parametrize("accumulate", ["float32", "float16"])
def test_bias_gradient_batch_sum_follows_the_accumulation_mode(accumulate):
    """db = Σ_rows dz, rounded like the matrix products (once, or after each addition)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((50, 3)).astype(np.float16)
    t = rng.standard_normal(50)
    net = _linear(rng.standard_normal((3, 1)), np.zeros(1), accumulate=accumulate)
    out = net.forward(x)
    dz = (out - t.astype(np.float16)[:, None]) * np.float16(2.0 / 50)
    ref = _ref_round_once if accumulate == "float32" else _ref_round_each
    expect = ref(np.ones((1, 50), dtype=np.float16), dz)[0]
    (_, db), = nn.gradients(net, x, t, loss="mse")
    np.testing.assert_array_equal(db, expect)
