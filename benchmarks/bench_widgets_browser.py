"""Benchmark: the apps in a real JupyterLab in headless Chromium, timed in the browser.

What a student feels, measured where they feel it: from a control moved in
the page to a new picture in the page (the kernel's work, the websocket both
ways and the browser's part), the playground's frame rate while playing, the
time from Play to the first new frame, the frames that still arrive after
Pause, and how many new pictures the explorer and the descent app show while
a slider is dragged for 1.5 s.

A "new picture" is a new ``src`` of an app's ``<img>`` (PNG apps) or a new
``data-frame`` of its ``<canvas>`` (apps drawn in the browser), seen by a
MutationObserver and stamped with ``performance.now()``; a control is moved
by a script in the page that takes its own time stamp just before (so the
figures hold no Playwright overhead), a drag by Playwright's mouse.

The same script measures any checkout: ``--kit DIR`` puts ``DIR`` first on
the kernel's ``PYTHONPATH`` (e.g. an export of ``main`` for the "before" row;
the installed plugins resolve there too).  Not a test: nothing is asserted;
the table says which of the issue's numbers are met.

Run: ``.venv/bin/python benchmarks/bench_widgets_browser.py [--kit DIR] [--label NAME] [--repeats N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from labserver import CHROMIUM, CHROMIUM_ARGS, open_and_run, start_lab, stop_lab, write_notebook

CELLS = [
    "import kit.widgets",
    "explorer = kit.widgets.explorer('leaky_relu')\nexplorer",
    "descent = kit.widgets.descent('relu')\ndescent",
    "play = kit.widgets.playground(dataset='xor', n=500, hidden=[8, 8], steps_per_frame=10)\nplay",
]
EXPLORER, DESCENT, PLAYGROUND = 0, 1, 2

WATCH = """() => {
  const apps = Array.from(document.querySelectorAll('.kit-app'));
  window.__kit = {changes: apps.map(() => [])};
  apps.forEach((app, i) => {
    const obs = new MutationObserver(muts => {
      for (const m of muts) {
        const t = m.target;
        if ((t.tagName === 'IMG' && m.attributeName === 'src') ||
            (t.tagName === 'CANVAS' && m.attributeName === 'data-frame')) {
          window.__kit.changes[i].push(performance.now());
        }
      }
    });
    obs.observe(app, {subtree: true, attributes: true, attributeFilter: ['src', 'data-frame']});
  });
  return apps.length;
}"""

READY = """(n) => {
  const apps = Array.from(document.querySelectorAll('.kit-app'));
  return apps.length === n && apps.every(a => {
    const img = a.querySelector('img'), cv = a.querySelector('canvas[data-frame]');
    return (img && img.complete && img.naturalWidth > 100) || (cv && Number(cv.dataset.frame) > 0);
  });
}"""

# find a control of app i by its visible description; act on it; return the time stamp taken just before
SELECT = """([i, label, value]) => {
  const app = document.querySelectorAll('.kit-app')[i];
  for (const box of app.querySelectorAll('.widget-dropdown')) {
    const lab = box.querySelector('label');
    if (lab && lab.textContent.trim() === label) {
      const sel = box.querySelector('select');
      const t0 = performance.now();
      sel.value = Array.from(sel.options).find(o => o.textContent.trim() === value).value;
      sel.dispatchEvent(new Event('change', {bubbles: true}));
      return t0;
    }
  }
  throw new Error('no dropdown ' + label);
}"""

READOUT = """([i, label, text]) => {
  const app = document.querySelectorAll('.kit-app')[i];
  for (const box of app.querySelectorAll('.widget-slider')) {
    const lab = box.querySelector('label');
    if (lab && lab.textContent.trim() === label) {
      const r = box.querySelector('.widget-readout');
      r.textContent = text;
      const t0 = performance.now();
      r.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', keyCode: 13, which: 13, bubbles: true}));
      return t0;
    }
  }
  throw new Error('no slider ' + label);
}"""

CLICK = """([i, text]) => {
  const app = document.querySelectorAll('.kit-app')[i];
  const b = Array.from(app.querySelectorAll('button')).find(b => b.textContent.trim() === text ||
                                                                 b.classList.contains('kit-' + text));
  if (!b) throw new Error('no button ' + text);
  const t0 = performance.now();
  b.click();
  return t0;
}"""

# play / pause: the kit's player (.kit-play, .kit-pause) or an ipywidgets.Play (its first and second button)
PLAY = """([i, what]) => {
  const app = document.querySelectorAll('.kit-app')[i];
  let b = app.querySelector(what === 'play' ? '.kit-play' : '.kit-pause');
  if (!b) b = app.querySelectorAll('.widget-play button')[what === 'play' ? 0 : 1];
  const t0 = performance.now();
  b.click();
  return t0;
}"""

HANDLE = """([i, label]) => {
  const app = document.querySelectorAll('.kit-app')[i];
  for (const box of app.querySelectorAll('.widget-slider')) {
    const lab = box.querySelector('label');
    if (lab && lab.textContent.trim() === label) {
      box.scrollIntoView({block: 'center'});
      const h = box.querySelector('.noUi-handle').getBoundingClientRect();
      const track = box.querySelector('.noUi-target').getBoundingClientRect();
      return [h.x + h.width / 2, h.y + h.height / 2, track.x, track.width];
    }
  }
  throw new Error('no slider ' + label);
}"""


def changes(page: Any, i: int) -> list[float]:
    """Time stamps of app ``i``'s new pictures so far."""
    return page.evaluate("(i) => window.__kit.changes[i]", i)


