"""Small toy data sets for the lessons: 2-D classification, 1-D regression, pixels.

Every data set is made from a seed (a :class:`numpy.random.Generator`), so the
same call gives the same numbers on every run and every machine.  ``X`` is a
float64 array of shape ``(n, d)``; ``y`` holds int64 class labels ``0..K-1``
for classification sets and float64 targets for regression sets.

Examples
--------
>>> from kit.lab import datasets
>>> X, y = datasets.make("xor", n=8, seed=0)
>>> X.shape, y.shape, X.dtype, y.dtype
((8, 2), (8,), dtype('float64'), dtype('int64'))
>>> datasets.task("sine")
'regression'
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["CLASSIFICATION", "REGRESSION", "make", "names", "task"]

Maker = Callable[..., tuple[NDArray[np.float64], NDArray]]


def _labels(n: int, classes: int) -> NDArray[np.int64]:
    """Balanced labels 0, 1, ..., classes-1, 0, 1, ... (n of them)."""
    return np.arange(n, dtype=np.int64) % classes


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[NDArray, NDArray]:
    """Four clusters at (±1, ±1); the label is 1 where the signs differ."""
    corners = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    which = np.arange(n) % 4
    X = corners[which] + noise * rng.standard_normal((n, 2))
    y = (which >= 2).astype(np.int64)
    return X, y


def _circle(rng: np.random.Generator, n: int, noise: float) -> tuple[NDArray, NDArray]:
    """Class 1 inside radius 0.5, class 0 on a ring between radius 0.7 and 1."""
    y = _labels(n, 2)
    r = np.where(y == 1, 0.5 * np.sqrt(rng.random(n)), 0.7 + 0.3 * rng.random(n))
    t = 2 * math.pi * rng.random(n)
    X = np.stack([r * np.cos(t), r * np.sin(t)], axis=1) + noise * rng.standard_normal((n, 2))
    return X, y


def _gauss(rng: np.random.Generator, n: int, noise: float, classes: int = 2) -> tuple[NDArray, NDArray]:
    """Gaussian blobs with centres on a circle of radius 1, spread 0.3 + noise."""
    y = _labels(n, classes)
    angle = 2 * math.pi * y / classes + math.pi / 4
    centres = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    X = centres + (0.3 + noise) * rng.standard_normal((n, 2))
    return X, y


def _spiral(rng: np.random.Generator, n: int, noise: float, classes: int = 2) -> tuple[NDArray, NDArray]:
    """Interleaved spiral arms, one per class, radius up to 1, each arm turning 1.75 times.

    As in TensorFlow Playground, the noise is relative to the spacing of the arms:
    ``noise`` is the standard deviation of the Gaussian added to each coordinate
    as a fraction of the distance between neighbouring arms (``1 / (1.75 *
    classes)``), so the arms stay visible at every noise level up to about 0.3.
    """
    y = _labels(n, classes)
    r = rng.random(n)
    t = 1.75 * 2 * math.pi * r + 2 * math.pi * y / classes
    spacing = 1.0 / (1.75 * classes)
    X = np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + noise * spacing * rng.standard_normal((n, 2))
    return X, y


def _moons(rng: np.random.Generator, n: int, noise: float) -> tuple[NDArray, NDArray]:
    """Two interleaving half circles (as scikit-learn's make_moons)."""
    y = _labels(n, 2)
    t = math.pi * rng.random(n)
    X = np.where(
        (y == 0)[:, None],
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    X = X + noise * rng.standard_normal((n, 2))
    return X, y


def _regression(f: Callable[[NDArray], NDArray]) -> Maker:
    def make(rng: np.random.Generator, n: int, noise: float) -> tuple[NDArray, NDArray]:
        x = np.sort(rng.uniform(-1.0, 1.0, n))
        y = f(x) + noise * rng.standard_normal(n)
        return x[:, None], y

    make.__doc__ = f.__doc__
    return make


def _sine(x: NDArray) -> NDArray:
    """y = sin(π x) on [-1, 1]."""
    return np.sin(math.pi * x)


def _abs(x: NDArray) -> NDArray:
    """y = |x| on [-1, 1]: a kink a ReLU network can represent exactly."""
    return np.abs(x)


def _cubic(x: NDArray) -> NDArray:
    """y = x³ - x/2 on [-1, 1]."""
    return x**3 - 0.5 * x


def _pixels(rng: np.random.Generator, n: int, noise: float, classes: int = 10, side: int = 8) -> tuple[NDArray, NDArray]:
    """side×side images with 8-bit intensities in [0, 1] (multiples of 1/255), about
    half of them exactly 0, like MNIST: one random sparse template per class plus noise."""
    d = side * side
    templates = rng.random((classes, d)) * (rng.random((classes, d)) < 0.5)
    y = _labels(n, classes)
    X = templates[y] + noise * rng.standard_normal((n, d)) * (templates[y] > 0)
    X = np.round(np.clip(X, 0.0, 1.0) * 255) / 255
    return X, y


_MAKERS: dict[str, Maker] = {
    "xor": _xor,
    "circle": _circle,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
    "pixels": _pixels,
    "sine": _regression(_sine),
    "abs": _regression(_abs),
    "cubic": _regression(_cubic),
}

CLASSIFICATION: tuple[str, ...] = ("circle", "gauss", "moons", "pixels", "spiral", "xor")
"""Names of the classification data sets (labels 0..K-1)."""

REGRESSION: tuple[str, ...] = ("abs", "cubic", "sine")
"""Names of the 1-D regression data sets (float targets)."""

_EXTRA = {"gauss": ("classes",), "spiral": ("classes",), "pixels": ("classes", "side")}


def names() -> list[str]:
    """Sorted names of every data set.

    Examples
    --------
    >>> from kit.lab import datasets
    >>> datasets.names()
    ['abs', 'circle', 'cubic', 'gauss', 'moons', 'pixels', 'sine', 'spiral', 'xor']
    """
    return sorted(_MAKERS)


def task(name: str) -> str:
    """``"classification"`` or ``"regression"`` for the data set ``name``.

    Examples
    --------
    >>> from kit.lab import datasets
    >>> datasets.task("moons"), datasets.task("abs")
    ('classification', 'regression')
    """
    _check_name(name)
    return "classification" if name in CLASSIFICATION else "regression"


def _check_name(name: str) -> None:
    if not isinstance(name, str) or name not in _MAKERS:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(names())}")


def make(
    name: str, n: int = 200, noise: float = 0.1, seed: int | None = 0, **options: int
) -> tuple[NDArray[np.float64], NDArray]:
    """Make the toy data set ``name`` with ``n`` points.

    Parameters
    ----------
    name : str
        Classification: ``"xor"``, ``"circle"``, ``"gauss"``, ``"spiral"``,
        ``"moons"`` (2-D inputs, 2 classes; ``gauss`` and ``spiral`` take
        ``classes=K``) and ``"pixels"`` (8×8 images of 8-bit intensities with
        many exact zeros, ``classes=10``, ``side=8``).  Regression on [-1, 1]:
        ``"sine"``, ``"abs"``, ``"cubic"`` (1-D inputs).
    n : int
        Number of points (> 0).  Classes are balanced (label ``i % K``).
    noise : float
        Standard deviation of the Gaussian noise added to the inputs
        (classification) or the targets (regression), >= 0.
    seed : int or None
        Seed of the :func:`numpy.random.default_rng` generator.
    **options
        ``classes`` for gauss, spiral and pixels; ``side`` for pixels.

    Returns
    -------
    X : ndarray, shape (n, d), float64
    y : ndarray, shape (n,), int64 labels or float64 targets

    Examples
    --------
    >>> from kit.lab import datasets
    >>> X, y = datasets.make("spiral", n=300, noise=0.1, classes=3, seed=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((300, 2), [0, 1, 2])
    >>> X, y = datasets.make("sine", n=50, seed=1)
    >>> X.shape, y.dtype
    ((50, 1), dtype('float64'))
    """
    _check_name(name)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.number)) or not (0 <= float(noise) < math.inf):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed must be None or an integer >= 0, got {seed!r}")
    allowed = _EXTRA.get(name, ())
    for key, val in options.items():
        if key not in allowed:
            raise TypeError(f"data set {name!r} takes no option {key!r}; options: {', '.join(allowed) or 'none'}")
        lowest = 2 if key == "classes" else 1
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < lowest:
            raise ValueError(f"{key} must be an integer >= {lowest}, got {val!r}")
    rng = np.random.default_rng(seed)
    X, y = _MAKERS[name](rng, int(n), float(noise), **{k: int(v) for k, v in options.items()})
    return np.ascontiguousarray(X, dtype=np.float64), y
