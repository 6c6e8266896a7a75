"""A divergence message names the real cause: the activation, its derivative, the targets, the inputs or the lr.

Every test runs with warnings as errors (as ``python -W error``): nothing leaks.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import kit
from kit import nn
from kit.lab import datasets


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture(scope="module")
def xor():
    return datasets.make("xor", n=64, noise=0.1, seed=0)


@pytest.fixture(scope="module")
def small_inputs():
    """Inputs in [-3, 3]: nothing here is large."""
    X = np.random.default_rng(0).uniform(-3, 3, size=(64, 2))
    return X, (X[:, 0] > 0).astype(int)


class NaNAbove1(kit.Activation):
    """ReLU whose value is NaN for z > 1 (a plugin defect)."""

    name = "engine_test_nan_above_1"

    def value(self, z):
        return np.where(z > 1, z.dtype.type(np.nan), np.maximum(z, 0)).astype(z.dtype)

    def left_derivative(self, z):
        return (z > 0).astype(z.dtype)

    right_derivative = left_derivative


class NaNSlopeAbove1(NaNAbove1):
    """ReLU whose derivative is NaN for z > 1, nowhere near its kink."""

    name = "engine_test_nan_slope_above_1"

    def value(self, z):
        return np.maximum(z, 0)

    def left_derivative(self, z):
        return np.where(z > 1, z.dtype.type(np.nan), z > 0).astype(z.dtype)

    right_derivative = left_derivative


def test_an_activation_returning_nan_at_finite_z_is_named(small_inputs):
    X, y = small_inputs
    hist = nn.train(nn.MLP([2, 8, 8, 1], activation=NaNAbove1(), seed=0), X, y, loss="bce", steps=5)
    assert hist.stopped and hist.stopped_at == 0
    assert "activation 'engine_test_nan_above_1' of hidden layer 1 (2→8) returned nan at finite pre-activation" \
        in hist.message
    assert "the activation is at fault" in hist.message
    assert "too large" not in hist.message and "scale" not in hist.message and "lr=" not in hist.message


def test_an_activation_whose_derivative_is_nan_off_its_kinks_is_named(small_inputs):
    X, y = small_inputs
    hist = nn.train(nn.MLP([2, 8, 8, 1], activation=NaNSlopeAbove1(), seed=0), X, y, loss="bce", steps=5)
    assert hist.stopped and hist.stopped_at == 1
    assert "activation 'engine_test_nan_slope_above_1' returned a non-finite derivative (nan) at finite" in hist.message
    assert "not at a kink" in hist.message and "derivative is at fault" in hist.message
    assert "kink rule" not in hist.message and "lr=" not in hist.message


def test_a_jump_at_a_kink_still_suggests_a_finite_kink_rule(xor):
    if "step" not in kit.names():
        pytest.skip("activation 'step' is not registered")
    X, y = xor
    hist = nn.train(nn.MLP([2, 8, 8, 1], activation="step", seed=0), X, y, loss="bce", steps=10)
    assert "the function jumps there" in hist.message and "kink=kit.Fixed(0.0)" in hist.message


@pytest.mark.parametrize("dtype, big", [("float64", 1e300), ("float32", 1e20), ("float16", 1e3)])
def test_targets_whose_squares_overflow_are_named(xor, dtype, big):
    X, _ = xor
    hist = nn.train(nn.MLP([2, 8, 1], dtype=dtype, seed=0), X, np.full(len(X), big), loss="mse", steps=5)
    assert hist.stopped and hist.stopped_at == 0
    assert f"the targets reach {big:.3g}, too large for {dtype}: their squared error overflows it" in hist.message
    assert "outputs" not in hist.message and "inputs" not in hist.message


def test_targets_beyond_the_dtype_are_refused_before_the_loss_overflows(xor):
    X, _ = xor
    with pytest.raises(ValueError, match=r"mse: targets reach 1e\+300, beyond float32"):
        nn.train(nn.MLP([2, 8, 1], seed=0), X, np.full(len(X), 1e300), loss="mse", steps=5)


def test_huge_inputs_are_named_before_training_and_after_it(xor):
    X, y = xor
    hist = nn.train(nn.MLP([2, 8, 1], seed=0), X * 1e30, X[:, 0], loss="mse", steps=5)
    assert hist.stopped_at == 0 and "the outputs of the output layer (8→1) reach" in hist.message
    assert "the inputs are too large (they reach 1.23e+30): scale them (standardize=True)" in hist.message
    assert "targets" not in hist.message
    hist = nn.train(nn.MLP([2, 8, 8, 1], seed=0), X * 1e30, y, loss="bce", steps=5)
    assert hist.stopped_at == 1 and "pre-activations of hidden layer 1 (2→8) overflowed float32" in hist.message
    assert "the inputs are too large" in hist.message


@pytest.mark.parametrize("dtype, lr", [("float16", 5.0), ("float32", 50.0), ("float64", 50.0)])
def test_a_learning_rate_too_high_is_named_and_nothing_else(xor, dtype, lr):
    X, y = xor
    hist = nn.train(nn.MLP([2, 8, 8, 1], dtype=dtype, seed=0), X, y, loss="mse", lr=lr, steps=300)
    assert hist.stopped and hist.stopped_at > 0
    assert f"the learning rate lr={lr:g} is likely too high" in hist.message
    assert "inputs" not in hist.message and "targets" not in hist.message and "activation '" not in hist.message
