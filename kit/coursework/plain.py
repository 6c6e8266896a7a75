"""Plain values: what a check may receive from a student's kernel, decoded strictly.

The kernel sends a JSON header and raw buffers (see :mod:`kit.coursework.agent`).
:func:`decode` rebuilds only ``None``, ``bool``, ``int``, ``float``, ``str``,
``list``, ``dict`` with ``str`` keys and numpy arrays of a numeric dtype, checks
every size announced against what arrived, and refuses anything else: nothing
is unpickled, imported or called.  The check helpers run every value through
the same path in the student's own notebook (``to_plain`` then ``decode``), so
a student sees the verdict the grader will compute.

Examples
--------
>>> from kit.coursework.agent import to_plain
>>> decode(*to_plain({"lr": 0.1, "w": [1, 2]}))
{'lr': 0.1, 'w': [1, 2]}
>>> decode({"$a": ["|O", [1], 0]}, [b"12345678"])
Traceback (most recent call last):
...
kit.coursework.plain.NotPlain: an array of dtype |O is not plain data
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kit.coursework.agent import to_plain

__all__ = ["NotPlain", "decode", "plain"]

_DTYPES = {
    np.dtype(t).str: np.dtype(t)
    for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
              np.float16, np.float32, np.float64)
}
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
MAX_DEPTH = 40


class NotPlain(ValueError):
    """What the kernel sent is not plain data (or announces sizes that do not match)."""


def decode(header: Any, buffers: list[bytes]) -> Any:
    """The plain value described by ``header`` and ``buffers``; :class:`NotPlain` otherwise."""
    used: set[int] = set()

    def dec(x: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise NotPlain("the value is nested too deeply")
        if x is None or type(x) in (bool, str):
            return x
        if type(x) is int:
            if abs(x) > 2**64:
                raise NotPlain(f"the integer {x} is too large")
            return x
        if type(x) is float:
            return x
        if type(x) is list:
            return [dec(v, depth + 1) for v in x]
        if type(x) is dict and len(x) == 1:
            ((tag, body),) = x.items()
            if tag == "$f" and body in _FLOATS:
                return _FLOATS[body]
            if tag == "$d" and type(body) is dict:
                return {str(k): dec(v, depth + 1) for k, v in body.items()}
            if tag == "$a":
                return array(body)
            if tag == "$s" and type(body) is list and len(body) == 2:
                return array([body[0], [], body[1]])[()]
        raise NotPlain(f"{str(x)[:60]} is not plain data")

    def array(body: Any) -> np.ndarray:
        if type(body) is not list or len(body) != 3:
            raise NotPlain("a malformed array")
        dtype, shape, index = body
        if dtype not in _DTYPES:
            raise NotPlain(f"an array of dtype {dtype} is not plain data")
        if type(shape) is not list or len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
            raise NotPlain("an array with a malformed shape")
        if type(index) is not int or not 0 <= index < len(buffers) or index in used:
            raise NotPlain("an array whose data is missing")
        used.add(index)
        dt = _DTYPES[dtype]
        if math.prod(shape) * dt.itemsize != len(buffers[index]):
            raise NotPlain("an array whose size does not match its shape")
        return np.frombuffer(buffers[index], dtype=dt).reshape(shape).copy()

    return dec(header, 0)


def plain(value: Any) -> Any:
    """``value`` as the grader would receive it from a kernel; ``TypeError`` for what cannot be handed in.

    Examples
    --------
    >>> plain((1, 2.0))
    [1, 2.0]
    """
    return decode(*to_plain(value))
