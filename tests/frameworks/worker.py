"""Evaluate activations and their autodiff gradients in one framework; JSON in, JSON out.

Run by ``tests/frameworks`` in the frameworks' own environment (``.venv-frameworks``,
see the Makefile), one process per framework, so that PyTorch, JAX and TensorFlow
never share a process or the test environment.  It imports neither kit nor
pytest: it only knows each framework's own spelling of each activation.

Request on stdin::

    {"framework": "pytorch", "cases": [{"name": "relu", "params": {}, "z": [0.0, 1.5]}, ...]}

Answer on stdout::

    {"framework": "pytorch", "version": "2.13.0+cpu",
     "results": [{"impl": [{"api": "torch.nn.functional.relu", "dtype": "float64",
                            "value": [...], "grad": [...]}]}
                 or {"missing": "why the framework has no such function"}
                 or {"error": "what went wrong"}, ...]}

Every gradient is the framework's reverse-mode autodiff of the elementwise
function (``torch.autograd``, ``jax.vmap(jax.grad(f))`` with ``jax_enable_x64``,
``tf.GradientTape``), in float64 unless a case asks for ``"dtype": "float32"``.  Where a framework ships the same
activation under two APIs (``tf.nn.relu`` and ``keras.activations.relu``) both
are evaluated, so a disagreement between them shows.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

Impl = tuple[str, Callable[..., Any]]  # (the API's dotted name, fn(tensor, **params) -> tensor)


def _torch_table(torch: Any) -> dict[str, list[Impl] | str]:
    F = torch.nn.functional

    def heaviside(t):
        return torch.heaviside(t, torch.ones_like(t))

    return {
        "identity": [("torch.nn.Identity", lambda t: torch.nn.Identity()(t))],
        "relu": [("torch.nn.functional.relu", F.relu)],
        "relu6": [("torch.nn.functional.relu6", F.relu6)],
        "hard_tanh": [("torch.nn.functional.hardtanh", F.hardtanh)],
        "abs": [("torch.abs", torch.abs)],
        "sign": [("torch.sign", torch.sign)],
        "step": [("torch.heaviside", heaviside)],
        "leaky_relu": [("torch.nn.functional.leaky_relu", lambda t, alpha: F.leaky_relu(t, alpha))],
        "elu": [("torch.nn.functional.elu", lambda t, alpha: F.elu(t, alpha))],
        "selu": [("torch.nn.functional.selu", F.selu)],
        "celu": [("torch.nn.functional.celu", lambda t, alpha: F.celu(t, alpha))],
        "hard_sigmoid": [("torch.nn.functional.hardsigmoid", F.hardsigmoid)],
        "sigmoid": [("torch.sigmoid", torch.sigmoid)],
        "tanh": [("torch.tanh", torch.tanh)],
        "softplus": [("torch.nn.functional.softplus",
                      lambda t, beta, threshold: F.softplus(t, beta=beta, threshold=threshold))],
        "silu": [("torch.nn.functional.silu", F.silu)],
        "swish": [("torch.nn.functional.silu", F.silu)],
        "mish": [("torch.nn.functional.mish", F.mish)],
        "gelu": [("torch.nn.functional.gelu", F.gelu)],
        "softsign": [("torch.nn.functional.softsign", F.softsign)],
        "hard_swish": [("torch.nn.functional.hardswish", F.hardswish)],
        "hard_shrink": [("torch.nn.functional.hardshrink", lambda t, lam: F.hardshrink(t, lam))],
        "soft_shrink": [("torch.nn.functional.softshrink", lambda t, lam: F.softshrink(t, lam))],
        "tanh_shrink": [("torch.nn.functional.tanhshrink", F.tanhshrink)],
        "threshold": [("torch.nn.functional.threshold",
                       lambda t, threshold, default_value: F.threshold(t, threshold, default_value))],
        "log_sigmoid": [("torch.nn.functional.logsigmoid", F.logsigmoid)],
        "squareplus": "PyTorch has no squareplus",
        "sparse_plus": "PyTorch has no sparse_plus",
        "sparse_sigmoid": "PyTorch has no sparse_sigmoid",
        "exponential": "PyTorch has no exponential activation (torch.exp is not in torch.nn)",
    }


def _run_torch(cases: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    import torch

    torch.set_num_threads(1)
    table = _torch_table(torch)

    def evaluate(fn, z, params, dtype):
        t = torch.tensor(z, dtype=getattr(torch, dtype), requires_grad=True)
        y = fn(t, **params)
        y.sum().backward()
        grad = t.grad if t.grad is not None else torch.zeros_like(t)
        return str(y.dtype).removeprefix("torch."), y.detach().numpy().tolist(), grad.numpy().tolist()

    return torch.__version__, [_each(table, case, evaluate) for case in cases]


def _jax_table(jax: Any) -> dict[str, list[Impl] | str]:
    jnn, jnp = jax.nn, jax.numpy
    no = "jax.nn has no {}"
    return {
        "identity": [("jax.nn.identity", jnn.identity)],
        "relu": [("jax.nn.relu", jnn.relu)],
        "relu6": [("jax.nn.relu6", jnn.relu6)],
        "hard_tanh": [("jax.nn.hard_tanh", jnn.hard_tanh)],
        "abs": [("jax.numpy.abs", jnp.abs)],
        "sign": [("jax.numpy.sign", jnp.sign)],
        "step": [("jax.numpy.heaviside", lambda x: jnp.heaviside(x, 1.0))],
        "leaky_relu": [("jax.nn.leaky_relu", lambda x, alpha: jnn.leaky_relu(x, negative_slope=alpha))],
        "elu": [("jax.nn.elu", lambda x, alpha: jnn.elu(x, alpha=alpha))],
        "selu": [("jax.nn.selu", jnn.selu)],
        "celu": [("jax.nn.celu", lambda x, alpha: jnn.celu(x, alpha=alpha))],
        "hard_sigmoid": [("jax.nn.hard_sigmoid", jnn.hard_sigmoid)],
        "sigmoid": [("jax.nn.sigmoid", jnn.sigmoid)],
        "tanh": [("jax.nn.tanh", jnn.tanh)],
        "softplus": [("jax.nn.softplus", lambda x, beta, threshold: jnn.softplus(x))],
        "silu": [("jax.nn.silu", jnn.silu)],
        "swish": [("jax.nn.swish", jnn.swish)],
        "mish": [("jax.nn.mish", jnn.mish)],
        "gelu": [("jax.nn.gelu", lambda x: jnn.gelu(x, approximate=False))],
        "softsign": [("jax.nn.soft_sign", jnn.soft_sign)],
        "hard_swish": [("jax.nn.hard_silu", jnn.hard_silu), ("jax.nn.hard_swish", jnn.hard_swish)],
        "hard_shrink": no.format("hard_shrink"),
        "soft_shrink": no.format("soft_shrink"),
        "tanh_shrink": no.format("tanh_shrink"),
        "threshold": no.format("threshold"),
        "log_sigmoid": [("jax.nn.log_sigmoid", jnn.log_sigmoid)],
        "squareplus": [("jax.nn.squareplus", lambda x, b: jnn.squareplus(x, b=b))],
        "sparse_plus": [("jax.nn.sparse_plus", jnn.sparse_plus)],
        "sparse_sigmoid": [("jax.nn.sparse_sigmoid", jnn.sparse_sigmoid)],
        "exponential": no.format("exponential activation"),
    }


def _run_jax(cases: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    import jax

    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    import jax.numpy as jnp

    table = _jax_table(jax)

    def evaluate(fn, z, params, dtype):
        x = jnp.asarray(z, dtype=getattr(jnp, dtype))

        def f(s):
            return fn(s, **params)

        y = f(x)
        grad = jax.vmap(jax.grad(f))(x)
        return str(y.dtype), [float(v) for v in y], [float(g) for g in grad]

    return jax.__version__, [_each(table, case, evaluate) for case in cases]


def _tf_table(tf: Any, keras: Any) -> dict[str, list[Impl] | str]:
    ka = keras.activations
    return {
        "identity": [("keras.activations.linear", ka.linear), ("tensorflow.identity", tf.identity)],
        "relu": [("tensorflow.nn.relu", tf.nn.relu), ("keras.activations.relu", ka.relu)],
        "relu6": [("tensorflow.nn.relu6", tf.nn.relu6), ("keras.activations.relu6", ka.relu6)],
        "hard_tanh": [("keras.activations.hard_tanh", ka.hard_tanh)],
        "abs": [("tensorflow.abs", tf.abs)],
        "sign": [("tensorflow.sign", tf.sign)],
        "step": "TensorFlow has no step (Heaviside) function",
        "leaky_relu": [("tensorflow.nn.leaky_relu", lambda x, alpha: tf.nn.leaky_relu(x, alpha=alpha)),
                       ("keras.activations.leaky_relu", lambda x, alpha: ka.leaky_relu(x, negative_slope=alpha))],
        "elu": [("tensorflow.nn.elu", lambda x, alpha: tf.nn.elu(x) if alpha == 1 else None),
                ("keras.activations.elu", lambda x, alpha: ka.elu(x, alpha=alpha))],
        "selu": [("tensorflow.nn.selu", tf.nn.selu), ("keras.activations.selu", ka.selu)],
        "celu": [("keras.activations.celu", lambda x, alpha: ka.celu(x, alpha=alpha))],
        "hard_sigmoid": [("keras.activations.hard_sigmoid", ka.hard_sigmoid)],
        "sigmoid": [("tensorflow.nn.sigmoid", tf.nn.sigmoid), ("keras.activations.sigmoid", ka.sigmoid)],
        "tanh": [("tensorflow.nn.tanh", tf.nn.tanh), ("keras.activations.tanh", ka.tanh)],
        "softplus": [("tensorflow.nn.softplus", lambda x, beta, threshold: tf.nn.softplus(x)),
                     ("keras.activations.softplus", lambda x, beta, threshold: ka.softplus(x))],
        "silu": [("tensorflow.nn.silu", tf.nn.silu), ("keras.activations.silu", ka.silu)],
        "swish": [("tensorflow.nn.swish", tf.nn.swish), ("keras.activations.swish", ka.swish)],
        "mish": [("keras.activations.mish", ka.mish)],
        "gelu": [("tensorflow.nn.gelu", lambda x: tf.nn.gelu(x, approximate=False)),
                 ("keras.activations.gelu", lambda x: ka.gelu(x, approximate=False))],
        "softsign": [("tensorflow.nn.softsign", tf.nn.softsign), ("keras.activations.softsign", ka.softsign)],
        "hard_swish": [("keras.activations.hard_silu", ka.hard_silu), ("keras.activations.hard_swish", ka.hard_swish)],
        "hard_shrink": [("keras.activations.hard_shrink", lambda x, lam: ka.hard_shrink(x, threshold=lam))],
        "soft_shrink": [("keras.activations.soft_shrink", lambda x, lam: ka.soft_shrink(x, threshold=lam))],
        "tanh_shrink": [("keras.activations.tanh_shrink", ka.tanh_shrink)],
        "threshold": [("keras.activations.threshold",
                       lambda x, threshold, default_value: ka.threshold(x, threshold=threshold,
                                                                        default_value=default_value))],
        "log_sigmoid": [("keras.activations.log_sigmoid", ka.log_sigmoid)],
        "squareplus": [("keras.activations.squareplus", lambda x, b: ka.squareplus(x, b=b))],
        "sparse_plus": [("keras.activations.sparse_plus", ka.sparse_plus)],
        "sparse_sigmoid": [("keras.activations.sparse_sigmoid", ka.sparse_sigmoid)],
        "exponential": [("keras.activations.exponential", ka.exponential)],
    }


def _run_tensorflow(cases: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    table = _tf_table(tf, keras)

    def evaluate(fn, z, params, dtype):
        x = tf.constant(z, dtype=getattr(tf, dtype))
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x, **params)
            if y is None:
                raise _Missing("tf.nn.elu has no alpha (it is 1): only keras.activations.elu takes one")
        grad = tape.gradient(y, x)
        grad = tf.zeros_like(x) if grad is None else grad
        return y.dtype.name, [float(v) for v in y.numpy()], [float(g) for g in grad.numpy()]

    return f"{tf.__version__} (keras {keras.__version__})", [_each(table, case, evaluate) for case in cases]


class _Missing(Exception):
    """This API does not have the function with these parameters."""


def _each(table: dict[str, list[Impl] | str], case: dict[str, Any], evaluate: Callable[..., Any]) -> dict[str, Any]:
    impls = table.get(case["name"], f"not in this worker's table: {case['name']}")
    if isinstance(impls, str):
        return {"missing": impls}
    out = []
    for api, fn in impls:
        try:
            dtype, value, grad = evaluate(fn, case["z"], case.get("params", {}), case.get("dtype", "float64"))
        except _Missing as exc:
            out.append({"api": api, "missing": str(exc)})
            continue
        except Exception as exc:  # e.g. torch.heaviside: "the derivative is not implemented"
            out.append({"api": api, "error": f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"})
            continue
        out.append({"api": api, "dtype": dtype, "value": value, "grad": grad})
    return {"impl": out}


RUNNERS = {"pytorch": _run_torch, "jax": _run_jax, "tensorflow": _run_tensorflow}


def main() -> int:
    request = json.load(sys.stdin)
    framework = request["framework"]
    try:
        version, results = RUNNERS[framework](request["cases"])
    except ImportError as exc:
        json.dump({"framework": framework, "unavailable": f"{type(exc).__name__}: {exc}"}, sys.stdout)
        return 0
    except Exception:
        json.dump({"framework": framework, "crashed": traceback.format_exc()}, sys.stdout)
        return 0
    json.dump({"framework": framework, "version": version, "results": results}, sys.stdout, allow_nan=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
