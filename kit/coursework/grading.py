"""Grading a class: every submission in its own kernel, every verdict computed by the grader.

``grade(src, submitted)`` reads the teacher's notebooks and every student's
submission into memory, runs the teacher's own solution once (its *reference
run*: it gives the expected values that are not literals in the check cells,
and grading stops if the teacher's solution does not earn every point), then
grades the submissions in parallel, each in a fresh isolated kernel
(:mod:`kit.coursework.sandbox`) in a pool of worker processes:

1. the student's answer cells and the teacher's other cells run in the
   kernel, in the teacher's order (:func:`kit.coursework.notebook.merge`);
2. at each check cell the teacher's setup lines run in the kernel, and each
   ``check_*`` call is judged *here*: the kernel is asked only for the values
   of the student's answers (plain data, validated by type), the teacher's
   expected values come from the teacher's notebook, and the judge of
   :mod:`kit.coursework.checks` decides;
3. the kernel is killed with everything it started, its folder removed.

A check cell passes when every call in it holds; its points are nbgrader's
``points`` (1 if not given), so the maximum is the teacher's, the same for
every student.  A check that could not be judged says why: a wrong value
(with the numbers), raised, timed out, memory limit, output cap, kernel died,
notebook time limit.  Nothing a kernel prints or writes is read back.

Before and after every submission the grader fingerprints the kit's code, the
teacher's notebooks and the submitted files (possible to change only without
namespace isolation).  A change is reported, naming the submissions that were
running; the grades stand, since every notebook was read before any kernel
ran and verdicts are computed in the grader's memory.  A change to the kit's
code stops the grading (a new worker would import it).
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import hashlib
import io
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit import _validate
from kit.claims import Verdict
from kit.coursework import notebook as nbk
from kit.coursework.checks import HELPERS
from kit.coursework.plain import NotPlain
from kit.coursework.sandbox import (
    ISOLATIONS,
    AgentError,
    Kernel,
    KernelGone,
    Limits,
    OrphanGuard,
    Outcome,
    become_subreaper,
    namespaces_available,
    protected_paths,
)

__all__ = [
    "STATUSES",
    "CheckResult",
    "Grade",
    "Grading",
    "check_csv_path",
    "grade",
    "options",
    "table",
    "to_csv",
]

STATUSES = ("passed", "failed", "raised", "timed out", "memory limit", "output cap", "kernel died",
            "notebook time limit", "not run", "grading error")
"""What a check's result can be; only ``"passed"`` earns its points."""

_STATUS_OF = {"error": "raised", "memory": "memory limit", "timeout": "timed out", "notebook timeout":
              "notebook time limit", "output cap": "output cap", "died": "kernel died"}
MAX_NOTEBOOK_BYTES = 50 << 20


@dataclass(frozen=True)
class CheckResult:
    """One check cell's result for one student.

    Attributes
    ----------
    label : str
        The cell's nbgrader ``grade_id`` (or ``cell N``).
    points : float
        What it is worth.
    status : str
        One of :data:`STATUSES`.
    reason : str
        Why it did not pass (one line), empty when it passed.
    verdicts : tuple of kit.claims.Verdict
        The judges' verdicts, one per claim the cell's calls made.
    """

    label: str
    points: float
    status: str
    reason: str = ""
    verdicts: tuple[Verdict, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class Grade:
    """One student's result on one notebook.

    Attributes
    ----------
    student, notebook : str
    checks : list of CheckResult
        Every check cell of the teacher's notebook, in order.
    error : str
        Why the notebook could not be graded at all (not submitted, unreadable, a link), else "".
    notes : list of str
        How answers were matched when not by cell id; cells of the student's that raised.
    seconds : float
        Wall-clock time its grading took in its worker (kernel start to kill).
    """

    student: str
    notebook: str
    checks: list[CheckResult] = field(default_factory=list)
    error: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        """Points of the checks that passed."""
        return sum(c.points for c in self.checks if c.passed)

    @property
    def max_score(self) -> float:
        """Points of every check (the teacher's total: the same for every student)."""
        return sum(c.points for c in self.checks)

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks)

    @property
    def failed(self) -> list[str]:
        """Labels of the checks that did not pass."""
        return [c.label for c in self.checks if not c.passed]


