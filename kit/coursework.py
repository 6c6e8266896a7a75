"""Coursework: checks students' notebooks call, and the teacher's release and grade.

A coursework notebook is written once, with its solutions between
nbgrader-compatible markers::

    def left_derivative(f, z, h):
        ### BEGIN SOLUTION
        return (f(z) - f(z - h)) / h
        ### END SOLUTION

and *check cells* that call the helpers below.  A check prints one ``PASS``
line that does not depend on the student's numbers (so that a right answer
always prints the same text) and raises :class:`CheckFailed`, naming the check
and the numbers, when the answer is wrong.

``kit coursework release SRC DEST`` writes the student version (each solution
replaced by a stub that raises ``NotImplementedError``, outputs cleared, check
cells locked); ``kit coursework grade SRC SUBMITTED`` puts each student's
answers into the teacher's notebook (check cells always come from the
teacher's copy, matched by cell id), runs nbval over them in this Python and
prints a table per student: checks passed, failed, and which.
"""

from __future__ import annotations

import argparse
import copy
import csv
import io
import math
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import kit
from kit.activation import Activation

__all__ = [
    "CheckFailed",
    "GradeRow",
    "check_activation",
    "check_close",
    "check_dead_units",
    "check_kinks",
    "check_one_sided",
    "check_points",
    "check_true",
    "cli",
    "grade",
    "merge",
    "release",
    "student_version",
    "table",
]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
MARKDOWN_STUB = "YOUR ANSWER HERE"
CHECK_PREFIX = "check"
"""A cell is a check cell if its nbgrader ``grade_id`` starts with this, or if it calls a ``check_`` helper."""


class CheckFailed(AssertionError):
    """A coursework check did not pass; the message names the check and the numbers."""


# -- checks students' notebooks call -------------------------------------------------


def _pass(what: str) -> None:
    print(f"PASS {what}")


def _fail(what: str, detail: str) -> None:
    raise CheckFailed(f"FAIL {what}: {detail}")


def check_true(condition: Any, what: str, hint: str = "") -> None:
    """Pass if ``condition`` is true.

    Parameters
    ----------
    condition : object
        Anything with a truth value (a numpy bool too).
    what : str
        What is checked, printed with the verdict.
    hint : str
        Said when the check fails.

    Examples
    --------
    >>> check_true(1 + 1 == 2, "arithmetic")
    PASS arithmetic
    """
    if not bool(condition):
        _fail(what, hint or "the condition is false")
    _pass(what)


