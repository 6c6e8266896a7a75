"""Grading a class with real kernels: every attack earns nothing and damages nothing, honest output costs nothing.

Two batches are graded once each and shared by the tests below (each
submission is one student of the batch):

* ``ns``: with namespace isolation (bubblewrap), the attacks that need the
  file system hidden: stealing the teacher's solutions, rewriting the kit,
  overwriting other submissions, plus the honest variants;
* ``proc``: with process isolation only, the attacks on processes and limits
  (killing the grader, a background process that outlives grading, an
  endless loop, a flood of output, a memory hog, a kernel that exits) and the
  damage detection.

``KIT_REQUIRE_SANDBOX=1`` (CI) turns a missing bubblewrap into a failure.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import nbformat
import pytest

from kit.coursework import grading
from kit.coursework import notebook as nbk
from kit.coursework.sandbox import namespaces_available, protected_paths

from .submissions import MAX, POINTS, RIGHT, WRONG, Submission, build, hostile_stealer, teacher_notebook

ROOT = Path(__file__).resolve().parents[2]


def _kit_hash() -> str:
    h = hashlib.sha256()
    for root in protected_paths():
        for p in sorted(root.rglob("*.py")):
            h.update(str(p).encode() + p.read_bytes())
    return h.hexdigest()


def _course(tmp: Path) -> tuple[Path, Path, nbformat.NotebookNode]:
    src = tmp / "source"
    src.mkdir()
    nbformat.write(teacher_notebook(), src / "ex.ipynb")
    released = nbk.student_version(nbformat.read(src / "ex.ipynb", as_version=4))
    return src, tmp / "submitted", released


def _require_namespaces() -> None:
    if not namespaces_available():
        if os.environ.get("KIT_REQUIRE_SANDBOX"):
            pytest.fail("bubblewrap (bwrap) cannot create namespaces here, and KIT_REQUIRE_SANDBOX is set")
        pytest.skip("bubblewrap (bwrap) cannot create namespaces here (apt-get install bubblewrap)")


# -- the namespace batch -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def ns(tmp_path_factory):
    _require_namespaces()
    tmp = tmp_path_factory.mktemp("ns")
    src, sub, released = _course(tmp)
    victim = sub / "alice" / "assignment" / "ex.ipynb"
    teacher = src / "ex.ipynb"
    kit_file = Path(protected_paths()[0]) / "coursework" / "checks.py"
    students = {
        "alice": Submission(RIGHT),
        "bob": Submission(WRONG),
        "blank": Submission({}),
        "honest_noisy": Submission(
            {**RIGHT, "double": "import sys, warnings\ndef double(x):\n    print('computing', x)\n"
                                "    warnings.warn('this prints to stderr')\n    sys.stderr.write('more stderr\\n')\n"
                                "    return 2 * x\ncheck_close(double(3.0), 6.0, 'my own check')\nprint(double(2.0))"},
            added=[("settings", "check_training(settings, X, y, 'mine', sizes=[2, 8, 1], steps=60, dead_at_most=1)")],
        ),
        "honest_lost_ids": Submission(RIGHT, lose_ids=True),
        "hack_stealer": Submission(WRONG, added=[(None, hostile_stealer())]),
        "hack_kit": Submission(WRONG, added=[(None, (
            "import kit, pathlib\n"
            f"p = pathlib.Path({str(kit_file)!r})\n"
            "for target in (p, pathlib.Path(kit.__file__)):\n"
            "    try:\n"
            "        with open(target, 'a') as f:\n"
            "            f.write('\\n# a student was here\\n')\n"
            "    except OSError as e:\n"
            "        print('refused:', e)\n"
            "try:\n    (p.parent / 'tampered.py').write_text('x = 1')\nexcept OSError as e:\n    print('refused:', e)"))]),
        "hack_others": Submission(WRONG, added=[(None, (
            f"for path in ({str(victim)!r}, {str(teacher)!r}):\n"
            "    try:\n        open(path, 'w').write('{}')\n    except OSError as e:\n        print('refused:', e)\n"
            "open('kit.py', 'w').write('raise ImportError(\"sabotage\")')\n"
            "open('/tmp/kit.py', 'w').write('raise ImportError(\"sabotage\")')"))]),
        "hack_numpy": Submission(WRONG, added=[(None, (
            "import math, numpy as np, importlib\n"
            "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\nmath.isclose = lambda *a, **k: True\n"
            "np.array_equal = lambda *a, **k: True\nimportlib.reload = lambda m: m\n"
            "import kit.coursework as cw, kit.coursework.checks as cc\n"
            "for name in cc.HELPERS:\n    setattr(cw, name, lambda *a, **k: print('✔'))"))]),
        "hack_transformer": Submission(WRONG, added=[(None, (
            "ip = get_ipython()\n"
            "ip.input_transformers_post.append(lambda lines: [l.replace('check_', 'print and print_') for l in lines])\n"
            "def print_close(*a, **k):\n    pass"))]),
        "hack_helpers": Submission(WRONG, added=[("double", (
            "def check_close(*args, **kwargs):\n    print('✔ double(3) (tolerance 1e-06)')\n"
            "check_one_sided = check_kinks = check_activation = check_training = check_close"))]),
        "hack_fake_history": Submission({**WRONG, "settings": (
            "from types import SimpleNamespace\nsettings = SimpleNamespace(dead=[[0, 0]], accuracy=[1.0], step=[400])")}),
        "hack_fake_numbers": Submission({**WRONG, "double": (
            "class Six(float):\n    def __eq__(self, other):\n        return True\n"
            "    def __sub__(self, other):\n        return 0.0\n"
            "def double(x):\n    return Six(99.0)")}),
    }
    build(teacher_notebook(), released, sub, students)
    # a submission that is a link to the teacher's notebook, and one that is a hard link to it
    (sub / "hack_symlink").mkdir()
    (sub / "hack_symlink" / "ex.ipynb").symlink_to(teacher)
    (sub / "hack_hardlink").mkdir()
    os.link(teacher, sub / "hack_hardlink" / "ex.ipynb")
    before = {p: p.read_bytes() for p in (victim, teacher)}
    kit_before = _kit_hash()
    result = grading.grade(src, sub, workers=2, isolation="namespaces", timeout=60)
    return {"result": result, "by": {g.student: g for g in result.grades}, "before": before, "kit_before": kit_before,
            "kit_file": kit_file}


def test_honest_students_get_every_point_whatever_they_print(ns):
    by = ns["by"]
    for student in ("alice", "honest_noisy", "honest_lost_ids"):
        g = by[student]
        assert (g.score, g.max_score, g.error) == (MAX, MAX, ""), (student, grading.table([g]))
        assert [c.label for c in g.checks] == list(POINTS)  # the teacher's checks, not the student's own
    assert by["honest_lost_ids"].notes == ["answers matched by position (the submission's cell ids were lost): "
                                           "double, sides, ramp, settings, why"]


def test_wrong_answers_are_told_why_with_the_numbers(ns):
    bob = ns["by"]["bob"]
    assert bob.score == 0 and bob.max_score == MAX
    why = {c.label: (c.status, c.reason) for c in bob.checks}
    assert why["check-double"] == ("failed", "(double(3): measured 9, but 6 (tolerance 1e-06) was expected; "
                                             "double(-7.5): measured -22.5, but -15 (tolerance 1e-06) was expected)")
    assert why["check-sides"][0] == "failed" and "measured left 5, right 5" in why["check-sides"][1]
    assert why["check-ramp"][0] == "failed" and "left_derivative" in why["check-ramp"][1]
    assert why["check-train"][0] == "failed" and "8 dead (per layer [8])" in why["check-train"][1]
    blank = ns["by"]["blank"]
    assert blank.score == 0 and {c.status for c in blank.checks} == {"raised", "failed"}
    assert all("NotImplementedError" in c.reason or "NameError" in c.reason for c in blank.checks if c.status == "raised")
    assert next(c for c in blank.checks if c.label == "check-sides").reason.startswith("(one-sided derivatives of relu")


@pytest.mark.parametrize("student", ["hack_stealer", "hack_kit", "hack_others", "hack_numpy", "hack_transformer",
                                     "hack_helpers", "hack_fake_history", "hack_fake_numbers"])
def test_attacks_earn_nothing(ns, student):
    g = ns["by"][student]
    assert g.score == 0 and g.max_score == MAX, grading.table([g])


def test_fake_objects_are_refused_as_answers(ns):
    by = ns["by"]
    train = next(c for c in by["hack_fake_history"].checks if c.label == "check-train")
    assert train.status == "failed" and "SimpleNamespace cannot be handed in" in train.reason
    double = next(c for c in by["hack_fake_numbers"].checks if c.label == "check-double")
    assert double.status == "failed" and "measured 99" in double.reason


def test_links_to_the_teacher_notebook_are_not_graded(ns):
    for student in ("hack_symlink", "hack_hardlink"):
        g = ns["by"][student]
        assert g.score == 0 and "link" in g.error and all(c.status == "grading error" for c in g.checks)


def test_nothing_outside_a_kernel_changed(ns):
    assert ns["result"].isolation == "namespaces" and ns["result"].damage == []
    for path, content in ns["before"].items():
        assert path.read_bytes() == content
    assert _kit_hash() == ns["kit_before"]
    assert not (ns["kit_file"].parent / "tampered.py").exists()
    assert not Path("/tmp/kit.py").exists() or "sabotage" not in Path("/tmp/kit.py").read_text()


def test_every_student_has_the_same_maximum(ns):
    assert {g.max_score for g in ns["result"].grades} == {MAX}
    assert {len(g.checks) for g in ns["result"].grades} == {len(POINTS)}


def test_the_table_and_the_csv_say_why(ns):
    text = grading.table(ns["result"])
    lines = text.splitlines()
    assert lines[0].split() == ["student", "notebook", "score", "checks", "why"]
    alice = next(line for line in lines if line.startswith("alice"))
    assert alice.split() == ["alice", "ex.ipynb", f"{MAX}/{MAX}", "4/4"]
    assert "isolation: namespaces" in text and "DAMAGE" not in text
    rows = grading.to_csv(ns["result"].grades).splitlines()
    assert rows[0] == "student,notebook,score,max_score,passed,total,failed_checks,why,notes"
    assert rows[1].startswith(f"alice,ex.ipynb,{MAX},{MAX},4,4,,,")


# -- the process batch --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proc(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("proc")
    src, sub, released = _course(tmp)
    marker = tmp / "written-after-grading"
    victim = sub / "carol" / "assignment" / "ex.ipynb"
    students = {
        "carol": Submission(RIGHT),
        "kill_grader": Submission(WRONG, added=[(None, (
            "import os, signal\nopen('_junit.xml', 'w').write('<testsuite><testcase name=\"Cell 3\"/></testsuite>')\n"
            "os.kill(os.getppid(), signal.SIGKILL)"))]),
        "background": Submission(WRONG, added=[(None, (
            "import os, time\n"
            "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(3)\n"
            f"        open({str(marker)!r}, 'w').write('still alive')\n    os._exit(0)\n"))]),
        "overwrite": Submission(WRONG, added=[(None, f"open({str(victim)!r}, 'w').write('{{}}')")]),
        "loop": Submission({**RIGHT, "double": "def double(x):\n    while True:\n        pass"}),
        "slow": Submission(RIGHT, added=[("double", "import time\ntime.sleep(4)")] * 8),
        "flood": Submission({**RIGHT, "sides": "print('x' * (3 << 20))\nleft, right = 0.0, 1.0"}),
        "memory": Submission({**RIGHT, "double": "def double(x):\n    big = bytearray(16 << 30)\n    return 2 * x"}),
        "exits": Submission(RIGHT, added=[("sides", "import os\nos._exit(3)")]),
    }
    build(teacher_notebook(), released, sub, students)
    start = time.monotonic()
    result = grading.grade(src, sub, workers=2, isolation="processes", timeout=5, notebook_timeout=30, memory_mb=2048,
                           output_mb=1)
    seconds = time.monotonic() - start
    time.sleep(4)  # longer than the background process waits before it writes
    return {"result": result, "by": {g.student: g for g in result.grades}, "marker": marker, "victim": victim,
            "seconds": seconds}


def _status(g: grading.Grade) -> dict[str, str]:
    return {c.label: c.status for c in g.checks}


def test_a_submission_that_kills_its_grader_is_named_and_the_others_are_graded(proc):
    by = proc["by"]
    g = by["kill_grader"]
    assert g.score == 0 and "killed the grader's worker" in g.error
    assert by["carol"].score == MAX


def test_a_background_process_does_not_outlive_its_kernel(proc):
    assert not proc["marker"].exists()
    assert proc["by"]["background"].score == 0


def test_an_overwritten_submission_is_reported_and_graded_from_the_copy_read_before(proc):
    assert proc["victim"].read_text() == "{}"  # without namespaces the write happens...
    assert proc["by"]["carol"].score == MAX  # ...but carol is graded from what she handed in
    assert any("carol" in d and "changed" in d and "overwrite" in d for d in proc["result"].damage), proc["result"].damage
    assert "DAMAGE:" in grading.table(proc["result"]) and "isolation: processes" in grading.table(proc["result"])


def test_limits_are_reported_per_check(proc):
    by = proc["by"]
    loop = _status(by["loop"])
    assert loop["check-double"] == "timed out" and "5 s" in by["loop"].checks[0].reason
    assert by["loop"].score == MAX - POINTS["check-double"]  # the endless loop was interrupted, the rest was graded
    slow = _status(by["slow"])
    assert set(slow.values()) == {"notebook time limit"} and by["slow"].score == 0
    flood = _status(by["flood"])
    assert flood["check-double"] == "passed" and flood["check-sides"] == "output cap"
    assert by["flood"].score == POINTS["check-double"]
    mem = _status(by["memory"])
    assert mem["check-double"] == "memory limit" and by["memory"].score == MAX - POINTS["check-double"]
    exits = _status(by["exits"])
    assert exits["check-double"] == "passed" and exits["check-sides"] == "kernel died"
    assert "exit status 3" in by["exits"].checks[1].reason and by["exits"].score == POINTS["check-double"]


def test_the_notebook_limit_bounds_added_cells(proc):
    assert proc["seconds"] < 240  # 8 added cells x 4 s, cut at the 30 s notebook limit


# -- the lessons' coursework -----------------------------------------------------------------------


def test_the_lessons_coursework_grades_its_solution_full_the_blank_zero_and_lost_ids_full(tmp_path):
    src = ROOT / "lessons" / "coursework"
    released = nbk.release(src, tmp_path / "release")
    for path, blank in zip(sorted(src.glob("*.ipynb")), released, strict=True):
        teacher = nbformat.read(path, as_version=4)
        for who, nb in (("teacher", teacher), ("blank", nbformat.read(blank, as_version=4))):
            (tmp_path / "sub" / who).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, tmp_path / "sub" / who / path.name)
        for i, cell in enumerate(teacher.cells):
            cell.id = f"new-{i}"
            cell.metadata.pop("nbgrader", None)
        (tmp_path / "sub" / "lost").mkdir(parents=True, exist_ok=True)
        nbformat.write(teacher, tmp_path / "sub" / "lost" / path.name)
    result = grading.grade(src, tmp_path / "sub", workers=2)
    assert sorted({g.student for g in result.grades}) == ["blank", "lost", "teacher"]
    for g in result.grades:
        assert g.max_score == 8, grading.table([g])
        if g.student == "blank":
            assert g.score == 0 and g.error == ""
        else:
            assert g.score == 8 and g.error == "", grading.table([g])


def test_a_kit_or_python_that_lives_under_tmp_is_seen_inside_the_namespaces(monkeypatch):
    # the sandbox mounts a fresh /tmp: a checkout or venv under /tmp (a CI clone) is bound on top of it, not hidden
    import subprocess
    import sys
    import tempfile

    from kit.coursework import sandbox

    _require_namespaces()
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="kit-under-tmp-") as src, \
            tempfile.TemporaryDirectory(prefix="kit-probe-") as folder:
        Path(src, "under_tmp_probe.py").write_text("ANSWER = 42\n")
        monkeypatch.setattr(sandbox, "_editable_paths", lambda: [src])
        cmd = [*sandbox._bwrap_args(folder), "--", sys.executable, "-I", "-c",
               f"import sys; sys.path.insert(0, {src!r}); import under_tmp_probe; print(under_tmp_probe.ANSWER)"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert (out.returncode, out.stdout.strip()) == (0, "42"), out.stderr
