"""Coursework notebooks: solution and hidden-test markers, the student version, check cells, merging.

A coursework notebook is the teacher's: executed, with solutions between
nbgrader's markers and *check cells* that call the helpers of
:mod:`kit.coursework.checks`::

    def double(x):
        ### BEGIN SOLUTION
        return 2 * x
        ### END SOLUTION

Markers are found as nbgrader 0.9.6 finds them (``ClearSolutions`` and
``ClearHiddenTests``): a line that *contains* ``BEGIN SOLUTION`` opens a
solution, whatever comment characters surround it (``# BEGIN SOLUTION``,
``###BEGIN SOLUTION``), a line that contains ``END SOLUTION`` closes it, and
the region becomes the stub, indented like the opening line; a region from
``BEGIN HIDDEN TESTS`` to ``END HIDDEN TESTS`` is removed from the student's
copy and restored when grading.

Examples
--------
>>> strip_solutions("def f():\\n    #BEGIN SOLUTION\\n    return 1\\n    # END SOLUTION", "code")
('def f():\\n    # YOUR CODE HERE\\n    raise NotImplementedError()', True)
>>> strip_hidden_tests("check(a)\\n### BEGIN HIDDEN TESTS\\ncheck(b)\\n### END HIDDEN TESTS")
('check(a)', True)
"""

from __future__ import annotations

import ast
import copy
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.coursework.checks import HELPERS

__all__ = [
    "BEGIN_HIDDEN",
    "BEGIN_SOLUTION",
    "CODE_STUB",
    "END_HIDDEN",
    "END_SOLUTION",
    "TEXT_STUB",
    "Call",
    "CheckCell",
    "CourseworkError",
    "Merged",
    "RunCell",
    "check_cells",
    "coursework_notebooks",
    "has_solution",
    "is_check_cell",
    "merge",
    "read_notebook",
    "release",
    "strip_hidden_tests",
    "strip_solutions",
    "student_version",
]

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"


class CourseworkError(ValueError):
    """The teacher's notebook cannot be released or graded as it is; the message says where and why."""


# -- markers (nbgrader's rules) --------------------------------------------------------


def _strip_region(source: str, begin: str, end: str, stub: str | None, where: str) -> tuple[str, bool]:
    lines = source.split("\n")
    out: list[str] = []
    inside = found = False
    for n, line in enumerate(lines, 1):
        if begin in line:
            if inside:
                raise CourseworkError(f"{where}, line {n}: {begin} inside another {begin} region")
            inside = found = True
            if stub is not None:
                indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]  # \s* matches every line
                out.extend(indent + s for s in stub.split("\n"))
        elif end in line:
            if not inside:
                raise CourseworkError(f"{where}, line {n}: {end} without {begin}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise CourseworkError(f"{where}: {begin} is never closed by {end}")
    return "\n".join(out), found


def strip_solutions(source: str, cell_type: str = "code", where: str = "cell") -> tuple[str, bool]:
    """``source`` with each solution region replaced by the stub, and whether there was one."""
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    return _strip_region(source, BEGIN_SOLUTION, END_SOLUTION, stub, where)


def strip_hidden_tests(source: str, where: str = "cell") -> tuple[str, bool]:
    """``source`` without its hidden-test regions, and whether there was one."""
    return _strip_region(source, BEGIN_HIDDEN, END_HIDDEN, None, where)


def _nbg(cell: Any) -> dict[str, Any]:
    return dict(cell.get("metadata", {}).get("nbgrader", {}) or {})


def has_solution(cell: Any) -> bool:
    """True if the cell holds an answer: a solution region, or nbgrader ``solution: true``."""
    return bool(_nbg(cell).get("solution")) or any(BEGIN_SOLUTION in line for line in cell.source.split("\n"))


def _helper_calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id in HELPERS]


def is_check_cell(cell: Any) -> bool:
    """True for a teacher's check cell: a code cell without a solution that is an nbgrader grade cell or calls a helper."""
    if cell.cell_type != "code" or has_solution(cell):
        return False
    if _nbg(cell).get("grade"):
        return True
    try:
        return bool(_helper_calls(ast.parse(cell.source)))
    except SyntaxError:
        return False


# -- reading ---------------------------------------------------------------------------


def read_notebook(path: str | os.PathLike[str]) -> Any:
    """A notebook read with nbformat (version 4), ``CourseworkError`` saying why it cannot be read."""
    import nbformat

    try:
        return nbformat.read(os.fspath(path), as_version=4)
    except Exception as exc:
        first = (str(exc).splitlines() or [""])[0][:160]
        raise CourseworkError(f"{path}: not a readable notebook ({type(exc).__name__}: {first})") from None


