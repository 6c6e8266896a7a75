"""KIT_ROUNDING=perturbed: the portability perturbation the lessons are re-run under."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def _run(code: str, rounding: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KIT_ROUNDING"}
    if rounding is not None:
        env["KIT_ROUNDING"] = rounding
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120)


PROBE = """
    import numpy as np
    from kit import nn
    net = nn.MLP([64, 64, 1], activation="tanh", dtype="DTYPE", seed=0)
    X = np.random.default_rng(1).standard_normal((256, 64))
    z = net.pre_activations(X)[0]
    a, W, b = net.prepare(X), net.W[0], net.b[0]
    if net.dtype == np.float32:
        expected = (a.astype(np.float64) @ W.astype(np.float64)).astype(np.float32) + b
    elif net.dtype == np.float64:
        expected = a[:, :32] @ W[:32] + a[:, 32:] @ W[32:] + b
    else:
        expected = a @ W + b
    native = a @ W + b
    print(nn.ROUNDING, bool(np.array_equal(z, expected)), bool(np.array_equal(z, native)), int((z != native).sum()))
"""


def test_perturbed_float32_products_are_rounded_once_from_float64():
    out = _run(PROBE.replace("DTYPE", "float32"), "perturbed")
    assert out.returncode == 0, out.stderr
    rounding, as_formula, _, differing = out.stdout.split()
    assert (rounding, as_formula) == ("perturbed", "True")
    # BLAS float32 products are not correctly rounded: some of 16384 entries differ in the last bit
    assert int(differing) > 0


def test_perturbed_float64_products_sum_two_halves():
    out = _run(PROBE.replace("DTYPE", "float64"), "perturbed")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:2] == ["perturbed", "True"]


def test_float16_and_native_runs_are_not_perturbed():
    out = _run(PROBE.replace("DTYPE", "float16"), "perturbed")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:3] == ["perturbed", "True", "True"]
    out = _run(PROBE.replace("DTYPE", "float32"), None)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["native", "False", "True", "0"] or out.stdout.split()[:3] == ["native", "True", "True"]


def test_an_unknown_rounding_is_refused_at_import():
    out = _run("import kit.nn", "fast")
    assert out.returncode != 0
    assert "KIT_ROUNDING must be one of native, perturbed, got 'fast'" in out.stderr
