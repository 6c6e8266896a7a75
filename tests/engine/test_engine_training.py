"""Training runs: reproducibility, dtypes, stepping, callbacks, history, dropout, inputs, memory."""

from __future__ import annotations

import math
import tracemalloc
import warnings

import numpy as np
import pytest

from kit import nn
from kit.lab import datasets


@pytest.fixture(scope="module")
def xor():
    return datasets.make("xor", n=200, noise=0.1, seed=0)


def test_issue_example_runs_and_learns_spiral():
    X, y = datasets.make("spiral", n=400, noise=0.1, seed=0)
    net = nn.MLP([2, 16, 16, 1], activation="relu", kink="left", init="he", dtype="float32", seed=0)
    hist = nn.train(net, X, y, loss="bce", optimizer="adam", lr=0.02, steps=1500, batch_size=32, dropout=0.0, seed=0)
    assert hist.accuracy[-1] > 0.9 > hist.accuracy[0]
    assert len(hist.dead[-1]) == len(hist.saturated[-1]) == len(hist.kink_hits[-1]) == 2
    assert len(hist.grad_norm[-1]) == 3
    assert hist.step[0] == 0 and hist.step[-1] == 1500
    assert not hist.stopped and hist.message == ""


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_reproducible_from_the_seed_and_dtype_kept(xor, dtype):
    X, y = xor
    runs = []
    for _ in range(2):
        net = nn.MLP([2, 8, 8, 1], dtype=dtype, seed=5)
        hist = nn.train(net, X, y, loss="bce", optimizer="momentum", lr=0.05, steps=60, dropout=0.2, seed=9)
        runs.append((net, hist))
    (a, ha), (b, hb) = runs
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert p.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(p, q)
    assert ha.loss == hb.loss and ha.kink_hits == hb.kink_hits and ha.dead == hb.dead
    assert a.forward(X).dtype == np.dtype(dtype)
    other = nn.MLP([2, 8, 8, 1], dtype=dtype, seed=5)
    nn.train(other, X, y, loss="bce", optimizer="momentum", lr=0.05, steps=60, dropout=0.2, seed=10)
    assert not np.array_equal(other.W[0], a.W[0])  # the training seed matters (batch order, dropout)


def test_known_seed_gives_known_numbers(xor):
    """Pinned numbers from a float64 full-batch SGD run: the same on every run and machine
    (rel 1e-12 leaves room only for a different BLAS summation order)."""
    X, y = xor
    np.testing.assert_array_equal(X[0], [-0.9874269778906607, -1.0132104863291302])
    net = nn.MLP([2, 4, 1], dtype="float64", seed=0)
    np.testing.assert_array_equal(net.W[0], np.random.default_rng(0).standard_normal((2, 4)) * math.sqrt(2 / 2))
    hist = nn.train(net, X, y, loss="bce", lr=0.1, steps=5, batch_size=200)
    expect = [0.7188096807024138, 0.7068657565885315, 0.6956624687864885,
              0.6851014999049755, 0.6750980594874326, 0.6655790213438831]
    assert hist.loss == pytest.approx(expect, rel=1e-12)


def test_trainer_step_records_and_counts(xor):
    X, y = xor
    seen = []
    tr = nn.Trainer(nn.MLP([2, 8, 1], seed=0), X, y, loss="bce", lr=0.1, record_every=4, callback=seen.append)
    h = tr.step(10)
    assert tr.steps_done == 10
    assert h.step == [0, 4, 8, 10]
    assert len(seen) == 3 and seen[0] is tr
    tr.step(2)
    assert h.step[-1] == 12
    tr.step(0)
    assert h.step[-1] == 12
    tr.step(3, record=False)
    assert h.step[-1] == 12 and tr.steps_done == 15
    dW, _ = tr.gradients[0]
    assert dW.shape == (2, 8) and not dW.flags.writeable


def test_kink_hits_sum_over_records_is_the_total(xor):
    X, y = xor
    a = nn.Trainer(nn.MLP([2, 8, 8, 1], seed=0), X, y, loss="bce", lr=0.1, record_every=1)
    b = nn.Trainer(nn.MLP([2, 8, 8, 1], seed=0), X, y, loss="bce", lr=0.1, record_every=7)
    a.step(30)
    b.step(30)
    assert a.history.total_kink_hits == b.history.total_kink_hits
    assert a.history.total_kink_hits[1] > 0  # zero biases: layer-2 units see exact zeros early on


