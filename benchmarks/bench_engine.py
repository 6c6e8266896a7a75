"""The numpy engine beside PyTorch on the CPU: time per training step, and memory.

Same architecture (a ReLU MLP, 2 inputs, 1 output), same batch, float32, the
same number of threads for both (numpy's BLAS limited with threadpoolctl,
PyTorch with torch.set_num_threads).  One step = forward, BCE-with-logits
loss, backward, SGD update; the engine's step also counts kink hits (its
per-step diagnostic).  Each time is the best of several repeats of a block of
steps.  ratio = PyTorch time / engine time: above 1 the engine is faster.

The lesson-size table times, in one interleaved run (all see the same load):
the engine; the floor, a hand-written numpy step of the same math (forward,
BCE-with-logits gradient, backward, SGD update, preallocated buffers, nothing
else); the engine recording every step (what ``train()`` does every
``record_every`` steps: loss, accuracy, dead units, saturation over the whole
data); the engine in float16; PyTorch; and JAX (``jax.jit`` of the same step,
in a worker process of ``--jax-python``, if it runs).  Its columns:
eng/floor (target <= 1.1), torch/eng (target >= 1), rec/step (time of a step
that records / a step that does not, target <= 1.3), f16/f32 (engine float16 /
float32, target <= 3) and jax/eng.

Run: ``.venv/bin/python benchmarks/bench_engine.py [--threads N] [--quick] [--jax-python PATH]``
(needs ``pip install torch==2.13.0``; ``make bench`` installs it; threadpoolctl is used if present).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
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
"""``run(k)`` makes k training steps; it may return the seconds they took (a worker process
times itself), else the caller times the call."""


def _timed(run: Runner, k: int) -> float:
    t = time.perf_counter()
    took = run(k)
    wall = time.perf_counter() - t
    return took if isinstance(took, float) else wall


def _best(runners: Sequence[Runner], steps: int | Sequence[int], repeats: int) -> list[float]:
    """Best seconds per step of each runner over ``repeats`` blocks of ``steps`` steps (one count
    for all, or one per runner), the runners timed in alternation so that all see the same machine
    load (after one warm-up block each)."""
    counts = [steps] * len(runners) if isinstance(steps, int) else list(steps)
    for run, k in zip(runners, counts, strict=True):
        run(max(3, k // 10))
    best = [float("inf")] * len(runners)
    for _ in range(repeats):
        for i, (run, k) in enumerate(zip(runners, counts, strict=True)):
            best[i] = min(best[i], _timed(run, k) / k)
    return best


def _calibrated(runners: Sequence[Runner], block: float, most: int) -> list[int]:
    """Steps per block for each runner so that a block takes about ``block`` seconds (3 to ``most``)."""
    counts = []
    for run in runners:
        run(3)
        per = _timed(run, 3) / 3
        counts.append(int(min(most, max(3, block / max(per, 1e-9)))))
    return counts


def _data(batch: int) -> tuple[Any, Any]:
    return datasets.make("spiral", n=max(batch, 512), seed=0)


def engine_runner(width: int, depth: int, batch: int, dtype: str = "float32", record: bool = False) -> Runner:
    X, y = _data(batch)
    net = nn.MLP([2] + [width] * depth + [1], activation="relu", dtype=dtype, seed=0)
    tr = nn.Trainer(net, X, y, loss="bce", optimizer="sgd", lr=0.01, batch_size=batch,
                    record_every=1 if record else 10**12)
    return lambda k: tr.step(k, record=False)


def numpy_runner(width: int, depth: int, batch: int) -> Runner:
    """The floor: a hand-written float32 numpy step of the engine's math (ReLU MLP, mean
    BCE-with-logits, backward, SGD), mini-batches from a fresh permutation per epoch, every
    buffer preallocated."""
    X, y = _data(batch)
    X = np.ascontiguousarray(X, dtype=np.float32)
    t = np.asarray(y, dtype=np.float32)[:, None]
    n, B = len(X), min(batch, len(X))
    ref = nn.MLP([2] + [width] * depth + [1], activation="relu", dtype="float32", seed=0)
    W = [w.copy() for w in ref.W]
    b = [v.copy() for v in ref.b]
    L = len(W)
    Z = [np.empty((B, w.shape[1]), np.float32) for w in W]
    A = [np.empty((B, w.shape[1]), np.float32) for w in W[:-1]]
    dW = [np.empty_like(w) for w in W]
    db = [np.empty_like(v) for v in b]
    dA = [np.empty((B, w.shape[1]), np.float32) for w in W[:-1]]
    M = [np.empty((B, w.shape[1]), np.float32) for w in W[:-1]]
    Xb, tb = np.empty((B, X.shape[1]), np.float32), np.empty((B, 1), np.float32)
    dz_out = np.empty((B, 1), np.float32)
    lr, inv_b = np.float32(0.01), np.float32(1.0 / B)
    rng = np.random.default_rng(0)
    state = {"pos": n, "order": np.arange(n)}

    def run(k: int) -> None:
        for _ in range(k):
            if B < n:
                if state["pos"] + B > n:
                    state["order"] = rng.permutation(n)
                    state["pos"] = 0
                idx = state["order"][state["pos"] : state["pos"] + B]
                state["pos"] += B
                np.take(X, idx, axis=0, out=Xb)
                np.take(t, idx, axis=0, out=tb)
                xb, yb = Xb, tb
            else:
                xb, yb = X, t
            a = xb
            for i in range(L):
                np.matmul(a, W[i], out=Z[i])
                Z[i] += b[i]
                if i < L - 1:
                    a = np.maximum(Z[i], 0, out=A[i])
            dz = np.negative(Z[-1], out=dz_out)  # sigmoid(z) - t, then / B
            np.exp(dz, out=dz)
            dz += 1
            np.reciprocal(dz, out=dz)
            dz -= yb
            dz *= inv_b
            for i in range(L - 1, -1, -1):
                np.matmul((A[i - 1] if i else xb).T, dz, out=dW[i])
                np.sum(dz, axis=0, out=db[i])
                if i:
                    da = np.matmul(dz, W[i].T, out=dA[i - 1])
                    da *= np.greater(Z[i - 1], 0, out=M[i - 1], casting="unsafe")
                    dz = da
            for i in range(L):
                dW[i] *= lr
                W[i] -= dW[i]
                db[i] *= lr
                b[i] -= db[i]

    return run


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


_JAX_WORKER = r"""
import json, sys, time
import numpy as np
import jax, jax.numpy as jnp
nets = {}
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "setup":
        X = jnp.asarray(np.load(cmd["X"]), dtype=jnp.float32)
        t = jnp.asarray(np.load(cmd["y"]), dtype=jnp.float32)[:, None]
        W = [jnp.asarray(np.load(f)) for f in cmd["W"]]
        b = [jnp.asarray(np.load(f)) for f in cmd["b"]]
        n, B = X.shape[0], cmd["batch"]
        epochs = 64
        rng = np.random.default_rng(0)
        per = n // B
        order = np.concatenate([rng.permutation(n)[: per * B] for _ in range(epochs)]).astype(np.int32)
        order = jnp.asarray(order)
        total = per * epochs

        def loss(params, xb, tb):
            a = xb
            Ws, bs = params
            for i in range(len(Ws)):
                z = a @ Ws[i] + bs[i]
                a = jax.nn.relu(z) if i < len(Ws) - 1 else z
            return jnp.mean(jnp.maximum(a, 0) - a * tb + jnp.log1p(jnp.exp(-jnp.abs(a))))

        def step(params, i, X=X, t=t, order=order, B=B):
            idx = jax.lax.dynamic_slice(order, (i * B,), (B,))
            g = jax.grad(loss)(params, X[idx], t[idx])
            return jax.tree_util.tree_map(lambda p, q: p - 0.01 * q, params, g)

        nets[cmd["id"]] = {"step": jax.jit(step), "params": (W, b), "i": 0, "total": total}
        print(json.dumps({"ok": True}), flush=True)
    elif cmd["op"] == "run":
        net = nets[cmd["id"]]
        st, p = net["step"], net["params"]
        t0 = time.perf_counter()
        for _ in range(cmd["k"]):
            p = st(p, net["i"])
            net["i"] = (net["i"] + 1) % net["total"]
        jax.block_until_ready(p)
        took = time.perf_counter() - t0
        net["params"] = p
        print(json.dumps({"took": took}), flush=True)
