"""Execute the lesson notebooks in place and store their outputs.

This is what ``make lessons`` runs after the kit changed::

    python -m kit.lessons lessons            # every notebook under lessons/
    python -m kit.lessons lessons/01_*.ipynb # some of them
    python -m kit.lessons --diff lessons     # run, write nothing, show what prints differently

Each notebook runs top to bottom in a fresh kernel of *this* Python (the
project's environment, as ``pytest --nbval --nbval-current-env`` uses), with
its folder as the working directory and ``PYTHONHASHSEED=0``; the lessons seed
everything else themselves.  Outputs and widget state are stored in the file,
execution timings are not (they would change on every run).  A notebook whose
cell raises, which writes to stderr (a warning: nbval would compare it and
fail on another machine), or which prints a failing claim (a line starting
``✘ FAILS:``, see :mod:`kit.claims`) is reported, naming the cell, and the
command exits 1; the notebook is still written so that the error can be read
in JupyterLab.  Cells are named as in JupyterLab (``cell 7``, counting every
cell from 0) and as nbval names them (``Cell 3``, counting code cells only).

The kernel gets the caller's environment; with ``--perturbed`` it also gets
:func:`perturbed_environment`, another machine's rounding, so that
``python -m kit.lessons --diff --perturbed lessons`` shows what a lesson would
print there (the portability run of ``make test``, which uses the same
variables: ``python -m kit.lessons --print-perturbed-env``).  Each notebook
whose compared output (what nbval compares) changed is reported, so that the
text around the new numbers can be re-read.

``import kit.lessons`` imports nothing heavy; nbclient, nbformat and
jupyter_client are imported when a notebook is run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["LessonRun", "execute", "find_notebooks", "main", "perturbed_environment"]

SKIP_DIRS = frozenset({".ipynb_checkpoints", "__pycache__", ".venv", "build", "_build"})
"""Folder names never searched for notebooks."""

BUDGET_SECONDS = 30.0
"""A lesson should run top to bottom within this many seconds (a soft limit: reported, not enforced)."""


def perturbed_environment() -> dict[str, str]:
    """The environment variables of the portability run: how another machine would round.

    * ``KIT_ROUNDING=perturbed``: :mod:`kit.nn` rounds float32 and float64
      matrix products another way than this machine's BLAS kernel (float32
      computed in float64 and rounded once; float64 summed in two halves).
    * ``NPY_DISABLE_CPU_FEATURES``: every SIMD extension numpy dispatches to on
      this CPU (e.g. ``X86_V3``, AVX2 and FMA3), so that numpy runs the code
      paths of a CPU that has only its baseline features.  Measured here
      (numpy 2.4): float32 ``exp``, ``log``, ``tanh``, ``sin``, ``cos`` and
      float64 ``tanh`` then round differently in the last bit (float16 and
      float64 ``exp``, ``log``, ``sin``, ``cos``, ``sqrt`` do not), as they
      would on an older CPU or another architecture.

    OpenBLAS's own variables are left alone.  A name numpy does not dispatch to
    would make numpy warn at import, so only those it reports are listed.

    Examples
    --------
    >>> env = perturbed_environment()
    >>> env["KIT_ROUNDING"], sorted(env)
    ('perturbed', ['KIT_ROUNDING', 'NPY_DISABLE_CPU_FEATURES'])
    """
    return {"KIT_ROUNDING": "perturbed", "NPY_DISABLE_CPU_FEATURES": ",".join(_numpy_dispatched())}


def _numpy_dispatched() -> list[str]:
    """The SIMD extensions numpy dispatches to on this CPU (none of its baseline)."""
    try:
        from numpy._core import _multiarray_umath as umath  # type: ignore[attr-defined]  # private: not in numpy's stubs
    except ImportError:  # numpy < 2
        from numpy.core import _multiarray_umath as umath
    features = getattr(umath, "__cpu_features__", {})
    return [f for f in getattr(umath, "__cpu_dispatch__", []) if features.get(f)]


@dataclass
class LessonRun:
    """What happened when one notebook was executed.

    Attributes
    ----------
    path : pathlib.Path
        The notebook.
    seconds : float
        Wall-clock time of the run (kernel start included).
    error : str
        Empty if every cell ran; else the first error, naming the cell.
    stderr : list of str
        One line per cell that wrote to stderr (warnings, progress bars).
    failed_claims : list of str
        One line per failing claim printed (``✘ FAILS: ...``), naming its cell.
    changed : list of str
        A diff per code cell whose compared text output (what nbval compares:
        streams and ``text/plain``, cells marked ``NBVAL_IGNORE_OUTPUT``
        left out) differs from what the notebook held before the run.
    """

    path: Path
    seconds: float = 0.0
    error: str = ""
    stderr: list[str] = field(default_factory=list)
    failed_claims: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if every cell ran, nothing was written to stderr and no claim failed."""
        return not self.error and not self.stderr and not self.failed_claims

    def __str__(self) -> str:
        status = "ok" if self.ok else "FAILED"
        slow = f" (over the {BUDGET_SECONDS:.0f} s budget)" if self.seconds > BUDGET_SECONDS else ""
        changes = f", {len(self.changed)} cell(s) print something new" if self.changed else ""
        lines = [f"{status:6} {self.seconds:6.1f} s{slow}{changes}  {self.path}"]
        if self.error:
            lines.append(f"       {self.error}")
        lines.extend(f"       stderr: {s}" for s in self.stderr)
        lines.extend(f"       claim: {s}" for s in self.failed_claims)
        return "\n".join(lines)


