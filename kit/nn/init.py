"""Weight initialisations: he, xavier, lecun, normal(std) and Lu et al.'s RAI.

Every initialiser draws a layer's weight matrix ``W`` (shape ``(fan_in,
fan_out)``, so that a layer computes ``z = x @ W + b``) and its bias ``b`` from
a :class:`numpy.random.Generator` in float64; the network then rounds them once
to its dtype.  Biases are the constant ``bias`` (0 by default; a small positive
value such as 0.1 keeps more ReLU units alive at the start), except for
``"rai"``, which draws them together with the weights.

==========  ======================================================================
name        weights
==========  ======================================================================
he          N(0, 2 / fan_in) (He et al. 2015, for ReLU)
xavier      N(0, 2 / (fan_in + fan_out)) (Glorot and Bengio 2010; alias glorot)
lecun       N(0, 1 / fan_in) (LeCun et al. 1998)
normal      N(0, std²), ``std`` given (default 0.1)
uniform     U(-limit, limit), ``limit`` given (default 0.1)
rai         randomized asymmetric initialisation (Lu, Shin, Su, Karniadakis 2019):
            each unit's vector (weights and bias, fan_in + 1 numbers) is
            N(0, σ² / fan_in) with σ = 0.6007, except one entry chosen uniformly
            at random, drawn from Beta(2, 1) (positive); fewer units are born dead.
==========  ======================================================================

Examples
--------
>>> import numpy as np
>>> from kit.nn import init
>>> W, b = init.draw("he", 4, 3, np.random.default_rng(0))
>>> W.shape, b.tolist()
((4, 3), [0.0, 0.0, 0.0])
>>> init.names()
['glorot', 'he', 'lecun', 'normal', 'rai', 'uniform', 'xavier']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["RAI_SIGMA", "InitSpec", "draw", "draw_many", "names", "parse"]

RAI_SIGMA = 0.6007
"""σ of the symmetric part of Lu et al.'s RAI (their choice for Beta(2, 1))."""

InitSpec = Any
"""A name (``"he"``) or ``(name, {"std": 0.5})``."""

_PARAMS: dict[str, dict[str, float]] = {
    "he": {},
    "xavier": {},
    "glorot": {},
    "lecun": {},
    "normal": {"std": 0.1},
    "uniform": {"limit": 0.1},
    "rai": {},
}


def names() -> list[str]:
    """Sorted names of the initialisations."""
    return sorted(_PARAMS)


def parse(spec: InitSpec) -> tuple[str, dict[str, float]]:
    """Check an initialisation spec; return ``(name, params)``.

    Examples
    --------
    >>> parse(("normal", {"std": 0.5}))
    ('normal', {'std': 0.5})
    >>> parse("kaiming")
    Traceback (most recent call last):
    ...
    ValueError: unknown init 'kaiming'; known: glorot, he, lecun, normal, rai, uniform, xavier
    """
    params: Mapping[str, Any] = {}
    name = spec
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], Mapping):
        name, params = spec
    if not isinstance(name, str) or name not in _PARAMS:
        raise ValueError(f"unknown init {name!r}; known: {', '.join(names())}")
    unknown = set(params) - set(_PARAMS[name])
    if unknown:
        raise TypeError(f"init {name!r}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                        f"valid: {', '.join(_PARAMS[name]) or 'none'}")
    merged = {**_PARAMS[name], **params}
    for key, val in merged.items():
        if isinstance(val, bool) or not isinstance(val, (int, float, np.number)) or not (0 < float(val) < math.inf):
            raise ValueError(f"init {name!r}: {key} must be a positive finite number, got {val!r}")
    return name, {k: float(v) for k, v in merged.items()}


def draw(
    spec: InitSpec, fan_in: int, fan_out: int, rng: np.random.Generator, bias: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Draw ``(W, b)`` for one layer, float64.

    Parameters
    ----------
    spec : str or (str, dict)
        See the module docstring.
    fan_in, fan_out : int
        Inputs and outputs of the layer.
    rng : numpy.random.Generator
    bias : float
        Constant bias (ignored by ``"rai"``, which draws the bias).

    Examples
    --------
    >>> import numpy as np
    >>> W, b = draw("rai", 3, 2, np.random.default_rng(0))
    >>> W.shape, b.shape
    ((3, 2), (2,))
    """
    return draw_many(spec, fan_in, fan_out, rng, None, bias)


def draw_many(
    spec: InitSpec, fan_in: int, fan_out: int, rng: np.random.Generator, count: int | None, bias: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Like :func:`draw`, for ``count`` independent layers at once (shapes get a leading
    ``count`` axis); ``count=None`` draws one layer, exactly as :func:`draw`.

    Examples
    --------
    >>> import numpy as np
    >>> W, b = draw_many("he", 2, 3, np.random.default_rng(0), 5)
    >>> W.shape, b.shape
    ((5, 2, 3), (5, 3))
    """
    name, params = parse(spec)
    for what, value in (("fan_in", fan_in), ("fan_out", fan_out), ("count", 1 if count is None else count)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{what} must be a positive integer, got {value!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    lead: tuple[int, ...] = () if count is None else (count,)
    shape = (*lead, fan_in, fan_out)
    if name == "rai":
        V = rng.standard_normal((*lead, fan_out, fan_in + 1)) * (RAI_SIGMA / math.sqrt(fan_in))
        k = rng.integers(0, fan_in + 1, size=(*lead, fan_out))
        np.put_along_axis(V, k[..., None], rng.beta(2.0, 1.0, size=(*lead, fan_out, 1)), axis=-1)
        return np.ascontiguousarray(np.swapaxes(V[..., :-1], -1, -2)), V[..., -1].copy()
    if name == "uniform":
        W = rng.uniform(-params["limit"], params["limit"], shape)
    else:
        W = rng.standard_normal(shape) * _std(name, params, fan_in, fan_out)
    return W, np.full((*lead, fan_out), float(bias))


def _std(name: str, params: dict[str, float], fan_in: int, fan_out: int) -> float:
    """Standard deviation of the normal initialisations."""
    if name == "he":
        return math.sqrt(2.0 / fan_in)
    if name in ("xavier", "glorot"):
        return math.sqrt(2.0 / (fan_in + fan_out))
    if name == "lecun":
        return math.sqrt(1.0 / fan_in)
    return params["std"]