def check_close(got: Any, expected: Any, what: str, tol: float = 1e-6) -> None:
    """Pass if ``got`` equals ``expected`` within ``tol`` (absolute and relative), elementwise.

    NaN equals NaN and infinities must match exactly.  Shapes must agree.

    Examples
    --------
    >>> check_close(0.1 + 0.2, 0.3, "sum")
    PASS sum
    >>> check_close(0.5, 0.3, "sum")
    Traceback (most recent call last):
    ...
    kit.coursework.CheckFailed: FAIL sum: got 0.5, expected 0.3 (tolerance 1e-06)
    """
    try:
        g = np.asarray(got, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        _fail(what, f"got {got!r}, which is not a number or an array of numbers")
    if g.shape != e.shape:
        _fail(what, f"got shape {g.shape}, expected shape {e.shape}")
    if not np.allclose(g, e, rtol=tol, atol=tol, equal_nan=True):
        _fail(what, f"got {_short(g)}, expected {_short(e)} (tolerance {tol:g})")
    _pass(what)


def _short(a: np.ndarray) -> str:
    if a.ndim == 0:
        return f"{float(a):.6g}"
    return np.array2string(a, precision=6, threshold=8)


def check_one_sided(
    act: str | Activation, z: float, left: float, right: float, tol: float = 1e-6, **params: float
) -> None:
    """Pass if ``left`` and ``right`` are the one-sided derivatives of ``act`` at ``z``.

    Parameters
    ----------
    act : str or Activation
        A registered name (with ``params``) or an activation.
    z : float
        The point.
    left, right : float
        The student's left and right derivatives there.
    tol : float
        Absolute and relative tolerance.

    Examples
    --------
    >>> check_one_sided("relu", 0.0, left=0.0, right=1.0)
    PASS one-sided derivatives of relu at 0: left 0, right 1
    """
    a = kit.get(act, **params)
    want_l, want_r = float(a.left_derivative(float(z))), float(a.right_derivative(float(z)))
    what = f"one-sided derivatives of {a.name} at {z:g}: left {want_l:.6g}, right {want_r:.6g}"
    for side, got, want in (("left", left, want_l), ("right", right, want_r)):
        try:
            g = float(got)
        except (TypeError, ValueError):
            _fail(what, f"the {side} derivative {got!r} is not a number")
        if not (g == want or math.isclose(g, want, rel_tol=tol, abs_tol=tol)):
            _fail(what, f"your {side} derivative at {z:g} is {g:.6g}, it should be {want:.6g}")
    _pass(what)


def check_kinks(act: str | Activation, lo: float, hi: float, expected: Sequence[float], tol: float = 1e-9) -> None:
    """Pass if ``act`` declares exactly the kinks ``expected`` in ``[lo, hi]``.

    Examples
    --------
    >>> check_kinks("relu", -5, 5, [0.0])
    PASS kinks of relu in [-5, 5]: 1 point(s)
    """
    a = kit.get(act)
    got = np.asarray(a.kinks(lo, hi), dtype=np.float64)
    exp = np.sort(np.asarray(expected, dtype=np.float64))
    what = f"kinks of {a.name} in [{lo:g}, {hi:g}]: {exp.size} point(s)"
    if got.shape != exp.shape or not np.allclose(got, exp, rtol=0, atol=tol):
        _fail(what, f"kinks() gives {_short(got)}, expected {_short(exp)}")
    _pass(what)


def check_activation(act: str | Activation | type[Activation]) -> None:
    """Pass if ``act`` passes the kit's conformance checks (``kit.check``).

    On failure the message lists every problem ``kit.check`` found.
    """
    from kit.conformance import check

    report = check(act)
    name = getattr(act, "name", act) if not isinstance(act, str) else act
    what = f"{name} passes kit.check"
    if not report.ok:
        _fail(what, "; ".join(str(p) for p in report.problems))
    _pass(what)


def check_dead_units(dead: Any, at_most: int, what: str = "trained network") -> None:
    """Pass if at most ``at_most`` hidden units are dead.

    Parameters
    ----------
    dead : int, sequence of int, or a training history
        The dead-unit count, the per-layer counts, or anything with a
        ``dead`` attribute whose last entry holds the per-layer counts (the
        engine's training history).
    at_most : int
        The most dead units allowed.

    Examples
    --------
    >>> check_dead_units([1, 0], at_most=2)
    PASS trained network has at most 2 dead units
    """
    if hasattr(dead, "dead"):
        dead = dead.dead[-1]
    try:
        total = int(np.sum(np.asarray(dead, dtype=np.int64)))
    except (TypeError, ValueError):
        _fail(f"{what}: dead units", f"cannot count dead units in {dead!r}")
    label = f"{what} has at most {at_most} dead unit{'' if at_most == 1 else 's'}"
    if total > at_most:
        _fail(label, f"{total} units are dead (per layer: {np.asarray(dead).tolist()})")
    _pass(label)


# -- release ------------------------------------------------------------------------


def _nbformat() -> Any:
    import nbformat

    return nbformat


def _strip_solution(source: str, stub: str, where: str) -> tuple[str, bool]:
    """Replace each BEGIN/END SOLUTION region by ``stub`` indented like the marker."""
    lines = source.splitlines()
    out: list[str] = []
    inside = False
    found = False
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"{where}, line {n}: {BEGIN} inside another solution")
            inside = found = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + s for s in stub.splitlines())
        elif stripped == END:
            if not inside:
                raise ValueError(f"{where}, line {n}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN} is never closed by {END}")
    return "\n".join(out), found


