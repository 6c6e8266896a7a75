"""Divergence stops with a message and keeps the history; bad input fails before any work."""

from __future__ import annotations

import numpy as np
import pytest

import kit
from kit import nn
from kit.lab import datasets


@pytest.fixture(scope="module")
def xor():
    return datasets.make("xor", n=64, noise=0.1, seed=0)


def test_huge_learning_rate_stops_with_step_layer_and_cause(xor):
    X, y = xor
    for dtype, lr in (("float16", 5.0), ("float32", 5.0), ("float32", 50.0), ("float64", 50.0)):
        net = nn.MLP([2, 8, 8, 1], activation="relu", dtype=dtype, seed=0)
        hist = nn.train(net, X, y, loss="mse", optimizer="sgd", lr=lr, steps=300)
        assert hist.stopped and hist.stopped_at is not None and 0 < hist.stopped_at < 300
        assert hist.message.startswith(f"training stopped at step {hist.stopped_at}: ")
        assert f"lr={lr:g} is likely too high" in hist.message and "layer" in hist.message
        assert hist.step[-1] <= hist.stopped_at and len(hist.loss) == len(hist.step) >= 2  # the history is kept


def test_initial_loss_overflowing_float16_says_so(xor):
    X, y = xor
    hist = nn.train(nn.MLP([2, 8, 1], dtype="float16", seed=0), X, y * 1000.0, loss="mse", steps=10)
    assert hist.stopped and hist.stopped_at == 0 and "too large for float16" in hist.message


def test_step_function_jump_names_the_activation_and_layer(xor):
    if "step" not in kit.names():
        pytest.skip("activation 'step' is not registered")
    X, y = xor
    hist = nn.train(nn.MLP([2, 8, 8, 1], activation="step", seed=0), X, y, loss="bce", steps=10)
    assert hist.stopped and hist.stopped_at == 1
    assert "'step'" in hist.message and "hidden layer 2" in hist.message and "kink=" in hist.message
    assert hist.step == [0]
    ok = nn.train(nn.MLP([2, 8, 8, 1], activation="step", kink=kit.Fixed(0.0), seed=0), X, y, loss="bce", steps=10)
    assert not ok.stopped  # the suggested fix works (and only the output layer learns)
    assert ok.dead[-1] == [8, 8]


def test_on_diverge_raise_carries_the_history(xor):
    X, y = xor
    with pytest.raises(nn.TrainingDiverged, match="step") as info:
        nn.train(nn.MLP([2, 8, 1], dtype="float16", seed=0), X, y, loss="mse", lr=50.0, steps=200,
                 on_diverge="raise")
    assert info.value.history.stopped and info.value.history.message == str(info.value)


def test_stopped_trainer_does_nothing_more(xor):
    X, y = xor
    tr = nn.Trainer(nn.MLP([2, 8, 1], dtype="float16", seed=0), X, y, loss="mse", lr=50.0)
    tr.step(200)
    assert tr.stopped
    done, n = tr.steps_done, len(tr.history)
    tr.step(5)
    assert tr.steps_done == done and len(tr.history) == n


BAD_NET = [
    (dict(sizes=[2]), ValueError, "at least two"),
    (dict(sizes=[2, 0, 1]), ValueError, r"sizes\[1\]"),
    (dict(sizes=[2, -3, 1]), ValueError, "sizes"),
    (dict(sizes=[2, 2.5, 1]), ValueError, "integer"),
    (dict(sizes="21"), ValueError, "list"),
    (dict(sizes=[2, 3, 1], activation="rleu"), KeyError, "did you mean 'relu'"),
    (dict(sizes=[2, 3, 1], activation=["relu", "relu"]), ValueError, "one per hidden layer"),
    (dict(sizes=[2, 3, 1], activation=3), TypeError, "activation must be"),
    (dict(sizes=[2, 3, 1], activation=("leaky_relu", {"slope": 1})), TypeError, "unknown parameter"),
    (dict(sizes=[2, 3, 1], kink="middle"), ValueError, "kink must be"),
    (dict(sizes=[2, 3, 1], kink=1.5), ValueError, "kink must be"),
    (dict(sizes=[2, 3, 1], init="kaiming"), ValueError, "unknown init"),
    (dict(sizes=[2, 3, 1], init=("normal", {"std": -1})), ValueError, "std"),
    (dict(sizes=[2, 3, 1], dtype="int32"), ValueError, "dtype must be"),
    (dict(sizes=[2, 3, 1], dtype="float32", accumulate="float16"), ValueError, "float16 networks only"),
    (dict(sizes=[2, 3, 1], dtype="float16", accumulate="int8"), ValueError, "accumulate"),
    (dict(sizes=[2, 3, 1], seed=-1), ValueError, "seed"),
    (dict(sizes=[2, 3, 1], bias=float("nan")), ValueError, "bias"),
]