def test_callback_returning_false_stops(xor):
    X, y = xor
    hist = nn.train(nn.MLP([2, 4, 1], seed=0), X, y, steps=100, record_every=1,
                    callback=lambda tr: tr.steps_done < 5)
    assert hist.stopped and hist.stopped_at == 5 and "callback" in hist.message
    assert hist.step[-1] == 5


def test_history_arrays_and_fractions(xor):
    X, y = xor
    hist = nn.train(nn.MLP([2, 8, 4, 1], seed=0), X, y, steps=10, record_every=5)
    arr = hist.as_arrays()
    assert arr["dead"].shape == (3, 2) and arr["grad_norm"].shape == (3, 3)
    assert np.isnan(arr["grad_norm"][0]).all() and np.isfinite(arr["grad_norm"][1:]).all()
    assert hist.dead_fraction[-1] == [d / w for d, w in zip(hist.dead[-1], (8, 4), strict=True)]
    assert "records to step 10" in repr(hist)


def test_regression_accuracy_is_nan_and_loss_guess():
    X, y = datasets.make("sine", n=50, seed=0)
    tr = nn.Trainer(nn.MLP([1, 8, 1], seed=0), X, y, lr=0.05)
    assert tr.loss.name == "mse" and math.isnan(tr.history.accuracy[0])
    X, y = datasets.make("gauss", n=60, classes=3, seed=0)
    assert nn.Trainer(nn.MLP([2, 4, 3], seed=0), X, y).loss.name == "ce"
    assert nn.Trainer(nn.MLP([2, 4, 1], seed=0), *datasets.make("xor", n=20)).loss.name == "bce"


def test_grad_norm_is_the_norm_of_the_last_step_gradient(xor):
    X, y = xor
    tr = nn.Trainer(nn.MLP([2, 5, 1], dtype="float64", seed=0), X, y, loss="bce", batch_size=None, lr=0.1)
    before = nn.MLP([2, 5, 1], dtype="float64", seed=0)
    tr.step(1)
    g = nn.gradients(before, X, y, loss="bce")
    expect = [math.sqrt(float((dW**2).sum() + (db**2).sum())) for dW, db in g]
    assert tr.history.grad_norm[-1] == pytest.approx(expect, rel=1e-12)


def test_dropout_masks_scale_kept_units():
    """With p = 0.5 every kept hidden activation is doubled: check on one step, identity activation."""
    X = np.ones((64, 1))
    y = np.zeros(64)
    net = nn.MLP([1, 200, 1], activation="identity", dtype="float64", seed=0)
    net.set_weights([(np.ones((1, 200)), np.zeros(200)), (np.ones((200, 1)), np.zeros(1))])
    tr = nn.Trainer(net, X, y, loss="mse", batch_size=None, dropout=0.5, lr=0.1)
    tr.step(1)
    dW1 = tr.gradients[1][0][:, 0]  # = mean over rows of 2 * out * h, with h in {0, 2}
    assert set(np.unique(np.round(tr._masks[0], 12)).tolist()) <= {0.0, 2.0}
    kept = tr._masks[0].mean()
    assert kept == pytest.approx(1.0, abs=0.05)  # E[mask] = 1
    assert np.all(np.isfinite(dW1))