def _is_check(cell: Any) -> bool:
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    if nbg.get("grade_id", "").startswith(CHECK_PREFIX) or (nbg.get("grade") and not nbg.get("solution")):
        return True
    return cell.cell_type == "code" and re.search(r"\bcheck_\w+\(", cell.source) is not None


def student_version(nb: Any, name: str = "notebook") -> Any:
    """The student's copy of a coursework notebook (a new notebook; ``nb`` is unchanged).

    Solutions become stubs (``raise NotImplementedError()`` in code,
    "YOUR ANSWER HERE" in markdown), every output and execution count is
    cleared, widget state is dropped, check cells are made read-only and
    every cell keeps its id so that :func:`grade` can match it.
    """
    out = copy.deepcopy(nb)
    out.metadata.pop("widgets", None)
    solutions = 0
    for i, cell in enumerate(out.cells):
        stub = STUB if cell.cell_type == "code" else MARKDOWN_STUB
        cell.source, found = _strip_solution(cell.source, stub, f"{name}, cell {i}")
        solutions += found
        nbg = cell.metadata.get("nbgrader")
        if found and nbg is not None:
            nbg["solution"] = True
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
            if _is_check(cell):
                cell.metadata["editable"] = False
                cell.metadata["deletable"] = False
    if not solutions:
        raise ValueError(f"{name}: no {BEGIN} / {END} region: nothing for the student to do")
    return out


def _coursework_notebooks(src: Path) -> list[Path]:
    if src.is_dir():
        found = sorted(p for p in src.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        if not found:
            raise ValueError(f"no notebooks in {src}")
        return found
    if src.suffix != ".ipynb" or not src.exists():
        raise FileNotFoundError(f"no such notebook or folder: {src}")
    return [src]


def release(src: str | os.PathLike[str], dest: str | os.PathLike[str], force: bool = False) -> list[Path]:
    """Write the student version of each coursework notebook in ``src`` into folder ``dest``.

    Parameters
    ----------
    src : path
        A notebook, or a folder of notebooks (not searched recursively).
    dest : path
        The folder to write to; created if needed.
    force : bool
        Overwrite notebooks already in ``dest``.

    Returns
    -------
    list of pathlib.Path
        The notebooks written.

    Raises
    ------
    FileExistsError
        If a notebook exists in ``dest`` and ``force`` is false (nothing is written).
    ValueError
        If markers are unbalanced or a notebook has no solution.
    """
    nbformat = _nbformat()
    sources = _coursework_notebooks(Path(src))
    dest = Path(dest)
    if dest.resolve() in {p.parent.resolve() for p in sources}:
        raise ValueError(f"dest {dest} is the source folder: the solutions would be overwritten")
    targets = [dest / p.name for p in sources]
    if not force:
        clash = [str(t) for t in targets if t.exists()]
        if clash:
            raise FileExistsError(f"refusing to overwrite {', '.join(clash)} (use --force)")
    students = [student_version(nbformat.read(p, as_version=4), p.name) for p in sources]
    dest.mkdir(parents=True, exist_ok=True)
    for nb, target in zip(students, targets, strict=True):
        nbformat.write(nb, target)
    return targets


# -- grade --------------------------------------------------------------------------


@dataclass
class GradeRow:
    """One student's result on one notebook.

    Attributes
    ----------
    student : str
        The submission folder's name (or the file's stem).
    notebook : str
        The notebook's file name.
    checks : list of str
        Every check of the notebook, in order.
    failed : list of str
        The checks that failed.
    error : str
        Why the notebook could not be graded at all (unreadable file), else empty.
    crashed : list of int
        Indices among the graded notebook's code cells of the cells other
        than checks that raised (the student's code did not run).
    """

    student: str
    notebook: str
    checks: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    error: str = ""
    crashed: list[int] = field(default_factory=list)
    points: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """Points of the checks that passed (nbgrader ``points``, 1 per check when not given)."""
        return sum(self.points.get(c, 1.0) for c in self.checks if c not in self.failed)

    @property
    def max_score(self) -> float:
        """Points of all the checks."""
        return sum(self.points.get(c, 1.0) for c in self.checks)

    @property
    def passed(self) -> int:
        """How many checks passed."""
        return len(self.checks) - len(self.failed)


_CHECK_NAMES = ("check_activation", "check_close", "check_dead_units", "check_kinks", "check_one_sided", "check_true")
_FRESH_CHECKS = (
    "import importlib as _kit_importlib, kit.coursework as _kit_coursework  # added by kit coursework grade\n"
    "_kit_importlib.reload(_kit_coursework)\n"
    f"from kit.coursework import {', '.join(_CHECK_NAMES)}\n"
)
"""Put before each check cell when grading, so that a student's own ``check_close`` cannot replace the kit's."""


def _check_label(cell: Any, i: int) -> str:
    nbg = cell.metadata.get("nbgrader", {})
    if nbg.get("grade_id"):
        return str(nbg["grade_id"])
    m = re.search(r"\b(check_\w+)\(", cell.source)
    return f"cell {i} {m.group(1)}" if m else f"cell {i}"


def check_points(source: Any) -> dict[str, float]:
    """Points of each check cell of a coursework notebook: nbgrader ``points``, 1 when not given."""
    out: dict[str, float] = {}
    for i, c in enumerate(source.cells):
        if c.cell_type == "code" and _is_check(c) and BEGIN not in c.source:
            out[_check_label(c, i)] = float(c.metadata.get("nbgrader", {}).get("points", 1))
    return out


def _grade_id(cell: Any) -> str:
    return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))