def coursework_notebooks(src: str | os.PathLike[str]) -> list[Path]:
    """The teacher's notebooks: ``src`` itself, or the ``*.ipynb`` directly in folder ``src``."""
    p = Path(src)
    if p.is_dir():
        found = sorted(q for q in p.glob("*.ipynb") if q.is_file())
        if not found:
            raise CourseworkError(f"no notebooks in {p}")
        return found
    if p.suffix != ".ipynb" or not p.is_file():
        raise FileNotFoundError(f"no such notebook or folder: {p}")
    return [p]


# -- the student version ----------------------------------------------------------------


def _nbgrader_rules(nb: Any, name: str) -> None:
    """Refuse what real nbgrader (0.9.6) would refuse, where the notebook uses nbgrader metadata."""
    if not any("nbgrader" in c.get("metadata", {}) for c in nb.cells):
        return
    ids: dict[str, int] = {}
    for i, c in enumerate(nb.cells):
        nbg = _nbg(c)
        where = f"{name}, cell {i}"
        lines = c.source.split("\n")
        if any(BEGIN_SOLUTION in line for line in lines) and not nbg.get("solution"):
            raise CourseworkError(f"{where}: a solution region in a cell that is not an nbgrader solution cell")
        if any(BEGIN_HIDDEN in line for line in lines) and not nbg.get("grade"):
            raise CourseworkError(f"{where}: hidden tests in a cell that is not an nbgrader grade cell")
        if c.cell_type == "markdown" and nbg.get("solution") and not nbg.get("grade"):
            raise CourseworkError(
                f"{where}: a markdown answer must be a manually graded answer for nbgrader "
                '("grade": true, "solution": true, "points": N)'
            )
        if nbg.get("grade") and not _is_number(nbg.get("points", None)):
            raise CourseworkError(f"{where}: an nbgrader grade cell needs its points")
        gid = nbg.get("grade_id")
        if (nbg.get("grade") or nbg.get("solution")) and not gid:
            raise CourseworkError(f"{where}: an nbgrader cell needs a grade_id")
        if gid:
            if gid in ids:
                raise CourseworkError(f"{where}: grade_id {gid!r} is also cell {ids[gid]}'s")
            ids[gid] = i


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0


def student_version(nb: Any, name: str = "notebook") -> Any:
    """The student's copy of a coursework notebook (a new notebook; ``nb`` is unchanged).

    Solutions become stubs (``raise NotImplementedError()`` in code, "YOUR
    ANSWER HERE" in markdown), hidden tests are removed, every output and
    execution count is cleared, widget state is dropped, check cells are made
    read-only, and every cell keeps its id and nbgrader metadata so that the
    grader (and nbgrader) can match it.

    Raises
    ------
    CourseworkError
        Unbalanced markers, no solution at all, nbgrader metadata nbgrader
        itself would refuse, or a check cell the grader could not grade.
    """
    _nbgrader_rules(nb, name)
    check_cells(nb, name)  # refuses check cells that cannot be graded outside the kernel
    out = copy.deepcopy(nb)
    out.metadata.pop("widgets", None)
    solutions = 0
    for i, cell in enumerate(out.cells):
        where = f"{name}, cell {i}"
        checked = is_check_cell(cell)
        cell.source, found = strip_solutions(cell.source, cell.cell_type, where)
        cell.source, _ = strip_hidden_tests(cell.source, where)
        solutions += found
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
            if checked:
                cell.metadata["editable"] = False
                cell.metadata["deletable"] = False
    if not solutions:
        raise CourseworkError(f"{name}: no {BEGIN_SOLUTION} / {END_SOLUTION} region: nothing for the student to do")
    return out


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
        A notebook exists in ``dest`` and ``force`` is false (nothing is written).
    CourseworkError
        Markers are unbalanced, a notebook has no solution, or ``dest`` is the source folder.
    """
    import nbformat

    sources = coursework_notebooks(src)
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise CourseworkError(f"dest {dest} is not a folder")
    if dest.resolve() in {p.parent.resolve() for p in sources}:
        raise CourseworkError(f"dest {dest} is the source folder: the solutions would be overwritten")
    targets = [dest / p.name for p in sources]
    if not force:
        clash = [str(t) for t in targets if t.exists()]
        if clash:
            raise FileExistsError(f"refusing to overwrite {', '.join(clash)} (use --force)")
    students = [student_version(read_notebook(p), p.name) for p in sources]
    dest.mkdir(parents=True, exist_ok=True)
    for nb, target in zip(students, targets, strict=True):
        nbformat.write(nb, os.fspath(target))
    return targets


# -- check cells -------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One helper call in a check cell, as the grader runs it.

    Attributes
    ----------
    helper : str
        The helper's name (a key of :data:`kit.coursework.checks.HELPERS`).
    answers : dict
        Parameter -> the expression (teacher's text) evaluated in the student's kernel.
    literals : dict
        Parameter -> a Python literal written in the cell (the teacher's).
    refs : dict
        Parameter -> an expression evaluated in the teacher's reference run
        (the teacher's values; never in the student's kernel).
    text : str
        The call's source, for messages.
    """

    helper: str
    answers: dict[str, str]
    literals: dict[str, Any]
    refs: dict[str, str]
    text: str


