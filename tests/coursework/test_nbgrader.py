"""Real nbgrader (0.9.6, in its own environment ``.venv-nbgrader``) accepts the lessons' coursework.

``make test`` creates that environment (nbgrader pulls sqlalchemy and alembic,
which the kit does not need).  nbgrader's kernel is the project's Python (a
``python3`` kernelspec on ``JUPYTER_PATH``), so the notebooks import the kit
under test.  The course runs as nbgrader's documentation lays it out:
``source/A``, ``release/A``, ``submitted/S/A``, ``autograded/S/A``.
``KIT_REQUIRE_NBGRADER=1`` (CI) turns a missing nbgrader into a failure.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kit.coursework import grading
from kit.coursework import notebook as nbk

ROOT = Path(__file__).resolve().parents[2]
COURSEWORK = ROOT / "lessons" / "coursework"
NBGRADER = Path(os.environ.get("KIT_NBGRADER", ROOT / ".venv-nbgrader" / "bin" / "nbgrader"))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    if not NBGRADER.exists():
        if os.environ.get("KIT_REQUIRE_NBGRADER"):
            pytest.fail(f"no nbgrader at {NBGRADER} and KIT_REQUIRE_NBGRADER is set (make test creates it)")
        pytest.skip(f"no nbgrader at {NBGRADER} (make test creates .venv-nbgrader)")
    root = tmp_path_factory.mktemp("course")
    spec = root / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (kit)", "language": "python"}))
    env = {**os.environ, "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}",  # nbgrader runs alembic
           "JUPYTER_PATH": str(root / "jupyter"), "JUPYTER_CONFIG_DIR": str(root / "config"),
           "JUPYTER_DATA_DIR": str(root / "data"), "PYTHONHASHSEED": "0"}
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\nc.CourseDirectory.course_id = 'kit'\n"
        "c.Execute.timeout = 300\n")

    def run(*args: str) -> str:
        proc = subprocess.run([str(NBGRADER), *args], cwd=root, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout + proc.stderr

    (root / "source" / "cw").mkdir(parents=True)
    for p in COURSEWORK.glob("*.ipynb"):
        shutil.copy(p, root / "source" / "cw" / p.name)
    run("db", "assignment", "add", "cw")
    run("generate_assignment", "cw", "--force")
    for student, folder in (("teacher", root / "source" / "cw"), ("blank", root / "release" / "cw")):
        run("db", "student", "add", student)
        (root / "submitted" / student / "cw").mkdir(parents=True)
        for p in folder.glob("*.ipynb"):
            shutil.copy(p, root / "submitted" / student / "cw" / p.name)
    run("autograde", "cw", "--force")
    run("export", "--to", str(root / "grades.csv"))
    with open(root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    return {"root": root, "grades": grades}


def _points(nb: nbformat.NotebookNode, manual: bool) -> float:
    return sum(c.metadata["nbgrader"].get("points", 0) for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade") and (c.cell_type == "markdown") == manual)


def test_nbgrader_scores_the_solution_full_and_the_released_copy_zero(course):
    notebooks = [nbformat.read(p, as_version=4) for p in sorted(COURSEWORK.glob("*.ipynb"))]
    auto = sum(_points(nb, manual=False) for nb in notebooks)
    manual = sum(_points(nb, manual=True) for nb in notebooks)
    assert (auto, manual) == (16, 4)
    teacher, blank = course["grades"]["teacher"], course["grades"]["blank"]
    assert float(teacher["score"]) == auto and float(teacher["max_score"]) == auto + manual
    assert float(blank["score"]) == 0 and float(blank["max_score"]) == auto + manual


def test_nbgraders_release_and_ours_hide_the_same_things(course, tmp_path):
    ours = {p.name: nbformat.read(p, as_version=4) for p in nbk.release(COURSEWORK, tmp_path)}
    for p in sorted((course["root"] / "release" / "cw").glob("*.ipynb")):
        theirs = nbformat.read(p, as_version=4)
        text = p.read_text()
        assert "SOLUTION" not in text and "HIDDEN" not in text
        assert [c.source for c in theirs.cells] == [c.source for c in ours[p.name].cells]


def test_our_grader_agrees_with_nbgrader_on_the_same_submissions(course):
    result = grading.grade(COURSEWORK, course["root"] / "submitted", workers=2)
    ours = {}
    for g in result.grades:
        ours[g.student] = ours.get(g.student, 0) + g.score
    assert ours == {s: float(row["score"]) for s, row in course["grades"].items()}