def merge(source: Any, submission: Any) -> tuple[Any, list[str]]:
    """The teacher's notebook with the student's answers in it, ready for nbval.

    Cells are matched by id (or, failing that, by nbgrader ``grade_id``).  Each cell that holds a solution in ``source``
    is taken from ``submission`` (the student's version of it, or the stub if
    the student deleted it); every other cell of ``source``, check cells
    included, is the teacher's, with the teacher's stored outputs, so a
    student cannot change what a check compares against (each check cell
    also re-imports the check helpers, so a student's redefinition of them
    does not count).  Cells the student
    added are kept after the answer cell they follow.  Only check cells
    are compared by nbval; every other cell is marked ``nbval-ignore-output``.

    Returns
    -------
    (notebook, checks)
        The merged notebook and the label of each check cell in it.
    """
    by_id = {c.get("id"): c for c in submission.cells if c.get("id")}
    by_grade_id = {_grade_id(c): c for c in submission.cells if _grade_id(c)}
    source_ids = {c.get("id") for c in source.cells}
    id_of_grade_id = {_grade_id(c): c.get("id") for c in source.cells if _grade_id(c)}
    followers: dict[str | None, list[Any]] = {}
    last: str | None = None
    for c in submission.cells:
        cid = c.get("id")
        if cid in source_ids:
            last = cid
        elif _grade_id(c) in id_of_grade_id:
            last = id_of_grade_id[_grade_id(c)]
        else:
            followers.setdefault(last, []).append(c)
    labels = {c.get("id"): _check_label(c, i) for i, c in enumerate(source.cells)}
    cells: list[Any] = []
    checks: list[str] = []
    for c in followers.get(None, []):
        cells.append(copy.deepcopy(c))
    for c in source.cells:
        has_solution = BEGIN in c.source
        if has_solution:
            stub = STUB if c.cell_type == "code" else MARKDOWN_STUB
            chosen = copy.deepcopy(by_id.get(c.get("id")) or by_grade_id.get(_grade_id(c) or None))
            if chosen is None or chosen.cell_type != c.cell_type:
                chosen = copy.deepcopy(c)
                chosen.source = _strip_solution(c.source, stub, "source")[0]
        else:
            chosen = copy.deepcopy(c)
        cells.append(chosen)
        cells.extend(copy.deepcopy(x) for x in followers.get(c.get("id"), []))
    merged = copy.deepcopy(source)
    merged.cells = []
    for c in cells:
        if c.cell_type == "code":
            tags = [t for t in c.metadata.get("tags", []) if not t.startswith("nbval")]
            is_teacher_check = _is_check(c) and c.get("id") in source_ids and BEGIN not in c.source
            if is_teacher_check:
                checks.append(labels[c.get("id")])
                c.source = _FRESH_CHECKS + c.source
            else:
                tags.append("nbval-ignore-output")
            c.metadata["tags"] = tags
        merged.cells.append(c)
    return merged, checks


