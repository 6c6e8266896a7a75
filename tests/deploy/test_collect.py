"""Collecting coursework from students' homes into ``submitted/STUDENT/NOTEBOOK.ipynb``, trusting no home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NB = "coursework/cw1.ipynb"


@pytest.fixture
def collect(kit_hub_installed):
    from kit_hub.collect import collect

    return collect


def _home(root: Path, name: str, text: str | None = '{"cells": []}') -> Path:
    home = root / "homes" / name
    (home / "lessons" / "coursework").mkdir(parents=True)
    if text is not None:
        (home / "lessons" / NB).write_text(text)
    return home


def _statuses(results) -> dict[str, str]:
    return {r.student: r.status for r in results}


def test_the_grader_layout_is_written_and_missing_work_reported(tmp_path, collect):
    homes = {"alice": _home(tmp_path, "alice", "alice's"), "bob": _home(tmp_path, "bob", None),
             "carol": _home(tmp_path, "carol", "carol's")}
    out = tmp_path / "submitted"
    results = collect(NB, homes, out)
    assert [str(r) for r in results] == ["alice: collected (7 bytes)", "bob: missing", "carol: collected (7 bytes)"]
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == \
        ["alice/cw1.ipynb", "carol/cw1.ipynb"]
    assert (out / "alice" / "cw1.ipynb").read_text() == "alice's"


def test_collecting_again_replaces_the_earlier_copy(tmp_path, collect):
    homes = {"alice": _home(tmp_path, "alice", "first")}
    collect(NB, homes, tmp_path / "out")
    (homes["alice"] / "lessons" / NB).write_text("second")
    collect(NB, homes, tmp_path / "out")
    assert (tmp_path / "out" / "alice" / "cw1.ipynb").read_text() == "second"
    assert sorted(p.name for p in (tmp_path / "out" / "alice").iterdir()) == ["cw1.ipynb"]


def test_a_symlinked_notebook_is_refused(tmp_path, collect):
    solutions = tmp_path / "teacher" / "cw1.ipynb"
    solutions.parent.mkdir()
    solutions.write_text("the teacher's solutions")
    eve = _home(tmp_path, "eve", None)
    (eve / "lessons" / NB).symlink_to(solutions)
    results = collect(NB, {"eve": eve}, tmp_path / "out")
    assert [str(r) for r in results] == ["eve: refused (a symlink on the way)"]
    assert not (tmp_path / "out" / "eve").exists()


@pytest.mark.parametrize("link", ["lessons", "lessons/coursework"])
def test_a_symlinked_folder_on_the_way_is_refused(tmp_path, collect, link):
    other = _home(tmp_path, "alice", "alice's work")
    eve = tmp_path / "homes" / "eve"
    eve.mkdir(parents=True)
    if link == "lessons":
        (eve / "lessons").symlink_to(other / "lessons")
    else:
        (eve / "lessons").mkdir()
        (eve / "lessons" / "coursework").symlink_to(other / "lessons" / "coursework")
    results = collect(NB, {"eve": eve}, tmp_path / "out")
    assert _statuses(results) == {"eve": "refused"}
    assert not (tmp_path / "out" / "eve").exists()


def test_a_hard_link_to_someone_elses_file_fails_the_owner_check(tmp_path, collect):
    eve = _home(tmp_path, "eve", "eve's")
    me = os.stat(eve / "lessons" / NB).st_uid
    results = collect(NB, {"eve": eve}, tmp_path / "out", owners={"eve": me + 1})
    assert [str(r) for r in results] == [f"eve: refused (owned by uid {me}, not the student)"]
    assert _statuses(collect(NB, {"eve": eve}, tmp_path / "out", owners={"eve": me})) == {"eve": "collected"}


def test_a_fifo_a_folder_and_an_oversized_file_are_refused(tmp_path, collect):
    fifo = _home(tmp_path, "fifo", None)
    os.mkfifo(fifo / "lessons" / NB)
    folder = _home(tmp_path, "folder", None)
    (folder / "lessons" / NB).mkdir()
    big = _home(tmp_path, "big", "x" * 101)
    results = collect(NB, {"fifo": fifo, "folder": folder, "big": big}, tmp_path / "out", max_bytes=100)
    assert [str(r) for r in results] == ["big: refused (101 bytes, more than 100)",
                                         "fifo: refused (not a regular file)",
                                         "folder: refused (not a regular file)"]


def test_names_that_are_not_plain_folder_names_are_refused(tmp_path, collect):
    ok = _home(tmp_path, "ok")
    results = collect(NB, {"../escape": ok, ".hidden": ok, "a/b": ok, "ok": ok}, tmp_path / "out")
    assert _statuses(results) == {"../escape": "refused", ".hidden": "refused", "a/b": "refused", "ok": "collected"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["homes", "out"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ok"]


@pytest.mark.parametrize("bad", ["/etc/passwd", "../cw1.ipynb", "coursework/../../x", ""])
def test_a_notebook_path_outside_the_lessons_is_refused_before_anything(tmp_path, collect, bad):
    with pytest.raises(ValueError, match="plain relative path"):
        collect(bad, {"ok": _home(tmp_path, "ok")}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_command_line_with_a_home_template(tmp_path, kit_hub_installed):
    _home(tmp_path, "alice")
    _home(tmp_path, "bob", None)
    done = subprocess.run([sys.executable, "-m", "kit_hub", "collect", NB, str(tmp_path / "submitted"),
                           "--users", "alice", "bob", "--home-template", str(tmp_path / "homes" / "{username}")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["alice: collected (13 bytes)", "bob: missing",
                                        f"collected 1 of 2 into {tmp_path / 'submitted'}"]
