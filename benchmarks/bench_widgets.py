"""Benchmark: from a control change to a finished redraw, per app, in-process.

Each row moves one control of a real app (the ipywidgets objects, no
browser): setting ``.value`` or calling ``.click()`` runs the app's callback,
which updates the model, draws the figure with Agg (static parts redrawn only
when they change, the moving artists blitted over them), encodes the PNG and
puts it into the app's ``ipywidgets.Image``.  The time of that whole chain is
measured with ``time.perf_counter``; the table gives the median and the 90th
percentile over the repeats, and how many of the redraws had to be full draws
(a static picture seen shortly before is kept and needs none: the "first
view" row clears that store before every change, the worst case).

Targets (issue 5): under 50 ms for explorer and descent; issue 13: under
50 ms (20 frames/s) for a playground Play frame that trains 10 steps of a
2-8-8-1 network on 500 points and computes its network view (the playground
draws in the browser: its "full draws" column counts nothing).
Not measured: the browser's side (sending the PNG over the websocket and
showing it), which the browser test exercises but does not time.

Run: ``.venv/bin/python benchmarks/bench_widgets.py [--repeats N]``
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import kit.widgets


def measure(app: Any, action: Callable[[], None], repeats: int, warmup: int = 3) -> dict[str, float]:
    """Run ``action`` (one control change) ``repeats`` times; times in ms and full-draw share."""
    for _ in range(warmup):
        action()
    frames0, full0 = _draws(app)
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        if app.error:
            raise RuntimeError(f"the app reported an error: {app.error}")
    frames1, full1 = _draws(app)
    frames, full = frames1 - frames0, full1 - full0
    times.sort()
    return {"median": statistics.median(times), "p90": times[int(0.9 * (len(times) - 1))],
            "cpu": statistics.median(cpu), "full": full, "frames": frames}


def _draws(app: Any) -> tuple[int, int]:
    """Frames and full draws of the app's matplotlib picture so far."""
    return app.model.frames.frames, app.model.frames.full_draws


def cycle_value(ctrl: Any, values: list[Any]) -> Callable[[], None]:
    """An action that sets ``ctrl.value`` to the next of ``values``, round and round."""
    it = itertools.cycle(values)

    def move() -> None:
        ctrl.value = next(it)

    return move


def rows(repeats: int) -> list[tuple[str, str, float, dict[str, float]]]:
    """Every benchmark row: (app, control, target in ms or NaN, measurements)."""
    out = []
    ex = kit.widgets.explorer("relu")
    out.append(("explorer", "kink rule left/right/mean", 50,
                measure(ex, cycle_value(ex.controls["kink"], ["right", "mean", "left"]), repeats)))
    ex.controls["kink"].value = "t"
    out.append(("explorer", "t slider", 50, measure(ex, cycle_value(ex.controls["t"], [0.2, 0.4, 0.6, 0.8]), repeats)))
    ex.controls["activation"].value = "leaky_relu"
    out.append(("explorer", "leaky_relu alpha slider", 50,
                measure(ex, cycle_value(ex.param_controls["alpha"], [0.05, 0.1, 0.2, 0.3]), repeats)))
    ex.controls["activation"].value = "tanh"
    out.append(("explorer", "saturation tol on tanh", 50,
                measure(ex, cycle_value(ex.controls["tol"], [1e-3, 1e-2, 1e-1]), repeats)))
    ex.controls["activation"].value = "relu"
    out.append(("explorer", "activation relu/elu/tanh (kept)", 50,
                measure(ex, cycle_value(ex.controls["activation"], ["elu", "tanh", "relu"]), repeats)))
    pick = cycle_value(ex.controls["activation"], ["elu", "tanh", "relu"])

    def first_view() -> None:  # as if each activation were shown for the first time: no kept static picture
        ex.model.frames.backgrounds.clear()
        pick()

    out.append(("explorer", "activation, first view (full draw)", 50, measure(ex, first_view, repeats)))

    de = kit.widgets.descent("relu")
    out.append(("descent", "learning-rate slider", 50,
                measure(de, cycle_value(de.controls["lr"], [0.3, 0.5, 0.7, 0.4]), repeats)))
    out.append(("descent", "kink rule", 50,
                measure(de, cycle_value(de.controls["kink"], ["right", "mean", "left"]), repeats)))
    de.controls["steps"].max = 10**6
    out.append(("descent", "step button", 50, measure(de, de.controls["step"].click, repeats)))

    pg = kit.widgets.playground(dataset="xor", n=500, test_fraction=0.0, hidden=[8, 8], steps_per_frame=10)
    pg.controls["play"].playing = True  # each tick is what one frame request of the browser does
    out.append(("playground", "Play frame: 10 steps, 2-8-8-1, 500 pts", 50, measure(pg, pg.controls["play"].tick,
                                                                                     repeats)))
    pg2 = kit.widgets.playground(dataset="xor", n=500, hidden=[8, 8], steps_per_frame=10)
    out.append(("playground", "same, with a 30 % test split", 100,
                measure(pg2, pg2.controls["step"].click, repeats)))
    out.append(("playground", "learning rate (rebuild, step 0)", float("nan"),
                measure(pg2, cycle_value(pg2.controls["lr"], [0.05, 0.1, 0.2]), max(5, repeats // 3))))

    du = kit.widgets.dead_units()
    out.append(("dead_units", "frame: 20 steps, 2-16-16-16-1", float("nan"), measure(du, du.controls["step"].click,
                                                                                       repeats)))
    sa = kit.widgets.saturation()
    out.append(("saturation", "frame: 20 steps, 2-16-1", float("nan"), measure(sa, sa.controls["step"].click,
                                                                                 repeats)))
    return out


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    results = rows(args.repeats)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"Control change -> finished redraw (Agg draw + PNG into the Image widget), {args.repeats} repeats; "
          f"{os.cpu_count()} CPUs, load average {load}")
    print("wall = median wall-clock time (the target's measure); cpu = median CPU time of this process "
          "(less sensitive to other processes on a shared machine)")
    head = (f"{'app':<11} {'control':<35} {'wall ms':>8} {'p90 ms':>7} {'cpu ms':>7} {'target':>7} "
            f"{'full draws':>11}  ok")
    print(head)
    print("-" * len(head))
    for app, action, target, r in results:
        tgt = "-" if target != target else f"<{target:.0f}"
        ok = "" if target != target else ("yes" if r["median"] < target else "NO")
        full = f"{r['full']:.0f}/{r['frames']:.0f}"
        print(f"{app:<11} {action:<35} {r['median']:>8.1f} {r['p90']:>7.1f} {r['cpu']:>7.1f} {tgt:>7} {full:>11}  {ok}")


if __name__ == "__main__":
    main()
