"""The lessons as committed: executed, clean, and shaped like a lesson.

nbval (``make test``) re-runs them and compares outputs; these tests check
what nbval does not: that every notebook was committed executed, with no
error or stderr output, that widget cells are excluded from comparison while
their numbers are printed elsewhere, and that each lesson has its question,
summary, references and exercises.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
ALL = NOTEBOOKS + sorted((LESSONS / "coursework").glob("*.ipynb"))
WIDGET_CALL = re.compile(r"kit\.widgets\.(explorer|descent|dead_units|saturation|playground)\(")


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def test_there_are_seven_lessons_numbered_in_order():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_committed_executed_without_errors_or_stderr(path):
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a lesson without code"
    counts = [c.execution_count for c in code]
    assert all(isinstance(n, int) for n in counts), f"cells not executed: {counts}"
    assert counts == list(range(1, len(code) + 1)), f"not run top to bottom in one kernel: {counts}"
    for i, cell in enumerate(code):
        for out in cell.outputs:
            assert out.output_type != "error", f"code cell {i}: {out.get('ename')}: {out.get('evalue')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), f"code cell {i} wrote to stderr"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_cells_are_ignored_by_nbval_and_claims_have_printed_numbers(path):
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    widget_cells = [c for c in code if WIDGET_CALL.search(c.source)]
    assert widget_cells, "every lesson shows at least one widget"
    for cell in widget_cells:
        assert cell.source.startswith("# NBVAL_IGNORE_OUTPUT"), cell.source[:80]
    compared = [c for c in code if "NBVAL_IGNORE_OUTPUT" not in c.source]
    printed = [c for c in compared if any(o.output_type == "stream" for o in c.outputs)]
    assert len(printed) >= 3, "the claims' numbers must be printed in cells nbval compares"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_shape_question_summary_references_exercises(path):
    nb = _read(path)
    assert nb.cells[0].cell_type == "markdown"
    first = nb.cells[0].source
    assert first.startswith("# Lesson "), first[:40]
    assert "**The question" in first
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("## Summary", "## References", "## Exercises"):
        assert heading in text, heading
    assert "Goodfellow" in text
    # the same import cell opens every lesson
    assert nb.cells[1].cell_type == "code" and "import kit" in nb.cells[1].source


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_trailing_semicolon_and_no_unrounded_floats_printed(path):
    """nbval compares what is printed: a trailing ';' does not hide it, and long floats differ across machines."""
    nb = _read(path)
    long_float = re.compile(r"\d\.\d{9,}")
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        last = cell.source.rstrip().splitlines()[-1] if cell.source.strip() else ""
        assert not last.endswith(";"), f"code cell {i}: assign to _ instead of a trailing ';'"
        if "NBVAL_IGNORE_OUTPUT" in cell.source:
            continue
        for out in cell.outputs:
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            assert not long_float.search(text), f"code cell {i} prints an unrounded float: {text[:200]}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_failing_claim_is_committed(path):
    """A notebook executed on a machine where a claim failed stores the failing line, and nbval on that machine
    would then compare against it and pass: the committed outputs must hold no failing verdict line."""
    from kit.claims import FAILS

    nb = _read(path)
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for out in cell.outputs:
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            assert FAILS not in text, f"code cell {i} committed a failing claim: {text[:300]}"
