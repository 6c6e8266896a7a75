"""Benchmark: the cost of the plugin interface and of ``import kit``.

Prints two tables:

(a) ``import kit`` in a fresh interpreter (median of several runs), and whether
    it imported matplotlib or ipywidgets (it must not);
(b) for relu, leaky_relu, elu, sigmoid, gelu and silu on 10^6 float32 and
    float64 elements: the time of ``value`` + ``left_derivative`` +
    ``right_derivative`` through the plugin interface (``kit.get(name)``)
    against the bare numpy expressions for the same three arrays, and the
    ratio (target <= 1.3).

The bare expressions are written as one would by hand, without the kit's
guards (NaN and +-inf handling, float16, overflow): the fastest plain form
we know for each array, each array computed on its own as the three plugin
calls are.  Timing is best-of-N with the calls interleaved, so a busy machine
slows both sides alike.  Run: ``.venv/bin/python benchmarks/bench_activations.py``.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time

import numpy as np
from scipy.special import erf

import kit

N_ELEMENTS = 10**6
REPEAT = 25
IMPORT_RUNS = 7

_IMPORT_PROBE = (
    "import sys, time; t = time.perf_counter(); import kit; dt = time.perf_counter() - t; "
    "print(dt, 'matplotlib' in sys.modules, 'ipywidgets' in sys.modules, 'scipy' in sys.modules)"
)


def import_time() -> tuple[float, bool, bool, bool]:
    """Median seconds of ``import kit`` in fresh interpreters, and the heavy imports seen."""
    times, mpl, widgets, scipy = [], False, False, False
    for _ in range(IMPORT_RUNS):
        out = subprocess.run([sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True)
        dt, m, w, s = out.stdout.split()
        times.append(float(dt))
        mpl |= m == "True"
        widgets |= w == "True"
        scipy |= s == "True"
    return statistics.median(times), mpl, widgets, scipy


SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def _bare(name: str, dtype: type) -> tuple:
    """The three bare numpy expressions (value, left, right) for ``name``."""
    a = dtype(0.01) if name == "leaky_relu" else dtype(1.0)

    def sig(z):
        return 1 / (1 + np.exp(-z))

    table = {
        "relu": (
            lambda z: np.maximum(z, 0),
            lambda z: (z > 0).astype(z.dtype),
            lambda z: (z >= 0).astype(z.dtype),
        ),
        "leaky_relu": (
            lambda z: np.maximum(z, a * z),
            lambda z: a + (1 - a) * (z > 0),
            lambda z: a + (1 - a) * (z >= 0),
        ),
        "elu": (
            lambda z: np.maximum(z, 0) + a * np.expm1(np.minimum(z, 0)),
            lambda z: (z > 0) + a * np.exp(np.minimum(z, 0)) * (z <= 0),
            lambda z: (z >= 0) + a * np.exp(np.minimum(z, 0)) * (z < 0),
        ),
        "sigmoid": (
            sig,
            lambda z: (s := sig(z)) * (1 - s),
            lambda z: (s := sig(z)) * (1 - s),
        ),
        "gelu": (
            lambda z: 0.5 * z * (1 + erf(z * SQRT_HALF)),
            lambda z: 0.5 * (1 + erf(z * SQRT_HALF)) + z * np.exp(-0.5 * z * z) * INV_SQRT_2PI,
            lambda z: 0.5 * (1 + erf(z * SQRT_HALF)) + z * np.exp(-0.5 * z * z) * INV_SQRT_2PI,
        ),
        "silu": (
            lambda z: z / (1 + np.exp(-z)),
            lambda z: (s := sig(z)) * (1 + z * (1 - s)),
            lambda z: (s := sig(z)) * (1 + z * (1 - s)),
        ),
    }
    return table[name]


def _best(fns: tuple, z: np.ndarray) -> float:
    t0 = time.perf_counter()
    for f in fns:
        f(z)
    return time.perf_counter() - t0


def compare(name: str, dtype: type, rng: np.random.Generator) -> tuple[float, float]:
    """Best-of-REPEAT seconds for the plugin's three calls and the bare three expressions."""
    z = (rng.standard_normal(N_ELEMENTS) * 3).astype(dtype)
    act = kit.get(name)
    plugin = (act.value, act.left_derivative, act.right_derivative)
    bare = _bare(name, dtype)
    for p, b in zip(plugin, bare, strict=True):  # same arrays, same dtype: the comparison is fair
        pv, bv = p(z), b(z)
        if pv.dtype != bv.dtype or not np.allclose(pv, bv, rtol=1e-5, atol=1e-6):
            raise SystemExit(f"{name} {dtype.__name__}: bare expression disagrees with the plugin")
    tp, tb = math.inf, math.inf
    for _ in range(REPEAT):
        tp = min(tp, _best(plugin, z))
        tb = min(tb, _best(bare, z))
    return tp, tb


def main() -> int:
    t, mpl, widgets, scipy = import_time()
    print(f"(a) import kit: median {t * 1e3:.1f} ms over {IMPORT_RUNS} fresh interpreters (target < 300 ms)")
    print(f"    matplotlib imported: {mpl}; ipywidgets imported: {widgets}; scipy imported: {scipy}")
    print()
    print(f"(b) value + left_derivative + right_derivative on 10^6 elements, best of {REPEAT}")
    print(f"    {'activation':<12} {'dtype':<8} {'plugin ms':>10} {'bare ms':>9} {'ratio':>6}")
    rng = np.random.default_rng(0)
    worst = 0.0
    for name in ("relu", "leaky_relu", "elu", "sigmoid", "gelu", "silu"):
        for dtype in (np.float32, np.float64):
            tp, tb = compare(name, dtype, rng)
            worst = max(worst, tp / tb)
            print(f"    {name:<12} {dtype.__name__:<8} {tp * 1e3:>10.2f} {tb * 1e3:>9.2f} {tp / tb:>6.2f}")
    print(f"    worst ratio {worst:.2f} (target <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