def find_notebooks(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The ``.ipynb`` files named by ``paths``, folders searched recursively, sorted.

    Checkpoint folders and virtual environments are skipped.  A path that
    does not exist raises ``FileNotFoundError``.

    Examples
    --------
    >>> find_notebooks([])
    []
    """
    found: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise FileNotFoundError(f"no such notebook or folder: {p}")
        if p.is_dir():
            for nb in p.rglob("*.ipynb"):
                if not SKIP_DIRS.intersection(nb.relative_to(p).parts[:-1]):
                    found.add(nb)
        elif p.suffix == ".ipynb":
            found.add(p)
        else:
            raise ValueError(f"not a notebook: {p}")
    return sorted(found)


def _kernel_manager_class() -> Any:
    """A kernel manager class whose kernel is this interpreter (like nbval's --nbval-current-env)."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from traitlets import default

    class CurrentEnvSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str, *args: Any, **kwargs: Any) -> Any:
            return self.kernel_spec_class(
                resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
            )

    class CurrentEnvKernel(KernelManager):
        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self) -> KernelSpecManager:
            return CurrentEnvSpecs(data_dir=self.data_dir)

    return CurrentEnvKernel


def _cell_names(nb: Any) -> list[str]:
    """A name for every cell: its index in the notebook and, for code cells, nbval's ``Cell k``."""
    names, k = [], 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            names.append(f"cell {i} (nbval: Cell {k})")
            k += 1
        else:
            names.append(f"cell {i}")
    return names


def _code_cells(nb: Any) -> list[tuple[str, Any]]:
    """``(name, cell)`` for each code cell (see :func:`_cell_names`)."""
    return [(name, c) for name, c in zip(_cell_names(nb), nb.cells, strict=True) if c.cell_type == "code"]


def _stderr_lines(nb: Any) -> list[str]:
    out = []
    for name, cell in _code_cells(nb):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                text = o.get("text", "").strip().splitlines()
                out.append(f"{name}: {text[0] if text else ''}")
    return out


def _failed_claims(nb: Any) -> list[str]:
    """Every printed line that is a failing claim's verdict, with its cell."""
    from kit.claims import FAILS

    out: list[str] = []
    for name, cell in _code_cells(nb):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.extend(f"{name}: {line.strip()}" for line in o.get("text", "").splitlines()
                           if line.lstrip().startswith(FAILS))
    return out


