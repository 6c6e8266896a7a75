"""Plugin code under a time limit: the checks run in a child process that is killed when time runs out.

A plugin whose ``value`` never returns must not hang the notebook that checks
it, and one that calls ``os._exit`` or crashes must not take the kernel with
it.  A thread cannot do that: Python cannot stop a thread (an exception can be
injected between bytecodes, but not into a loop in C or a ``time.sleep``),
and an abandoned one keeps burning a core and holding whatever it locked.  A
process can be killed.  So :func:`run_steps` forks the current process (the
activation, also one defined in a notebook cell, is simply there in the
child: nothing is pickled but the results), runs the steps one after the
other in the child, and gives each ``limit`` seconds to answer through a pipe.
A step that runs out is reported, the child is killed, and a new child carries
on with the next step.  Forking costs a few milliseconds; the child ends with
``os._exit``, so it flushes and closes nothing of the parent's (a Jupyter
kernel's sockets included).

Where ``fork`` is unsafe or missing (macOS, whose system libraries are not
fork-safe, and Windows) the steps run in a thread of this process instead: the
time limit still holds and is reported, but a step that never returns keeps
running in the background (an exception is injected to stop a loop in
Python), and ``os._exit`` is not contained.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Outcome", "forking", "run_steps"]


@dataclass(frozen=True)
class Outcome:
    """How a step ended: ``"done"`` (with its ``value``), ``"timeout"``, ``"died"`` or ``"error"`` (``detail`` says)."""

    status: str
    value: Any = None
    detail: str = ""


def forking() -> bool:
    """True where :func:`run_steps` runs the steps in a forked child (Linux)."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def run_steps(
    steps: Sequence[Callable[[], Any]], limit: float, context: Callable[[], Any] = contextlib.nullcontext
) -> list[Outcome]:
    """Run ``steps`` in order, each under ``limit`` seconds; one :class:`Outcome` per step.

    ``context()`` is entered once around the steps a child runs (the
    checks share what they learnt of the kinks that way).  A step's value must
    be picklable (it crosses a pipe).  Whatever a step
    raises, ``SystemExit`` included, is an ``"error"`` outcome; a step that
    ends the process (``os._exit``, a crash) is ``"died"``; ``KeyboardInterrupt``
    in the caller kills the child and passes.

    Examples
    --------
    >>> import time
    >>> [o.status for o in run_steps([lambda: 1 + 1, lambda: time.sleep(60), lambda: "after"], limit=0.5)]
    ['done', 'timeout', 'done']
    """
    if not forking():
        return _in_threads(steps, limit, context)
    out: list[Outcome] = []
    while len(out) < len(steps):
        out += _one_child(steps, len(out), limit, context)
    return out


def _one_child(
    steps: Sequence[Callable[[], Any]], start: int, limit: float, context: Callable[[], Any]
) -> list[Outcome]:
    """Fork a child running ``steps[start:]``; collect outcomes until all are in or one fails to answer."""
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns about fork in a process with threads (a kernel has them)
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: run, report, and leave without touching anything of the parent's
        code = 0
        try:
            os.close(read_fd)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            with context():
                for i in range(start, len(steps)):
                    _send(write_fd, _attempt(steps[i]))
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    out: list[Outcome] = []
    buffer = bytearray()
    try:
        for _ in range(start, len(steps)):
            frame, buffer = _receive(read_fd, buffer, time.monotonic() + limit)
            if frame is None:  # out of time
                _kill(pid)
                out.append(Outcome("timeout", detail=f"no answer within {limit:g} s"))
                return out
            if frame == b"":  # the pipe closed: the child ended without answering
                out.append(Outcome("died", detail=_how_it_ended(pid)))
                return out
            out.append(pickle.loads(frame))
        _reap(pid)
        return out
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(read_fd)


def _attempt(step: Callable[[], Any]) -> bytes:
    try:
        outcome = Outcome("done", step())
    except BaseException as exc:  # SystemExit too: it is the step's doing, not the child's end
        outcome = Outcome("error", detail=f"{type(exc).__name__}: {exc}")
    try:
        return pickle.dumps(outcome)
    except Exception as exc:
        return pickle.dumps(Outcome("error", detail=f"its result cannot be sent back: {type(exc).__name__}: {exc}"))


def _send(fd: int, payload: bytes) -> None:
    data = struct.pack("!Q", len(payload)) + payload
    while data:
        data = data[os.write(fd, data):]


def _receive(fd: int, buffer: bytearray, deadline: float) -> tuple[bytes | None, bytearray]:
    """One length-prefixed frame; ``None`` at the deadline, ``b""`` if the pipe closed first."""
    while True:
        if len(buffer) >= 8:
            (size,) = struct.unpack("!Q", bytes(buffer[:8]))
            if len(buffer) >= 8 + size:
                return bytes(buffer[8 : 8 + size]), buffer[8 + size :]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, buffer
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None, buffer
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"", buffer
        buffer += chunk


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> int:
    with contextlib.suppress(ChildProcessError):
        return os.waitpid(pid, 0)[1]
    return 0


def _how_it_ended(pid: int) -> str:
    status = _reap(pid)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"the process running it was ended by signal {sig} ({signal.Signals(sig).name})"
    return f"the process running it exited with status {os.WEXITSTATUS(status)} (os._exit?)"


# -- without fork: a thread, which can be abandoned but not killed ----------------------------------


class _TimedOut(BaseException):
    """Injected into a step's thread when its time is up (stops a loop in Python code)."""


def _in_threads(steps: Sequence[Callable[[], Any]], limit: float, context: Callable[[], Any]) -> list[Outcome]:
    out = []
    for step in steps:
        box: list[Outcome] = []

        def run(s: Callable[[], Any] = step, into: list[Outcome] = box) -> None:
            with context():
                into.append(pickle.loads(_attempt(s)))

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(limit)
        if thread.is_alive():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident or 0), ctypes.py_object(_TimedOut))
            out.append(Outcome("timeout", detail=f"no answer within {limit:g} s (still running in the background)"))
        else:
            out.append(box[0] if box else Outcome("error", detail="the step ended without a result"))
    return out
