"""Benchmark: what a class costs on deploy/'s JupyterHub: spawn time, memory per server, CPU per lesson.

Starts the repository's hub configuration (``kit_hub.localhub``: the simple spawner, culling
off) on 127.0.0.1 and, for N users (3-10):

1. spawns their servers one after another (seconds from the REST request to the server
   answering through the proxy), then measures each idle server (its whole process tree);
2. runs lesson 1 in each user's server, one user at a time, leaving the notebook open (the
   kernel alive with the lesson's state, as a student's tab would) and measures each tree
   again, with the kernel's peak resident memory and the CPU seconds the run cost;
3. stops every server and starts them all at once (a class arriving at 9:00): time until the
   last one answers;
4. from those, the capacity of a few servers (printed assumptions; deploy/README.md has the table).

Memory is PSS (each shared page split among the processes mapping it: PSS adds up across
users) and RSS (shared pages counted in full per process), from ``/proc/PID/smaps_rollup``.
Spawn times depend on what else the machine runs: the load average is printed with them.

Run: ``.venv/bin/python benchmarks/bench_hub.py [--users N] [--lesson PATH]`` (needs
``make hub-proxy``; Linux).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kit_hub.client import Student
from kit_hub.lessons import release
from kit_hub.localhub import LocalHub, cpu_seconds, find_proxy, memory, peak_rss

ROOT = Path(__file__).resolve().parents[1]
MB = 1024**2
GIB = 1024**3

#: Servers to size, (name, cores, GiB of memory).
SERVERS = [("this machine: 2 cores / 24 GiB", 2, 24), ("teaching server: 8 cores / 32 GiB", 8, 32),
           ("large teaching server: 16 cores / 64 GiB", 16, 64)]
#: Memory kept for the system, the hub and the proxy, and page cache, before any student.
RESERVE_GIB = 2.0
#: Share of the cores students may use on average (the rest: head-room for bursts and spawns).
CPU_TARGET = 0.7
#: How often an active student runs a lesson's worth of computation (seconds): one every 10 minutes.
LESSON_EVERY_S = 600.0


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _tree(hub: LocalHub, user: str) -> tuple[list[int], list[int]]:
    """(every pid of the user's server, the kernels' pids)."""
    procs = hub.marked(user)
    return [p.pid for p in procs], [p.pid for p in procs if "ipykernel" in p.cmd]


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} {min(values):7.1f} {max(values):7.1f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=6, help="users (3-10, default 6)")
    p.add_argument("--lesson", default="lessons/01_one_sided_derivatives.ipynb", help="the notebook each user runs")
    args = p.parse_args(argv)
    if not 3 <= args.users <= 10:
        p.error("--users must be between 3 and 10")
    if find_proxy() is None:
        print("bench_hub: configurable-http-proxy not found: run `make hub-proxy` first", file=sys.stderr)
        return 2
    users = [f"student{i:02d}" for i in range(1, args.users + 1)]
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        rel = release(ROOT / "lessons", Path(tmp) / "release")
        print(f"bench_hub: {len(users)} users, lesson {args.lesson}, lessons release of {len(rel)} files; "
              f"{os.cpu_count()} cores; {_load()}")
        hub = LocalHub(Path(tmp) / "hub", lessons=Path(tmp) / "release", users=users,
                       settings={"CULL_TIMEOUT": "0", "MEM_LIMIT": "2G", "CPU_LIMIT": "1"})
        hub.start()
        try:
            return _measure(hub, users, args.lesson)
        finally:
            leftovers = hub.stop()
            print(f"stopped: {len(leftovers)} processes outlived the hub's shutdown; {len(hub.alive())} still alive")


def _measure(hub: LocalHub, users: list[str], lesson: str) -> int:
    base_pss, base_rss = memory(p.pid for p in hub.snapshot())
    students = {u: Student(hub.url, u) for u in users}
    for s in students.values():
        s.login(hub.password)

    # 1. one after another
    spawn, spawn_cpu = [], []
    for u in users:
        spawn.append(students[u].start_server())
        spawn_cpu.append(cpu_seconds(_tree(hub, u)[0]))   # kit-hub start + the server, up to ready
    time.sleep(3)
    idle = {u: memory(_tree(hub, u)[0]) for u in users}
    hub_pss, hub_rss = memory(p.pid for p in hub.snapshot() if p.pid == hub.process.pid or "http-proxy" in p.cmd)
    print(f"\n1. spawn, one user after another ({_load()})")
    print(f"   seconds to a ready server: median / min / max {_stats(spawn)}")
    print(f"   CPU seconds of the server's start (lessons sync included): {_stats(spawn_cpu)}")

    # 2. lesson 1 in each, the notebook left open
    runs, cpu, peak, busy = {}, {}, {}, {}
    for u in users:
        t0 = time.perf_counter()
        run = students[u].run_notebook(lesson, shutdown=False)
        busy[u] = time.perf_counter() - t0
        if run.errors:
            print(f"bench_hub: {u}: lesson errors {run.errors}", file=sys.stderr)
            return 1
        runs[u] = run
        _, kernels = _tree(hub, u)
        cpu[u] = cpu_seconds(kernels)
        peak[u] = max((peak_rss(k) for k in kernels), default=0)
    time.sleep(2)
    open_nb = {u: memory(_tree(hub, u)[0]) for u in users}
    kernel_only = {u: memory(_tree(hub, u)[1]) for u in users}
    print(f"\n2. {lesson} run in each server, one at a time, notebook left open ({_load()})")
    print(f"   code cells {runs[users[0]].cells}; wall seconds median / min / max {_stats(list(busy.values()))}; "
          f"kernel CPU seconds {_stats(list(cpu.values()))}")

    widths = [38, 10, 10, 10, 10]
    print()
    print(_row(["per user (MB, median over users)", "PSS", "RSS", "PSS max", "RSS max"], widths))
    rows = [("idle server (no kernel)", idle), ("server with the notebook open", open_nb),
            ("  of which the kernel", kernel_only)]
    for name, m in rows:
        pss = [v[0] / MB for v in m.values()]
        rss = [v[1] / MB for v in m.values()]
        print(_row([name, f"{statistics.median(pss):.0f}", f"{statistics.median(rss):.0f}", f"{max(pss):.0f}",
                    f"{max(rss):.0f}"], widths))
    print(_row(["kernel peak RSS during the run", "", f"{statistics.median(peak.values()) / MB:.0f}", "",
                f"{max(peak.values()) / MB:.0f}"], widths))
    print(_row(["hub + proxy (with these users)", f"{hub_pss / MB:.0f}", f"{hub_rss / MB:.0f}", "", ""], widths))
    print(_row(["hub + proxy, no user", f"{base_pss / MB:.0f}", f"{base_rss / MB:.0f}", "", ""], widths))

    # 3. a class arriving at once
    for s in students.values():
        s.stop_server()
    t0 = time.perf_counter()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(users)) as pool:
        burst = list(pool.map(lambda s: s.start_server(timeout=600), students.values()))
    total = time.perf_counter() - t0
    print(f"\n3. {len(users)} spawns at once ({_load()}): the last ready after {total:.1f} s "
          f"(each: median {statistics.median(burst):.1f} s); {total / len(users):.1f} s per user on "
          f"{os.cpu_count()} cores")

    # 4. capacity
    per_idle = statistics.median(v[0] for v in idle.values())
    per_open = max(v[0] for v in open_nb.values())
    per_kernel = max(v[0] for v in kernel_only.values())
    per_two = per_open + per_kernel                      # a second notebook open
    lesson_cpu = statistics.median(cpu.values())
    print("\n4. capacity (students with their server running). Assumptions: "
          f"{RESERVE_GIB:.0f} GiB kept for the system, hub and page cache; memory per student = the largest "
          f"measured server with {Path(lesson).name} open ({per_open / MB:.0f} MB PSS), or with a second "
          f"notebook like it open ({per_two / MB:.0f} MB); CPU: each active student runs this notebook's worth "
          f"({lesson_cpu:.1f} CPU s) "
          f"every {LESSON_EVERY_S / 60:.0f} min, students using at most {CPU_TARGET:.0%} of the cores; "
          "'by limit' = every student at the 2 GiB limit (what a guarantee would reserve); spawn/s = "
          f"cores x {CPU_TARGET:.0%} / the median CPU seconds of a start ({statistics.median(spawn_cpu):.1f}).")
    widths = [42, 9, 9, 9, 9, 9]
    print(_row(["server", "1 nb", "2 nb", "CPU", "by limit", "spawn/s"], widths))
    for name, cores, gib in SERVERS:
        usable = (gib - RESERVE_GIB) * GIB
        one = math.floor(usable / per_open)
        two = math.floor(usable / per_two)
        by_cpu = math.floor(cores * CPU_TARGET / (lesson_cpu / LESSON_EVERY_S))
        by_limit = math.floor(usable / (2 * GIB))
        spawn_rate = cores * CPU_TARGET / statistics.median(spawn_cpu)
        print(_row([name, str(one), str(two), str(by_cpu), str(by_limit), f"{spawn_rate:.2f}"], widths))
    print(f"   (idle servers alone: {math.floor((24 - RESERVE_GIB) * GIB / per_idle)} fit in 24 GiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