@dataclass
class Grading:
    """The outcome of :func:`grade`.

    Attributes
    ----------
    grades : list of Grade
        One per student and notebook, sorted.
    isolation : str
        ``"namespaces"`` or ``"processes"``: what kept submissions apart.
    damage : list of str
        Files outside a kernel's folder that changed while grading (kit code,
        teacher's notebooks, submissions), with the submissions that were
        running; empty when nothing changed.
    seconds : float
        Wall-clock time of the whole grading.
    """

    grades: list[Grade]
    isolation: str
    damage: list[str] = field(default_factory=list)
    seconds: float = 0.0


# -- options (checked before any work) ------------------------------------------------------


def options(
    timeout: Any = 60.0,
    notebook_timeout: Any = 600.0,
    memory_mb: Any = 4096.0,
    output_mb: Any = 20.0,
    workers: Any = None,
    isolation: Any = "auto",
) -> tuple[Limits, int, str]:
    """The grading limits, the number of workers and the isolation, each checked; ``ValueError`` otherwise.

    Examples
    --------
    >>> options(timeout=30)[0].cell_timeout
    30.0
    >>> options(timeout=float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: timeout must be a finite number > 0, got nan
    """
    limits = Limits(
        cell_timeout=_validate.number("timeout", timeout, above=0),
        notebook_timeout=_validate.number("notebook_timeout", notebook_timeout, above=0),
        memory_mb=_validate.number("memory_mb", memory_mb, lowest=256, highest=1 << 20),
        output_mb=_validate.number("output_mb", output_mb, above=0, highest=1 << 14),
    )
    n = os.cpu_count() or 1 if workers is None else _validate.integer("workers", workers, lowest=1, highest=512)
    iso = _validate.choice("isolation", isolation, ISOLATIONS)
    return limits, int(n), iso


def check_csv_path(path: str | os.PathLike[str]) -> Path:
    """``path`` if a CSV can be written there (an existing writable folder, not a folder itself); ``ValueError`` otherwise."""
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"--csv {p} is a folder, not a file")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise ValueError(f"--csv {p}: no such folder {parent}")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise ValueError(f"--csv {p}: not writable")
    return p


def _isolation(requested: str) -> str:
    if requested == "processes":
        return "processes"
    if namespaces_available():
        return "namespaces"
    if requested == "namespaces":
        raise ValueError("isolation 'namespaces' needs bubblewrap (bwrap) able to create namespaces here")
    return "processes"


# -- running one notebook (in a worker process) ---------------------------------------------


def _outcome_result(check: nbk.CheckCell, outcome: Outcome, where: str) -> CheckResult:
    return CheckResult(check.label, check.points, _STATUS_OF.get(outcome.status, "grading error"),
                       f"{outcome.reason()} {where}".strip())


def _failing(verdicts: Sequence[Verdict]) -> str:
    bad = [v for v in verdicts if not v.holds]
    return "(" + "; ".join(v.line.removeprefix("✘ FAILS: ") for v in bad)[:600] + ")"


def _judge_call(kernel: Kernel, call: nbk.Call, settings: dict[str, Any], refs_out: dict[str, Any] | None,
                what: str) -> tuple[list[Verdict], Outcome | None]:
    """Judge one helper call; the verdicts, or the outcome that prevented judging."""
    from kit.coursework.remote import deadline, remote_activation

    helper = HELPERS[call.helper]
    values: dict[str, Any] = {}
    with kernel.agent(what) as agent:
        until = deadline(kernel.limits.cell_timeout)
        try:
            if refs_out is not None:  # the reference run: the teacher's values of the non-literal settings
                for key, expr in call.refs.items():
                    refs_out[key] = agent.value(expr)
                settings = refs_out
            for key, expr in call.answers.items():
                if key in helper.activations:
                    values[key] = remote_activation(agent, expr, until)
                else:
                    values[key] = agent.value(expr)
        except AgentError as exc:
            o = exc.outcome
            return [], Outcome(o.status, o.ename, o.evalue, o.detail or f"in {call.text[:80]}")
        except NotPlain as exc:
            text = str(call.literals.get("what") or call.helper)
            return [Verdict(text, False, "but plain data (numbers, lists, arrays, str, dict) was expected",
                            measured=f"{key} is {exc}")], None
        args = {**values, **call.literals, **settings}
        try:
            return list(helper.judge(**args)), None
        except AgentError as exc:
            return [], exc.outcome
        except KernelGone:
            raise
        except Exception as exc:
            return [], Outcome("error", "GradingError", f"{call.helper} could not judge: {type(exc).__name__}: {exc}"[:300])


