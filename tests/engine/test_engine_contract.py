"""The engine's contract with the plugins: the backward pass multiplies by exactly
``act.derivative(z, kink=...)``, whatever the rule and whether or not the plugin carries
the base class's private hooks; kink hits and saturation are counted as documented;
arguments are checked before anything changes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kit
from kit import nn
from kit.lab import experiments
from kit.nn import init, optim

RULES = ["left", "right", "mean", 0.0, 0.3, 1.0, kit.Fixed(2.0), "pytorch", "tensorflow", "jax"]
ACTIVATIONS = ["relu", ("leaky_relu", {"alpha": 0.2}), "abs", "relu6", "hard_tanh", "selu", "sign", "hard_sigmoid"]


def _one_layer(activation, kink, dtype, W1=((1.5,), (-0.5,))):
    """2-2-1 net with an identity first layer, so the pre-activations are the inputs exactly."""
    net = nn.MLP([2, 2, 1], activation=activation, kink=kink, dtype=dtype, seed=0)
    net.set_weights([(np.eye(2), np.zeros(2)), (np.asarray(W1), np.zeros(1))])
    return net


def _inputs_on_kinks(act, rng, n=12):
    X = rng.standard_normal((n, 2)) * 4
    kinks = act.kinks(-10, 10)
    for i, k in enumerate(kinks):  # half the rows sit exactly on a kink, in both columns
        X[i :: 2 * len(kinks), :] = k
    return X


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_backward_pass_multiplies_by_exactly_act_derivative(activation, dtype):
    """Backprop by hand with act.derivative(z, kink=rule), for every kind of rule (names, t, Fixed,
    frameworks, framework mappings such as hard_tanh's); a framework the activation does not record
    fails at construction, as act.derivative does."""
    rng = np.random.default_rng(0)
    act = _one_layer(activation, "left", dtype).activations[0]
    X = _inputs_on_kinks(act, rng).astype(dtype)
    y = rng.standard_normal(len(X))
    for rule in RULES:
        try:
            d = act.derivative(X, kink=rule)
        except ValueError:
            with pytest.raises(ValueError, match="not recorded"):
                _one_layer(activation, rule, dtype)
            continue
        if not np.all(np.isfinite(d)):  # sign's infinite one-sided slopes: training stops (test_engine_faults)
            continue
        net = _one_layer(activation, rule, dtype)
        out = net.forward(X)
        dout = (out - y[:, None].astype(dtype)) * np.asarray(2.0 / len(X), dtype=dtype)
        dz = (dout @ net.W[1].T) * d
        (dW0, db0), _ = nn.gradients(net, X, y, loss="mse")
        tol = dict(rtol=1e-6, atol=1e-7) if dtype == "float32" else dict(rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(db0, dz.sum(axis=0), **tol, err_msg=f"kink={rule!r}")
        np.testing.assert_allclose(dW0, X.T @ dz, **tol, err_msg=f"kink={rule!r}")


# -- plugins without the base class's private hooks -----------------------------------------


def _raw_relu_methods(cls):
    """ReLU attached after the class is made: the base class cannot wrap these, so they carry no
    ``__wrapped__`` / ``_kit_vectorised`` (plain array code, as a hand-made plugin might have)."""
    cls.value = lambda self, z: np.maximum(z, 0)
    cls.left_derivative = lambda self, z: (z > 0).astype(z.dtype)
    cls.right_derivative = lambda self, z: (z >= 0).astype(z.dtype)
    cls.kinks = lambda self, lo=-math.inf, hi=math.inf: kit.within([0.0], lo, hi)
    return cls


@_raw_relu_methods
class RawRelu(kit.Activation):
    name = "engine_test_raw_relu"


def test_derivative_is_final_a_plugin_cannot_override_it():
    """The kink rule is the contract's: a plugin that redefines derivative() (or the functions the
    engine asks for) is refused when its class is made, with a sentence saying what to define."""
    for method in ("derivative", "derivative_function", "value_function"):
        with pytest.raises(TypeError, match=f"{method} is given by kit.Activation and cannot be overridden"):
            type("OwnDerivative", (kit.Activation,), {method: lambda self, *a, **k: None})


def test_plugins_without_the_base_class_wrappers_train_through_the_public_seam():
    assert not hasattr(RawRelu.value, "_kit_vectorised") and not hasattr(RawRelu.value, "__wrapped__")
    rng = np.random.default_rng(1)
    X = rng.standard_normal((16, 2))
    X[::3, 0] = 0.0  # on the kink
    y = rng.integers(0, 2, 16)
    for kink in ("left", "right", "mean", 0.25):
        ref = _one_layer("relu", kink, "float64")
        expect = nn.gradients(ref, X, y, loss="bce")
        got = nn.gradients(_one_layer(RawRelu(), kink, "float64"), X, y, loss="bce")
        for (a, b), (c, d) in zip(expect, got, strict=True):
            np.testing.assert_array_equal(a, c, err_msg=f"kink={kink!r}")
            np.testing.assert_array_equal(b, d, err_msg=f"kink={kink!r}")
    hist = nn.train(nn.MLP([2, 6, 1], activation=RawRelu(), seed=0), X, y, loss="bce", steps=20, batch_size=None)
    assert not hist.stopped and hist.loss[-1] < hist.loss[0]
    assert nn.diagnostics(_one_layer(RawRelu(), "left", "float64"), X)["kink_hits"] == [6]


@pytest.mark.parametrize("kink", ["left", "right", "mean", 0.25, kit.Fixed(0.3), "pytorch", "jax"])
def test_derivative_function_is_derivative_on_arrays(kink):
    """The engine's seam: ``derivative_function(kink)`` is ``derivative(z, kink)`` on arrays, bit for bit,
    and for "left"/"right" it is the plugin's own array code, not a copy of it."""
    z = np.array([-6.0, -1.0, 0.0, 1e-8, 3.0, 6.0, np.nan], dtype=np.float32)
    for name in ("relu", "relu6", "abs", "hard_tanh", "sign", "elu", "sigmoid"):
        act = kit.get(name)
        try:
            expected = act.derivative(z, kink=kink)
        except ValueError:  # the framework does not record this function
            continue
        got = act.derivative_function(kink)(z)
        assert got.dtype == z.dtype
        np.testing.assert_array_equal(got, expected, err_msg=f"{name}, kink={kink!r}")
    relu = kit.get("relu")
    assert relu.derivative_function("left").__func__ is type(relu).left_derivative.__wrapped__
    assert relu.value_function().__func__ is type(relu).value.__wrapped__


