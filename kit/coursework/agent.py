"""The kernel's side of grading: plain values out, method calls in, over one socket.

This module is self-contained (the standard library and numpy only) because
the grader sends its *source text* into the student's kernel and runs it
there: the kernel never imports grader code, and nothing here decides a
grade.  It does two things:

* :func:`to_plain` turns a value into plain data (``None``, booleans,
  numbers, strings, lists, dicts with string keys, numeric numpy arrays),
  JSON plus raw array buffers, and refuses anything else (a
  ``SimpleNamespace``, a class instance pretending to be a history);
* :func:`serve` answers the grader's requests on a Unix socket: evaluate a
  check's answer expression in the notebook's namespace and hand back its
  plain value, or call a method of the student's activation with arrays the
  grader chose (how ``kit.check`` runs in the grader on a student's class).

Everything the kernel sends can be forged by the student's own code (the
kernel is theirs); the grader therefore treats it as the student's *answer*,
validates its type and size, and judges it in its own process.

Frame format (both directions): ``!II`` (header length, buffer count), the
JSON header, then per buffer ``!Q`` (length) and the bytes.

Examples
--------
>>> import numpy as np
>>> to_plain([1, 2.5, float("nan")])
([1, 2.5, {'$f': 'nan'}], [])
>>> header, buffers = to_plain(np.arange(3.0))
>>> header, len(buffers[0])
({'$a': ['<f8', [3], 0]}, 24)
>>> from types import SimpleNamespace
>>> to_plain(SimpleNamespace(dead=[[0, 0]]))
Traceback (most recent call last):
...
TypeError: a SimpleNamespace cannot be handed in: give numbers, lists, arrays, strings or dicts
"""

from __future__ import annotations

import json
import math
import socket
import struct
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["from_plain", "recv_frame", "send_frame", "serve", "to_plain"]

MAX_DEPTH = 32
MAX_ITEMS = 1_000_000
MAX_STR = 100_000
ARRAY_KINDS = "biuf"


def to_plain(value: Any) -> tuple[Any, list[bytes]]:
    """``value`` as (JSON-able header, array buffers); ``TypeError`` for what is not plain data."""
    buffers: list[bytes] = []
    count = [0]

    def enc(x: Any, depth: int) -> Any:
        count[0] += 1
        if depth > MAX_DEPTH or count[0] > MAX_ITEMS:
            raise TypeError("the value is nested too deeply or has too many items to hand in")
        if x is None or isinstance(x, (bool, np.bool_)):
            return None if x is None else bool(x)
        if isinstance(x, np.ndarray):
            arr = np.array(x.view(np.ndarray), order="C", copy=True)
            if arr.dtype.kind not in ARRAY_KINDS:
                raise TypeError(f"an array of dtype {arr.dtype} cannot be handed in: give numbers")
            buffers.append(arr.tobytes())
            return {"$a": [arr.dtype.str, list(arr.shape), len(buffers) - 1]}
        if isinstance(x, np.generic):
            if x.dtype.kind not in ARRAY_KINDS:
                raise TypeError(f"a numpy {x.dtype} scalar cannot be handed in: give numbers")
            buffers.append(np.asarray(x).tobytes())
            return {"$s": [x.dtype.str, len(buffers) - 1]}
        if isinstance(x, int) and not isinstance(x, bool):
            return int(x)
        if isinstance(x, float):
            f = float(x)
            return f if math.isfinite(f) else {"$f": repr(f)}
        if isinstance(x, str):
            if len(x) > MAX_STR:
                raise TypeError("a string that long cannot be handed in")
            return str(x)
        if isinstance(x, (list, tuple)):
            return [enc(v, depth + 1) for v in list(x)]
        if isinstance(x, dict):
            out = {}
            for k, v in list(x.items()):
                if not isinstance(k, str):
                    raise TypeError("a dict handed in must have str keys")
                out[str(k)] = enc(v, depth + 1)
            return {"$d": out}
        raise TypeError(
            f"a {type(x).__name__} cannot be handed in: give numbers, lists, arrays, strings or dicts"
        )

    return enc(value, 0), buffers


def from_plain(header: Any, buffers: list[bytes]) -> Any:
    """The value :func:`to_plain` encoded (the kernel's decoder; the grader validates with its own)."""
    if isinstance(header, list):
        return [from_plain(v, buffers) for v in header]
    if isinstance(header, dict):
        if "$a" in header:
            dtype, shape, index = header["$a"]
            return np.frombuffer(buffers[index], dtype=np.dtype(dtype)).reshape(shape).copy()
        if "$f" in header:
            return float(header["$f"])
        if "$s" in header:
            dtype, index = header["$s"]
            return np.frombuffer(buffers[index], dtype=np.dtype(dtype))[0]
        return {k: from_plain(v, buffers) for k, v in header["$d"].items()}
    return header


