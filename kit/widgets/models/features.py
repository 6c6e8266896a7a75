"""Input features of the training apps: x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂ (TensorFlow Playground's).

The network sees the chosen features of each point instead of the raw
coordinates; with x₁² and x₂² a single hidden unit can draw a circle.  The
features of a 1-D data set are those of x₁ alone.

Examples
--------
>>> import numpy as np
>>> X = np.array([[1.0, 2.0], [0.0, -1.0]])
>>> used(["x1", "x1*x2", "sin(x2)"], 2)
['x1', 'x1*x2', 'sin(x2)']
>>> features(["x1", "x1*x2"], X).tolist()
[[1.0, 2.0], [0.0, -0.0]]
>>> used(["x2", "x1^2"], 1)  # a 1-D data set has no x2
['x1^2']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["FEATURES", "LABELS", "features", "used"]

FEATURES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
"""Every feature, in the order the network view shows them."""

LABELS: dict[str, str] = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                          "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}
"""How each feature is written on the screen."""


def check(names: object) -> list[str]:
    """``names`` as a list of known features in :data:`FEATURES` order, or a clear error."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise ValueError(f"features must be a list of names from {', '.join(FEATURES)}; got {names!r}")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {', '.join(map(repr, unknown))}; choose from {', '.join(FEATURES)}")
    if not names:
        raise ValueError("choose at least one input feature (x1, for one)")
    return [f for f in FEATURES if f in names]


def used(names: Sequence[str], n_inputs: int) -> list[str]:
    """The features of ``names`` that data with ``n_inputs`` coordinates has (x₁ alone if none is left)."""
    names = check(names)
    if n_inputs >= 2:
        return names
    out = [n for n in names if "x2" not in n]
    return out or ["x1"]


def features(names: Sequence[str], X: NDArray) -> NDArray[np.float64]:
    """The features ``names`` (as :func:`used` returns them) of the points ``X`` (n, 1 or 2), float64 (n, k)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    x1 = X[:, 0]
    two_d = X.shape[1] > 1
    x2 = X[:, 1] if two_d else X[:, :0]  # (only the x2 features read it)
    cols = []
    for name in names:
        if "x2" in name and not two_d:
            raise ValueError(f"feature {name!r} needs 2-D inputs")
        cols.append({"x1": lambda: x1, "x2": lambda: x2, "x1^2": lambda: x1 * x1, "x2^2": lambda: x2 * x2,
                     "x1*x2": lambda: x1 * x2, "sin(x1)": lambda: np.sin(x1), "sin(x2)": lambda: np.sin(x2)}[name]())
    return np.column_stack(cols) if cols else np.empty((len(X), 0))