# -- counting kink hits and saturation ------------------------------------------------------


class Comb(kit.Activation):
    """Identity with (declared) kinks at every multiple of 0.1: none is exact in binary floating point."""

    name = "engine_test_comb"

    def value(self, z):
        return z.copy()

    def left_derivative(self, z):
        return np.ones_like(z)

    right_derivative = left_derivative

    def kinks(self, lo=-math.inf, hi=math.inf):
        return np.arange(math.ceil(10 * lo), math.floor(10 * hi) + 1) / 10.0  # OverflowError if unbounded


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_kink_hits_compare_in_the_networks_dtype(local_activations, dtype):
    """A kink that the dtype cannot hold (0.1) is hit by the dtype's nearest number, as the plugin's own
    comparison ``z <= self.at`` sees it: there the kink rules give different gradients.  The same for a
    short list of kinks and for a window of many."""
    near = float(np.asarray(0.1, dtype=dtype))
    X = np.array([[near], [0.5], [-0.3]])
    bent = nn.MLP([1, 1, 1], activation=(local_activations["bent"], {"at": 0.1}), dtype=dtype, seed=0)
    comb = nn.MLP([1, 1, 1], activation=Comb(), dtype=dtype, seed=0)
    for net in (bent, comb):
        net.set_weights([([[1.0]], [0.0]), ([[1.0]], [0.0])])
        assert nn.diagnostics(net, X)["kink_hits"] == [3 if net is comb else 1]
    left = nn.gradients(bent, X[:1], [1.0], loss="mse")[0][1]
    right = nn.gradients(bent.copy(kink="right"), X[:1], [1.0], loss="mse")[0][1]
    assert left != right


class Plateaus(kit.Activation):
    """Flat everywhere, declared as two saturation intervals that share the end 0."""

    name = "engine_test_plateaus"

    def value(self, z):
        return np.zeros_like(z)

    def left_derivative(self, z):
        return np.zeros_like(z)

    right_derivative = left_derivative

    def saturation(self, tol=1e-3):
        return [(-math.inf, 0.0), (0.0, 1.0)]


def test_saturation_counts_a_shared_interval_end_once():
    net = nn.MLP([1, 1, 1], activation=Plateaus(), dtype="float64", seed=0)
    net.set_weights([([[1.0]], [0.0]), ([[1.0]], [0.0])])
    assert nn.diagnostics(net, [[0.0], [0.0], [5.0]])["saturated"] == [pytest.approx(2 / 3)]


# -- checks before anything changes -----------------------------------------------------------


def test_bad_optimizer_option_leaves_the_network_untouched():
    rng = np.random.default_rng(0)
    X, y = rng.normal(5.0, 2.0, (20, 2)), rng.integers(0, 2, 20)
    net = nn.MLP([2, 3, 1], seed=0)
    for bad in (dict(optimizer="momentum", momentum=1.5), dict(optimizer="adam", betas=(0.9, 2.0))):
        with pytest.raises(ValueError):
            nn.Trainer(net, X, y, standardize=True, **bad)
        assert net.preprocess is None
    with pytest.raises(TypeError, match="standardize"):
        nn.Trainer(net, X, y, standardize="yes")


def test_more_bad_input_fails_with_one_clear_error():
    with pytest.raises(ValueError, match="dtype must be"):
        nn.MLP([2, 3, 1], dtype=None)
    with pytest.raises(ValueError, match="no rows"):
        nn.diagnostics(nn.MLP([2, 3, 1], seed=0), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="fan_in"):
        init.draw("he", 0, 3, np.random.default_rng(0))
    with pytest.raises(TypeError, match="Generator"):
        init.draw("he", 2, 3, 0)
    with pytest.raises(ValueError, match="rounds to 0 in float16"):
        optim.get("adam", [np.zeros(2, dtype=np.float16)], lr=0.01, eps=1e-8)
    with pytest.raises(ValueError, match="lrs"):
        experiments.dead_fraction(lrs=(0.1, -1.0))
    with pytest.raises(ValueError, match="p must be"):
        experiments.dropout_revival(p=1.0)
    with pytest.raises(ValueError, match="depths"):
        experiments.born_dead(depths=())


def test_exact_zeros_counts_only_the_steps_made_when_training_diverges():
    r = experiments.exact_zeros(dtypes=("float32",), sizes=(1, 32, 32, 1), data="sine", lr=50.0, steps=200)
    evaluated = int(r["float32"].evaluated[0])
    assert 0 < evaluated < 200 * 32 * 64 and evaluated % (32 * 64) == 0