def _run_check(kernel: Kernel, check: nbk.CheckCell, refs: dict[tuple[int, int], dict[str, Any]] | None,
               reference: bool) -> tuple[CheckResult, dict[tuple[int, int], dict[str, Any]]]:
    verdicts: list[Verdict] = []
    found: dict[tuple[int, int], dict[str, Any]] = {}
    for n, step in enumerate(check.steps):
        if isinstance(step, str):
            out = kernel.execute(step, what=check.label)
            if not out.ok:
                return _outcome_result(check, out, "in the check cell's code"), found
            continue
        settings = {} if reference else dict((refs or {}).get((check.index, n), {}))
        refs_out: dict[str, Any] | None = {} if reference else None
        got, failure = _judge_call(kernel, step, settings, refs_out, check.label)
        if refs_out is not None:
            found[(check.index, n)] = refs_out
        if failure is not None:
            status = _STATUS_OF.get(failure.status, "grading error")
            if failure.ename == "GradingError":
                status = "grading error"
            return CheckResult(check.label, check.points, status, failure.reason()[:600], tuple(verdicts)), found
        verdicts += got
    if all(v.holds for v in verdicts):
        return CheckResult(check.label, check.points, "passed", "", tuple(verdicts)), found
    return CheckResult(check.label, check.points, "failed", _failing(verdicts), tuple(verdicts)), found


def run_notebook(merged: nbk.Merged, checks: list[nbk.CheckCell], limits: Limits, isolation: str,
                 refs: dict[tuple[int, int], dict[str, Any]] | None = None, reference: bool = False
                 ) -> tuple[list[CheckResult], list[str], dict[tuple[int, int], dict[str, Any]]]:
    """Run one merged notebook in a fresh kernel; the check results, notes, and (reference run) the teacher's values."""
    results: dict[str, CheckResult] = {}
    notes: list[str] = []
    found: dict[tuple[int, int], dict[str, Any]] = {}
    gone: tuple[Outcome, str] | None = None
    kernel = Kernel(limits, isolation)
    try:
        kernel.start()
        for n, cell in enumerate(merged.cells):
            where = "in an added cell" if cell.role == "added" else f"in cell {cell.teacher_index}"
            try:
                if cell.check is not None:
                    results[cell.check.label], f = _run_check(kernel, cell.check, refs, reference)
                    found.update(f)
                else:
                    ran = kernel.execute(cell.source, what=f"code cell {n}")
                    if not ran.ok and cell.role in ("answer", "added"):
                        notes.append(f"{where.removeprefix('in ')} {_STATUS_OF.get(ran.status, ran.status)} {ran.reason()}")
                    elif not ran.ok:
                        notes.append(f"the teacher's cell {cell.teacher_index} {_STATUS_OF.get(ran.status, ran.status)} {ran.reason()}")
            except KernelGone as exc:
                gone = (exc.outcome, where)
                if cell.check is not None:
                    results[cell.check.label] = _outcome_result(cell.check, exc.outcome, "")
                break
    except KernelGone as exc:
        gone = (exc.outcome, "while starting")
    finally:
        kernel.stop()
    out: list[CheckResult] = []
    for check in checks:
        if check.label in results:
            out.append(results[check.label])
        elif gone is not None:
            out.append(CheckResult(check.label, check.points, _STATUS_OF.get(gone[0].status, "not run"),
                                   f"not run: {gone[0].reason()} {gone[1]}"))
        else:
            out.append(CheckResult(check.label, check.points, "not run", "the check cell did not run"))
    return out, notes, found


def _worker_init() -> None:
    become_subreaper()
    import kit.conformance
    import kit.coursework.remote
    import kit.nn  # noqa: F401


def _grade_task(task: dict[str, Any]) -> Grade:
    start = time.monotonic()
    g = _grade_one(task)
    g.seconds = time.monotonic() - start
    return g


