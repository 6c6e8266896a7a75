"""kit.lessons: the executor behind ``make lessons``."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from kit import lessons


def _write(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), *(nbformat.v4.new_code_cell(s) for s in sources)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_find_notebooks_recurses_sorted_and_skips_checkpoints(tmp_path):
    a = _write(tmp_path / "b" / "x.ipynb", "1")
    b = _write(tmp_path / "a.ipynb", "1")
    _write(tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb", "1")
    assert lessons.find_notebooks([tmp_path]) == [b, a]
    assert lessons.find_notebooks([a, a]) == [a]
    with pytest.raises(FileNotFoundError):
        lessons.find_notebooks([tmp_path / "missing"])
    (tmp_path / "n.txt").write_text("")
    with pytest.raises(ValueError, match="not a notebook"):
        lessons.find_notebooks([tmp_path / "n.txt"])


def test_execute_stores_outputs_in_the_project_kernel_seeded(tmp_path):
    nb_path = _write(
        tmp_path / "ok.ipynb",
        "import sys, os\nprint(sys.executable)\nprint(os.environ['PYTHONHASHSEED'])",
        "import os\nprint(os.getcwd())",
        "2 + 3",
    )
    run = lessons.execute(nb_path, timeout=60)
    assert run.ok and run.error == "" and run.stderr == [] and run.seconds > 0
    assert str(run).startswith("ok")
    nb = nbformat.read(nb_path, as_version=4)
    import sys

    assert nb.cells[1].outputs[0].text == f"{sys.executable}\n0\n"
    assert nb.cells[2].outputs[0].text.strip() == str(tmp_path)
    assert nb.cells[3].outputs[0].data["text/plain"] == "5"
    assert nb.metadata.kernelspec.name == "python3"
    assert all("execution" not in c.metadata for c in nb.cells)


def test_execute_reports_errors_and_stderr_and_main_exits_1(tmp_path, capsys):
    bad = _write(tmp_path / "bad.ipynb", "x = 1", "1 / 0", "print('never')")
    run = lessons.execute(bad, timeout=60)
    assert not run.ok and run.error.startswith("cell 2 (nbval: Cell 1): ZeroDivisionError")
    assert "ZeroDivisionError" in bad.read_text()  # written so the error can be read
    noisy = _write(tmp_path / "noisy.ipynb", "import warnings\nwarnings.warn('careful')")
    run = lessons.execute(noisy, timeout=60)
    assert run.error == "" and len(run.stderr) == 1 and "careful" in run.stderr[0]
    assert lessons.main([str(noisy)]) == 1
    assert "FAILED" in capsys.readouterr().out
    assert lessons.main([str(tmp_path / "nope")]) == 2
    (tmp_path / "empty").mkdir()
    assert lessons.main([str(tmp_path / "empty")]) == 2


def test_changed_outputs_are_reported_and_diff_mode_writes_nothing(tmp_path, capsys):
    path = _write(tmp_path / "nb.ipynb", "print(1 + 1)", "# NBVAL_IGNORE_OUTPUT\nprint('ignored')")
    assert lessons.execute(path, timeout=60).changed  # first run: the outputs were empty
    assert lessons.execute(path, timeout=60).changed == []  # second run: same outputs
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs[0].text = "3\n"  # as if the kit used to print 3
    nb.cells[2].outputs[0].text = "something else\n"  # ignored by nbval, so not reported
    nbformat.write(nb, path)
    stored = path.read_text()
    assert lessons.main(["--diff", str(path)]) == 1
    out = capsys.readouterr().out
    assert "1 cell(s) print something new" in out and "-3" in out and "+2" in out and "ignored" not in out
    assert path.read_text() == stored
    assert lessons.main([str(path)]) == 0
    assert "read the text around the new numbers" in capsys.readouterr().out
    assert lessons.main(["--diff", str(path)]) == 0


def test_a_failing_claim_fails_the_run_naming_its_cell(tmp_path, capsys):
    """A claim that does not hold prints a ``✘ FAILS:`` line; make lessons must not store it silently."""
    path = _write(
        tmp_path / "claims.ipynb",
        "from kit import claims",
        "_ = claims.within('accuracy', 0.9, 0.8, 1.0)",
        "# a markdown cell would shift the notebook index, not nbval's\n_ = claims.within('accuracy', 0.6, 0.8, 1.0)",
    )
    run = lessons.execute(path, timeout=60)
    assert run.error == "" and run.stderr == []
    assert run.failed_claims == ["cell 3 (nbval: Cell 2): ✘ FAILS: accuracy: measured 0.6, outside the band [0.8, 1]"]
    assert not run.ok and "claim: cell 3 (nbval: Cell 2): ✘ FAILS" in str(run)
    assert lessons.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "✘ FAILS: accuracy" in out and "0 of 1 notebooks ran cleanly" in out
    ok = _write(tmp_path / "ok.ipynb", "from kit import claims", "_ = claims.within('accuracy', 0.9, 0.8, 1.0)",
                "print('a line that mentions ✘ FAILS: later is not a verdict')")
    assert lessons.execute(ok, timeout=60).ok


def test_the_perturbed_run_reaches_the_kernel_and_leaves_this_process_as_it_was(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("KIT_ROUNDING", raising=False)
    env = lessons.perturbed_environment()
    assert env["KIT_ROUNDING"] == "perturbed"
    assert "OPENBLAS" not in " ".join(env)  # the machines' own BLAS settings are never touched
    path = _write(tmp_path / "env.ipynb",
                  "import os\nfrom kit import nn\nprint(os.environ.get('KIT_ROUNDING'), nn.ROUNDING)\n"
                  "print(os.environ.get('NPY_DISABLE_CPU_FEATURES'))")
    run = lessons.execute(path, timeout=60, env=env)
    assert run.ok  # numpy did not warn about a feature it cannot disable
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[1].outputs[0].text == f"perturbed perturbed\n{env['NPY_DISABLE_CPU_FEATURES']}\n"
    assert "KIT_ROUNDING" not in __import__("os").environ
    assert lessons.main(["--print-perturbed-env"]) == 0
    assert capsys.readouterr().out.startswith("KIT_ROUNDING=perturbed NPY_DISABLE_CPU_FEATURES=")