def send_frame(sock: socket.socket, header: Any, buffers: Sequence[bytes] = ()) -> None:
    """Send one frame: the JSON header and the buffers."""
    text = json.dumps(header, allow_nan=False).encode()
    parts = [struct.pack("!II", len(text), len(buffers)), text]
    for b in buffers:
        parts.append(struct.pack("!Q", len(b)))
        parts.append(b)
    sock.sendall(b"".join(parts))


def _exactly(sock: socket.socket, n: int) -> bytes:
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise ConnectionError("the other side closed the connection")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket, limit: int = 1 << 30) -> tuple[Any, list[bytes]]:
    """Receive one frame; ``ValueError`` if it announces more than ``limit`` bytes."""
    size, nbuf = struct.unpack("!II", _exactly(sock, 8))
    if size > limit or nbuf > 10_000:
        raise ValueError("frame too large")
    header = json.loads(_exactly(sock, size))
    buffers = []
    total = size
    for _ in range(nbuf):
        (n,) = struct.unpack("!Q", _exactly(sock, 8))
        total += n
        if total > limit:
            raise ValueError("frame too large")
        buffers.append(_exactly(sock, n))
    return header, buffers


def _describe(obj: Any) -> dict[str, Any]:
    """What the grader needs to rebuild an activation (or its class) on its side, as plain data."""
    defaults = getattr(obj, "defaults", {}) or {}
    frameworks = getattr(obj, "frameworks", {}) or {}
    rules = []
    for fw, rule in dict(frameworks).items():
        if isinstance(rule, dict):
            rules.append([str(fw), [[float(k), _rule(v)] for k, v in rule.items()]])
        else:
            rules.append([str(fw), _rule(rule)])
    params = getattr(obj, "params", {}) if not isinstance(obj, type) else {}
    return {
        "is_class": isinstance(obj, type),
        "name": str(getattr(obj, "name", "")),
        "defaults": {str(k): float(v) for k, v in dict(defaults).items()},
        "int_params": [str(k) for k, v in dict(defaults).items() if isinstance(v, int) and not isinstance(v, bool)],
        "formula": str(getattr(obj, "formula", "")),
        "frameworks": rules,
        "params": {str(k): float(v) for k, v in dict(params or {}).items()},
    }


def _rule(rule: Any) -> Any:
    if isinstance(rule, str):
        return rule
    if hasattr(rule, "value") and not isinstance(rule, (int, float)):
        return {"fixed": float(rule.value)}
    return float(rule)


def _handle(req: dict[str, Any], bufs: list[bytes], ns: dict[str, Any], handles: dict[int, Any]) -> tuple[Any, list[bytes]]:
    op = req.get("op")
    if op == "eval":
        value = eval(compile(req["expr"], "<check>", "eval"), ns)  # the grader's text, in the student's own kernel
        if req.get("as") == "ref":
            handles[len(handles)] = value
            return {"handle": len(handles) - 1, **_describe(value)}, []
        try:
            header, out = to_plain(value)
        except TypeError as exc:
            return {"unplain": str(exc)}, []
        return {"value": header}, out
    if op == "new":
        obj = handles[int(req["handle"])](**from_plain(req["params"], bufs))
        handles[len(handles)] = obj
        return {"handle": len(handles) - 1, **_describe(obj)}, []
    if op == "call":
        obj = handles[int(req["handle"])]
        args = [from_plain(a, bufs) for a in req["args"]]
        with warnings.catch_warnings(record=True) as caught, np.errstate(**req.get("err", {})):
            warnings.simplefilter("always")
            result = getattr(obj, str(req["method"]))(*args)
        try:
            header, out = to_plain(result)
        except TypeError as exc:
            return {"unplain": str(exc)}, []
        seen = [[type(w.message).__name__, str(w.message)[:500]] for w in caught[:20]]
        return {"value": header, "warnings": seen}, out
    raise ValueError(f"unknown request {op!r}")


def serve(path: str, ns: dict[str, Any]) -> None:
    """Answer the grader's requests on the Unix socket at ``path`` until it says ``bye``."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    handles: dict[int, Any] = {}
    try:
        while True:
            try:
                req, bufs = recv_frame(sock)
            except (ConnectionError, OSError, ValueError):
                return
            if req.get("op") == "bye":
                return
            try:
                reply, out = _handle(req, bufs, ns, handles)
            except BaseException as exc:
                reply, out = {"error": [type(exc).__name__, str(exc)[:2000]]}, []
            try:
                send_frame(sock, reply, out)
            except OSError:
                return
    finally:
        sock.close()
