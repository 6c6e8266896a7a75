"""Benchmark: what ``kit.check`` costs, by the number of declared kinks, and what its time limit costs.

Prints two tables:

(a) ``kit.check`` (every check and the information) on ``w floor(z / w)`` with
    10^4 to 10^7 kinks in [-10, 10], written as an outside author would (no
    closed forms), against ``kit.check("relu")``: wall and CPU seconds of the
    process and its check children, and the ratio to relu;
(b) the time limit's cost: ``kit.check`` with the checks in a forked child
    (the default) against ``time_limit=None`` (in this process), for relu,
    gelu and the staircase plugin.

Runs are interleaved (best of N), so a busy machine slows every column alike.
Run: ``.venv/bin/python benchmarks/bench_check.py``.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

import kit

REPEAT = 3


class Stairs(kit.Activation):
    """w floor(z / w), exactly (fmod), with the step w a parameter; kinks() lists the steps."""

    defaults = {"w": 2.0**-19}

    def _rem(self, z):
        with np.errstate(invalid="ignore"):
            return np.where(np.isinf(z), z.dtype.type(0), np.fmod(z, z.dtype.type(self.w)))

    def value(self, z):
        r = self._rem(z)
        return np.where(r < 0, z - r - z.dtype.type(self.w), z - r)

    def left_derivative(self, z):
        on = (self._rem(z) == 0) & np.isfinite(z)
        return np.where(np.isnan(z), z, np.where(on, np.inf, 0.0).astype(z.dtype))

    def right_derivative(self, z):
        return np.where(np.isnan(z), z, np.zeros_like(z))

    def kinks(self, lo=-math.inf, hi=math.inf):
        if not (math.isfinite(lo) and math.isfinite(hi)) or (hi - lo) / self.w > 1e8:
            raise ValueError("ask about a smaller window")
        first = lo - math.fmod(lo, self.w)
        pts = np.unique(first + self.w * np.arange(-1, int((hi - first) / self.w) + 2))
        return kit.within(pts[np.fmod(pts, self.w) == 0], lo, hi)


def timed(fn) -> tuple[float, float]:
    """(wall, CPU of this process and its reaped children) seconds of one call."""
    t0, c0 = time.perf_counter(), os.times()
    report = fn()
    t1, c1 = time.perf_counter(), os.times()
    assert report.ok, report.problems
    cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user)
    return t1 - t0, cpu + (c1.children_system - c0.children_system)


def best(cases: dict[str, object]) -> dict[str, tuple[float, float]]:
    out = {name: (math.inf, math.inf) for name in cases}
    for _ in range(REPEAT):
        for name, fn in cases.items():
            wall, cpu = timed(fn)
            out[name] = (min(out[name][0], wall), min(out[name][1], cpu))
    return out


def main() -> None:
    cases = {"relu": lambda: kit.check("relu")}
    for exponent in (4, 5, 6, 7):
        w = 2.0 ** -math.ceil(math.log2(10**exponent / 20))
        n = Stairs(w=w).kinks(-10, 10).size
        cases[f"stairs, {n:,} kinks"] = lambda w=w: kit.check(Stairs(w=w))
    rows = best(cases)
    base = rows["relu"][0]
    print(f"(a) kit.check by the number of declared kinks (best of {REPEAT})")
    print(f"{'activation':<28}{'wall s':>9}{'CPU s':>9}{'x relu':>9}")
    for name, (wall, cpu) in rows.items():
        print(f"{name:<28}{wall:>9.2f}{cpu:>9.2f}{wall / base:>9.1f}")

    print(f"\n(b) the time limit's cost: checks in a forked child against in this process (best of {REPEAT})")
    pairs = {}
    for name in ("relu", "gelu", "staircase"):
        pairs[f"{name} forked"] = lambda n=name: kit.check(n)
        pairs[f"{name} in process"] = lambda n=name: kit.check(n, time_limit=None)
    rows = best(pairs)
    print(f"{'activation':<12}{'forked s':>10}{'here s':>10}{'ratio':>8}")
    for name in ("relu", "gelu", "staircase"):
        forked, here = rows[f"{name} forked"][0], rows[f"{name} in process"][0]
        print(f"{name:<12}{forked:>10.3f}{here:>10.3f}{forked / here:>8.2f}")


if __name__ == "__main__":
    main()
