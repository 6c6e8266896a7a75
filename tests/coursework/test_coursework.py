"""Coursework: the check helpers, release (student version) and grade (nbval per student)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

import kit
from kit import coursework as cw
from kit.lessons import execute

ROOT = Path(__file__).resolve().parents[2]
COURSEWORK = ROOT / "lessons" / "coursework"


# -- check helpers --------------------------------------------------------------------


def test_check_close_passes_with_a_line_that_does_not_depend_on_the_answer(capsys):
    cw.check_close(0.30000000001, 0.3, "sum")
    cw.check_close(0.3, 0.3, "sum")
    out = capsys.readouterr().out.splitlines()
    assert out == ["PASS sum", "PASS sum"]


def test_check_close_fails_naming_the_numbers():
    with pytest.raises(cw.CheckFailed, match=r"FAIL sum: got 0.5, expected 0.3"):
        cw.check_close(0.5, 0.3, "sum")
    with pytest.raises(cw.CheckFailed, match="shape"):
        cw.check_close([1.0, 2.0], [1.0], "vec")
    with pytest.raises(cw.CheckFailed, match="not a number"):
        cw.check_close("abc", 1.0, "x")
    with pytest.raises(cw.CheckFailed):
        cw.check_close(None, 1.0, "x")


def test_check_close_handles_nan_and_inf(capsys):
    cw.check_close([np.nan, np.inf], [np.nan, np.inf], "special")
    with pytest.raises(cw.CheckFailed):
        cw.check_close(np.inf, -np.inf, "inf")


def test_check_one_sided(capsys):
    cw.check_one_sided("relu", 0.0, left=0.0, right=1.0)
    assert capsys.readouterr().out == "PASS one-sided derivatives of relu at 0: left 0, right 1\n"
    with pytest.raises(cw.CheckFailed, match=r"your right derivative at 0 is 0\.5, it should be 1"):
        cw.check_one_sided("relu", 0.0, left=0.0, right=0.5)
    with pytest.raises(cw.CheckFailed, match="is not a number"):
        cw.check_one_sided("relu", 0.0, left=None, right=1.0)


def test_check_kinks_and_check_true(capsys):
    cw.check_kinks("relu", -1, 1, [0.0])
    cw.check_true(np.bool_(True), "numpy truth")
    assert capsys.readouterr().out.splitlines() == ["PASS kinks of relu in [-1, 1]: 1 point(s)", "PASS numpy truth"]
    with pytest.raises(cw.CheckFailed, match="expected"):
        cw.check_kinks("relu", -1, 1, [])
    with pytest.raises(cw.CheckFailed, match="FAIL it: too big"):
        cw.check_true(False, "it", hint="too big")


def test_check_dead_units_takes_counts_lists_and_histories(capsys):
    class History:
        dead = [[3, 3], [1, 0]]

    cw.check_dead_units(2, at_most=2)
    cw.check_dead_units([1, 1], at_most=2)
    cw.check_dead_units(History(), at_most=1)
    assert capsys.readouterr().out.count("PASS") == 3
    with pytest.raises(cw.CheckFailed, match=r"3 units are dead \(per layer: \[2, 1\]\)"):
        cw.check_dead_units([2, 1], at_most=2)
    with pytest.raises(cw.CheckFailed, match="cannot count"):
        cw.check_dead_units("many", at_most=2)


def test_check_activation_uses_kit_check(capsys):
    cw.check_activation("relu")
    assert capsys.readouterr().out == "PASS relu passes kit.check\n"

    class Wrong(kit.Activation):
        def value(self, z):
            return np.maximum(z, 0.0)

        def left_derivative(self, z):  # wrong: ReLU's left derivative at 0 is 0
            return np.where(np.isnan(z), z, (z >= 0).astype(z.dtype))

        def right_derivative(self, z):
            return np.where(np.isnan(z), z, (z >= 0).astype(z.dtype))

        def kinks(self, lo=-np.inf, hi=np.inf):
            return kit.within([0.0], lo, hi)

    with pytest.raises(cw.CheckFailed, match=r"FAIL wrong passes kit.check: .*left_derivative"):
        cw.check_activation(Wrong)


# -- release ---------------------------------------------------------------------------


def _source_notebook(folder: Path) -> Path:
    """A small coursework notebook with two answers and two checks, executed."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Exercise\n\nWhy?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
        nbformat.v4.new_code_cell("from kit.coursework import check_close, check_one_sided"),
        nbformat.v4.new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
        nbformat.v4.new_code_cell("check_close(double(3.0), 6.0, 'double(3)')"),
        nbformat.v4.new_code_cell("left = right = None\n### BEGIN SOLUTION\nleft, right = 0.0, 1.0\n### END SOLUTION"),
        nbformat.v4.new_code_cell("check_one_sided('relu', 0.0, left, right)"),
    ]
    nb.cells[3].metadata["nbgrader"] = {"grade": True, "grade_id": "check-double", "points": 2, "solution": False}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ex.ipynb"
    nbformat.write(nb, path)
    run = execute(path, timeout=60)
    assert run.ok, run
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return _source_notebook(tmp_path_factory.mktemp("cw") / "src")


