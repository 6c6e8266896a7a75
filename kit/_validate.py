"""The one set of argument validators of the kit: numbers with bounds, integers, choices, lists.

Every public function of the kit checks its arguments with these before any
work starts, so the same argument is accepted or refused the same way
everywhere, with the same kind of sentence:

* a number is an ``int``, a ``float`` or a numpy integer or floating scalar
  (never a ``bool`` and never a string: ``"0.1"`` is refused everywhere);
* an integer is an ``int`` or a numpy integer (a float such as ``3.0`` is
  refused: a count is not a measurement);
* a refusal is a ``ValueError`` naming the argument, what it must be, and
  what it got (``lr must be a finite number > 0, got '0.1'``).

Examples
--------
>>> number("lr", 0.1, above=0)
0.1
>>> number("lr", "0.1", above=0)
Traceback (most recent call last):
...
ValueError: lr must be a finite number > 0, got '0.1'
>>> integer("steps", 10, lowest=0)
10
>>> choice("loss", "bce", ("mse", "bce", "ce"))
'bce'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

__all__ = ["choice", "in_dtype", "integer", "integers", "is_number", "number", "numbers_list"]

T = TypeVar("T")


def is_number(value: Any) -> bool:
    """True for a real number a user may pass: int, float, numpy integer or floating (not bool)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, float, np.integer, np.floating)) or (
        isinstance(value, numbers.Real) and not isinstance(value, (str, bytes))
    )


def _bounds_text(lowest: float | None, above: float | None, highest: float | None, below: float | None) -> str:
    parts = []
    if lowest is not None:
        parts.append(f">= {_g(lowest)}")
    if above is not None:
        parts.append(f"> {_g(above)}")
    if highest is not None:
        parts.append(f"<= {_g(highest)}")
    if below is not None:
        parts.append(f"< {_g(below)}")
    return " and ".join(parts)


def _g(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() and abs(x) < 1e16 else repr(float(x))


def number(
    name: str,
    value: Any,
    *,
    lowest: float | None = None,
    above: float | None = None,
    highest: float | None = None,
    below: float | None = None,
    finite: bool = True,
) -> float:
    """``value`` as a float, or ``ValueError`` unless it is a number within the bounds.

    Parameters
    ----------
    name : str
        The argument's name, used in the message.
    value : object
        What the caller passed.
    lowest, above, highest, below : float, optional
        ``value >= lowest``, ``value > above``, ``value <= highest``,
        ``value < below``.
    finite : bool
        Refuse ±inf (default); NaN is always refused.

    Examples
    --------
    >>> number("noise", 0, lowest=0)
    0.0
    >>> number("t", 1.5, lowest=0, highest=1)
    Traceback (most recent call last):
    ...
    ValueError: t must be a finite number >= 0 and <= 1, got 1.5
    >>> number("lo", -math.inf, finite=False)
    -inf
    """
    bounds = _bounds_text(lowest, above, highest, below)
    what = f"{'a finite number' if finite else 'a number'}{' ' + bounds if bounds else ''}"
    if not is_number(value):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    try:
        v = float(value)
    except OverflowError:  # an int beyond the float range
        v = math.inf if value > 0 else -math.inf
    ok = not math.isnan(v) and (not finite or math.isfinite(v))
    ok = ok and (lowest is None or v >= lowest) and (above is None or v > above)
    ok = ok and (highest is None or v <= highest) and (below is None or v < below)
    if not ok:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return v


def in_dtype(name: str, value: float, dtype: Any, *, nonzero: bool = False, hint: str = "") -> float:
    """``value`` if the floating ``dtype`` holds it (finite, and non-zero if asked), else ``ValueError``.

    Rounding a number beyond a dtype's range to it gives inf (and numpy's
    ``RuntimeWarning: overflow encountered in cast``); this refuses it first,
    naming the argument, the dtype and its largest finite value.

    Parameters
    ----------
    name : str
        The argument's name, used in the message.
    value : float
        An already checked finite number.
    dtype : numpy dtype or str
        ``"float16"``, ``"float32"`` or ``"float64"``.
    nonzero : bool
        Also refuse a non-zero value that rounds to 0 in ``dtype``.
    hint : str
        Appended to the message (what to do instead).

    Examples
    --------
    >>> in_dtype("lr", 0.5, "float16")
    0.5
    >>> in_dtype("lr", 1e5, "float16")
    Traceback (most recent call last):
    ...
    ValueError: lr=1e+05 is beyond float16 (largest finite value 6.55e+04)
    """
    dt = np.dtype(dtype)
    info = np.finfo(dt)
    tail = f"; {hint}" if hint else ""
    if abs(value) > float(info.max):
        raise ValueError(f"{name}={value:.3g} is beyond {dt.name} (largest finite value {float(info.max):.3g}){tail}")
    if nonzero and value != 0:
        with np.errstate(under="ignore"):
            rounded = np.asarray(value, dtype=np.float64).astype(dt)
        if rounded == 0:
            raise ValueError(f"{name}={value:.3g} rounds to 0 in {dt.name} (smallest positive value "
                             f"{float(info.smallest_subnormal):.3g}){tail}")
    return value


def integer(name: str, value: Any, *, lowest: int | None = None, highest: int | None = None) -> int:
    """``value`` as an int, or ``ValueError`` unless it is an integer within the bounds.

    Examples
    --------
    >>> integer("n", np.int64(5), lowest=1)
    5
    >>> integer("n", 5.0, lowest=1)
    Traceback (most recent call last):
    ...
    ValueError: n must be an integer >= 1, got 5.0
    """
    bounds = _bounds_text(lowest, None, highest, None)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer{' ' + bounds if bounds else ''}, got {value!r}")
    v = int(value)
    if (lowest is not None and v < lowest) or (highest is not None and v > highest):
        raise ValueError(f"{name} must be an integer{' ' + bounds if bounds else ''}, got {value!r}")
    return v


def choice(name: str, value: Any, choices: Iterable[T]) -> T:
    """``value`` if it is one of ``choices`` (compared with ``==``, strings only match strings).

    Examples
    --------
    >>> choice("on_diverge", "stop", ("stop", "raise"))
    'stop'
    >>> choice("on_diverge", "halt", ("stop", "raise"))
    Traceback (most recent call last):
    ...
    ValueError: on_diverge must be one of 'stop', 'raise', got 'halt'
    """
    options = tuple(choices)
    for c in options:
        if type(c) is type(value) and c == value:
            return c
    raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in options)}, got {value!r}")


def _items(name: str, values: Any) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        values = [values]
    items = list(np.asarray(values).tolist()) if isinstance(values, np.ndarray) else list(values)
    if not items:
        raise ValueError(f"{name} must not be empty")
    return items


def numbers_list(name: str, values: Any, **bounds: Any) -> list[float]:
    """A number or a sequence of numbers as a non-empty list of floats, each checked like :func:`number`.

    Examples
    --------
    >>> numbers_list("lrs", (0.1, 1))
    [0.1, 1.0]
    >>> numbers_list("lrs", [0.1, -1], above=0)
    Traceback (most recent call last):
    ...
    ValueError: lrs[1] must be a finite number > 0, got -1
    """
    return [number(f"{name}[{i}]", v, **bounds) for i, v in enumerate(_items(name, values))]


def integers(name: str, values: Any, **bounds: Any) -> list[int]:
    """An integer or a sequence of integers as a non-empty list, each checked like :func:`integer`.

    Examples
    --------
    >>> integers("depths", (1, 3, 5), lowest=1)
    [1, 3, 5]
    """
    return [integer(f"{name}[{i}]", v, **bounds) for i, v in enumerate(_items(name, values))]
