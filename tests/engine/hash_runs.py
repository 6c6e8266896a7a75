"""Fingerprint of the engine's numerics: a hash of the final weights and full histories of many runs.

Run before and after a change that should not change a single bit (a faster code
path): the printed hashes must be identical.  Each ``KIT_ROUNDING`` mode runs in its
own process (the mode is read when :mod:`kit.nn` is imported).

Run: ``PYTHONPATH=. .venv/bin/python tests/engine/hash_runs.py [--verbose]``
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np


def _configs() -> list[dict]:
    base = {"sizes": [2, 16, 16, 1], "activation": "relu", "loss": "bce", "optimizer": "sgd", "lr": 0.1,
            "steps": 60, "batch_size": 32, "record_every": 1}
    out = []
    for dtype in ("float16", "float32", "float64"):
        for opt, lr in (("sgd", 0.1), ("momentum", 0.05), ("adam", 0.01)):
            out.append({**base, "dtype": dtype, "optimizer": opt, "lr": lr})
        out.append({**base, "dtype": dtype, "dropout": 0.2, "optimizer": "adam", "lr": 0.01})
        out.append({**base, "dtype": dtype, "l2": 0.01, "l1": 0.001})
        out.append({**base, "dtype": dtype, "batch_size": None, "record_every": 7})
        out.append({**base, "dtype": dtype, "standardize": True, "activation": "tanh"})
        out.append({**base, "dtype": dtype, "input_scale": 30.0, "activation": "sigmoid", "saturation_tol": 0.01})
        out.append({**base, "dtype": dtype, "sizes": [2, 8, 8, 8, 3], "loss": "ce", "activation": "leaky_relu",
                    "kink": "right", "batch_size": 16})
        out.append({**base, "dtype": dtype, "sizes": [1, 12, 1], "loss": "mse", "data": "sine", "optimizer": "adam",
                    "lr": 0.02, "batch_size": None, "activation": "abs", "kink": "mean"})
        out.append({**base, "dtype": dtype, "lr": 1e4 if dtype != "float64" else 1e30, "optimizer": "sgd",
                    "input_scale": 50.0, "steps": 40})  # diverges in float16
        out.append({**base, "dtype": dtype, "sizes": [1, 16, 16, 1], "loss": "mse", "data": "sine", "lr": 1.0 if
                    dtype != "float64" else 0.5, "target_scale": 100.0 if dtype != "float64" else 1e100})  # diverges
        out.append({**base, "dtype": dtype, "sizes": [2, 40, 33, 1], "batch_size": 200, "steps": 30,
                    "activation": "relu6", "kink": "pytorch"})
    out.append({**base, "dtype": "float16", "accumulate": "float16", "steps": 20})
    out.append({**base, "dtype": "float16", "sizes": [2, 64, 64, 1], "batch_size": 128, "optimizer": "adam",
                "lr": 0.01, "steps": 40})
    return out


def _fingerprint(verbose: bool) -> str:
    from kit import nn
    from kit.lab import datasets

    total = hashlib.sha256()
    for cfg in _configs():
        cfg = dict(cfg)
        sizes, act, dtype = cfg.pop("sizes"), cfg.pop("activation"), cfg.pop("dtype")
        kink, acc = cfg.pop("kink", "left"), cfg.pop("accumulate", None)
        scale = cfg.pop("target_scale", 1.0)
        data = cfg.pop("data", "spiral" if cfg["loss"] != "ce" else "blobs")
        if data == "blobs":
            X, y = datasets.make("spiral", n=300, seed=1)
            y = (np.arange(len(y)) % 3)  # three classes
        else:
            X, y = datasets.make(data, n=300, seed=1)
        if scale != 1.0:
            y = y * scale
        net = nn.MLP(sizes, activation=act, kink=kink, dtype=dtype, seed=3, accumulate=acc)
        h = nn.train(net, X, y, seed=5, **cfg)
        d = hashlib.sha256()
        for W, b in net.get_weights():
            d.update(W.tobytes())
            d.update(b.tobytes())
        for key, arr in h.as_arrays().items():
            d.update(key.encode())
            d.update(np.ascontiguousarray(arr).tobytes())
        d.update(repr((h.stopped, h.message, h.stopped_at, h.total_kink_hits)).encode())
        d.update(net.forward(X).tobytes())
        if verbose:
            print(f"  {d.hexdigest()[:16]} {dtype} {sizes} {act} {cfg} stopped={h.stopped} "
                  f"loss={h.loss[-1]:.6g}", file=sys.stderr)
        total.update(d.digest())
    return total.hexdigest()


def main() -> int:
    verbose = "--verbose" in sys.argv
    if "--child" in sys.argv:
        print(_fingerprint(verbose))
        return 0
    for mode in ("", "perturbed"):
        env = dict(os.environ)
        env.pop("KIT_ROUNDING", None)
        if mode:
            env["KIT_ROUNDING"] = mode
        args = [sys.executable, __file__, "--child"] + (["--verbose"] if verbose else [])
        res = subprocess.run(args, env=env, capture_output=True, text=True)
        sys.stderr.write(res.stderr)
        if res.returncode:
            return res.returncode
        print(f"KIT_ROUNDING={mode or 'unset':9} {res.stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
