"""The lessons release and each user's copy: the rules of kit_hub.lessons, file by file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


@pytest.fixture
def lessons_mod(kit_hub_installed):
    from kit_hub import lessons

    return lessons


class Home:
    """A release folder and a user's home, with sync() bound to them."""

    def __init__(self, root: Path, mod) -> None:
        self.src = root / "release"
        self.home = root / "home"
        self.src.mkdir()
        self.home.mkdir()
        self.mod = mod

    def put(self, rel: str, text: str) -> None:
        p = self.src / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)

    def mine(self, rel: str) -> Path:
        return self.home / "lessons" / rel

    def pending(self, rel: str) -> Path:
        return self.home / "lessons-updated" / rel

    def sync(self):
        return self.mod.sync(self.src, self.home / "lessons", self.home / "lessons-updated",
                             self.home / ".activation-kit" / "lessons-state.json")


@pytest.fixture
def h(tmp_path, lessons_mod) -> Home:
    return Home(tmp_path, lessons_mod)


def test_first_sync_copies_everything_and_skips_checkpoints(h):
    h.put("01.ipynb", "one")
    h.put("coursework/cw1.ipynb", "cw")
    h.put(".ipynb_checkpoints/01-checkpoint.ipynb", "old")
    r = h.sync()
    assert sorted(r.added) == ["01.ipynb", "coursework/cw1.ipynb"]
    assert h.mine("01.ipynb").read_text() == "one"
    assert h.mine("coursework/cw1.ipynb").read_text() == "cw"
    assert not h.mine(".ipynb_checkpoints").exists()
    assert not (h.home / "lessons-updated").exists()
    assert r.summary() == "lessons: 2 added"


def test_a_second_sync_with_nothing_new_changes_nothing(h):
    h.put("01.ipynb", "one")
    h.sync()
    before = h.mine("01.ipynb").stat().st_mtime_ns
    r = h.sync()
    assert r.unchanged == ["01.ipynb"] and not (r.added or r.updated or r.kept)
    assert h.mine("01.ipynb").stat().st_mtime_ns == before


def test_an_untouched_lesson_is_updated_in_place(h):
    h.put("01.ipynb", "v1")
    h.sync()
    h.put("01.ipynb", "v2")
    r = h.sync()
    assert r.updated == ["01.ipynb"]
    assert h.mine("01.ipynb").read_text() == "v2"
    assert not h.pending("01.ipynb").exists()
    h.put("01.ipynb", "v3")                       # and again: the state followed the update
    assert h.sync().updated == ["01.ipynb"]
    assert h.mine("01.ipynb").read_text() == "v3"


def test_the_users_work_is_never_overwritten_and_the_new_version_goes_beside_it(h):
    h.put("01.ipynb", "v1")
    h.sync()
    h.mine("01.ipynb").write_text("my work")
    h.put("01.ipynb", "v2")
    r = h.sync()
    assert r.kept == ["01.ipynb"]
    assert h.mine("01.ipynb").read_text() == "my work"
    assert h.pending("01.ipynb").read_text() == "v2"
    assert "never overwritten" in (h.home / "lessons-updated" / "README.md").read_text()
    h.put("01.ipynb", "v3")                       # a later update replaces the pending copy, still not mine
    assert h.sync().kept == ["01.ipynb"]
    assert h.mine("01.ipynb").read_text() == "my work"
    assert h.pending("01.ipynb").read_text() == "v3"


def test_changed_work_with_no_new_version_is_simply_kept(h):
    h.put("01.ipynb", "v1")
    h.sync()
    h.mine("01.ipynb").write_text("my work")
    r = h.sync()
    assert r.unchanged == ["01.ipynb"] and h.mine("01.ipynb").read_text() == "my work"
    assert not (h.home / "lessons-updated").exists()


def test_a_deleted_lesson_comes_back_fresh_and_new_lessons_appear(h):
    h.put("01.ipynb", "v1")
    h.sync()
    h.mine("01.ipynb").write_text("broken beyond repair")
    h.mine("01.ipynb").unlink()
    h.put("02.ipynb", "new lesson")
    r = h.sync()
    assert sorted(r.added) == ["01.ipynb", "02.ipynb"]
    assert h.mine("01.ipynb").read_text() == "v1"
    assert h.mine("02.ipynb").read_text() == "new lesson"


def test_files_the_user_added_and_files_the_release_dropped_stay(h):
    h.put("01.ipynb", "v1")
    h.put("old.ipynb", "old")
    h.sync()
    (h.src / "old.ipynb").unlink()
    h.mine("notes.md").write_text("mine")
    h.sync()
    assert h.mine("old.ipynb").read_text() == "old"
    assert h.mine("notes.md").read_text() == "mine"


def test_without_the_state_file_every_difference_counts_as_the_users_work(h):
    h.put("01.ipynb", "v1")
    h.sync()
    (h.home / ".activation-kit" / "lessons-state.json").unlink()
    h.put("01.ipynb", "v2")
    r = h.sync()
    assert r.kept == ["01.ipynb"] and h.mine("01.ipynb").read_text() == "v1"
    assert h.pending("01.ipynb").read_text() == "v2"


def test_a_corrupt_state_file_is_treated_as_no_state(h):
    h.put("01.ipynb", "v1")
    h.sync()
    (h.home / ".activation-kit" / "lessons-state.json").write_text("{not json")
    h.put("01.ipynb", "v2")
    assert h.sync().kept == ["01.ipynb"]
    state = json.loads((h.home / ".activation-kit" / "lessons-state.json").read_text())
    assert state == {"version": 1, "files": {}}   # rewritten valid; the kept file is not "given"


