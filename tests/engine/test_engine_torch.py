"""The engine's gradients and optimiser steps against PyTorch on the same weights.

Runs when torch (``pip install torch==2.13.0``) is installed; skips with a
visible reason otherwise, and fails instead when KIT_REQUIRE_TORCH=1.
"""

from __future__ import annotations

import numpy as np
import pytest

import kit
from kit import nn

pytestmark = pytest.mark.torch

# our activation spec -> what PyTorch computes; the inputs below hit each function's kinks exactly
ACTIVATIONS = {
    "relu": (("relu", {}), lambda F, t: F.relu(t), [0.0]),
    "leaky_relu": (("leaky_relu", {"alpha": 0.1}), lambda F, t: F.leaky_relu(t, 0.1), [0.0]),
    "elu": (("elu", {"alpha": 1.5}), lambda F, t: F.elu(t, 1.5), [0.0]),
    "relu6": (("relu6", {}), lambda F, t: F.relu6(t), [0.0, 6.0]),
    "hard_tanh": (("hard_tanh", {}), lambda F, t: F.hardtanh(t), [-1.0, 1.0]),
    "abs": (("abs", {}), lambda F, t: t.abs(), [0.0]),
    "tanh": (("tanh", {}), lambda F, t: t.tanh(), []),
    "sigmoid": (("sigmoid", {}), lambda F, t: t.sigmoid(), []),
}


def _torch_grads(torch, net, torch_act, X, y, loss):
    F = torch.nn.functional
    dt = {"float32": torch.float32, "float64": torch.float64}[net.dtype.name]
    params = []
    for W, b in zip(net.W, net.b, strict=True):
        params += [torch.tensor(W, dtype=dt, requires_grad=True), torch.tensor(b, dtype=dt, requires_grad=True)]
    a = torch.tensor(np.asarray(X, dtype=net.dtype))
    for i in range(0, len(params), 2):
        a = a @ params[i] + params[i + 1]
        if i < len(params) - 2:
            a = torch_act(F, a)
    if loss == "bce":
        value = F.binary_cross_entropy_with_logits(a, torch.tensor(y, dtype=dt)[:, None])
    elif loss == "ce":
        value = F.cross_entropy(a, torch.tensor(y, dtype=torch.int64))
    else:
        value = F.mse_loss(a, torch.tensor(y, dtype=dt).reshape(a.shape))
    value.backward()
    return [p.grad.numpy() for p in params]


def _kink_inputs(kinks, rng, n=24):
    """Inputs whose first-layer pre-activations (identity weights) are exactly the kinks in places."""
    X = rng.standard_normal((n, 4)) * 3
    for j, k in enumerate(kinks or [0.5]):
        X[j :: max(1, len(kinks) + 1), j % 4] = k
    return X


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("loss", ["bce", "ce", "mse"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gradients_match_pytorch_including_kinks(torch, name, loss, dtype):
    spec, torch_act, kinks = ACTIVATIONS[name]
    if spec[0] not in kit.names():
        pytest.skip(f"activation {spec[0]!r} is not registered")
    rng = np.random.default_rng(7)
    X = _kink_inputs(kinks, rng)
    n_out = 3 if loss == "ce" else 1
    y = rng.integers(0, n_out if loss == "ce" else 2, len(X)) if loss != "mse" else rng.standard_normal(len(X))
    net = nn.MLP([4, 4, 5, n_out], activation=spec, kink="pytorch", dtype=dtype, seed=3)
    W0 = np.eye(4)  # identity first layer: z1 = X, so the kinks are hit exactly
    net.set_weights([(W0, np.zeros(4)), *[(W, b + 0.1) for W, b in net.get_weights()[1:]]])
    hits = nn.diagnostics(net, X)["kink_hits"][0]
    assert hits == (sum(int(np.count_nonzero(X == k)) for k in kinks))
    ours = [g for pair in nn.gradients(net, X, y, loss=loss) for g in pair]
    theirs = _torch_grads(torch, net, torch_act, X, y, loss)
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == "float64" else dict(rtol=2e-5, atol=1e-6)
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, **tol)


def test_other_kink_rules_do_not_match_pytorch_at_relu_kink(torch):
    """The check above is sharp: with ReLU'(0) = 1 the first-layer gradients differ from PyTorch's."""
    rng = np.random.default_rng(0)
    X = _kink_inputs([0.0], rng)
    y = rng.integers(0, 2, len(X))
    net = nn.MLP([4, 4, 5, 1], activation="relu", kink="right", dtype="float64", seed=3)
    net.set_weights([(np.eye(4), np.zeros(4)), *net.get_weights()[1:]])
    ours = nn.gradients(net, X, y, loss="bce")[0][0]
    theirs = _torch_grads(torch, net, ACTIVATIONS["relu"][1], X, y, "bce")[0]
    assert not np.allclose(ours, theirs)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_training_trajectory_matches_pytorch(torch, optimizer):
    """20 full-batch steps in float64 with L2 on the weights: same weights as torch.optim to 1e-10."""
    F = torch.nn.functional
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((30, 2)), rng.integers(0, 2, 30)
    net = nn.MLP([2, 6, 6, 1], activation="tanh", dtype="float64", seed=4)
    params = [torch.tensor(p.copy(), requires_grad=True) for p in net.parameters()]
    lr, l2 = 0.05, 0.01
    groups = [{"params": params[0::2], "weight_decay": l2}, {"params": params[1::2], "weight_decay": 0.0}]
    opt = {
        "sgd": lambda: torch.optim.SGD(groups, lr=lr),
        "momentum": lambda: torch.optim.SGD(groups, lr=lr, momentum=0.9),
        "adam": lambda: torch.optim.Adam(groups, lr=lr),
    }[optimizer]()
    Xt, yt = torch.tensor(X), torch.tensor(y, dtype=torch.float64)[:, None]
    for _ in range(20):
        opt.zero_grad()
        a = Xt
        for i in range(0, len(params), 2):
            a = a @ params[i] + params[i + 1]
            if i < len(params) - 2:
                a = a.tanh()
        F.binary_cross_entropy_with_logits(a, yt).backward()
        opt.step()
    nn.train(net, X, y, loss="bce", optimizer=optimizer, lr=lr, l2=l2, steps=20, batch_size=None)
    for ours, theirs in zip(net.parameters(), params, strict=True):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
