"""Earn the bands of the example lesson (docs/examples/wider_learns_better.ipynb): measure, look, then write.

Run it as stored and under another machine's rounding, and compare::

    python docs/examples/earn_bands.py
    env $(python -m kit.lessons --print-perturbed-env) python docs/examples/earn_bands.py

The lesson's bands must contain every measurement printed by both runs, with
room to spare, and exclude the counter-claim (chance: accuracy 0.5).
"""

from __future__ import annotations

import numpy as np

from kit import claims, nn
from kit.lab import datasets

WIDTHS = (2, 4, 8, 16)
SEEDS = range(5)


def accuracies(widths=WIDTHS, seeds=SEEDS) -> np.ndarray:
    """Final training accuracy on the spiral, one row per width, one column per seed (2-W-W-1 ReLU, Adam)."""
    X, y = datasets.make("spiral", n=400, noise=0.1, seed=0)
    out = np.empty((len(widths), len(seeds)))
    for i, width in enumerate(widths):
        for j, seed in enumerate(seeds):
            net = nn.MLP([2, width, width, 1], activation="relu", seed=seed)
            hist = nn.train(net, X, y, loss="bce", optimizer="adam", lr=0.02, steps=300, seed=seed, record_every=300)
            out[i, j] = hist.accuracy[-1]
    return out


if __name__ == "__main__":
    acc = accuracies()
    print(f"KIT_ROUNDING={nn.ROUNDING}")
    for width, row in zip(WIDTHS, acc, strict=True):
        print(f"width {width:2d}: {claims.spread(row)}")