def test_standardize_and_shift_scale_inputs():
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, (100, 2))
    y = rng.integers(0, 2, 100)
    net = nn.MLP([2, 4, 1], dtype="float64", seed=0)
    tr = nn.Trainer(net, X, y, standardize=True)
    np.testing.assert_allclose(tr.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(tr.X.std(axis=0), 1, atol=1e-12)
    tr = nn.Trainer(net, X, y, standardize=True, input_shift=4.0, input_scale=10.0)
    np.testing.assert_allclose(tr.X.mean(axis=0), 4.0, atol=1e-9)
    np.testing.assert_allclose(tr.X.std(axis=0), 10.0, atol=1e-9)
    np.testing.assert_allclose(net.prepare(X), tr.X)  # new inputs get the same map
    nn.Trainer(net, X, y)  # standardize=None keeps the map the network has
    np.testing.assert_allclose(net.prepare(X), tr.X)
    nn.Trainer(net, X, y, standardize=False)
    assert net.preprocess is None
    nn.Trainer(net, X, y, input_scale=2.0)
    np.testing.assert_array_equal(net.prepare(X), 2 * X)


def test_saturation_grows_when_inputs_are_scaled_away():
    X, y = datasets.make("gauss", n=200, seed=0)
    sat = []
    for scale in (1.0, 30.0):
        net = nn.MLP([2, 16, 1], activation="sigmoid", init="xavier", seed=0)
        sat.append(nn.Trainer(net, X, y, standardize=True, input_scale=scale).history.saturated[0][0])
    assert sat[0] < 0.05 < 0.5 < sat[1]


def test_progress_bar_runs_without_warnings(xor, capsys):
    """A tqdm.auto bar (text on stderr outside Jupyter), no warning, and the same run as without it."""
    X, y = xor
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = nn.train(nn.MLP([2, 4, 1], seed=0), X, y, steps=20, progress=True)
    assert hist.step[-1] == 20
    assert "training" in capsys.readouterr().err
    plain = nn.train(nn.MLP([2, 4, 1], seed=0), X, y, steps=20)
    assert plain.loss == hist.loss


def test_memory_flat_over_many_steps(xor):
    """After warm-up, 3,000 more steps (no records) allocate no lasting memory (< 64 KiB)."""
    X, y = xor
    tr = nn.Trainer(nn.MLP([2, 8, 8, 1], seed=0), X, y, loss="bce", optimizer="adam", dropout=0.1,
                    record_every=10**9)
    tr.step(200, record=False)
    tracemalloc.start()
    try:
        tr.step(100, record=False)
        start, _ = tracemalloc.get_traced_memory()
        tr.step(3000, record=False)
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert end - start < 64 * 1024


def test_copy_with_other_dtype_and_repr():
    net = nn.MLP([2, 3, 1], seed=0)
    half = net.copy(dtype="float16")
    assert half.dtype == np.float16 and half.accumulate == "float32" and half.W[0].dtype == np.float16
    assert half.copy(dtype="float64").accumulate is None
    assert "accumulate='float32'" in repr(half)
    assert net.n_params == 2 * 3 + 3 + 3 + 1


def test_a_bounded_history_keeps_its_ends_the_kink_total_and_lookup_by_step():
    h = nn.History(widths=(4, 4), max_records=50)
    for s in range(5000):
        h.append(s, float(s), float("nan"), [s % 3, 0], [0.0, 0.5], [1, 2], [1.0, 1.0, 1.0])
        assert len(h) <= 50
    assert h.step[0] == 0 and h.step[-1] == 4999 and h.loss[-1] == 4999.0
    assert h.step[-25:] == list(range(4975, 5000))  # the newest half, every record
    older = np.diff(h.step[: len(h) - 25])
    assert len(set(older.tolist())) == 1 and older[0] == h.stride > 1  # the older ones evenly thinned
    assert h.total_kink_hits == [5000, 10000]  # a dropped record's hits went to the next one
    assert len({len(h.step), len(h.loss), len(h.dead), len(h.kink_hits), len(h.grad_norm)}) == 1
    assert h.at(4990)["step"] == 4990 and h.at(4990)["dead"] == [4990 % 3, 0]
    assert h.at(h.step[1] + 1)["step"] == h.step[1]  # a thinned step: the last kept record before it
    with pytest.raises(ValueError, match="no record at or before step -1"):
        h.index(-1)
    assert h.as_arrays()["dead"].shape == (len(h), 2)


def test_a_trainer_with_max_records_is_bounded_and_trains_the_same():
    X, y = datasets.make("xor", n=64, noise=0.1, seed=0)
    a = nn.MLP([2, 8, 1], dtype="float64", seed=0)
    b = nn.MLP([2, 8, 1], dtype="float64", seed=0)
    full = nn.train(a, X, y, loss="bce", steps=300, record_every=1)
    thin = nn.train(b, X, y, loss="bce", steps=300, record_every=1, max_records=20)
    assert len(full) == 301 and len(thin) <= 20 and thin.step[0] == 0 and thin.step[-1] == 300
    assert all(np.array_equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))  # same numerics
    assert all(thin.loss[i] == full.loss[s] for i, s in enumerate(thin.step))  # the kept records are exact
    assert thin.total_kink_hits == full.total_kink_hits
    with pytest.raises(ValueError, match="max_records"):
        nn.Trainer(nn.MLP([2, 3, 1]), X, y, max_records=2)