@dataclass(frozen=True)
class CheckCell:
    """A teacher's check cell: its label, points and what to run.

    ``steps`` alternate setup code (a ``str``, run in the kernel as it is) and
    :class:`Call` objects (judged by the grader).
    """

    index: int
    label: str
    points: float
    steps: tuple[str | Call, ...]
    source: str


def _label(cell: Any, index: int) -> str:
    gid = _nbg(cell).get("grade_id")
    return str(gid) if gid else f"cell {index}"


def _call(node: ast.Call, source: str, where: str) -> Call:
    helper = HELPERS[node.func.id]  # type: ignore[attr-defined]  # callers pass helper calls: node.func is an ast.Name
    text = ast.get_source_segment(source, node) or node.func.id  # type: ignore[attr-defined]  # as above
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        raise CourseworkError(f"{where}: {text}: write each argument out (no * or **)")
    try:
        bound = helper.signature.bind(*node.args, **{k.arg: k.value for k in node.keywords if k.arg is not None})
    except TypeError as exc:
        raise CourseworkError(f"{where}: {text}: {exc}") from None
    answers: dict[str, str] = {}
    literals: dict[str, Any] = {}
    refs: dict[str, str] = {}
    params = helper.signature.parameters
    for name, value in bound.arguments.items():
        items = value.items() if params[name].kind is params[name].VAR_KEYWORD else [(name, value)]
        for key, expr in items:
            src = ast.get_source_segment(source, expr) or ast.unparse(expr)
            if name in helper.answers:
                answers[key] = src
                continue
            try:
                literals[key] = ast.literal_eval(expr)
            except ValueError:
                refs[key] = src
    return Call(helper.name, answers, literals, refs, text)


def _parse_check(cell: Any, index: int, name: str) -> CheckCell:
    where = f"{name}, {_label(cell, index)}"
    source = cell.source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise CourseworkError(f"{where}: a check cell must be plain Python ({exc.msg}, line {exc.lineno})") from None
    steps: list[str | Call] = []
    setup: list[str] = []
    lines = source.split("\n")
    for stmt in tree.body:
        seg = "\n".join(lines[stmt.lineno - 1 : stmt.end_lineno])  # whole lines: keeps indentation and comments
        is_call = (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                   and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id in HELPERS)
        if is_call:
            if setup:
                steps.append("\n".join(setup))
                setup = []
            steps.append(_call(stmt.value, source, f"{where}, line {stmt.lineno}"))
            continue
        nested = _helper_calls(stmt)
        if nested:
            raise CourseworkError(
                f"{where}, line {nested[0].lineno}: {nested[0].func.id} inside another statement cannot be graded "  # type: ignore[attr-defined]  # _helper_calls: ast.Name
                "outside the student's kernel: call it on a line of its own"
            )
        setup.append(seg)
    if setup:
        steps.append("\n".join(setup))
    points = _nbg(cell).get("points", 1)
    return CheckCell(index, _label(cell, index), float(points), tuple(steps), source)


def check_cells(nb: Any, name: str = "notebook") -> list[CheckCell]:
    """The check cells of the teacher's notebook ``nb``, parsed; ``CourseworkError`` for one that cannot be graded.

    A grade cell (nbgrader ``grade: true``) without a helper call is refused:
    the grader judges only helper calls.
    """
    out = []
    for i, cell in enumerate(nb.cells):
        if not is_check_cell(cell):
            continue
        check = _parse_check(cell, i, name)
        if not any(isinstance(s, Call) for s in check.steps):
            raise CourseworkError(f"{name}, {check.label}: a grade cell without a check_* call cannot be graded")
        out.append(check)
    if not out:
        raise CourseworkError(f"{name}: no check cells (cells calling {', '.join(HELPERS)})")
    return out


# -- merging a submission into the teacher's notebook ------------------------------------


@dataclass(frozen=True)
class RunCell:
    """A code cell as the grader runs it: the source, who wrote it, and the teacher's cell it stands for."""

    source: str
    role: str  # "teacher", "answer", "added" or "check"
    teacher_index: int | None
    check: CheckCell | None = None


