"""The engine's fast code paths equal straightforward reference code exactly (np.array_equal, bits).

The float16 product is compared bit for bit with ``np.matmul`` on float16 (the
definition of the engine's float16 semantics); the training step with a
hand-written reference step of the same math.
"""

from __future__ import annotations

import numpy as np
import pytest

from kit import nn
from kit.lab import datasets
from kit.nn import network

SHAPES = [(0, 3, 4), (3, 0, 4), (3, 4, 0), (1, 1, 1), (5, 1, 7), (16, 1, 16), (1, 300, 1), (1, 40, 16),
          (2, 40, 8), (3, 17, 5), (16, 2, 128), (33, 64, 17), (64, 50, 64), (128, 9, 1), (7, 700, 33),
          (256, 128, 16), (20, 130, 40)]


def _values(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    if kind == "normal":
        x = rng.standard_normal(shape)
    elif kind == "wide":  # magnitudes from subnormal to near the float16 maximum: sums overflow to inf
        x = rng.standard_normal(shape) * 2.0 ** rng.integers(-26, 9, size=shape)
    elif kind == "subnormal":
        x = rng.standard_normal(shape) * 2.0**-20
    elif kind == "special":
        x = rng.standard_normal(shape) * 100
        pick = rng.random(shape)
        x[pick < 0.05] = np.inf
        x[(pick >= 0.05) & (pick < 0.1)] = -np.inf
        x[(pick >= 0.1) & (pick < 0.13)] = np.nan
        x[(pick >= 0.13) & (pick < 0.3)] = 0.0
        x[(pick >= 0.3) & (pick < 0.4)] = -0.0
    else:  # relu-like: many exact zeros, positive values
        x = np.maximum(rng.standard_normal(shape), 0)
    with np.errstate(over="ignore"):
        return x.astype(np.float16)


def _bits(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x).view(np.uint16)


@pytest.mark.parametrize("kind", ["normal", "wide", "subnormal", "special", "relu"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_float16_product_is_numpys_bit_for_bit(shape, kind):
    m, k, n = shape
    rng = np.random.default_rng(hash((shape, kind)) % 2**32)
    for trial in range(3):
        a = _values(rng, (m, k), kind)
        b = _values(rng, (k, n), "normal" if trial == 2 else kind)
        with np.errstate(all="ignore"):
            expect = np.matmul(a, b)
            got = network._matmul_float16(a, b)
            out = np.full((m, n), np.float16(7))
            written = network._matmul_float16(a, b, out=out)
        assert got.dtype == np.float16 and got.shape == expect.shape
        assert np.array_equal(_bits(got), _bits(expect)), f"trial {trial}"
        assert written is out and np.array_equal(_bits(out), _bits(expect))


def test_float16_product_of_views_and_into_a_row_view():
    """The engine multiplies transposed views (a_prev.T, W.T) and writes bias sums into a row view."""
    rng = np.random.default_rng(1)
    a = _values(rng, (40, 24), "wide")
    w = _values(rng, (32, 24), "normal")
    with np.errstate(all="ignore"):
        assert np.array_equal(_bits(network._matmul_float16(a, w.T)), _bits(np.matmul(a, w.T)))
        assert np.array_equal(_bits(network._matmul_float16(a.T, a)), _bits(np.matmul(a.T, a)))
        db = np.empty(24, dtype=np.float16)
        ones = np.ones((1, 40), dtype=np.float16)
        network._matmul_float16(ones, a, out=db.reshape(1, -1))
        assert np.array_equal(_bits(db), _bits(np.matmul(ones, a)[0]))


def test_float16_product_crosses_blocks_of_k():
    """k far beyond one block of products: the running sum is carried between blocks in k order."""
    rng = np.random.default_rng(2)
    a = _values(rng, (64, 1000), "wide")
    b = _values(rng, (1000, 64), "wide")
    assert 64 * 64 * 1000 > network._F16_CHUNK * 10
    with np.errstate(all="ignore"):
        assert np.array_equal(_bits(network._matmul_float16(a, b)), _bits(np.matmul(a, b)))


def test_float16_product_matches_the_float32_loop_of_the_definition():
    """The documented semantics: float32 sum += a*b in k order from +0, one rounding at the end."""
    rng = np.random.default_rng(3)
    a = _values(rng, (9, 37), "wide")
    b = _values(rng, (37, 11), "wide")
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    acc = np.zeros((9, 11), dtype=np.float32)
    with np.errstate(all="ignore"):
        for j in range(37):
            acc += a32[:, j, None] * b32[None, j, :]
        assert np.array_equal(_bits(network._matmul_float16(a, b)), _bits(acc.astype(np.float16)))


def test_float16_product_on_many_random_shapes():
    rng = np.random.default_rng(4)
    kinds = ["normal", "wide", "subnormal", "special", "relu"]
    for _ in range(150):
        m, k, n = (int(v) for v in rng.integers(0, 48, size=3))
        a = _values(rng, (m, k), kinds[int(rng.integers(5))])
        b = _values(rng, (k, n), kinds[int(rng.integers(5))])
        with np.errstate(all="ignore"):
            assert np.array_equal(_bits(network._matmul_float16(a, b)), _bits(np.matmul(a, b))), (m, k, n)


def _run(net, **options):
    X, y = datasets.make("spiral", n=200, seed=2)
    tr = nn.Trainer(net, X, y, loss="bce", seed=4, record_every=3, **options)
    hist = tr.step(40)
    return tr, hist


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("options", [{"optimizer": "sgd", "lr": 0.2}, {"optimizer": "momentum", "lr": 0.05, "l2": 0.01},
                                     {"optimizer": "adam", "lr": 0.01, "dropout": 0.2, "l1": 0.001}],
                         ids=["sgd", "momentum-l2", "adam-dropout-l1"])
def test_one_flat_buffer_equals_one_array_per_parameter(dtype, options):
    """The trainer updates and checks all weights in one buffer; a network whose arrays were replaced
    (so no longer in that buffer) is trained array by array: same bits either way."""
    flat = nn.MLP([2, 12, 7, 1], activation="tanh", dtype=dtype, seed=1)
    loose = flat.copy()
    loose.W = [W.copy() for W in loose.W]
    loose.b = [b.copy() for b in loose.b]
    tr_flat, h_flat = _run(flat, **options)
    tr_loose, h_loose = _run(loose, **options)
    assert tr_flat._flat_params is not None and tr_loose._flat_params is None
    assert len(tr_loose.optimizer.params) == 6
    for (w1, b1), (w2, b2) in zip(flat.get_weights(), loose.get_weights(), strict=True):
        assert np.array_equal(w1, w2) and np.array_equal(b1, b2)
    a1, a2 = h_flat.as_arrays(), h_loose.as_arrays()
    for key in a1:
        assert np.array_equal(a1[key], a2[key], equal_nan=True), key


def test_flat_views_are_aligned_zero_padded_views():
    flat, views = network.flat_views([(3, 5), (5,), (5, 1), (1,)], np.dtype("float32"))
    assert all(v.base is flat.base and v.flags.c_contiguous for v in views)
    assert all(v.ctypes.data % 64 == 0 for v in views)
    assert not flat.any() and network.is_flat(flat, views)
    assert not network.is_flat(flat, [*views[:-1], views[-1].copy()])
    net = nn.MLP([2, 3, 1], seed=0)
    assert network.is_flat(net._flat, net.parameters())
    copy = net.copy(dtype="float64")
    assert network.is_flat(copy._flat, copy.parameters())


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_sigmoid_in_place_equals_the_formula(dtype):
    from kit.nn import losses

    rng = np.random.default_rng(5)
    x = rng.standard_normal((4000, 1)) * 10.0 ** rng.integers(-8, 6, size=(4000, 1))
    x[:5, 0] = [np.inf, -np.inf, np.nan, 0.0, -0.0]
    with np.errstate(all="ignore"):
        x = x.astype(dtype)
        e = np.exp(-np.abs(x))
        expect = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        got = losses._sigmoid(x)
        t = (x > 0).astype(dtype)
        grad = losses.get("bce").grad(x, t)
        grad_expect = (expect - t) * np.asarray(1.0 / len(x), dtype=x.dtype)
    assert np.array_equal(got.view(np.uint8), expect.view(np.uint8))
    assert np.array_equal(grad.view(np.uint8), grad_expect.view(np.uint8))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "abs"])
def test_full_batch_step_reusing_the_records_forward_pass_is_the_same(dtype, activation):
    """In full-batch training without dropout a record's forward pass is the next step's: reused,
    it must give the bits of a step that makes its own (a callback turns the reuse off)."""
    X, y = datasets.make("sine", n=120, seed=3)
    runs = []
    for shared in (True, False):
        net = nn.MLP([1, 9, 6, 1], activation=activation, kink="mean", dtype=dtype, seed=2)
        tr = nn.Trainer(net, X, y, loss="mse", optimizer="adam", lr=0.02, batch_size=None, record_every=1,
                        callback=None if shared else (lambda trainer: None))
        tr.step(25)
        tr.step(5)
        assert tr._share and (tr._ahead is not None) == shared
        runs.append((net.get_weights(), tr.history.as_arrays()))
    (w1, h1), (w2, h2) = runs
    for (a, b), (c, d) in zip(w1, w2, strict=True):
        assert np.array_equal(a, c) and np.array_equal(b, d)
    for key in h1:
        assert np.array_equal(h1[key], h2[key], equal_nan=True), key


def test_record_grad_norms_and_dead_units_equal_their_formulas():
    import math

    from kit.nn.diagnostics import dead_units

    X, y = datasets.make("spiral", n=150, seed=1)
    net = nn.MLP([2, 10, 10, 1], dtype="float32", seed=0)
    tr = nn.Trainer(net, X, y, loss="bce", lr=0.3, batch_size=16, record_every=1)
    tr.step(7)
    expect = [math.sqrt(float(np.vdot(dW.astype(np.float64), dW.astype(np.float64)))
                        + float(np.vdot(db.astype(np.float64), db.astype(np.float64))))
              for dW, db in tr.gradients]
    assert tr.history.grad_norm[-1] == expect
    deriv = net.layer_derivatives[0]
    rng = np.random.default_rng(0)
    for z in (rng.standard_normal((30, 6)), np.minimum(rng.standard_normal((30, 6)), 0), np.empty((0, 4)),
              np.array([[np.nan, -1.0, 0.0], [-1.0, -2.0, 1.0]])):
        with np.errstate(all="ignore"):
            assert np.array_equal(dead_units(deriv, z), np.all(deriv(z) == 0, axis=0))


def test_steps_silence_numpy_but_the_callback_runs_with_the_callers_settings():
    X, y = datasets.make("spiral", n=60, seed=0)
    seen = []
    tr = nn.Trainer(nn.MLP([2, 4, 1], seed=0), X, y, loss="bce", record_every=2,
                    callback=lambda trainer: seen.append(np.geterr()["divide"]))
    with np.errstate(divide="raise"):
        tr.step(4)
    assert seen == ["raise", "raise"]  # after the records of steps 2 and 4


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_gradient_finiteness_check_equals_isfinite_all(dtype):
    X, y = datasets.make("spiral", n=40, seed=0)
    tr = nn.Trainer(nn.MLP([2, 5, 1], dtype=dtype, seed=0), X, y, loss="bce", batch_size=None)
    g = tr._flat_grads
    rng = np.random.default_rng(6)
    big = float(np.finfo(dtype).max)
    for trial in range(200):
        g[...] = 0
        n = int(rng.integers(0, 4))
        idx = rng.integers(0, g.size, size=n)
        g[idx] = rng.choice([np.inf, -np.inf, np.nan, big, -big, 1.0, 2.0**-20], size=n)
        with np.errstate(all="ignore"):  # as in a step (the squares overflow)
            assert tr._grads_finite() == bool(np.isfinite(g).all()), (trial, g[idx])


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_dead_units_on_special_values_equals_all_zero(dtype):
    from kit.nn.diagnostics import dead_units

    rng = np.random.default_rng(7)
    values = np.array([0.0, -0.0, np.nan, 1.0, -2.0, np.inf, -np.inf, 1e-40])
    for _ in range(200):
        d = rng.choice(values, size=(int(rng.integers(0, 5)), int(rng.integers(0, 5)))).astype(dtype)
        with np.errstate(all="ignore"):
            assert np.array_equal(dead_units(lambda z: z, d), np.all(d == 0, axis=0)), d