def _find_submissions(submitted: Path, names: Iterable[str]) -> list[tuple[str, str, Path | None]]:
    """(student, notebook name, path or None) for every student folder under ``submitted``."""
    wanted = list(names)
    out = []
    students = sorted(p for p in submitted.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise ValueError(f"no student folders in {submitted} (expected {submitted}/STUDENT/NOTEBOOK.ipynb)")
    for s in students:
        for name in wanted:
            hits = sorted(s.rglob(name))
            out.append((s.name, name, hits[0] if hits else None))
    return out


def _run_nbval(folder: Path, timeout: float) -> dict[tuple[str, int], bool]:
    """Run nbval over ``folder``; return {(notebook file, cell index): passed}."""
    report = folder / "_junit.xml"
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        f"--nbval-cell-timeout={timeout:g}",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "-o",
        "filterwarnings=",
        "-q",
        f"--junitxml={report}",
        "--rootdir",
        str(folder),
        str(folder),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, check=False)
    results: dict[tuple[str, int], bool] = {}
    if not report.exists():
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        raise RuntimeError(f"nbval did not run (exit status {proc.returncode}): {' / '.join(tail)}")
    for case in ET.parse(report).getroot().iter("testcase"):
        m = re.search(r"Cell (\d+)", case.get("name", ""))
        fm = re.search(r"([^/\\\s]+\.ipynb)", f"{case.get('file') or ''} {case.get('classname') or ''}")
        if not m:
            continue
        bad = any(child.tag in ("failure", "error") for child in case)
        key = ((fm.group(1) if fm else ""), int(m.group(1)))
        results[key] = not bad and not any(child.tag == "skipped" for child in case)
    return results


def grade(
    src: str | os.PathLike[str], submitted: str | os.PathLike[str], timeout: float = 120.0
) -> list[GradeRow]:
    """Grade every student's submission of the coursework in ``src``.

    Parameters
    ----------
    src : path
        The teacher's notebook (with solutions and executed outputs) or a
        folder of them.
    submitted : path
        A folder with one sub-folder per student, each holding that student's
        notebooks under the same file names (nested folders are searched, as
        in nbgrader's ``submitted/STUDENT/ASSIGNMENT/``).
    timeout : float
        Seconds a cell may take.

    Returns
    -------
    list of GradeRow
        One row per student and notebook, sorted by student.

    Raises
    ------
    RuntimeError
        If nbval itself could not run.

    Notes
    -----
    Grading runs the students' code, each notebook in its own kernel of this
    Python, with the teacher's permissions: grade in a container or a
    throw-away account if the submissions are not trusted.
    """
    nbformat = _nbformat()
    sources = {p.name: nbformat.read(p, as_version=4) for p in _coursework_notebooks(Path(src))}
    submitted = Path(submitted)
    if not submitted.is_dir():
        raise FileNotFoundError(f"no such folder: {submitted}")
    rows: list[GradeRow] = []
    with tempfile.TemporaryDirectory(prefix="kit-grade-") as tmp:
        work = Path(tmp)
        plan: list[tuple[GradeRow, str, list[int], list[int]]] = []
        for n, (student, name, path) in enumerate(_find_submissions(submitted, sources)):
            row = GradeRow(student, name, points=check_points(sources[name]))
            rows.append(row)
            if path is None:
                row.error = "not submitted"
            else:
                try:
                    sub = nbformat.read(path, as_version=4)
                except Exception as exc:
                    row.error = f"unreadable notebook: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
            if row.error:
                row.checks = merge(sources[name], sources[name])[1]
                row.failed = list(row.checks)
                continue
            merged, row.checks = merge(sources[name], sub)
            code = [c for c in merged.cells if c.cell_type == "code"]
            compared = [i for i, c in enumerate(code) if "nbval-ignore-output" not in c.metadata.get("tags", [])]
            others = [i for i in range(len(code)) if i not in compared]
            fname = f"s{n:04d}.ipynb"
            nbformat.write(merged, work / fname)
            plan.append((row, fname, compared, others))
        if plan:
            (work / "conftest.py").write_text("")
            results = _run_nbval(work, timeout)
            for row, fname, compared, others in plan:
                for label, cell in zip(row.checks, compared, strict=True):
                    if not results.get((fname, cell), False):
                        row.failed.append(label)
                row.crashed = [i for i in others if not results.get((fname, i), False)]
    return sorted(rows, key=lambda r: (r.student, r.notebook))