def test_release_stubs_solutions_clears_outputs_and_locks_checks(source, tmp_path):
    written = cw.release(source.parent, tmp_path / "release")
    assert written == [tmp_path / "release" / "ex.ipynb"]
    nb = nbformat.read(written[0], as_version=4)
    text = json.dumps(nb)
    assert "return 2 * x" not in text and "0.0, 1.0" not in text and "Because." not in text
    assert nb.cells[0].source.endswith("YOUR ANSWER HERE")
    assert nb.cells[2].source == "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert nb.cells[4].source == "left = right = None\n# YOUR CODE HERE\nraise NotImplementedError()"
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert nb.cells[3].metadata["editable"] is False and nb.cells[5].metadata["deletable"] is False
    assert "editable" not in nb.cells[2].metadata
    assert [c.id for c in nb.cells] == [c.id for c in nbformat.read(source, as_version=4).cells]
    # the source is untouched
    assert "return 2 * x" in source.read_text()


def test_release_refuses_to_overwrite_and_bad_sources(source, tmp_path):
    cw.release(source, tmp_path / "out")
    with pytest.raises(FileExistsError, match="--force"):
        cw.release(source, tmp_path / "out")
    cw.release(source, tmp_path / "out", force=True)
    with pytest.raises(ValueError, match="source folder"):
        cw.release(source, source.parent)
    bad = nbformat.v4.new_notebook()
    bad.cells = [nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION\nx = 2")]
    nbformat.write(bad, tmp_path / "bad.ipynb")
    with pytest.raises(ValueError, match="never closed"):
        cw.release(tmp_path / "bad.ipynb", tmp_path / "o2")
    bad.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(bad, tmp_path / "bad.ipynb")
    with pytest.raises(ValueError, match="nothing for the student to do"):
        cw.release(tmp_path / "bad.ipynb", tmp_path / "o3")
    with pytest.raises(FileNotFoundError):
        cw.release(tmp_path / "missing.ipynb", tmp_path / "o4")


def test_the_lessons_coursework_releases(tmp_path):
    notebooks = sorted(COURSEWORK.glob("*.ipynb"))
    if not notebooks:
        pytest.skip("no coursework notebooks yet")
    written = cw.release(COURSEWORK, tmp_path)
    for path in written:
        nb = nbformat.read(path, as_version=4)
        assert "### BEGIN SOLUTION" not in path.read_text()
        assert any("raise NotImplementedError()" in c.source for c in nb.cells)
        checks = [c for c in nb.cells if c.cell_type == "code" and "check_" in c.source and "import" not in c.source]
        assert checks and all(c.metadata.get("editable") is False for c in checks)


def test_the_lessons_coursework_grades_its_own_solution_full_and_the_blank_copy_zero(tmp_path, capsys):
    notebooks = sorted(COURSEWORK.glob("*.ipynb"))
    if not notebooks:
        pytest.skip("no coursework notebooks yet")
    released = cw.release(COURSEWORK, tmp_path / "release")
    for src, blank in zip(notebooks, released, strict=True):
        teacher = nbformat.read(src, as_version=4)
        (tmp_path / "sub" / "teacher").mkdir(parents=True, exist_ok=True)
        (tmp_path / "sub" / "blank").mkdir(parents=True, exist_ok=True)
        nbformat.write(teacher, tmp_path / "sub" / "teacher" / src.name)
        nbformat.write(nbformat.read(blank, as_version=4), tmp_path / "sub" / "blank" / src.name)
        # cell ids lost (e.g. by a conversion): answers are found by their nbgrader grade_id
        for i, cell in enumerate(teacher.cells):
            cell.id = f"new-{i}"
        (tmp_path / "sub" / "renamed").mkdir(parents=True, exist_ok=True)
        nbformat.write(teacher, tmp_path / "sub" / "renamed" / src.name)
    rows = cw.grade(COURSEWORK, tmp_path / "sub")
    assert sorted({r.student for r in rows}) == ["blank", "renamed", "teacher"]
    for row in rows:
        assert row.checks, row
        if row.student in ("teacher", "renamed"):
            assert row.failed == [] and row.crashed == [], row
            assert row.score == row.max_score > len(row.checks) - 1, row
        else:
            assert row.passed == 0 and row.failed == row.checks, row


# -- grade -----------------------------------------------------------------------------


def _submit(released: Path, folder: Path, double: str, sides: str, tamper: bool = False) -> None:
    nb = nbformat.read(released, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("# YOUR CODE HERE\n    raise NotImplementedError()", double)
    nb.cells[4].source = nb.cells[4].source.replace("# YOUR CODE HERE\nraise NotImplementedError()", sides)
    if tamper:  # a student who edits a check or redefines a helper cannot fake a pass, and may add cells
        nb.cells[3].source = "print('PASS double(3)')"
        nb.cells.insert(3, nbformat.v4.new_code_cell("def check_close(*args, **kwargs):\n    print('PASS double(3)')"))
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "ex.ipynb")


def test_grade_right_wrong_and_broken_submissions(source, tmp_path, capsys):
    released = cw.release(source, tmp_path / "release")[0]
    sub = tmp_path / "submitted"
    _submit(released, sub / "alice" / "assignment1", "return 2 * x", "left, right = 0.0, 1.0")
    _submit(released, sub / "bob", "return 3 * x", "left, right = 0.0, 1.0", tamper=True)
    _submit(released, sub / "carol", "return 2 * x", "left, right = (1.0,")  # does not run: SyntaxError
    (sub / "dave").mkdir()
    (sub / "dave" / "ex.ipynb").write_text("{not a notebook")
    (sub / "erin").mkdir()
    nbformat.write(nbformat.read(released, as_version=4), sub / "erin" / "ex.ipynb")  # handed in untouched

    assert cw.cli(["grade", str(source), str(sub), "--csv", str(tmp_path / "grades.csv")]) == 0
    out = capsys.readouterr().out
    rows = {r.split()[0]: r for r in out.splitlines()[1:]}
    assert out.splitlines()[0].split() == ["student", "notebook", "passed", "failed", "points", "checks", "failed"]
    assert rows["alice"].split()[2:5] == ["2/2", "0", "3/3"]  # check-double is worth 2 points
    assert rows["bob"].split()[2:5] == ["1/2", "1", "1/3"] and "check-double" in rows["bob"]
    assert rows["carol"].split()[2:5] == ["1/2", "1", "2/3"] and "check_one_sided" in rows["carol"]
    assert "raised" in rows["carol"]
    assert rows["dave"].split()[2:5] == ["0/2", "2", "0/3"] and "unreadable notebook" in rows["dave"]
    assert rows["erin"].split()[2:5] == ["0/2", "2", "0/3"] and "raised" in rows["erin"]
    csv_text = (tmp_path / "grades.csv").read_text().splitlines()
    assert csv_text[0] == "student,notebook,passed,total,score,max_score,failed_checks,error"
    assert csv_text[1].startswith("alice,ex.ipynb,2,2,3,3,,")


def test_grade_reports_missing_notebooks_and_bad_folders(source, tmp_path, capsys):
    (tmp_path / "sub" / "frank").mkdir(parents=True)
    rows = cw.grade(source, tmp_path / "sub")
    assert [(r.student, r.error, r.passed, len(r.checks), r.score, r.max_score) for r in rows] == [
        ("frank", "not submitted", 0, 2, 0.0, 3.0)
    ]
    assert cw.cli(["grade", str(source), str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert cw.cli(["grade", str(source), str(tmp_path / "empty")]) == 2
    assert cw.cli(["bogus"]) == 2


def test_merge_takes_checks_from_the_teacher(source):
    teacher = nbformat.read(source, as_version=4)
    student = cw.student_version(teacher)
    student.cells[3].source = "print('PASS double(3)')"
    merged, checks = cw.merge(teacher, student)
    assert checks == ["check-double", "cell 5 check_one_sided"]
    assert merged.cells[3].source.endswith(teacher.cells[3].source)
    assert "reload" in merged.cells[3].source
    assert merged.cells[3].outputs == teacher.cells[3].outputs
    assert "raise NotImplementedError()" in merged.cells[2].source
    assert merged.cells[2].metadata["tags"] == ["nbval-ignore-output"]
