"""The ``kit`` command as a shell runs it: every fault is one line on stderr and a non-zero exit, or a right result.

Each case runs ``python -m kit`` in a subprocess, so what is checked is what a
user sees: the exit status, stdout, and stderr exactly one line (no usage
dump, no traceback).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def kit(*argv: str, cwd: Path, extra_path: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    paths = [str(REPO), *([str(extra_path)] if extra_path else []), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    return subprocess.run([sys.executable, "-m", "kit", *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def one_line_error(res: subprocess.CompletedProcess, code: int = 2) -> str:
    assert res.returncode == code, (res.returncode, res.stdout[-2000:], res.stderr[-2000:])
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and res.stderr.endswith("\n"), res.stderr[-3000:]
    assert lines[0].startswith("kit: error: ") and "Traceback" not in res.stderr
    return lines[0]


# --- kit plot: the pixel budget and the output file ------------------------------------------------------------


def test_a_huge_dpi_is_refused_before_drawing(tmp_path):
    line = one_line_error(kit("plot", "relu", "-o", "x.png", "--dpi", "100000", cwd=tmp_path))
    assert "megapixels" in line and "use --dpi" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dpi", ["0", "-5"])
def test_a_dpi_that_is_not_positive_is_refused(tmp_path, dpi):
    line = one_line_error(kit("plot", "relu", "-o", "x.png", "--dpi", dpi, cwd=tmp_path))
    assert line == f"kit: error: --dpi must be a positive integer, got {dpi}"


def test_the_file_written_is_exactly_the_one_named(tmp_path):
    (tmp_path / "figs").mkdir()
    res = kit("plot", "relu", "-o", "figs/relu.svg", "--dpi", "100", cwd=tmp_path)
    assert res.returncode == 0 and res.stderr == ""
    assert res.stdout == "wrote figs/relu.svg\n"
    assert [p.name for p in (tmp_path / "figs").iterdir()] == ["relu.svg"]
    assert (tmp_path / "figs" / "relu.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_an_existing_folder_is_refused_and_no_sibling_file_appears(tmp_path):
    (tmp_path / "existing_dir").mkdir()
    line = one_line_error(kit("plot", "relu", "-o", "existing_dir", cwd=tmp_path))
    assert "existing_dir: that is a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing_dir"]


def test_a_device_is_refused_and_nothing_is_written_beside_it(tmp_path):
    line = one_line_error(kit("plot", "relu", "-o", os.devnull, cwd=tmp_path))
    assert "is not a regular file" in line
    assert not Path(os.devnull + ".png").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.png")
    line = one_line_error(kit("plot", "relu", "-o", "pipe.png", cwd=tmp_path, timeout=60))
    assert "is not a regular file" in line


def test_a_missing_parent_folder_is_refused(tmp_path):
    line = one_line_error(kit("plot", "relu", "-o", "no/such/folder/x.png", cwd=tmp_path))
    assert line.endswith("no such folder no/such/folder")


@pytest.mark.parametrize(("name", "message"), [("relu", "no file extension"), ("relu.xyz", "unknown image format '.xyz'")])
def test_a_name_that_does_not_say_the_format_is_refused(tmp_path, name, message):
    line = one_line_error(kit("plot", "relu", "-o", name, cwd=tmp_path))
    assert message in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lo", "-1e308", "--hi", "1e308"], "needs finite lo < hi with a finite width hi - lo"),
        (["--kink", "-0.5"], "kink must be 'left', 'right', 'mean', a number t in [0, 1]"),
    ],
)
def test_a_range_or_kink_out_of_bounds_is_one_line(tmp_path, argv, message):
    line = one_line_error(kit("plot", "relu", "-o", "x.png", *argv, cwd=tmp_path))
    assert message in line and not line.endswith("'-0.5'")
    assert list(tmp_path.iterdir()) == []


# --- negative numbers for numeric options --------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--lo", "-1e3"], ["--lo", "-3"], ["--lo=-1e3"], ["--lo", "-2.5E1", "--hi", "-.5"],
                                  ["--l", "-1e3"]])
def test_numeric_options_take_negative_numbers(tmp_path, argv):
    res = kit("plot", "relu", "-o", "x.png", "--dpi", "50", *argv, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "wrote x.png\n" and (tmp_path / "x.png").stat().st_size > 0


def test_a_negative_number_is_checked_by_value_not_refused_by_argparse(tmp_path):
    line = one_line_error(kit("coursework", "grade", "src", "sub", "--timeout", "-1e3", cwd=tmp_path))
    assert "timeout must be a finite number > 0, got -1000.0" in line


def test_a_negative_number_is_not_glued_to_an_option_that_takes_no_number(tmp_path):
    line = one_line_error(kit("plot", "relu", "-o", "x.png", "--lo", "-x", cwd=tmp_path))
    assert "argument --lo: expected one argument" in line


# --- kit check module:attr: an Activation or nothing, and nothing else is called --------------------------------

WATCHED = """
import os, sys
from pathlib import Path

from kit.activations.piecewise import ReLU