def table(rows: Sequence[GradeRow]) -> str:
    """The grade table as plain text: student, notebook, checks passed and failed, points, which checks failed."""
    head = ("student", "notebook", "passed", "failed", "points", "checks failed")
    body = []
    for r in rows:
        total = len(r.checks)
        failed = r.error or ", ".join(r.failed)
        if r.crashed:
            failed += f" ({len(r.crashed)} of the student's code cell(s) raised)"
        body.append((r.student, r.notebook, f"{r.passed}/{total}", str(total - r.passed),
                     f"{r.score:g}/{r.max_score:g}", failed))
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(5)]
    lines = []
    for line in [head, *body]:
        lines.append("  ".join(x.ljust(w) for x, w in zip(line[:5], widths, strict=True)) + "  " + line[5])
    return "\n".join(s.rstrip() for s in lines)


def _to_csv(rows: Sequence[GradeRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "notebook", "passed", "total", "score", "max_score", "failed_checks", "error"])
    for r in rows:
        err = r.error or (f"code cell(s) {' '.join(map(str, r.crashed))} raised" if r.crashed else "")
        w.writerow([r.student, r.notebook, r.passed, len(r.checks), f"{r.score:g}", f"{r.max_score:g}",
                    ";".join(r.failed), err])
    return buf.getvalue()


def cli(argv: Sequence[str]) -> int:
    """``kit coursework release SRC DEST [--force]`` and ``kit coursework grade SRC SUBMITTED [--csv FILE]``.

    Returns
    -------
    int
        0 on success (``grade``: whatever the students scored), 2 for bad
        arguments or files.
    """
    p = argparse.ArgumentParser(prog="kit coursework", description="Release and grade coursework notebooks.")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("release", help="write the student version: solutions stubbed, outputs cleared")
    r.add_argument("src", help="a coursework notebook or a folder of them")
    r.add_argument("dest", help="folder for the student versions")
    r.add_argument("--force", action="store_true", help="overwrite notebooks already in DEST")
    g = sub.add_parser("grade", help="run nbval over submissions and print a table per student")
    g.add_argument("src", help="the teacher's notebook(s), executed, with solutions")
    g.add_argument("submitted", help="folder with one sub-folder per student")
    g.add_argument("--csv", help="also write the table as CSV to this file")
    g.add_argument("--timeout", type=float, default=120.0, help="seconds per cell (default 120)")
    try:
        args = p.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.cmd == "release":
            written = release(args.src, args.dest, force=args.force)
            for w in written:
                print(f"wrote {w}")
            return 0
        rows = grade(args.src, args.submitted, timeout=args.timeout)
        print(table(rows))
        if args.csv:
            Path(args.csv).write_text(_to_csv(rows))
        return 0
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"kit coursework: error: {exc}", file=sys.stderr)
        return 2
