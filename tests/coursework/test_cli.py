"""``kit coursework``: bad arguments refused in one line, exit 2, before any work."""

from __future__ import annotations

import nbformat
import pytest

from kit.cli import main
from kit.coursework import grading

from .submissions import teacher_notebook


@pytest.fixture
def course(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    nbformat.write(teacher_notebook(), tmp_path / "src" / "ex.ipynb")
    (tmp_path / "sub" / "alice").mkdir(parents=True)
    calls = []
    monkeypatch.setattr(grading, "grade", lambda *a, **k: calls.append((a, k)) or pytest.fail("graded"))
    return tmp_path, calls


@pytest.mark.parametrize(
    "args, message",
    [
        (["--timeout", "0"], "timeout must be a finite number > 0, got 0.0"),
        (["--timeout", "nan"], "timeout must be a finite number > 0, got nan"),
        (["--timeout", "inf"], "timeout must be a finite number > 0, got inf"),
        (["--timeout", "-5"], "timeout must be a finite number > 0, got -5.0"),
        (["--timeout", "abc"], "argument --timeout: invalid float value: 'abc'"),
        (["--notebook-timeout", "0"], "notebook_timeout must be a finite number > 0"),
        (["--memory", "10"], "memory_mb must be a finite number >= 256"),
        (["--output", "-1"], "output_mb must be a finite number > 0"),
        (["--workers", "0"], "workers must be an integer >= 1"),
        (["--isolation", "docker"], "isolation must be one of 'auto', 'namespaces', 'processes'"),
        (["--csv", "/no/such/folder/grades.csv"], "no such folder /no/such/folder"),
    ],
)
def test_bad_grade_arguments_are_refused_before_any_work(course, capsys, args, message):
    tmp, calls = course
    assert main(["coursework", "grade", str(tmp / "src"), str(tmp / "sub"), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("kit: error: ")
    assert calls == []


def test_csv_that_is_a_folder_is_refused(course, capsys):
    tmp, calls = course
    assert main(["coursework", "grade", str(tmp / "src"), str(tmp / "sub"), "--csv", str(tmp)]) == 2
    assert "is a folder" in capsys.readouterr().err and calls == []


def test_release_from_the_command_line(tmp_path, capsys):
    (tmp_path / "src").mkdir()
    nbformat.write(teacher_notebook(), tmp_path / "src" / "ex.ipynb")
    assert main(["coursework", "release", str(tmp_path / "src"), str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / 'out' / 'ex.ipynb'}\n"
    assert main(["coursework", "release", str(tmp_path / "src"), str(tmp_path / "out")]) == 2
    assert "use --force" in capsys.readouterr().err
    assert main(["coursework", "release", str(tmp_path / "nowhere.ipynb"), str(tmp_path / "o")]) == 2
    assert main(["coursework", "bogus"]) == 2
    assert capsys.readouterr().err.count("\n") == 2