"""


class JaxWorker:
    """A JAX process (another interpreter, e.g. a venv with jax) that times jitted steps on request."""

    def __init__(self, python: str, threads: int) -> None:
        env = dict(os.environ, JAX_PLATFORMS="cpu", OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                   XLA_FLAGS=f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} "
                             f"intra_op_parallelism_threads={threads}")
        env.pop("PYTHONPATH", None)
        self.dir = tempfile.TemporaryDirectory(prefix="bench_engine_jax_")
        self.proc = subprocess.Popen([python, "-c", _JAX_WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.count = 0

    def _ask(self, cmd: dict) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"the JAX worker stopped: {err.strip().splitlines()[-1:] or 'no message'}")
        return json.loads(line)

    def runner(self, width: int, depth: int, batch: int) -> Runner:
        X, y = _data(batch)
        ref = nn.MLP([2] + [width] * depth + [1], activation="relu", dtype="float32", seed=0)
        self.count += 1
        key = self.count
        files: dict[str, Any] = {"W": [], "b": []}
        for name, arr in (("X", np.asarray(X, np.float32)), ("y", np.asarray(y, np.float32))):
            files[name] = os.path.join(self.dir.name, f"{key}_{name}.npy")
            np.save(files[name], arr)
        for i, (W, b) in enumerate(zip(ref.W, ref.b, strict=True)):
            for name, arr in (("W", W), ("b", b)):
                f = os.path.join(self.dir.name, f"{key}_{name}{i}.npy")
                np.save(f, arr)
                files[name].append(f)
        self._ask({"op": "setup", "id": key, "batch": min(batch, len(X)), **files})
        return lambda k: float(self._ask({"op": "run", "id": key, "k": k})["took"])

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.dir.cleanup()


def start_jax(python: str | None, threads: int) -> tuple[JaxWorker | None, str]:
    """(a worker, its description) or (None, why not)."""
    if not python:
        return None, "JAX: not run (no --jax-python)"
    if not os.path.exists(python):
        return None, f"JAX: not run ({python} does not exist)"
    try:
        version = subprocess.run([python, "-c", "import jax; print(jax.__version__)"], capture_output=True,
                                 text=True, timeout=120, env=dict(os.environ, JAX_PLATFORMS="cpu"))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"JAX: not run ({exc})"
    if version.returncode:
        return None, f"JAX: not run ({(version.stderr.strip().splitlines() or ['import failed'])[-1]})"
    worker = JaxWorker(python, threads)
    try:
        worker.runner(8, 1, 16)(3)
    except (RuntimeError, OSError, ValueError) as exc:
        worker.close()
        return None, f"JAX: not run ({exc})"
    return worker, f"JAX {version.stdout.strip()} (jax.jit, CPU, in {python})"


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
    parser.add_argument("--lesson-only", action="store_true", help="only the lesson-size table")
    parser.add_argument("--jax-python", default=os.environ.get("KIT_JAX_PYTHON", ""),
                        help="an interpreter with jax installed (a worker process); default $KIT_JAX_PYTHON")
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
    jax, jax_note = start_jax(args.jax_python, args.threads)
    try:
        return _tables(args, torch, jax, jax_note, threadpool_limits, repeats)
    finally:
        if jax is not None:
            jax.close()


def _tables(args: Any, torch: Any, jax: JaxWorker | None, jax_note: str, threadpool_limits: Any,
            repeats: int) -> int:
    with threadpool_limits(limits=args.threads):
        t = engine_step_time(8, 2, 32, 2000, repeats)
        print(f"2-8-8-1, batch 32: engine {t * 1e6:.1f} µs per training step "
              f"({int(0.016 / t)} steps fit in a 16 ms animation frame)\n")

        widths = (8, 32, 128)
        depths = (1, 2, 4) if not args.quick else (1, 4)
        batches = (16, 64, 256) if not args.quick else (16, 256)
        print("lesson-sized networks: µs per step; ratios (eng/floor, rec/step, f16/f32: lower is better; "
              "torch/eng, jax/eng: > 1 the engine is faster)")
        print(jax_note)
        head = (f"{'width':>5} {'depth':>5} {'batch':>5} {'engine':>8} {'floor':>8} {'record':>8} {'f16':>9} "
                f"{'torch':>8} {'jax':>8} | {'eng/floor':>9} {'rec/step':>8} {'f16/f32':>7} {'torch/eng':>9} "
                f"{'jax/eng':>7}")
        print(head)
        rows: list[tuple[str, float, float, float, float, float]] = []
        nan = float("nan")
        for w in widths:
            for d in depths:
                for b in batches:
                    runners = [engine_runner(w, d, b), numpy_runner(w, d, b), engine_runner(w, d, b, record=True),
                               engine_runner(w, d, b, dtype="float16"), torch_runner(torch, w, d, b)]
                    if jax is not None:
                        runners.append(jax.runner(w, d, b))
                    counts = _calibrated(runners, 0.04 if not args.quick else 0.02, 2000)
                    times = _best(runners, counts, repeats)
                    te, tf, tr, th, tt = times[:5]
                    tj = times[5] if jax is not None else nan
                    rows.append((f"{w}/{d}/{b}", te / tf, tr / te, th / te, tt / te, tj / te))
                    print(f"{w:>5} {d:>5} {b:>5} {te * 1e6:>8.1f} {tf * 1e6:>8.1f} {tr * 1e6:>8.1f} {th * 1e6:>9.1f} "
                          f"{tt * 1e6:>8.1f} {tj * 1e6:>8.1f} | {te / tf:>9.2f} {tr / te:>8.2f} {th / te:>7.2f} "
                          f"{tt / te:>9.2f} {tj / te:>7.2f}", flush=True)

        def span(j: int) -> str:
            vals = [r[j] for r in rows if r[j] == r[j]]
            return f"{min(vals):.2f}-{max(vals):.2f}" if vals else "n/a"

        def over(j: int, limit: float, above: bool) -> str:
            bad = [f"{r[0]} ({r[j]:.2f})" for r in rows if (r[j] > limit if above else r[j] < limit)]
            return ", ".join(bad) or "none"

        print(f"eng/floor {span(1)} (target <= 1.1; over it at width/depth/batch: {over(1, 1.1, True)})")
        print(f"rec/step  {span(2)} (target <= 1.3; over it: {over(2, 1.3, True)})")
        print(f"f16/f32   {span(3)} (target <= 3; over it: {over(3, 3.0, True)})")
        print(f"torch/eng {span(4)} (target >= 1; engine slower than PyTorch at: {over(4, 1.0, False)})")
        print(f"jax/eng   {span(5)}\n")

        print("full batch (512 rows, batch_size=None), a record every step: rec/step")
        print(f"{'width':>5} {'depth':>5} {'engine':>8} {'record':>8} {'rec/step':>8}")
        for w, d in ((8, 2), (32, 2), (128, 2), (128, 4)):
            runners = [engine_runner(w, d, 512), engine_runner(w, d, 512, record=True)]
            te, tr = _best(runners, _calibrated(runners, 0.04 if not args.quick else 0.02, 2000), repeats)
            print(f"{w:>5} {d:>5} {te * 1e6:>8.1f} {tr * 1e6:>8.1f} {tr / te:>8.2f}", flush=True)
        print()

        if args.lesson_only:
            return 0
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
