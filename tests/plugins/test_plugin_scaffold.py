"""`kit new-plugin`: the template is copied, renamed, discovered, and passes the suite out of the box."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import kit
from kit.cli import main
from kit.conformance import CHECKS
from kit.registry import status
from kit.scaffold import TemplateNotFound, new_plugin, template_dir

REPO = Path(__file__).resolve().parents[2]


def cli(argv):
    """``kit new-plugin ARGV``: the scaffold's command lives in the kit's one argparse tree."""
    return main(["new-plugin", *argv])


def test_the_template_is_never_installed_as_a_plugin():
    template = template_dir()
    assert template == REPO / "plugins" / "template"
    assert not (template / "pyproject.toml").exists()  # the Makefile installs plugins/*/pyproject.toml
    assert (template / "pyproject.toml.template").is_file()
    assert "my_activation" not in kit.names()


def test_scaffold_writes_a_renamed_copy(tmp_path):
    dest = new_plugin("soft_clip", tmp_path / "soft_clip")
    files = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert files == ["README.md", "pyproject.toml", "src/kit_soft_clip/__init__.py", "tests/test_soft_clip.py"]
    for path in dest.rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        for old in ("my_activation", "MyActivation", "my-activation", "pyproject.toml.template"):
            assert old not in text, (path, old)
    meta = tomllib.loads((dest / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["name"] == "kit-soft-clip"
    assert meta["project"]["entry-points"]["kit.activations"] == {"soft_clip": "kit_soft_clip:SoftClip"}


@pytest.fixture
def installed_scaffold(tmp_path, fake_site):
    """A scaffolded plugin on sys.path with a dist-info folder standing in for `pip install -e`."""
    dest = new_plugin("soft_clip", tmp_path / "soft_clip")
    meta = tomllib.loads((dest / "pyproject.toml").read_text(encoding="utf-8"))
    src = str(dest / "src")
    sys.path.insert(0, src)
    fake_site.modules.add("kit_soft_clip")
    fake_site.distribution(meta["project"]["name"], meta["project"]["entry-points"]["kit.activations"],
                           version=meta["project"]["version"])
    try:
        yield dest, fake_site.root
    finally:
        sys.path.remove(src)


def test_scaffolded_plugin_is_discovered_and_passes_the_suite(installed_scaffold):
    assert "soft_clip" in kit.names()
    entry = kit.entries()["soft_clip"]
    assert entry.source == "kit-soft-clip 0.1.0"
    assert dict((e.key, s) for e, s in status())["soft_clip"] == "ok"  # what `kit list` shows
    act = kit.get("soft_clip", left_slope=0.25)
    assert (act.left_derivative(0.0), act.right_derivative(0.0)) == (0.25, 1.0)
    report = kit.check("soft_clip")
    assert report.ok, report.problems


def test_scaffolded_plugins_own_tests_pass(installed_scaffold):
    dest, site = installed_scaffold
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(dest / "src")])}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", str(dest / "tests")],
        cwd=dest, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # the template's test file: 3 activations x every check, and 4 tests of its own numbers
    assert f"{3 * len(CHECKS) + 4} passed" in run.stdout


def test_refuses_to_overwrite(tmp_path, capsys):
    dest = new_plugin("soft_clip", tmp_path / "p")
    marker = dest / "README.md"
    marker.write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="never overwrites"):
        new_plugin("soft_clip", dest)
    assert cli(["soft_clip", "--dir", str(dest)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists and is not empty" in err
    assert marker.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Bad-Name", "invalid plugin name 'Bad-Name': use lower-case letters"),
        ("1abc", "invalid plugin name '1abc'"),
        ("class", "it is a Python keyword"),
        ("double__under", "no '__'"),
        ("relu", "an activation named 'relu' already exists (from activation-kit"),
        ("my_activation", "the template's own name"),
    ],
)
def test_rejects_invalid_names_with_one_line(tmp_path, capsys, name, message):
    with pytest.raises(ValueError):
        new_plugin(name, tmp_path / "x")
    assert cli([name, "--dir", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "x").exists()


def test_usage_errors_are_one_line(capsys):
    assert cli([]) == 2
    err = capsys.readouterr().err
    assert err == "kit: error: the following arguments are required: name (see kit new-plugin --help)\n"


def test_cli_success_says_what_to_do_next(tmp_path, capsys):
    assert cli(["soft_clip", "--dir", str(tmp_path / "sc")]) == 0
    out = capsys.readouterr().out
    assert f"pip install -e {tmp_path / 'sc'}" in out and "kit check soft_clip" in out


def test_missing_template_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIT_PLUGIN_TEMPLATE", str(tmp_path / "nowhere"))
    with pytest.raises(TemplateNotFound, match="plugin template not found"):
        new_plugin("soft_clip", tmp_path / "sc")
    assert cli(["soft_clip", "--dir", str(tmp_path / "sc")]) == 2
    assert "KIT_PLUGIN_TEMPLATE" in capsys.readouterr().err