def _grade_one(task: dict[str, Any]) -> Grade:
    teacher, name = task["teacher"], task["notebook"]
    g = Grade(task["student"], name)
    checks = nbk.check_cells(teacher, name)
    try:
        merged = nbk.merge(teacher, task["submission"], name)
    except nbk.CourseworkError as exc:
        g.error = f"grading error: {exc}"
        g.checks = [CheckResult(c.label, c.points, "grading error", str(exc)[:300]) for c in checks]
        return g
    g.notes = list(merged.notes)
    g.checks, notes, _ = run_notebook(merged, checks, task["limits"], task["isolation"], task["refs"])
    g.notes += notes
    return g


def _reference_task(task: dict[str, Any]) -> tuple[list[CheckResult], list[str], dict[tuple[int, int], dict[str, Any]]]:
    teacher, name = task["teacher"], task["notebook"]
    merged = nbk.merge(teacher, teacher, name)
    return run_notebook(merged, nbk.check_cells(teacher, name), task["limits"], task["isolation"], reference=True)


# -- the class ---------------------------------------------------------------------------------


def _read_submission(student_dir: Path, name: str) -> tuple[Any | None, str]:
    """The student's notebook ``name`` (searched in sub-folders, links never followed), or why not."""
    hits: list[Path] = []
    for root, dirs, files in os.walk(student_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if name in files:
            hits.append(Path(root) / name)
    if not hits:
        return None, "not submitted"
    path = hits[0]
    st = os.lstat(path)
    if not os.path.isfile(path) or os.path.islink(path):
        return None, "grading error: the submission is a link, not a file"
    if st.st_nlink > 1:
        return None, "grading error: the submission is a hard link to another file"
    if st.st_size > MAX_NOTEBOOK_BYTES:
        return None, f"grading error: the submission is larger than {MAX_NOTEBOOK_BYTES >> 20} MB"
    try:
        return nbk.read_notebook(path), ""
    except nbk.CourseworkError as exc:
        return None, f"unreadable notebook: {str(exc).split(': ', 1)[-1]}"


def _fingerprint(paths: Sequence[Path]) -> dict[str, str]:
    out: dict[str, str] = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if "__pycache__" not in p.parts)
        for f in files:
            try:
                if f.is_symlink() or not f.is_file():
                    out[str(f)] = "link" if f.is_symlink() else "dir"
                    continue
                out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
            except OSError:
                out[str(f)] = "unreadable"
    return out


def _changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return [f"{k} {'was removed' if k not in after else 'appeared' if k not in before else 'changed'}" for k in changed]