def wait_change(page: Any, i: int, after: float, timeout_ms: int = 20_000) -> float:
    """The first new picture of app ``i`` after ``after`` (ms, page clock)."""
    page.wait_for_function("([i, t]) => window.__kit.changes[i].some(x => x > t)", arg=[i, after],
                           timeout=timeout_ms, polling="raf")
    return min(x for x in changes(page, i) if x > after)


def round_trips(page: Any, i: int, act: Any, values: list[Any], repeats: int) -> list[float]:
    """Move a control through ``values`` (cycling) ``repeats`` times; each time to the new picture (ms)."""
    out = []
    for k in range(repeats):
        t0 = act(values[k % len(values)])
        out.append(wait_change(page, i, t0) - t0)
        page.wait_for_timeout(150)  # let trailing messages (status, summaries) settle
    return out


def drag(page: Any, i: int, label: str, seconds: float = 1.5) -> tuple[int, float]:
    """Drag a slider's handle across its track for ``seconds``; new pictures during the drag, and updates/s."""
    x, y, x0, width = page.evaluate(HANDLE, [i, label])
    page.wait_for_timeout(300)
    page.mouse.move(x, y)
    page.mouse.down()
    start = page.evaluate("() => performance.now()")
    n_moves = 45
    for k in range(1, n_moves + 1):  # there and half back: the value keeps changing throughout
        frac = k / n_moves
        target = x0 + width * (0.1 + 0.8 * (2 * frac if frac <= 0.5 else 2 - 2 * frac))
        page.mouse.move(target, y)
        page.wait_for_timeout(seconds * 1000 / n_moves)
    end = page.evaluate("() => performance.now()")
    page.mouse.up()
    during = [t for t in changes(page, i) if start < t <= end]
    page.wait_for_timeout(1500)
    return len(during), len(during) / ((end - start) / 1000)


def play_pause(page: Any, i: int, seconds: float = 3.0) -> dict[str, float]:
    """Play for ``seconds``, then pause: frames/s, ms from Play to the first frame, frames after Pause."""
    page.wait_for_timeout(500)
    t0 = page.evaluate(PLAY, [i, "play"])
    first = wait_change(page, i, t0)
    page.wait_for_timeout(seconds * 1000)
    t1 = page.evaluate(PLAY, [i, "pause"])
    page.wait_for_timeout(2000)
    frames = [t for t in changes(page, i) if t0 < t <= t1]
    late = [t for t in changes(page, i) if t > t1]
    fps = (len(frames) - 1) / ((frames[-1] - frames[0]) / 1000) if len(frames) > 1 else 0.0
    return {"fps": fps, "first": first - t0, "after_pause": len(late)}


