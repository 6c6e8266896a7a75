"""The two experiments lessons 2 and 3 build their claims on: per-seed and per-trial outcomes, checked exactly.

``kink_sensitivity`` trains the pair of networks only when the ``kinks[0]`` run
hit the kink; these tests check that shortcut against the full pairwise
comparison, and the mechanism lesson 3 teaches (a whole layer switched off
with biases still 0 puts the next layer exactly on the kink, in any dtype).
``exact_zeros`` explains each exact zero by the exact value of its sum; these
tests recompute one independently.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from kit import nn
from kit.lab import experiments


def _pair_differs(net: nn.MLP, X, y, steps: int, seed: int) -> bool:
    """The full comparison: both rules trained side by side from the start, gradients compared at every step."""
    runs = [nn.Trainer(m, X, y, loss="bce", lr=0.1, batch_size=32, seed=seed, record_every=steps + 1)
            for m in (net.copy(kink=0.0), net.copy(kink=1.0))]
    for _ in range(steps):
        for run in runs:
            run.step(1, record=False)
        for (p, r), (q, s) in zip(runs[0].gradients, runs[1].gradients, strict=True):
            if not (np.array_equal(p, q) and np.array_equal(r, s)):
                return True
    return False


def test_kink_sensitivity_shortcut_matches_the_full_pairwise_comparison():
    r = experiments.kink_sensitivity(dtypes=("float16", "float64"), depths=(3, 5), width=16, trials=12)
    steps = 512 // 32
    for dtype in r.dtypes:
        for i, depth in enumerate(r.depths):
            for trial in range(r.trials):
                net = r.network(dtype, depth, trial)
                assert r.differ[dtype][i, trial] == _pair_differs(net, r.X, r.y, steps, trial), (dtype, depth, trial)
    assert r.differ["float16"].any()  # the comparison above was not vacuous


def test_a_whole_layer_off_with_zero_biases_puts_the_next_layer_on_the_kink_in_every_dtype():
    r = experiments.kink_sensitivity(dtypes=("float64",), depths=(3,), width=16, trials=12)
    assert r.differ["float64"][0, 10]  # measured: trial 10 of seed 0 (lesson 3)
    for dtype in ("float16", "float32", "float64"):
        net = r.network("float64", 3, 10).copy(dtype=dtype)
        hidden, pre = net.hidden(r.X), net.pre_activations(r.X)
        off = ~hidden[1].any(axis=1)
        assert off.any()
        assert np.all(pre[2][off] == 0)  # 0 @ W + 0, exactly
    biased = experiments.kink_sensitivity(dtypes=("float64",), depths=(3,), width=16, trials=12, bias=0.01)
    assert not biased.differ["float64"].any()


def test_kink_sensitivity_network_argument_errors():
    r = experiments.kink_sensitivity(dtypes=("float64",), depths=(1,), trials=2)
    with pytest.raises(ValueError, match="no trial 2 at depth 1"):
        r.network("float64", 1, 2)
    with pytest.raises(ValueError, match="dtype must be one of float64"):
        r.network("float16", 1, 0)


def test_exact_zeros_per_seed_and_each_zero_explained_by_its_exact_sum():
    r = experiments.exact_zeros(dtypes=("float16", "float64"), steps=60, seeds=(0, 1, 2), examine_every=20)
    f16 = r["float16"]
    assert f16.seeds == (0, 1, 2) and f16.hits.shape == (3,) and f16.per_layer.shape == (3, 2)
    np.testing.assert_array_equal(f16.per_layer.sum(axis=1), f16.hits)
    assert f16.evaluated.tolist() == [60 * 32 * 64] * 3 and f16.rate == f16.hits.sum() / f16.evaluated.sum()
    assert f16.checked == 3 * 3 * 400 * 64  # 3 seeds × 3 checkpoints × 400 inputs × 64 units
    assert f16.examined == len(f16.exact_values) and f16.rounded <= f16.examined
    assert r["float64"].examined == 0  # float64 never rounds these sums to 0
    again = experiments.exact_zeros(dtypes=("float16",), steps=60, seeds=(0, 1, 2), examine_every=20)["float16"]
    assert again.exact_values == f16.exact_values  # seeded


def test_an_examined_zero_is_the_rounding_of_its_exact_sum():
    """Recompute the zeros of one checkpoint independently: the same training, the same numbers summed with Fractions."""
    from kit.lab import datasets

    steps = 150  # measured: 3 exact zeros over the training set after 150 steps of seed 0
    got = experiments.exact_zeros(dtypes=("float16",), steps=steps, seeds=(0,), examine_every=steps)["float16"]
    X, y = datasets.make("spiral", n=400, seed=0)
    net = nn.MLP([2, 32, 32, 1], activation="relu", init="he", dtype="float16", seed=0)
    nn.Trainer(net, X, y, loss="bce", lr=0.1, batch_size=32, seed=0, record_every=steps + 1).step(steps)
    inputs = [net.prepare(X), net.hidden(X)[0]]
    expected = []
    for layer, z in enumerate(net.pre_activations(X)):
        for i, u in np.argwhere(z == 0):
            terms = zip(inputs[layer][i], net.W[layer][:, u], strict=True)
            expected.append(float(sum((Fraction(float(p)) * Fraction(float(q)) for p, q in terms),
                                      Fraction(float(net.b[layer][u])))))
    assert got.examined == len(expected) == 3
    assert got.exact_values == tuple(expected)
    assert all(v != 0 and abs(v) < 2.0**-10 for v in expected)  # tiny non-zero sums that float16 rounded to 0
    assert got.rounded == 3


def test_exact_zeros_argument_errors():
    with pytest.raises(ValueError, match="seeds must not be empty"):
        experiments.exact_zeros(seeds=())
    with pytest.raises(ValueError, match="examine_every"):
        experiments.exact_zeros(examine_every=0)