def grade(
    src: str | os.PathLike[str],
    submitted: str | os.PathLike[str],
    *,
    timeout: float = 60.0,
    notebook_timeout: float = 600.0,
    memory_mb: float = 4096.0,
    output_mb: float = 20.0,
    workers: int | None = None,
    isolation: str = "auto",
    progress: Callable[[Grade], None] | None = None,
) -> Grading:
    """Grade every student's submission of the coursework in ``src``.

    Parameters
    ----------
    src : path
        The teacher's notebook (with solutions) or a folder of them.
    submitted : path
        A folder with one sub-folder per student, each holding that student's
        notebooks under the same file names (searched in sub-folders too, as
        nbgrader's ``submitted/STUDENT/ASSIGNMENT/``).
    timeout, notebook_timeout : float
        Seconds of wall clock per cell and per notebook.
    memory_mb : float
        Address-space limit of each kernel process, MiB.
    output_mb : float
        What a notebook may print, MiB.
    workers : int, optional
        Kernels graded at once (default: the number of cores).
    isolation : {"auto", "namespaces", "processes"}
        See :mod:`kit.coursework.sandbox`; ``"auto"`` uses namespaces where bubblewrap can.
    progress : callable, optional
        Called with each :class:`Grade` as it is done.

    Returns
    -------
    Grading

    Raises
    ------
    ValueError
        Bad arguments, no student folders, or a teacher's notebook that
        cannot be graded (including one whose own solution does not pass
        every check), before any submission runs.
    """
    start = time.monotonic()
    limits, n_workers, requested = options(timeout, notebook_timeout, memory_mb, output_mb, workers, isolation)
    paths = nbk.coursework_notebooks(src)
    sources = {p.name: nbk.read_notebook(p) for p in paths}
    for name, nb in sources.items():
        nbk.check_cells(nb, name)
    submitted = Path(submitted)
    if not submitted.is_dir():
        raise FileNotFoundError(f"no such folder: {submitted}")
    students = sorted(p for p in submitted.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    if not students:
        raise ValueError(f"no student folders in {submitted} (expected {submitted}/STUDENT/NOTEBOOK.ipynb)")
    iso = _isolation(requested)
    grades: list[Grade] = []
    tasks: list[dict[str, Any]] = []
    for s in students:
        for name, teacher in sources.items():
            nb, error = _read_submission(s, name)
            if nb is None:
                checks = nbk.check_cells(teacher, name)
                grades.append(Grade(s.name, name, [CheckResult(c.label, c.points, "not run" if error == "not submitted"
                                                               else "grading error", error) for c in checks], error))
                continue
            tasks.append({"student": s.name, "notebook": name, "teacher": teacher, "submission": nb,
                          "limits": limits, "isolation": iso})
    watch = _Watch(protected_paths(), [p.resolve() for p in paths] + [submitted.resolve()])
    ctx = multiprocessing.get_context("spawn")
    guard = OrphanGuard()
    try:
        return _grade_all(ctx, guard, sources, tasks, grades, limits, n_workers, iso, watch, progress, start)
    finally:
        guard.close()


def _grade_all(ctx: Any, guard: OrphanGuard, sources: dict[str, Any], tasks: list[dict[str, Any]],
               grades: list[Grade], limits: Limits, n_workers: int, iso: str, watch: _Watch,
               progress: Callable[[Grade], None] | None, start: float) -> Grading:
    refs: dict[str, dict[tuple[int, int], dict[str, Any]]] = {}
    names = [name for name in sources if any(t["notebook"] == name for t in tasks)]
    pool = cf.ProcessPoolExecutor(max_workers=max(1, min(n_workers, len(tasks))), mp_context=ctx,
                                  initializer=_worker_init)
    try:
        futures = {name: pool.submit(_reference_task, {"teacher": sources[name], "notebook": name,
                                                       "limits": limits, "isolation": iso}) for name in names}
        for name, fut in futures.items():
            results, _notes, found = fut.result()
            bad = [r for r in results if not r.passed]
            if bad:
                raise nbk.CourseworkError(
                    f"{name}: the teacher's own solution does not pass {bad[0].label} ({bad[0].status}: "
                    f"{bad[0].reason}); fix the notebook before grading"
                )
            refs[name] = found
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    for t in tasks:
        t["refs"] = refs[t["notebook"]]
    grades += _run_tasks(ctx, n_workers, tasks, watch, progress, pool, guard)
    guard.sweep()  # before the last look: a process that outlived its worker must not change anything after it
    watch.check([])
    grades.sort(key=lambda g: (g.student, g.notebook))
    return Grading(grades, iso, watch.damage, time.monotonic() - start)


class _Watch:
    """Fingerprints of what no kernel may change: the kit's code, the teacher's notebooks, the submissions."""

    def __init__(self, code: list[Path], files: list[Path]) -> None:
        self.code = code
        self.paths = code + files
        self.before = _fingerprint(self.paths)
        self.damage: list[str] = []
        self.seen: set[str] = set()
        self.stopped = ""

    def check(self, running: list[str]) -> list[str]:
        """Record new changes, blaming ``running``; return the changes first seen now."""
        new = [c for c in _changes(self.before, _fingerprint(self.paths)) if c not in self.seen]
        for c in new:
            self.seen.add(c)
            who = f" while grading {', '.join(running)}" if running else " during grading"
            self.damage.append(c + who)
            if any(c.startswith(str(p)) for p in self.code):
                self.stopped = "grading stopped: the kit's code was changed while grading"
        return new


def _failed(task: dict[str, Any], why: str) -> Grade:
    checks = nbk.check_cells(task["teacher"], task["notebook"])
    return Grade(task["student"], task["notebook"],
                 [CheckResult(c.label, c.points, "grading error", why) for c in checks], f"grading error: {why}")


def _run_tasks(ctx: Any, n_workers: int, tasks: list[dict[str, Any]], watch: _Watch,
               progress: Callable[[Grade], None] | None, first: cf.ProcessPoolExecutor,
               guard: OrphanGuard) -> list[Grade]:
    """Grade ``tasks`` in a pool of ``n_workers`` processes, watching for damage after each.

    A worker killed by its kernel breaks the pool: the submissions that were
    running are then graded again one at a time, each in a fresh worker, so
    that the one that kills its grader is named; the others are graded as if
    nothing had happened.
    """
    out: list[Grade] = []
    queue = list(range(len(tasks)))
    if not queue:
        first.shutdown()
    while queue:
        suspects: list[int] = []
        pool = first if first is not None else cf.ProcessPoolExecutor(
            max_workers=max(1, min(n_workers, len(queue))), mp_context=ctx, initializer=_worker_init)
        first = None  # type: ignore[assignment]  # the caller's pool serves the first round only
        with pool:
            running: dict[cf.Future[Grade], int] = {}
            while (queue or running) and not watch.stopped:
                while queue and len(running) < n_workers:
                    i = queue.pop(0)
                    running[pool.submit(_grade_task, tasks[i])] = i
                names = [f"{tasks[i]['student']}/{tasks[i]['notebook']}" for i in running.values()]
                finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                guard.sweep()  # what a dead worker's kernel left behind
                broken = False
                for fut in finished:
                    i = running.pop(fut)
                    try:
                        g = fut.result()
                    except cf.process.BrokenProcessPool:
                        suspects.append(i)
                        broken = True
                        continue
                    out.append(g)
                    if progress:
                        progress(g)
                watch.check(names)  # grades stand (they were computed from copies read before any kernel ran)
                if broken:
                    suspects += list(running.values())
                    running.clear()
                    break
        for i in suspects:
            if watch.stopped:
                queue.append(i)
                continue
            with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_worker_init) as solo:
                try:
                    g = solo.submit(_grade_task, tasks[i]).result()
                except cf.process.BrokenProcessPool:
                    g = _failed(tasks[i], "the submission killed the grader's worker process")
            guard.sweep()
            watch.check([f"{tasks[i]['student']}/{tasks[i]['notebook']}"])
            out.append(g)
            if progress:
                progress(g)
        if watch.stopped:
            out += [_failed(tasks[i], f"not graded: {watch.stopped}") for i in queue]
            queue = []
    return out


