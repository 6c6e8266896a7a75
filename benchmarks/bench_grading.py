"""Grading a class: wall time, overhead per submission beyond the notebook's own run time, peak memory.

Grades N submissions (default 100) of a lessons coursework notebook (a third
the teacher's solution, a third with wrong answers, a third handed in blank)
with ``kit.coursework.grading.grade`` over all cores, once per isolation mode
(namespaces where bubblewrap works, and processes), and prints:

* wall time of the whole grading (reference run and worker start included);
* per submission per core: ``wall * workers / N``;
* the notebook's own run time: its cells executed top to bottom in a kernel
  that is already running (median of 3), the work any grader must do;
* overhead per submission per core: the difference (kernel start, isolation,
  asking for answers, judging in the grader, killing, scheduling, and the
  fixed costs: the reference run and starting the workers);
* the median time one submission takes in its worker, and its overhead over
  the notebook's own run (what is left when the fixed costs are set aside);
* peak memory: the largest resident set of the grader and all its
  descendants (workers and kernels) summed, sampled every 0.1 s.

Goal (issue 11): overhead at most 2 s per submission per core.

    python benchmarks/bench_grading.py [N] [notebook]
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

from kit.coursework import grading
from kit.coursework import notebook as nbk
from kit.coursework.sandbox import Kernel, Limits, namespaces_available

ROOT = Path(__file__).resolve().parents[1]


def _tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * page
    total, todo = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


class Peak(threading.Thread):
    """Samples the summed resident memory of this process and its descendants."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            time.sleep(0.1)


def own_run_time(path: Path, isolation: str) -> float:
    """Seconds to run the notebook's code cells in a kernel already started (median of 3)."""
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    times = []
    for _ in range(3):
        with Kernel(Limits(), isolation) as k:
            start = time.perf_counter()
            for source in cells:
                out = k.execute(source)
                assert out.ok, out
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def submissions(path: Path, folder: Path, n: int) -> None:
    teacher = nbformat.read(path, as_version=4)
    blank = nbk.student_version(teacher)
    wrong = nbk.student_version(teacher)
    for c in wrong.cells:  # every answer cell runs but answers nothing right
        if "raise NotImplementedError()" in c.source and c.cell_type == "code":
            c.source = c.source.replace("raise NotImplementedError()", "pass")
    for i in range(n):
        nb = (teacher, wrong, blank)[i % 3]
        (folder / f"s{i:03d}").mkdir(parents=True)
        nbformat.write(nb, folder / f"s{i:03d}" / path.name)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "lessons" / "coursework" / "cw2_saturation_and_initialisation.ipynb"
    workers = os.cpu_count() or 1
    modes = ["namespaces", "processes"] if namespaces_available() else ["processes"]
    print(f"grading {n} submissions of {path.name} with {workers} worker(s) on {workers} core(s)")
    print(f"{'isolation':<11} {'wall s':>8} {'s/sub/core':>11} {'own run s':>10} {'overhead s':>11} "
          f"{'in worker s':>12} {'its overhead':>13} {'peak MiB':>9}  scores")
    for mode in modes:
        own = own_run_time(path, mode)
        with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
            src = Path(tmp) / "src"
            src.mkdir()
            shutil.copy(path, src / path.name)
            submissions(path, Path(tmp) / "sub", n)
            peak = Peak()
            peak.start()
            start = time.perf_counter()
            result = grading.grade(src, Path(tmp) / "sub", workers=workers, isolation=mode)
            wall = time.perf_counter() - start
            peak.running = False
            peak.join()
        per = wall * workers / n
        inside = statistics.median(g.seconds for g in result.grades)
        scores = sorted({f"{g.score:g}/{g.max_score:g}" for g in result.grades})
        print(f"{mode:<11} {wall:8.1f} {per:11.2f} {own:10.2f} {per - own:11.2f} {inside:12.2f} {inside - own:13.2f} "
              f"{peak.peak / 2**20:9.0f}  {' '.join(scores)}")
        errors = [g for g in result.grades if g.error]
        if errors or result.damage:
            print(f"  {len(errors)} grading error(s), e.g. {errors[0].error if errors else ''}; damage: {result.damage[:2]}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (on {workers} cores)")


if __name__ == "__main__":
    main()