@dataclass
class Merged:
    """A submission merged into the teacher's notebook.

    Attributes
    ----------
    cells : list of RunCell
        The code cells to run, in order.
    notes : list of str
        How answers were matched when not by cell id, and answers not found.
    """

    cells: list[RunCell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def merge(teacher: Any, submission: Any, name: str = "notebook") -> Merged:
    """The code cells to run for ``submission``: the teacher's cells with the student's answers in place.

    Each student cell is matched to a teacher cell by cell id, else by
    nbgrader ``grade_id``, else (for the teacher's own cells, which students
    do not edit) by identical source.  An answer cell still unmatched (cell
    ids and metadata lost, as after some conversions) is taken by position:
    the student's unmatched cells between the same two matched cells, in
    order.  Every teacher cell without a solution, check cells included,
    always comes from the teacher; cells the student added run after the cell
    they follow.  Whatever was not matched by id is said in ``notes``, and an
    answer found nowhere is graded as the blank stub and said so: never
    silently.
    """
    checks = {c.index: c for c in check_cells(teacher, name)}
    t_ids = {c.get("id"): i for i, c in enumerate(teacher.cells) if c.get("id")}
    t_gids = {_nbg(c)["grade_id"]: i for i, c in enumerate(teacher.cells) if _nbg(c).get("grade_id")}
    solution = [has_solution(c) for c in teacher.cells]
    by_source: dict[str, list[int]] = {}
    for i, c in enumerate(teacher.cells):
        if not solution[i] and c.source.strip():
            by_source.setdefault(c.source, []).append(i)
    match: list[int | None] = []
    taken: set[int] = set()
    how: dict[int, str] = {}
    for c in submission.cells:
        t = None
        cid, gid = c.get("id"), _nbg(c).get("grade_id")
        if cid in t_ids and t_ids[cid] not in taken and teacher.cells[t_ids[cid]].cell_type == c.cell_type:
            t = t_ids[cid]
        elif gid in t_gids and t_gids[gid] not in taken and teacher.cells[t_gids[gid]].cell_type == c.cell_type:
            t, how[t_gids[gid]] = t_gids[gid], "grade_id"
        else:
            t = next((i for i in by_source.get(c.source, []) if i not in taken), None)
        if t is not None:
            taken.add(t)
        match.append(t)
    # answers still unmatched: by position between matched cells
    position = {t: s for s, t in enumerate(match) if t is not None}
    for i, c in enumerate(teacher.cells):
        if not solution[i] or i in taken:
            continue
        before = max((t for t in position if t < i), default=None)
        after = min((t for t in position if t > i), default=None)
        lo = position[before] if before is not None else -1
        hi = position[after] if after is not None else len(submission.cells)
        candidates = [s for s in range(lo + 1, hi) if match[s] is None and submission.cells[s].cell_type == c.cell_type]
        if candidates:
            s = candidates[0]
            match[s] = i
            taken.add(i)
            position[i] = s
            how[i] = "position"
    merged = Merged()
    answer_of = {t: s for s, t in enumerate(match) if t is not None}
    followers: dict[int | None, list[int]] = {}
    last: int | None = None
    for s, t in enumerate(match):
        if t is None:
            followers.setdefault(last, []).append(s)
        else:
            last = t
    by_pos = sorted(i for i in how if how[i] == "position")
    if by_pos:
        merged.notes.append(
            "answers matched by position (the submission's cell ids were lost): "
            + ", ".join(_label(teacher.cells[i], i) for i in by_pos)
        )
    by_gid = sorted(i for i in how if how[i] == "grade_id")
    if by_gid:
        merged.notes.append("answers matched by nbgrader grade_id: " + ", ".join(_label(teacher.cells[i], i) for i in by_gid))

    def add(cell: Any, role: str, index: int | None) -> None:
        if cell.cell_type == "code":
            merged.cells.append(RunCell(cell.source, role, index,
                                        checks.get(index) if role == "check" and index is not None else None))

    for s in followers.get(None, []):
        add(submission.cells[s], "added", None)
    for i, c in enumerate(teacher.cells):
        if solution[i]:
            if i in answer_of:
                add(submission.cells[answer_of[i]], "answer", i)
            else:
                merged.notes.append(f"answer {_label(c, i)} not found in the submission: graded as the blank stub")
                add(_with_source(c, strip_hidden_tests(strip_solutions(c.source, c.cell_type)[0])[0]), "answer", i)
        else:
            add(c, "check" if i in checks else "teacher", i)
        for s in followers.get(i, []):
            add(submission.cells[s], "added", None)
    return merged


def _with_source(cell: Any, source: str) -> Any:
    out = copy.copy(cell)
    out.source = source
    return out


def answer_cells(teacher: Any) -> Sequence[int]:
    """Indices of the teacher's cells that hold an answer."""
    return [i for i, c in enumerate(teacher.cells) if has_solution(c)]