# -- reports --------------------------------------------------------------------------------------


def _why(g: Grade) -> str:
    if g.error:
        return g.error
    parts = [f"{c.label}: {c.status}" + (f" {c.reason}" if c.reason else "") for c in g.checks if not c.passed]
    return "; ".join(parts)


def table(grading: Grading | Sequence[Grade]) -> str:
    """The grade table as plain text: student, notebook, score, checks passed, and why each check failed."""
    grades = grading.grades if isinstance(grading, Grading) else list(grading)
    head = ("student", "notebook", "score", "checks", "why")
    body = [(g.student, g.notebook, f"{g.score:g}/{g.max_score:g}", f"{g.passed}/{len(g.checks)}", _why(g))
            for g in grades]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(4)]
    lines = ["  ".join(x.ljust(w) for x, w in zip(r[:4], widths, strict=True)) + "  " + r[4] for r in [head, *body]]
    out = [s.rstrip() for s in lines]
    if isinstance(grading, Grading):
        out.append(f"isolation: {grading.isolation}; {len(grades)} notebook(s) graded in {grading.seconds:.1f} s")
        if grading.isolation == "processes":
            out.append("warning: without namespaces a submission can read the grading user's files (see "
                       "kit.coursework.sandbox); grade untrusted work with bubblewrap or in a container")
        for d in grading.damage:
            out.append(f"DAMAGE: {d}")
    return "\n".join(out)


def to_csv(grades: Sequence[Grade]) -> str:
    """One row per student and notebook: score, maximum, checks passed, each check's status, and why."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "notebook", "score", "max_score", "passed", "total", "failed_checks", "why", "notes"])
    for g in grades:
        w.writerow([g.student, g.notebook, f"{g.score:g}", f"{g.max_score:g}", g.passed, len(g.checks),
                    ";".join(g.failed), _why(g), " | ".join(g.notes)])
    return buf.getvalue()

