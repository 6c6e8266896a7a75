"""The numpy engine beside PyTorch on the CPU: time per training step, and memory.

Same architecture (a ReLU MLP, 2 inputs, 1 output), same batch, float32, the
same number of threads for both (numpy's BLAS limited with threadpoolctl,
PyTorch with torch.set_num_threads).  One step = forward, BCE-with-logits
loss, backward, SGD update; the engine's step also counts kink hits (its
per-step diagnostic).  Each time is the best of several repeats of a block of
steps.  ratio = PyTorch time / engine time: above 1 the engine is faster.

Run: ``.venv/bin/python benchmarks/bench_engine.py [--threads N] [--quick]``
(needs ``pip install torch==2.13.0``; ``make bench`` installs it; threadpoolctl is used if present).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any


def _threads_from_argv() -> int:
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv) and sys.argv[i + 1].isdigit():
            return int(sys.argv[i + 1])
        if arg.startswith("--threads=") and arg.split("=", 1)[1].isdigit():
            return int(arg.split("=", 1)[1])
    return 1


# numpy's BLAS reads these when it is loaded: set them before importing numpy
# (threadpoolctl, when installed, also limits it at run time)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(_threads_from_argv())

import numpy as np  # noqa: E402

from kit import nn  # noqa: E402
from kit.lab import datasets  # noqa: E402

Runner = Callable[[int], object]
"""``run(k)`` makes k training steps."""


def _best(runners: Sequence[Runner], steps: int, repeats: int) -> list[float]:
    """Best seconds per step of each runner over ``repeats`` blocks of ``steps`` steps, the runners
    timed in alternation so that all see the same machine load (after one warm-up block each)."""
    for run in runners:
        run(max(3, steps // 10))
    best = [float("inf")] * len(runners)
    for _ in range(repeats):
        for i, run in enumerate(runners):
            t = time.perf_counter()
            run(steps)
            best[i] = min(best[i], (time.perf_counter() - t) / steps)
    return best


def engine_runner(width: int, depth: int, batch: int) -> Runner:
    X, y = datasets.make("spiral", n=max(batch, 512), seed=0)
    net = nn.MLP([2] + [width] * depth + [1], activation="relu", dtype="float32", seed=0)
    tr = nn.Trainer(net, X, y, loss="bce", optimizer="sgd", lr=0.01, batch_size=batch, record_every=10**12)
    return lambda k: tr.step(k, record=False)


def engine_step_time(width: int, depth: int, batch: int, steps: int, repeats: int) -> float:
    """Best seconds per training step of the engine alone."""
    return _best([engine_runner(width, depth, batch)], steps, repeats)[0]


def torch_runner(torch: Any, width: int, depth: int, batch: int) -> Runner:
    X, y = datasets.make("spiral", n=max(batch, 512), seed=0)
    layers: list = []
    sizes = [2] + [width] * depth + [1]
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    lossf = torch.nn.BCEWithLogitsLoss()
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32)[:, None]
    n = len(Xt)
    state = {"pos": n}
    gen = torch.Generator().manual_seed(0)

    def run(k: int) -> None:
        for _ in range(k):
            if state["pos"] + batch > n:  # a fresh permutation per epoch, as the engine does
                state["perm"] = torch.randperm(n, generator=gen)
                state["pos"] = 0
            idx = state["perm"][state["pos"] : state["pos"] + batch]
            state["pos"] += batch
            opt.zero_grad(set_to_none=True)
            loss = lossf(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()

    return run


def compare(torch: Any, width: int, depth: int, batch: int, steps: int, repeats: int) -> tuple[float, float]:
    """(engine, PyTorch) best seconds per step."""
    te, tt = _best([engine_runner(width, depth, batch), torch_runner(torch, width, depth, batch)], steps, repeats)
    return te, tt


def crossover(rows: list[tuple[int, float]]) -> str:
    """Where PyTorch is faster, from ``(width, ratio)`` rows in increasing width (ratio < 1: PyTorch faster).

    Names every width where the ratio is below 1, and the crossover: the smallest
    measured width from which PyTorch is faster at that width and every larger one.

    Examples
    --------
    >>> crossover([(128, 1.3), (512, 0.76), (1024, 1.05), (2048, 0.9)])
    'PyTorch is faster at width 512 (0.76), 2048 (0.90); consistently faster from width 2048 on'
    >>> crossover([(128, 1.3), (256, 1.1)])
    'PyTorch is faster at no width measured (up to 256); consistently faster from: none'
    """
    faster = [(w, r) for w, r in rows if r < 1]
    consistent = [w for i, (w, _) in enumerate(rows) if all(r < 1 for _, r in rows[i:])]
    if not faster:
        return f"PyTorch is faster at no width measured (up to {rows[-1][0]}); consistently faster from: none"
    where = ", ".join(f"{w} ({r:.2f})" for w, r in faster)
    since = f"from width {consistent[0]} on" if consistent else f"from: none (up to width {rows[-1][0]})"
    return f"PyTorch is faster at width {where}; consistently faster {since}"


def memory_over(steps: int, record_every: int) -> tuple[float, float, int]:
    """(KiB traced after 100 steps, KiB after ``steps``, history records) for a 2-8-8-1 net."""
    X, y = datasets.make("spiral", n=400, seed=0)
    tr = nn.Trainer(nn.MLP([2, 8, 8, 1], seed=0), X, y, loss="bce", optimizer="adam", dropout=0.1,
                    record_every=record_every)
    gc.collect()
    tracemalloc.start()
    tr.step(100, record=False)
    early = tracemalloc.get_traced_memory()[0]
    tr.step(steps - 100, record=False)
    late = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return early / 1024, late / 1024, len(tr.history)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for numpy's BLAS and PyTorch (default 1)")
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    args = parser.parse_args()
    try:
        import torch
    except ImportError as exc:
        print(f"bench_engine: needs torch==2.13.0 ({exc}); run `make bench`", file=sys.stderr)
        return 1
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the environment variables set above already limit numpy's BLAS
        from contextlib import nullcontext

        def threadpool_limits(limits: int) -> nullcontext:  # type: ignore[misc]
            return nullcontext()

    torch.set_num_threads(args.threads)
    repeats = 3 if args.quick else 5
    print(f"engine vs PyTorch {torch.__version__} on CPU, float32, {args.threads} thread(s), "
          f"numpy {np.__version__}, Python {platform.python_version()}, {os.cpu_count()} cores")
    print("ratio = PyTorch time per step / engine time per step (> 1: the engine is faster)\n")
    with threadpool_limits(limits=args.threads):
        t = engine_step_time(8, 2, 32, 2000, repeats)
        print(f"2-8-8-1, batch 32: engine {t * 1e6:.1f} µs per training step "
              f"({int(0.016 / t)} steps fit in a 16 ms animation frame)\n")

        widths = (8, 32, 128)
        depths = (1, 2, 4) if not args.quick else (1, 4)
        batches = (16, 64, 256) if not args.quick else (16, 256)
        print("lesson-sized networks")
        print(f"{'width':>5} {'depth':>5} {'batch':>5} {'engine µs':>10} {'torch µs':>9} {'ratio':>6}")
        lesson: list[tuple[str, float]] = []
        for w in widths:
            for d in depths:
                for b in batches:
                    steps = 400 if w * b < 10_000 else 150
                    te, tt = compare(torch, w, d, b, steps, repeats)
                    lesson.append((f"{w}/{d}/{b}", tt / te))
                    print(f"{w:>5} {d:>5} {b:>5} {te * 1e6:>10.1f} {tt * 1e6:>9.1f} {tt / te:>6.2f}")
        slower = [f"{size} ({r:.2f})" for size, r in lesson if r < 1]
        print(f"lowest ratio over lesson sizes: {min(r for _, r in lesson):.2f}; "
              f"engine slower (ratio < 1) at width/depth/batch: {', '.join(slower) or 'none'}\n")

        print("larger networks (depth 2)")
        print(f"{'width':>5} {'batch':>5} {'engine µs':>10} {'torch µs':>9} {'ratio':>6}")
        ratios: dict[int, list[tuple[int, float]]] = {}
        for b in (256, 1024) if not args.quick else (256,):
            for w in (128, 256, 512, 1024, 2048):
                steps = max(5, int(1e8 / (w * w * b)) + 3)
                te, tt = compare(torch, w, 2, b, steps, 3)
                ratios.setdefault(b, []).append((w, tt / te))
                print(f"{w:>5} {b:>5} {te * 1e6:>10.1f} {tt * 1e6:>9.1f} {tt / te:>6.2f}")
        for b, rows in ratios.items():
            print(f"batch {b}: {crossover(rows)}")
        print()

    for every in (10**12, 100):
        early, late, records = memory_over(10_000, every)
        what = "no history records" if every > 10**6 else f"a record every {every} steps"
        print(f"memory, 10,000 steps of 2-8-8-1 with adam and dropout, {what}: "
              f"{early:.1f} KiB traced after 100 steps, {late:.1f} KiB after 10,000 ({records} records)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