@pytest.mark.parametrize("kwargs, exc, match", BAD_NET)
def test_bad_network_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        nn.MLP(**kwargs)


def test_framework_rule_unknown_for_activation_fails_at_construction():
    if "step" not in kit.names():
        pytest.skip("activation 'step' is not registered")
    with pytest.raises(ValueError, match="not recorded"):
        nn.MLP([2, 3, 1], activation="step", kink="pytorch")


def test_plugin_returning_wrong_dtype_is_refused_by_name():
    class Sloppy(kit.Activation):
        name = "engine_test_sloppy"

        def value(self, z):
            return np.maximum(z, 0).astype(np.float64)

        def left_derivative(self, z):
            return (z > 0).astype(z.dtype)

        right_derivative = left_derivative

    with pytest.raises(TypeError, match=r"engine_test_sloppy.*dtype"):
        nn.MLP([2, 3, 1], activation=Sloppy(), dtype="float32")


X2 = np.zeros((10, 2))
Y01 = np.array([0, 1] * 5)
BAD_TRAIN = [
    (dict(X=np.zeros((10, 3))), ValueError, r"shape \(n, 2\)"),
    (dict(X=np.zeros(10)), ValueError, "shape"),
    (dict(X=np.array([["a", "b"]] * 10)), TypeError, "real numbers"),
    (dict(X=np.full((10, 2), np.nan)), ValueError, "NaN"),
    (dict(X=np.zeros((0, 2)), y=np.zeros(0)), ValueError, "no rows"),
    (dict(y=np.zeros(9)), ValueError, "one entry per row"),
    (dict(y=np.array([0, 2] * 5), loss="bce"), ValueError, "0 or 1"),
    (dict(y=np.array([0.5] * 10), loss="bce"), ValueError, "whole numbers"),
    (dict(loss="ce"), ValueError, ">= 2 outputs"),
    (dict(loss="hinge"), ValueError, "unknown loss"),
    (dict(optimizer="rmsprop"), ValueError, "unknown optimizer"),
    (dict(lr=0.0), ValueError, "lr"),
    (dict(lr=-1.0), ValueError, "lr"),
    (dict(lr=float("inf")), ValueError, "lr"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(dropout=1.0), ValueError, "dropout"),
    (dict(dropout=[0.1, 0.2]), ValueError, "one per hidden layer"),
    (dict(l2=-0.1), ValueError, "l2"),
    (dict(momentum=1.5, optimizer="momentum"), ValueError, "momentum"),
    (dict(record_every=0), ValueError, "record_every"),
    (dict(on_diverge="ignore"), ValueError, "on_diverge"),
    (dict(input_scale=0.0), ValueError, "input_scale"),
    (dict(callback=3), TypeError, "callback"),
]


@pytest.mark.parametrize("kwargs, exc, match", BAD_TRAIN)
def test_bad_training_arguments_fail_before_any_work(kwargs, exc, match):
    net = nn.MLP([2, 3, 1], dtype="float64", seed=0)
    before = [p.copy() for p in net.parameters()]
    args = {"X": X2, "y": Y01, **kwargs}
    with pytest.raises(exc, match=match):
        nn.train(net, args.pop("X"), args.pop("y"), steps=5, **args)
    for p, q in zip(before, net.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


def test_bad_steps_and_labels_for_ce():
    net = nn.MLP([2, 3, 3], seed=0)
    with pytest.raises(ValueError, match="steps"):
        nn.train(net, X2, Y01, steps=-1)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        nn.train(net, X2, np.array([0, 3] * 5), loss="ce")
    with pytest.raises(ValueError, match="mse: targets must have shape"):
        nn.train(net, X2, np.zeros(10), loss="mse")
    with pytest.raises(TypeError, match="MLP"):
        nn.Trainer("net", X2, Y01)
    with pytest.raises(ValueError, match="overflows float16"):
        nn.Trainer(nn.MLP([2, 3, 1], dtype="float16"), X2 + 1e6, Y01)