def test_a_symlink_or_folder_where_a_lesson_goes_is_left_alone(h, tmp_path):
    h.put("01.ipynb", "v1")
    h.put("02.ipynb", "v1")
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours to overwrite")
    (h.home / "lessons").mkdir()
    h.mine("01.ipynb").symlink_to(outside)
    h.mine("02.ipynb").mkdir()
    r = h.sync()
    assert sorted(r.skipped) == ["01.ipynb", "02.ipynb"]
    assert outside.read_text() == "not yours to overwrite"


def test_copies_of_a_read_only_release_are_writable_by_the_user(h):
    h.put("01.ipynb", "v1")
    os.chmod(h.src / "01.ipynb", 0o444)
    h.sync()
    mode = h.mine("01.ipynb").stat().st_mode
    assert mode & stat.S_IWUSR


def test_a_missing_release_is_an_error_and_touches_nothing(h):
    with pytest.raises(FileNotFoundError, match="no lessons release"):
        h.mod.sync(h.src / "nope", h.home / "lessons", h.home / "u", h.home / "s.json")
    assert list(h.home.iterdir()) == []


# -- release -----------------------------------------------------------------------------


def test_release_of_the_repository_lessons_has_no_solutions_and_every_lesson(tmp_path, lessons_mod):
    out = tmp_path / "rel"
    files = lessons_mod.release(LESSONS, out)
    lessons = sorted(p.name for p in LESSONS.glob("[0-9][0-9]_*.ipynb"))
    assert lessons and all(name in files for name in lessons)
    for p in LESSONS.glob("[0-9][0-9]_*.ipynb"):
        assert (out / p.name).read_bytes() == p.read_bytes()
    teacher = sorted(p.name for p in (LESSONS / "coursework").glob("*.ipynb"))
    assert sorted(Path(f).name for f in files if f.startswith("coursework/")) == teacher
    assert "coursework/README.md" not in files               # the teacher's notes on grading
    for name in teacher:
        text = (out / "coursework" / name).read_text()
        assert "BEGIN SOLUTION" not in text and "NotImplementedError" in text
        assert (out / "coursework" / name).read_bytes() != (LESSONS / "coursework" / name).read_bytes()
    assert all(stat.S_IMODE((out / f).stat().st_mode) == 0o644 for f in files)


def test_release_refuses_to_replace_unless_forced_and_then_swaps_whole(tmp_path, lessons_mod):
    src = tmp_path / "lessons"
    src.mkdir()
    (src / "01.ipynb").write_text("{}")
    out = tmp_path / "rel"
    lessons_mod.release(src, out)
    with pytest.raises(FileExistsError, match="--force"):
        lessons_mod.release(src, out)
    (src / "01.ipynb").write_text('{"v": 2}')
    (out / "stale.txt").write_text("from the old release")
    assert lessons_mod.release(src, out, force=True) == ["01.ipynb"]
    assert (out / "01.ipynb").read_text() == '{"v": 2}'
    assert not (out / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lessons", "rel"]   # no build folders left


def test_release_refuses_a_lesson_with_a_solution_marker(tmp_path, lessons_mod):
    src = tmp_path / "lessons"
    src.mkdir()
    (src / "01.ipynb").write_text(json.dumps({"cells": [{"source": "### BEGIN SOLUTION\nx = 1"}]}))
    with pytest.raises(RuntimeError, match=r"solution markers left in 01\.ipynb"):
        lessons_mod.release(src, tmp_path / "rel")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lessons"]


def test_release_reports_a_failing_coursework_release(tmp_path, lessons_mod):
    src = tmp_path / "lessons"
    (src / "coursework").mkdir(parents=True)
    (src / "coursework" / "cw.ipynb").write_text("not a notebook")
    with pytest.raises(RuntimeError, match="kit coursework release failed"):
        lessons_mod.release(src, tmp_path / "rel")
    assert not (tmp_path / "rel").exists()


# -- the command line --------------------------------------------------------------------


def _kit_hub(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kit_hub", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_start_syncs_then_execs_the_server_command_as_the_same_process(tmp_path, kit_hub_installed):
    src = tmp_path / "rel"
    src.mkdir()
    (src / "01.ipynb").write_text("v1")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    code = "import os, sys; print(os.getpid(), sys.argv[1:])"
    done = _kit_hub("start", "--lessons", str(src), "--", sys.executable, "-c", code, "--port=1", env=env)
    assert done.returncode == 0, done.stderr
    assert "kit-hub start: lessons: 1 added" in done.stderr
    assert (home / "lessons" / "01.ipynb").read_text() == "v1"
    assert done.stdout.split(" ", 1)[1].strip() == "['--port=1']"


def test_start_still_starts_the_server_when_the_lessons_cannot_be_synced(tmp_path, kit_hub_installed):
    env = {**os.environ, "HOME": str(tmp_path)}
    done = _kit_hub("start", "--lessons", str(tmp_path / "missing"), "--", sys.executable, "-c", "print('up')",
                    env=env)
    assert done.returncode == 0 and done.stdout.strip() == "up"
    assert "lessons not synced: FileNotFoundError" in done.stderr


def test_cli_errors_are_one_line(tmp_path, kit_hub_installed):
    done = _kit_hub("release", str(tmp_path / "nope"), str(tmp_path / "out"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "kit-hub release: error: no lessons folder" in done.stderr
    done = _kit_hub("start", "--lessons", str(tmp_path))
    assert done.returncode == 2 and "no command after --" in done.stderr


@pytest.mark.parametrize("module", ["kit_hub.lessons", "kit_hub.collect"])
def test_the_docstring_examples_run(kit_hub_installed, module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
