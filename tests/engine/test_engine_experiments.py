"""Each experiment against its exact value or formula, with a fixed seed and a stated tolerance."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kit
from kit import nn
from kit.lab import datasets, experiments


def test_born_dead_simulation_matches_formula_within_4_standard_errors():
    for width in (2, 3):
        sim, exact = experiments.born_dead(width=width, depths=(1, 2, 5, 10), trials=20_000, seed=0)
        se = np.sqrt(exact * (1 - exact) / 20_000)
        assert np.all(np.abs(sim - exact) <= 4 * se), (sim, exact)


def test_born_dead_formula_values():
    np.testing.assert_allclose(experiments.born_dead_exact(2, [1, 2, 3]), [0.25, 1 - 0.75**2, 1 - 0.75**3])
    assert experiments.born_dead_exact(10, 1) == pytest.approx(2.0**-10)


def test_born_dead_through_the_engine_matches_formula():
    """2,000 real nn.MLP networks (width 2, 4 hidden layers, zero biases, He init) at x = (0.3, -1.2):
    the share whose last hidden layer is all zero is within 4 s.e. (0.044) of 1 - 0.75^4 = 0.684."""
    x = np.array([[0.3, -1.2]])
    dead = 0
    for seed in range(2000):
        net = nn.MLP([2, 2, 2, 2, 2, 1], activation="relu", init="he", dtype="float64", seed=seed)
        dead += not np.any(net.hidden(x)[-1] > 0)
    p = 1 - 0.75**4
    assert abs(dead / 2000 - p) <= 4 * math.sqrt(p * (1 - p) / 2000)


def test_rai_makes_fewer_networks_born_dead():
    sim, exact = experiments.born_dead(width=3, depths=(5, 10), init="rai", trials=20_000, seed=0)
    assert np.all(sim < exact - 0.1)


def _independent_gaussian_mean(f, s):
    u = np.linspace(-15 * s, 15 * s, 3_000_001)
    w = np.exp(-0.5 * (u / s) ** 2) / (s * math.sqrt(2 * math.pi))
    return float(np.trapezoid(f(u) * w, u))


def test_mean_sigmoid_derivative():
    if "sigmoid" not in kit.names():
        pytest.skip("sigmoid is not registered")
    got = experiments.mean_derivative([1.0, 3.0, 10.0], activation="sigmoid")
    np.testing.assert_allclose(got, [0.207, 0.115, 0.039], atol=5e-4)  # the published 3 decimals

    def dsig(u):
        e = np.exp(-np.abs(u))
        return e / (1 + e) ** 2

    expect = [_independent_gaussian_mean(dsig, s) for s in (1.0, 3.0, 10.0)]
    np.testing.assert_allclose(got, expect, rtol=1e-7)


def test_mean_values_relu_and_elu():
    assert experiments.mean_value([1.0], "relu")[0] == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-8)
    assert experiments.mean_value([2.0], "relu")[0] == pytest.approx(2 / math.sqrt(2 * math.pi), abs=1e-8)
    if "elu" in kit.names():
        assert experiments.mean_value([1.0], "elu")[0] == pytest.approx(0.16052, abs=1e-5)
    assert experiments.mean_derivative([1.0, 5.0], activation="relu").tolist() == pytest.approx([0.5, 0.5], abs=1e-8)
    with pytest.raises(ValueError, match="scales"):
        experiments.mean_derivative([0.0])


def test_kink_sensitivity_orders_dtypes():
    r = experiments.kink_sensitivity(dtypes=("float16", "float32", "float64"), depths=(1, 3), trials=12)
    assert set(r) == {"float16", "float32", "float64"}
    assert r["float64"].tolist() == [0.0, 0.0]
    assert r["float16"].sum() > 0 and np.all(r["float16"] >= r["float32"])
    again = experiments.kink_sensitivity(dtypes=("float16",), depths=(1, 3), trials=12)
    np.testing.assert_array_equal(again["float16"], r["float16"])  # seeded


def test_exact_zeros_counts():
    r = experiments.exact_zeros(dtypes=("float16", "float64"), steps=100)
    assert r["float64"]["hits"] == 0
    for v in r.values():
        assert v["evaluated"] == 100 * 32 * 64
        assert v["rate"] == v["hits"] / v["evaluated"] and sum(v["per_layer"]) == v["hits"]
    assert r["float16"]["hits"] > 0


def test_dead_fraction_grows_with_learning_rate():
    """Measured (seeds 0, 1): about 5 % dead at lr = 0.01 and about 95 % at lr = 10 (SGD, spiral)."""
    f = experiments.dead_fraction(lrs=(0.01, 10.0), biases=(0.0, -0.5), steps=200, seeds=(0, 1))
    assert f.shape == (2, 2, 2) and np.all((0 <= f) & (f <= 1))
    m = f.mean(axis=-1)
    assert m[0, 0] < 0.2 and m[0, 1] > 0.7
    assert m[1, 0] > m[0, 0]  # a negative initial bias kills units from the start
    # one entry per seed, each that seed's own run
    one = experiments.over_seeds((1,), lr=10.0, bias=-0.5, steps=200)
    assert f[1, 1, 1] == one["dead_fraction"][0] == sum(one["dead"][0]) / 64


def test_over_seeds_measures_each_run_as_the_engine_does():
    r = experiments.over_seeds((0, 3), sizes=(2, 8, 1), activation="sigmoid", data="gauss", raw=(20.0, 30.0),
                               lr=0.5, steps=50)
    X, y = datasets.make("gauss", n=400, noise=0.1, seed=0)
    np.testing.assert_array_equal(r["X"], X * 20 + 30)
    net = nn.MLP([2, 8, 1], activation="sigmoid", init="he", seed=3)
    h = nn.train(net, X * 20 + 30, y, loss="bce", lr=0.5, steps=50, seed=3)
    assert r["loss"][1] == h.loss[-1] and r["loss_start"][1] == h.loss[0] and r["accuracy"][1] == h.accuracy[-1]
    assert r["saturated"][1].tolist() == h.saturated[-1] and r["saturated_start"][1].tolist() == h.saturated[0]
    assert r["saturated_start"][1][0] > 0.5  # raw inputs: most sigmoid pre-activations start saturated
    np.testing.assert_array_equal(r["nets"][1].W[0], net.W[0])
    # standardising the raw inputs undoes the units: mean 0, standard deviation 1 per feature
    s = experiments.over_seeds((0,), sizes=(2, 8, 1), activation="sigmoid", data="gauss", raw=(20.0, 30.0),
                               standardize=True, steps=1)
    Xs = s["nets"][0].prepare(s["X"]).astype(np.float64)
    np.testing.assert_allclose(Xs.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(Xs.std(axis=0), 1, atol=1e-6)


def test_over_seeds_largest_pre_activation_of_a_dead_unit():
    r = experiments.over_seeds((0, 1), lr=3.0, steps=100)
    for net, dead, largest in zip(r["nets"], r["dead"], r["largest_dead_z"], strict=True):
        units = nn.diagnostics(net, r["X"])["dead_units"]
        assert [int(u.sum()) for u in units] == dead.tolist()
        zs = net.pre_activations(r["X"])
        expect = max(float(z[:, u].max()) for z, u in zip(zs, units, strict=True) if u.any())
        assert largest == expect <= 0  # ReLU: dead means z <= 0 on every input
    none = experiments.over_seeds((0,), activation="leaky_relu", lr=3.0, steps=20)
    assert none["largest_dead_z"].tolist() == [-math.inf]


def test_dropout_revival_first_layer_never_revives():
    """Exact invariant under SGD without penalties: a first-layer unit dead on every training input
    gets no gradient, so it stays dead whatever dropout does to the layers above."""
    r = experiments.dropout_revival(steps=100, kill_steps=100, seeds=(0, 1))
    assert set(r) == {"dead", "dead_without", "dead_with", "revived_without", "revived_with"}
    for v in r.values():
        assert v.shape == (2, 2) and v.dtype == np.int64 and np.all((0 <= v) & (v <= 32))
    assert r["dead"][:, 0].sum() > 0  # there was something to revive
    for arm in ("without", "with"):
        assert r[f"revived_{arm}"][:, 0].tolist() == [0, 0]
        assert np.all(r[f"dead_{arm}"][:, 0] >= r["dead"][:, 0])
        assert np.all(r[f"revived_{arm}"] <= r["dead"])
    X, y = datasets.make("spiral", n=400, seed=0)
    net = nn.MLP([2, 32, 32, 1], seed=0)
    nn.train(net, X, y, lr=3.0, steps=100)
    dead = nn.diagnostics(net, X)["dead_units"][0]
    assert dead.any()
    W_dead = net.W[0][:, dead].copy()
    nn.train(net, X, y, lr=0.1, steps=100, dropout=0.5)
    assert np.all(nn.diagnostics(net, X)["dead_units"][0][dead])
    np.testing.assert_array_equal(net.W[0][:, dead], W_dead)


def test_dropout_revival_counts_revived_units_per_seed():
    """Without a damage phase the dead units are those a bias of -0.5 killed at initialisation;
    the counts are those of the networks trained here by hand."""
    r = experiments.dropout_revival(p=0.5, bias=-0.5, kill_steps=0, optimizer="adam", lr=0.01, steps=50,
                                    seeds=(2,))
    X, y = datasets.make("spiral", n=400, seed=0)
    net = nn.MLP([2, 32, 32, 1], bias=-0.5, seed=2)
    before = nn.diagnostics(net, X)["dead_units"]
    assert r["dead"][0].tolist() == [int(u.sum()) for u in before]
    nn.train(net, X, y, optimizer="adam", lr=0.01, steps=50, dropout=0.5, seed=2)
    after = nn.diagnostics(net, X)["dead_units"]
    assert r["dead_with"][0].tolist() == [int(u.sum()) for u in after]
    assert r["revived_with"][0].tolist() == [int((b & ~a).sum()) for b, a in zip(before, after, strict=True)]


def test_zero_derivative_edge_is_where_exp_underflows():
    """ELU's derivative e^z (alpha 1) rounds to 0 below half the smallest subnormal: ln 2^-150, ln 2^-1075."""
    for dtype, edge in (("float32", -150 * math.log(2)), ("float64", -1075 * math.log(2))):
        got = experiments.zero_derivative_edge("elu", dtype)
        assert got == pytest.approx(edge, abs=1e-3)
        elu = kit.get("elu")
        z = np.asarray(got, dtype=dtype)
        assert elu.derivative(z) == 0 and elu.derivative(np.nextafter(z, np.asarray(0, dtype=dtype))) > 0
    with pytest.raises(ValueError, match="not exactly 0"):
        experiments.zero_derivative_edge("leaky_relu")
    with pytest.raises(ValueError, match="dtypes"):
        experiments.zero_derivative_edge("elu", "int8")


def test_experiment_argument_errors():
    with pytest.raises(ValueError, match="dtypes"):
        experiments.kink_sensitivity(dtypes=("float8",))
    with pytest.raises(ValueError, match="dtypes"):
        experiments.exact_zeros(dtypes=("int32",))
    with pytest.raises(ValueError, match="width"):
        experiments.born_dead(width=0)
    with pytest.raises(ValueError, match="unknown init"):
        experiments.born_dead(init="kaiming")
    with pytest.raises(ValueError, match="unknown data set"):
        experiments.dead_fraction(data="mnist")
