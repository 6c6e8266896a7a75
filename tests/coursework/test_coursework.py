"""Coursework: the judges, plain values, release (nbgrader's markers), merging, and the CLI's argument checks."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

import kit
import kit.nn
from kit.coursework import checks as cw
from kit.coursework import notebook as nbk
from kit.coursework.agent import to_plain
from kit.coursework.plain import NotPlain, decode, plain
from kit.lab import datasets

from .submissions import RIGHT, Submission, teacher_notebook

# -- the judges and the helpers -----------------------------------------------------------


def _judge(name, *args, **kwargs):
    return cw.HELPERS[name].judge(*args, **kwargs)


def test_check_close_prints_a_verdict_line_that_does_not_depend_on_the_answer(capsys):
    cw.check_close(0.30000000001, 0.3, "sum")
    cw.check_close(0.3, 0.3, "sum")
    assert capsys.readouterr().out.splitlines() == ["✔ sum (tolerance 1e-06)"] * 2


def test_check_close_fails_with_the_numbers_and_raises_for_nbgrader():
    with pytest.raises(cw.CheckFailed, match=r"✘ FAILS: sum: measured 0.5, but 0.3 \(tolerance 1e-06\) was expected"):
        cw.check_close(0.5, 0.3, "sum")
    with pytest.raises(cw.CheckFailed, match=r"measured shape \(2,\), but shape \(1,\) was expected"):
        cw.check_close([1.0, 2.0], [1.0], "vec")
    with pytest.raises(cw.CheckFailed, match="'abc', not a number"):
        cw.check_close("abc", 1.0, "x")
    with pytest.raises(cw.CheckFailed, match="None, not a number"):
        cw.check_close(None, 1.0, "x")
    assert issubclass(cw.CheckFailed, AssertionError)


def test_check_close_nan_matches_nan_and_infinities_must_match():
    assert all(v.holds for v in _judge("check_close", [np.nan, np.inf], [np.nan, np.inf], "special"))
    assert not _judge("check_close", np.inf, -np.inf, "inf")[0].holds
    assert not _judge("check_close", 1.0, 1.0 + 3e-6, "near", tol=1e-6)[0].holds
    assert _judge("check_close", 1.0, 1.0 + 3e-6, "near", tol=1e-5)[0].holds


def test_check_one_sided_compares_with_the_registry():
    assert _judge("check_one_sided", "relu", 0.0, 0.0, 1.0)[0].holds
    assert _judge("check_one_sided", "leaky_relu", 0.0, 0.1, 1.0, alpha=0.1)[0].holds
    v = _judge("check_one_sided", "relu", 0.0, 0.0, 0.5)[0]
    assert not v.holds and v.line.endswith("measured left 0, right 0.5, but left 0, right 1 (tolerance 1e-06) was expected")
    assert "not a number" in _judge("check_one_sided", "relu", 0.0, None, 1.0)[0].measured


def test_answers_that_are_not_plain_data_earn_nothing():
    history = SimpleNamespace(dead=[[0, 0]], accuracy=[1.0], step=[400])
    with pytest.raises(cw.CheckFailed, match="settings is a SimpleNamespace cannot be handed in"):
        cw.check_training(history, [[0.0, 0.0]], [0], "alive", sizes=[2, 4, 1], steps=1)

    class LooksLikeAFloat:
        def __float__(self):
            return 6.0

        def __array__(self, dtype=None, copy=None):
            return np.asarray(6.0)

    with pytest.raises(cw.CheckFailed, match="cannot be handed in"):
        cw.check_close(LooksLikeAFloat(), 6.0, "double(3)")


def test_check_training_trains_itself_and_refuses_other_keys():
    X, y = datasets.make("moons", n=60, noise=0.1, seed=0)
    good = {"activation": "relu", "bias": 0.1, "lr": 0.1}
    assert all(v.holds for v in _judge("check_training", good, X, y, "alive", sizes=[2, 8, 1], steps=60,
                                       dead_at_most=1, accuracy_at_least=0.8))
    # the same run, counted by the engine directly (an independent path to the same numbers)
    net = kit.nn.MLP([2, 8, 1], activation="relu", bias=0.1, seed=0)
    hist = kit.nn.train(net, X, y, loss="bce", lr=0.1, steps=60, seed=0)
    dead = _judge("check_training", {"activation": "relu", "bias": -3.0, "lr": 5.0}, X, y, "alive",
                  sizes=[2, 8, 1], steps=60, dead_at_most=1)[0]
    assert not dead.holds and dead.measured == "8 dead (per layer [8])" and sum(hist.dead[-1]) <= 1
    extra = _judge("check_training", {**good, "steps": 1}, X, y, "alive", sizes=[2, 8, 1], steps=60, dead_at_most=1)
    assert not extra[0].holds and "keys" in extra[0].measured
    bad = _judge("check_training", {**good, "activation": "os.system"}, X, y, "alive", sizes=[2, 8, 1], steps=60,
                 dead_at_most=1)
    assert not bad[0].holds and "registered activation" in bad[0].measured


def test_check_moments_computes_the_moments_itself():
    X = np.random.default_rng(0).normal(3.0, 2.0, (50, 2))
    Xs = (X - X.mean(0)) / X.std(0)
    assert _judge("check_moments", Xs, "standardised")[0].holds
    v = _judge("check_moments", X, "standardised")[0]
    assert not v.holds and "means" in v.measured
    assert not _judge("check_moments", [1.0, 2.0, np.nan], "nan")[0].holds


def test_check_kinks_and_check_activation_on_real_activations(capsys):
    cw.check_kinks(kit.get("relu6"), -10, 10, [0.0, 6.0])
    cw.check_activation("relu")
    assert capsys.readouterr().out.splitlines() == ["✔ kinks of relu6 in [-10, 10]: 2 points", "✔ relu passes kit.check"]
    with pytest.raises(cw.CheckFailed, match=r"kinks\(\) gives \[0\.\], expected|but \[0, 6\]|measured kinks"):
        cw.check_kinks(kit.get("relu"), -10, 10, [0.0, 6.0])
    ns: dict = {"kit": kit, "np": np}
    exec(RIGHT["ramp"].replace("(z > 0)", "(z >= 0)"), ns)
    with pytest.raises(cw.CheckFailed, match=r"ramp passes kit.check: measured .*left_derivative"):
        cw.check_activation(ns["Ramp"])


# -- plain values ------------------------------------------------------------------------------


def test_plain_values_round_trip_with_their_dtypes():
    value = {"a": [1, 2.5, math.inf, -math.inf], "b": np.arange(6, dtype=np.float16).reshape(2, 3),
             "c": np.float32(0.5), "d": None, "e": True, "f": "text"}
    out = plain(value)
    assert out["a"] == [1, 2.5, math.inf, -math.inf] and out["d"] is None and out["e"] is True and out["f"] == "text"
    assert out["b"].dtype == np.float16 and out["b"].shape == (2, 3) and out["b"].tolist() == value["b"].tolist()
    assert type(out["c"]) is np.float32 and out["c"] == 0.5
    assert math.isnan(plain(float("nan")))
    assert plain(np.zeros(())).shape == ()


@pytest.mark.parametrize(
    "header, buffers, why",
    [
        ({"$a": ["|O", [1], 0]}, [b"x" * 8], "dtype"),
        ({"$a": ["<f8", [3], 0]}, [b"x" * 8], "size does not match"),
        ({"$a": ["<f8", [1], 1]}, [b"x" * 8], "missing"),
        ({"$q": 1}, [], "not plain"),
        ({"$f": "1e309"}, [], "not plain"),
        ({"$d": {"a": 1}, "x": 2}, [], "not plain"),
        (2**70, [], "too large"),
        ([[[[]]]] * 1, [], None),
    ],
)
def test_decode_refuses_what_is_not_plain(header, buffers, why):
    if why is None:
        assert decode(header, buffers) == [[[[]]]]
        return
    with pytest.raises(NotPlain, match=why):
        decode(header, buffers)


def test_to_plain_refuses_objects():
    for obj in (SimpleNamespace(dead=[[0, 0]]), object(), np.array([object()]), {1: 2}, b"bytes"):
        with pytest.raises(TypeError):
            to_plain(obj)


# -- release: nbgrader's markers -----------------------------------------------------------------


@pytest.mark.parametrize("begin, end", [("### BEGIN SOLUTION", "### END SOLUTION"), ("# BEGIN SOLUTION", "# END SOLUTION"),
                                        ("###BEGIN SOLUTION", "###END SOLUTION"), ("#BEGIN SOLUTION", "   ## END SOLUTION")])
def test_solution_markers_are_found_as_nbgrader_finds_them(begin, end):
    source = f"def f(x):\n    {begin}\n    return 42 * x\n    {end}\n    # after"
    out, found = nbk.strip_solutions(source)
    assert found and "42" not in out
    assert out == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n    # after"
    text, found = nbk.strip_solutions(f"{begin}\nThe answer is 42.\n{end}", "markdown")
    assert found and text == "YOUR ANSWER HERE"


def test_hidden_tests_are_removed_and_markers_must_balance():
    assert nbk.strip_hidden_tests("a\n# BEGIN HIDDEN TESTS\nb\n#END HIDDEN TESTS\nc") == ("a\nc", True)
    for bad, why in [("x\n### BEGIN SOLUTION\ny", "never closed"), ("### END SOLUTION", "without"),
                     ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside another")]:
        with pytest.raises(nbk.CourseworkError, match=why):
            nbk.strip_solutions(bad)


def test_release_stubs_solutions_strips_hidden_tests_clears_outputs_and_locks_checks(tmp_path):
    nb = teacher_notebook()
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="✔ double(3)\n")]
    nb.cells[2].source = nb.cells[2].source.replace("### BEGIN SOLUTION", "#BEGIN SOLUTION")
    (tmp_path / "src").mkdir()
    nbformat.write(nb, tmp_path / "src" / "ex.ipynb")
    written = nbk.release(tmp_path / "src", tmp_path / "release")
    assert written == [tmp_path / "release" / "ex.ipynb"]
    text = written[0].read_text()
    released = nbformat.read(written[0], as_version=4)
    for leak in ("return 2 * x", "0.0, 1.0", "Because.", "-7.5", "HIDDEN", "SOLUTION", "np.maximum", "bias"):
        assert leak not in text, leak
    assert released.cells[2].source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert released.cells[11].source == "Why?\n\nYOUR ANSWER HERE"
    assert released.cells[3].source == 'check_close(double(3.0), 6.0, "double(3)")'
    assert all(c.outputs == [] and c.execution_count is None for c in released.cells if c.cell_type == "code")
    checks = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert len(checks) == 4 and all(c.metadata["editable"] is False and c.metadata["deletable"] is False for c in checks)
    assert [c.id for c in released.cells] == [c.id for c in nb.cells]
    with pytest.raises(FileExistsError, match="--force"):
        nbk.release(tmp_path / "src", tmp_path / "release")
    nbk.release(tmp_path / "src", tmp_path / "release", force=True)
    with pytest.raises(nbk.CourseworkError, match="source folder"):
        nbk.release(tmp_path / "src", tmp_path / "src")


def test_release_refuses_what_nbgrader_or_the_grader_would_refuse(tmp_path):
    def refused(nb, why):
        nbformat.write(nb, tmp_path / "bad.ipynb")
        with pytest.raises(nbk.CourseworkError, match=why):
            nbk.release(tmp_path / "bad.ipynb", tmp_path / "out")

    nb = teacher_notebook()
    nb.cells[11].metadata["nbgrader"]["grade"] = False  # what real nbgrader 0.9.6 stops at
    refused(nb, "manually graded answer")
    nb = teacher_notebook()
    nb.cells[3].source = "for t in (3.0, 4.0):\n    check_close(double(t), 2 * t, 'double')"
    refused(nb, "inside another statement")
    nb = teacher_notebook()
    nb.cells[3].source = "assert double(3.0) == 6.0"
    refused(nb, "without a check_\\* call")
    nb = teacher_notebook()
    nb.cells[4].metadata.pop("nbgrader")
    refused(nb, "not an nbgrader solution cell")
    with pytest.raises(FileNotFoundError):
        nbk.release(tmp_path / "missing.ipynb", tmp_path / "o4")


def test_the_lessons_coursework_releases_without_leaking(tmp_path):
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "lessons" / "coursework"
    for path in nbk.release(src, tmp_path):
        text = path.read_text()
        assert "SOLUTION" not in text and "HIDDEN" not in text and '"bias": 0.1' not in text
        nb = nbformat.read(path, as_version=4)
        assert sum("raise NotImplementedError()" in c.source for c in nb.cells) >= 3


# -- merging -----------------------------------------------------------------------------------


def _released():
    return nbk.student_version(teacher_notebook())


def test_merge_takes_answers_from_the_student_and_everything_else_from_the_teacher():
    teacher = teacher_notebook()
    student = Submission({**RIGHT, "double": "def double(x):\n    return 9"},
                         added=[("double", "def check_close(*a, **k):\n    print('✔')")]).notebook(_released())
    student.cells[3].source = "print('✔ double(3)')"  # an edited check cell: ignored
    merged = nbk.merge(teacher, student)
    roles = [(c.role, c.teacher_index) for c in merged.cells]
    assert roles == [("teacher", 1), ("answer", 2), ("added", None), ("check", 3), ("answer", 4), ("check", 5),
                     ("answer", 6), ("check", 7), ("teacher", 8), ("answer", 9), ("check", 10)]
    assert merged.cells[1].source == "def double(x):\n    return 9"
    assert merged.cells[3].source == teacher.cells[3].source and "HIDDEN" in merged.cells[3].source
    assert merged.notes == []


def test_merge_finds_answers_whose_ids_were_lost_by_position_and_says_so():
    student = Submission(RIGHT, lose_ids=True).notebook(_released())
    merged = nbk.merge(teacher_notebook(), student)
    answers = {c.teacher_index: c.source for c in merged.cells if c.role == "answer"}
    assert answers[2] == RIGHT["double"] and answers[9] == RIGHT["settings"]
    assert merged.notes == ["answers matched by position (the submission's cell ids were lost): double, sides, ramp, "
                            "settings, why"]


def test_merge_says_when_an_answer_is_missing():
    student = _released()
    del student.cells[9]
    merged = nbk.merge(teacher_notebook(), student)
    assert "answer settings not found in the submission: graded as the blank stub" in merged.notes
    stub = next(c for c in merged.cells if c.teacher_index == 9)
    assert "raise NotImplementedError()" in stub.source and "0.1" not in stub.source


def test_check_cells_know_which_arguments_are_answers():
    cells = nbk.check_cells(teacher_notebook())
    assert [(c.label, c.points) for c in cells] == [("check-double", 2), ("check-sides", 1), ("check-ramp", 2),
                                                    ("check-train", 3)]
    double = [s for s in cells[0].steps if isinstance(s, nbk.Call)]
    assert [c.answers for c in double] == [{"got": "double(3.0)"}, {"got": "double(-7.5)"}]
    assert double[0].literals == {"expected": 6.0, "what": "double(3)"} and double[1].refs == {"expected": "-7.5 * 2"}
    train = cells[3].steps[0]
    assert train.answers == {"settings": "settings"} and train.refs == {"X": "X", "y": "y"}


def test_notebooks_are_json_the_grader_reads_strictly(tmp_path):
    (tmp_path / "x.ipynb").write_text("{not json")
    with pytest.raises(nbk.CourseworkError, match="not a readable notebook"):
        nbk.read_notebook(tmp_path / "x.ipynb")
    (tmp_path / "y.ipynb").write_text(json.dumps({"cells": 3}))
    with pytest.raises(nbk.CourseworkError):
        nbk.read_notebook(tmp_path / "y.ipynb")
