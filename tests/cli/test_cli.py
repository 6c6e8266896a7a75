"""The ``kit`` command: each subcommand, and one clear line for bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kit.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_each_activation_with_its_source_and_status(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    line = next(row for row in out.splitlines() if row.startswith("relu "))
    assert "activation-kit" in line and "(built-in)" in line and line.endswith("ok")


def test_show_prints_one_sided_derivatives_and_framework_choices(capsys):
    code, out, _ = run(capsys, "show", "relu")
    assert code == 0
    assert "kinks in [-10, 10]: 0" in out
    assert "dead region (f' = 0): [(-inf, 0)]" in out  # the same spelling as kit.check's report
    rows = [r.split() for r in out.splitlines() if r.strip().startswith("0 ")]
    assert rows == [["0", "0", "1", "0", "0", "0"]]  # at, left, right, pytorch, tensorflow, jax


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "rleu"], "kit: error: no activation named 'rleu'; did you mean 'relu'"),
        (["show", "relu", "-p", "alpha=0.1"], "kit: error: relu: unknown parameter(s) alpha; valid parameters: none"),
        (["show", "relu", "-p", "alpha"], "kit: error: --param takes NAME=NUMBER, got 'alpha'"),
        (["check", "no.such.module:Thing"],
         "kit: error: cannot import no.such.module:Thing: ModuleNotFoundError: No module named 'no'"),
        (["check", "kit.activation:Fixed"], "kit: error: kit.activation:Fixed is not a subclass of kit.Activation"),
        (["check", "not a module:Thing"], "kit: error: expected 'package.module:Class', got 'not a module:Thing'"),
        (["show", "leaky_relu", "-p", "alpha=nan"], "kit: error: leaky_relu: parameter alpha must be a number, got nan"),
        (["plot", "relu", "-o", "x.png", "--kink", "middle"], "kit: error: kink must be"),
        (["frobnicate"], "kit: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (["show"], "kit: error: the following arguments are required: name (see kit show --help)"),
        (["plot", "relu"], "kit: error: the following arguments are required: -o/--output (see kit plot --help)"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and out.startswith("usage: kit")


def test_check_by_module_and_class(capsys):
    code, out, _ = run(capsys, "check", "kit.activations.piecewise:ReLU")
    assert code == 0, out


def test_plot_writes_a_png(capsys, tmp_path):
    target = tmp_path / "relu.png"
    code, _, _ = run(capsys, "plot", "relu", "-o", str(target), "--kink", "0.5")
    assert code == 0 and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_kit_list_imports_no_plotting_or_widget_library():
    code = (
        "import sys, contextlib, io\n"
        "from kit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['list'])\n"
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_python_dash_m_kit_is_the_same_command():
    res = subprocess.run([sys.executable, "-m", "kit", "show", "rleu"], capture_output=True, text=True)
    assert res.returncode == 2 and "did you mean 'relu'" in res.stderr
