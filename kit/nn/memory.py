"""Memory: what a network and its training will allocate, checked against what is available.

Part of the engine; see :mod:`kit.nn`.  ``MLP([2, 10**9, 1])`` asks for about
32 GB (16 GB of float32 weights, and the float64 draw they are rounded from);
allocating it would get the process killed by the operating system's
out-of-memory killer, losing the notebook's kernel.  :class:`~kit.nn.MLP` and
:class:`~kit.nn.Trainer` therefore estimate their allocations first and raise
:class:`MemoryError` naming the estimate and what is available, before
allocating anything.

What is available is read, in this order of preference:

* Linux: ``MemAvailable`` in ``/proc/meminfo``, lowered to the room left
  under the cgroup's memory limit (``/sys/fs/cgroup/memory.max`` minus
  ``memory.current``, or cgroup v1's ``memory.limit_in_bytes`` minus
  ``memory.usage_in_bytes``, the inactive file cache of ``memory.stat``
  counted as free) where one is set, as in a container or a JupyterHub
  server with a memory limit;
* elsewhere: the physical memory (``os.sysconf``), a bound no allocation can
  exceed and still fit;
* if neither can be read, nothing is compared (the estimate is still made).

Examples
--------
>>> need = parameters_bytes([2, 3, 1], "float32")
>>> need
52
>>> fmt(3 * 2**30)
'3.22 GB'
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["available", "check", "fmt", "network_bytes", "parameters_bytes", "training_bytes"]


def parameters_bytes(sizes: Sequence[int], dtype: Any) -> int:
    """Bytes of the weights and biases of a network of ``sizes`` in ``dtype``."""
    item = np.dtype(dtype).itemsize
    return item * sum(a * b + b for a, b in itertools.pairwise(sizes))


def network_bytes(sizes: Sequence[int], dtype: Any) -> int:
    """Peak bytes :class:`~kit.nn.MLP` allocates: its parameters and the float64 draw of its largest layer.

    The initialisation draws a layer in float64, scales it (a second float64
    array) and rounds it to ``dtype``.
    """
    largest = max(((a + 1) * b for a, b in itertools.pairwise(sizes)), default=0)
    return parameters_bytes(sizes, dtype) + 2 * 8 * largest


def training_bytes(
    sizes: Sequence[int], dtype: Any, n: int, batch_size: int, optimizer: str, dropout: bool, penalty: bool
) -> int:
    """Bytes a :class:`~kit.nn.Trainer` allocates on top of the network, about (an upper estimate).

    Parameters
    ----------
    sizes : sequence of int
        The network's layer widths.
    dtype : numpy dtype or str
    n : int
        Training rows.
    batch_size : int
        Rows per step (``n`` for the full batch).
    optimizer : {"sgd", "momentum", "adam"}
    dropout : bool
        Whether any layer drops units (masks and random numbers per batch).
    penalty : bool
        Whether l1 or l2 is on (one more array per weight).

    Returns
    -------
    int
        The gradients and the optimiser's state (per parameter), the inputs
        and targets in ``dtype``, the per-batch pre-activations, activations
        and backward buffers, and the records' forward pass over all ``n``
        rows (pre-activations, activations, one derivative).
    """
    item = np.dtype(dtype).itemsize
    params = parameters_bytes(sizes, dtype)
    per_param = 1 + {"sgd": 1, "momentum": 2, "adam": 4}.get(optimizer, 4) + (1 if penalty else 0)
    outputs = sum(sizes[1:])
    hidden = sum(sizes[1:-1])
    widest = max(sizes[1:], default=0)
    rows = n * (sizes[0] + sizes[-1])  # inputs and targets in dtype
    batch = batch_size * (sizes[0] + sizes[-1] + 2 * outputs + 2 * hidden + 2 * widest + 1)
    if dropout:
        batch += batch_size * hidden * (2 + 4 // item + 1)
    record = n * (outputs + hidden + 2 * widest)
    return per_param * params + item * (rows + batch + record)


def _read_int(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _stat(path: str, key: str) -> int:
    """The value of ``key`` in a cgroup ``memory.stat`` file, 0 if absent."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                name, _, value = line.partition(" ")
                if name == key and value.strip().isdigit():
                    return int(value)
    except (OSError, UnicodeDecodeError):
        pass
    return 0


def available() -> tuple[int, str] | None:
    """Bytes that can be allocated now and where that number comes from, or None if unknown.

    Examples
    --------
    >>> got = available()
    >>> got is None or got[0] >= 0
    True
    """
    found: list[tuple[int, str]] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found.append((int(line.split()[1]) * 1024, "MemAvailable in /proc/meminfo"))
                    break
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file, stat_file, key in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current", "/sys/fs/cgroup/memory.stat", "inactive_file"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes",
         "/sys/fs/cgroup/memory/memory.stat", "total_inactive_file"),
    ):
        limit, usage = _read_int(limit_file), _read_int(usage_file)
        if limit is not None and usage is not None and limit < 2**60:  # "max" or a huge number: no limit
            # the usage counts the file cache too; its inactive part is given back on demand (the
            # "working set" container runtimes compare with the limit)
            used = max(0, usage - _stat(stat_file, key))
            found.append((max(0, limit - used), f"the memory limit in {limit_file}"))
            break
    if not found:
        try:
            found.append((os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"), "the physical memory"))
        except (AttributeError, ValueError, OSError):
            return None
    return min(found)


def fmt(n: float) -> str:
    """Bytes as a short decimal number: ``'3.22 GB'``."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} bytes"


def check(what: str, need: int, hint: str) -> None:
    """Raise :class:`MemoryError` if ``need`` bytes are more than :func:`available` says there is.

    Parameters
    ----------
    what : str
        What would be allocated (the sentence's subject).
    need : int
        The estimate, in bytes.
    hint : str
        What to do instead.
    """
    got = available()
    if got is None:
        return
    room, source = got
    if need > room:
        raise MemoryError(f"{what} needs about {fmt(need)} of memory, but only {fmt(room)} is available "
                          f"({source}): {hint}; nothing was allocated")