def run(kit_dir: str | None, repeats: int, width: int, height: int) -> dict[str, Any]:
    """Every measurement, in one JupyterLab and one Chromium."""
    from playwright.sync_api import sync_playwright

    env = {}
    if kit_dir:
        env["PYTHONPATH"] = os.pathsep.join([kit_dir, *filter(None, [os.environ.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
        lab = start_lab(Path(tmp) / "lab", env)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                rel = write_notebook(lab, CELLS, "bench.ipynb")
                open_and_run(page, lab, rel)
                page.wait_for_function(READY, arg=3, timeout=120_000)
                page.evaluate(WATCH)
                out: dict[str, Any] = {}
                out["explorer kink rule"] = round_trips(
                    page, EXPLORER, lambda v: page.evaluate(SELECT, [EXPLORER, "kink rule", v]),
                    ["right", "mean", "left"], repeats)
                out["explorer activation"] = round_trips(
                    page, EXPLORER, lambda v: page.evaluate(SELECT, [EXPLORER, "activation", v]),
                    ["elu", "tanh", "leaky_relu"], repeats)
                # on tanh every tolerance shades a different region (on leaky_relu some give the same picture)
                wait_change(page, EXPLORER, page.evaluate(SELECT, [EXPLORER, "activation", "tanh"]))
                out["explorer tolerance"] = round_trips(
                    page, EXPLORER, lambda v: page.evaluate(READOUT, [EXPLORER, "saturation tol", v]),
                    ["1e-2", "1e-1", "1e-3"], repeats)
                out["playground step"] = round_trips(
                    page, PLAYGROUND, lambda _v: page.evaluate(CLICK, [PLAYGROUND, "step"]), [None], repeats)
                out["playground dataset"] = round_trips(
                    page, PLAYGROUND, lambda v: page.evaluate(SELECT, [PLAYGROUND, "data", v]),
                    ["circle", "gauss", "xor"], repeats)
                wait_change(page, EXPLORER, page.evaluate(SELECT, [EXPLORER, "activation", "leaky_relu"]))
                out["explorer drag"] = drag(page, EXPLORER, "alpha")  # leaky ReLU's alpha slider
                out["descent drag"] = drag(page, DESCENT, "w₀")
                out["play"] = play_pause(page, PLAYGROUND)
                browser.close()
        finally:
            stop_lab(lab)
    return out


def main() -> None:
    """Run the measurements and print the issue's table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kit", help="a checkout whose kit the kernel imports (default: the installed one)")
    parser.add_argument("--label", default="this tree")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--viewport", default="1500x1100")
    args = parser.parse_args()
    width, height = (int(v) for v in args.viewport.split("x"))
    r = run(args.kit, args.repeats, width, height)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"{args.label}: JupyterLab in headless Chromium, viewport {width}x{height}, {args.repeats} repeats per "
          f"control (median, max); {os.cpu_count()} CPUs, load average {load}")
    head = f"{'measure':<42} {'issue found':>12} {'target':>10} {'measured':>18}  ok"
    print(head)
    print("-" * len(head))

    def line(name: str, found: str, target: str, value: str, ok: bool | None) -> None:
        mark = "" if ok is None else ("yes" if ok else "NO")
        print(f"{name:<42} {found:>12} {target:>10} {value:>18}  {mark}")

    for key, found in (("explorer kink rule", "41 ms"), ("explorer activation", "91 ms"),
                       ("explorer tolerance", "54 ms"), ("playground step", "55 ms"),
                       ("playground dataset", "129 ms")):
        v = r[key]
        line(f"{key}: control -> new picture", found, "-", f"{statistics.median(v):.0f} ms ({max(v):.0f})", None)
    n, rate = r["explorer drag"]
    line("explorer: new pictures in a 1.5 s drag", "0", ">= 10/s", f"{n} ({rate:.1f}/s)", rate >= 10)
    n, rate = r["descent drag"]
    line("descent: new pictures in a 1.5 s drag", "0", ">= 10/s", f"{n} ({rate:.1f}/s)", rate >= 10)
    p = r["play"]
    line("playground Play, 2-8-8-1 on 500 points", "6.5 /s", ">= 20 /s", f"{p['fps']:.1f} /s", p["fps"] >= 20)
    line("playground: Play -> first frame", "244 ms", "<= 100 ms", f"{p['first']:.0f} ms", p["first"] <= 100)
    line("playground: frames after Pause", "1-2", "<= 1", f"{p['after_pause']}", p["after_pause"] <= 1)


if __name__ == "__main__":
    main()
