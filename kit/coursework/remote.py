"""A student's activation driven from the grader: ``kit.check`` runs here, the student's methods run there.

:func:`remote_activation` asks the kernel's agent for the object an answer
expression names (an :class:`kit.Activation` instance or subclass) and builds,
in the grader's process, an :class:`kit.Activation` subclass with the same
name, parameters, formula and framework rules whose ``value``,
``left_derivative``, ``right_derivative``, ``kinks`` and ``saturation`` send
their arguments to the kernel and take back plain values (numbers and numeric
arrays, validated).  Everything else, the base class's checks of arguments
and ``derivative``, and every judgement, runs in the grader: a student's
class cannot reach the code that judges it.  Exceptions come back as the same
built-in type (``TypeError`` stays ``TypeError``, anything else is a
``RuntimeError`` naming it) and warnings are re-issued, so that
``kit.check`` sees what it would see in the student's notebook.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np

from kit.activation import NAME_PATTERN, Activation, Fixed, KinkRule, Rule
from kit.coursework.agent import to_plain
from kit.coursework.plain import NotPlain, decode
from kit.coursework.sandbox import Agent, AgentError

__all__ = ["remote_activation"]

_EXCEPTIONS: dict[str, type[BaseException]] = {
    e.__name__: e
    for e in (TypeError, ValueError, ZeroDivisionError, FloatingPointError, OverflowError, ArithmeticError,
              NotImplementedError, KeyError, IndexError, AttributeError, RuntimeError, RecursionError, MemoryError)
}
_WARNINGS: dict[str, type[Warning]] = {
    w.__name__: w for w in (RuntimeWarning, UserWarning, DeprecationWarning, FutureWarning)
}


def _number(x: Any, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise NotPlain(f"{what} is not a number")
    return float(x)


def _rule(x: Any) -> Rule:
    if isinstance(x, str):
        return x
    if isinstance(x, dict) and set(x) == {"fixed"}:
        return Fixed(_number(x["fixed"], "a Fixed rule"))
    return _number(x, "a kink rule")


def _frameworks(rules: Any) -> dict[str, KinkRule]:
    out: dict[str, KinkRule] = {}
    for fw, rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, list):
            out[str(fw)] = {_number(k, "a kink"): _rule(v) for k, v in rule}
        else:
            out[str(fw)] = _rule(rule)
    return out


def _raise(outcome_error: AgentError) -> None:
    o = outcome_error.outcome
    if o.status in ("timeout", "died", "notebook timeout", "output cap"):
        raise outcome_error
    kind = _EXCEPTIONS.get(o.ename)
    if kind is None:
        raise RuntimeError(f"{o.ename}: {o.evalue}")
    raise kind(o.evalue)


def remote_activation(agent: Agent, expr: str, until: float) -> Any:
    """The activation (or activation class) ``expr`` names in the student's kernel, as a grader-side proxy.

    ``until`` is the monotonic time by which every call must be answered.
    """
    desc, _ = agent.request({"op": "eval", "expr": expr, "as": "ref"}, until=until)
    for key in ("name", "defaults", "formula", "frameworks", "is_class", "handle", "params", "int_params"):
        if key not in desc:
            raise NotPlain(f"{expr} is not an activation")
    defaults: dict[str, Any] = {}
    for k, v in (desc["defaults"] or {}).items():
        val = _number(v, f"default {k}")
        defaults[str(k)] = int(val) if k in desc["int_params"] and math.isfinite(val) and val.is_integer() else val
    name = str(desc["name"])

    def call(handle: int, method: str, *args: Any) -> Any:
        headers: list[Any] = []
        buffers: list[bytes] = []
        for a in args:
            h, b = to_plain(a)
            if b:  # renumber this argument's buffers after the earlier ones
                h = {"$a": [h["$a"][0], h["$a"][1], len(buffers)]}
            headers.append(h)
            buffers.extend(b)
        try:
            reply, bufs = agent.request(
                {"op": "call", "handle": handle, "method": method, "args": headers, "err": dict(np.geterr())},
                buffers, until=until,
            )
        except AgentError as exc:
            _raise(exc)
        if "unplain" in reply:
            raise TypeError(f"{method} returned something that is not numbers: {reply['unplain']}")
        for cat, msg in reply.get("warnings", [])[:20]:
            warnings.warn(str(msg), _WARNINGS.get(str(cat), UserWarning), stacklevel=3)
        return decode(reply.get("value"), bufs)

    def new(params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            header, _ = to_plain({str(k): v for k, v in params.items()})
            reply, _ = agent.request({"op": "new", "handle": desc["handle"], "params": header}, until=until)
        except AgentError as exc:
            _raise(exc)
        return int(reply["handle"]), reply

    class Remote(Activation):
        __doc__ = f"The student's {name!r}, evaluated in the student's kernel."
        # every call is bounded by ``until`` already; a forked child (kit.check's time limit) would share the
        # agent's socket and, unable to wait for the kernel it did not start, take it for dead and kill it
        in_process_only = True

        def __init__(self, **params: float) -> None:
            if desc["is_class"]:
                self._handle, _ = new(dict(params))
            else:
                self._handle = int(desc["handle"])
            super().__init__(**params)

        def value(self, z: Any) -> Any:
            return call(self._handle, "value", z)

        def left_derivative(self, z: Any) -> Any:
            return call(self._handle, "left_derivative", z)

        def right_derivative(self, z: Any) -> Any:
            return call(self._handle, "right_derivative", z)

        def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> Any:
            return np.asarray(call(self._handle, "kinks", lo, hi))

        def saturation(self, tol: float = 1e-3) -> list[tuple[float, float]]:
            out = call(self._handle, "saturation", tol)
            if not isinstance(out, list) or not all(isinstance(p, list) and len(p) == 2 for p in out):
                raise TypeError(f"saturation({tol!r}) must return a list of (lo, hi) pairs")
            return [(_number(a, "an interval end"), _number(b, "an interval end")) for a, b in out]

    Remote.name = name if isinstance(name, str) else ""
    Remote.defaults = defaults
    Remote.formula = str(desc["formula"])
    Remote.frameworks = _frameworks(desc["frameworks"])
    Remote.__name__ = Remote.__qualname__ = name.title().replace("_", "") if NAME_PATTERN.match(name) else "Student"
    if desc["is_class"]:
        return Remote
    obj = Remote.__new__(Remote)
    obj._handle = int(desc["handle"])
    Activation.__init__(obj, **{k: v for k, v in desc["params"].items() if k in defaults})
    return obj


def deadline(seconds: float) -> float:
    """A monotonic time ``seconds`` from now."""
    return time.monotonic() + seconds