MARK = Path(os.environ["KIT_TEST_MARK"])


def factory(**params):
    MARK.write_text("factory called")
    return ReLU()


class Namespace:
    @property
    def prop(self):
        MARK.write_text("property ran")

    class Inner(ReLU):
        name = "inner_relu"


def __getattr__(name):
    MARK.write_text("module __getattr__ ran")
    return ReLU
"""


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("os.path:join.__globals__", "'__globals__' is a dunder attribute"),
        ("os:fork", "os:fork names a builtin_function_or_method, not a kit.Activation subclass or instance"),
        ("os:abort", "os:abort names a builtin_function_or_method"),
        ("sys:exit", "sys:exit names a builtin_function_or_method"),
        ("os.path:join.x", "os.path:join is a function, not a class"),
        ("watched_mod:factory", "watched_mod:factory names a function"),
        ("watched_mod:Namespace.prop", "watched_mod:Namespace.prop names a property"),
        ("watched_mod:lazy", "watched_mod has no attribute 'lazy'"),
        ("watched_mod:MARK", "watched_mod:MARK names a PosixPath" if os.name == "posix" else "names a"),
    ],
)
def test_check_calls_nothing_but_an_activation(tmp_path, monkeypatch, spec, message):
    (tmp_path / "watched_mod.py").write_text(textwrap.dedent(WATCHED), encoding="utf-8")
    mark = tmp_path / "mark"
    monkeypatch.setenv("KIT_TEST_MARK", str(mark))
    res = kit("check", spec, cwd=tmp_path, extra_path=tmp_path)
    line = one_line_error(res)
    assert message in line
    assert res.stdout == "" and not mark.exists()


def test_check_accepts_a_nested_activation_class(tmp_path, monkeypatch):
    (tmp_path / "watched_mod.py").write_text(textwrap.dedent(WATCHED), encoding="utf-8")
    monkeypatch.setenv("KIT_TEST_MARK", str(tmp_path / "mark"))
    res = kit("check", "watched_mod:Namespace.Inner", cwd=tmp_path, extra_path=tmp_path)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert not (tmp_path / "mark").exists()


def test_a_message_with_newlines_is_printed_on_one_line(tmp_path):
    (tmp_path / "loud_mod.py").write_text(textwrap.dedent("""
        from kit.activations.piecewise import ReLU

        class Loud(ReLU):
            name = "loud"

            def __init__(self, **params):
                raise ValueError("first line\\nsecond line\\n" + "x" * 2000)
    """), encoding="utf-8")
    line = one_line_error(kit("check", "loud_mod:Loud", cwd=tmp_path, extra_path=tmp_path))
    assert "first line second line" in line and line.endswith("...") and len(line) < 600


# --- every usage error is one line, for every subcommand -------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND (see kit --help)"),
        (["--frob"], "the following arguments are required: COMMAND"),
        (["list", "--frob"], "unrecognized arguments: --frob (see kit --help)"),
        (["frobnicate"], "argument COMMAND: invalid choice: 'frobnicate'"),
        (["list", "extra"], "unrecognized arguments: extra"),
        (["show"], "the following arguments are required: name (see kit show --help)"),
        (["check", "relu", "--frob"], "unrecognized arguments: --frob"),
        (["plot", "relu", "--dpi", "many", "-o", "x.png"], "argument --dpi: invalid int value: 'many' (see kit plot --help)"),
        (["new-plugin"], "the following arguments are required: name (see kit new-plugin --help)"),
        (["new-plugin", "Bad-Name"], "invalid plugin name 'Bad-Name'"),
        (["coursework"], "the following arguments are required: ACTION (see kit coursework --help)"),
        (["coursework", "frob"], "argument ACTION: invalid choice: 'frob'"),
        (["coursework", "release"], "the following arguments are required: src, dest (see kit coursework release --help)"),
        (["coursework", "release", "nowhere", "out"], "no such notebook or folder: nowhere"),
        (["coursework", "grade", "a"], "the following arguments are required: submitted (see kit coursework grade --help)"),
        (["coursework", "grade", "a", "b", "--workers", "x"], "argument --workers: invalid int value: 'x'"),
        (["coursework", "grade", "a", "b", "--timeout"], "argument --timeout: expected one argument"),
    ],
)
def test_every_usage_error_is_one_line(tmp_path, argv, message):
    line = one_line_error(kit(*argv, cwd=tmp_path))
    assert message in line


@pytest.mark.parametrize("argv", [["--help"], ["plot", "--help"], ["new-plugin", "--help"], ["coursework", "grade", "-h"]])
def test_help_goes_to_stdout_and_exits_0(tmp_path, argv):
    res = kit(*argv, cwd=tmp_path)
    assert res.returncode == 0 and res.stderr == "" and res.stdout.startswith("usage: kit")


def test_a_reader_that_goes_away_is_not_an_error(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    res = subprocess.run(f"{sys.executable} -m kit list | head -n 1", shell=True, cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.stdout.startswith("name ") and res.stdout.count("\n") == 1
    assert res.stderr == ""