def execute(
    path: str | os.PathLike[str], timeout: float = 600.0, write: bool = True, env: dict[str, str] | None = None
) -> LessonRun:
    """Run the notebook at ``path`` top to bottom and store its outputs in it.

    Parameters
    ----------
    path : str or path-like
        The notebook.
    timeout : float
        Seconds one cell may take before the run is stopped.
    write : bool
        Write the executed notebook back to ``path`` (also when a cell failed).
    env : dict, optional
        More environment variables for the kernel (e.g. :func:`perturbed_environment`).

    Returns
    -------
    LessonRun
        Time taken, the first cell error and any stderr output.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    before = [_compared_text(c) for c in nb.cells]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    run = LessonRun(path)
    kernel_env = {**os.environ, "PYTHONHASHSEED": "0", **(env or {})}  # the kernel's own; this process's unchanged
    client = NotebookClient(
        nb,
        kernel_manager_class=_kernel_manager_class(),
        kernel_name="python3",
        timeout=timeout,
        record_timing=False,
        coalesce_streams=True,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    start = time.perf_counter()
    try:
        client.execute(env=kernel_env)  # passed on to the kernel manager's start_kernel
    except CellTimeoutError as exc:
        run.error = f"a cell took longer than {timeout:.0f} s: {str(exc).splitlines()[0] if str(exc) else ''}"
    except CellExecutionError as exc:
        run.error = _first_error(nb) or str(exc).strip().splitlines()[-1]
    finally:
        run.seconds = time.perf_counter() - start
    run.stderr = _stderr_lines(nb)
    run.failed_claims = _failed_claims(nb)
    run.changed = _changes(before, [_compared_text(c) for c in nb.cells], _cell_names(nb))
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    if write:
        nbformat.write(nb, path)
    return run


def _compared_text(cell: Any) -> str | None:
    """The text nbval compares for a code cell (None for other cells and ignored ones)."""
    if cell.cell_type != "code" or "NBVAL_IGNORE_OUTPUT" in cell.source:
        return None
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif "data" in o:
            parts.append(str(o["data"].get("text/plain", "")) + "\n")
        elif o.get("output_type") == "error":
            parts.append(f"{o.get('ename')}: {o.get('evalue')}\n")
    return "".join(parts)


def _changes(before: list[str | None], after: list[str | None], names: list[str]) -> list[str]:
    import difflib

    out = []
    for old, new, name in zip(before, after, names, strict=True):
        if old is None or new is None or old == new:
            continue
        diff = difflib.unified_diff(old.splitlines(), new.splitlines(), "stored", "now", lineterm="", n=0)
        out.append(f"{name}:\n" + "\n".join(list(diff)[2:]))
    return out


def _first_error(nb: Any) -> str:
    for name, cell in _code_cells(nb):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                return f"{name}: {o.get('ename', '')}: {o.get('evalue', '')}"
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: execute notebooks in place; exit 1 if any failed.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` if omitted.

    Returns
    -------
    int
        0 if every notebook ran cleanly, 1 if one failed (an error, stderr
        output or a failing claim), 2 for bad arguments.
    """
    parser = argparse.ArgumentParser(
        prog="python -m kit.lessons", description="Execute lesson notebooks in place and store their outputs."
    )
    parser.add_argument("paths", nargs="*", default=["lessons"], help="notebooks or folders (default: lessons)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per cell (default 600)")
    parser.add_argument("--diff", action="store_true",
                        help="run without writing; print what each cell now prints differently; exit 1 if anything does")
    parser.add_argument("--perturbed", action="store_true",
                        help="run the kernels with another machine's rounding (see --print-perturbed-env)")
    parser.add_argument("--print-perturbed-env", action="store_true",
                        help="print the variables of the portability run as NAME=value words and exit")
    args = parser.parse_args(argv)
    if args.print_perturbed_env:
        print(" ".join(f"{k}={v}" for k, v in perturbed_environment().items()))
        return 0
    try:
        notebooks = find_notebooks(args.paths)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not notebooks:
        print(f"error: no notebooks under {' '.join(args.paths)}", file=sys.stderr)
        return 2
    failed = changed = 0
    for nb in notebooks:
        run = execute(nb, timeout=args.timeout, write=not args.diff, env=perturbed_environment() if args.perturbed else None)
        print(run, flush=True)
        if args.diff:
            for text in run.changed:
                print("       " + text.replace("\n", "\n       "))
        failed += not run.ok
        changed += bool(run.changed)
    print(f"{len(notebooks) - failed} of {len(notebooks)} notebooks ran cleanly", end="")
    if changed:
        hint = "" if args.diff else "; read the text around the new numbers (git diff)"
        print(f"; {changed} print(s) something new{hint}", end="")
    print()
    return 1 if failed or (args.diff and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
