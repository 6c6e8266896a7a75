"""``kit new-plugin`` from a built wheel: the template is package data, found where the package is installed.

The wheel is built from a copy of the sources (so the worktree gets no
``build/`` or ``*.egg-info``), without build isolation (no download), and
unpacked into a folder that is the only activation-kit on ``PYTHONPATH``: that
is what ``pip install activation-kit`` leaves, minus the copying.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "plugins" / "template"
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", "*.egg-info", "build", "dist")


def template_files() -> set[str]:
    """The template's files a wheel must carry: all but its in-place conftest and caches."""
    return {
        p.relative_to(TEMPLATE).as_posix()
        for p in TEMPLATE.rglob("*")
        if p.is_file() and p.name != "conftest.py" and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "kit", src / "kit", ignore=CACHES)
    shutil.copytree(TEMPLATE, src / "plugins" / "template", ignore=CACHES)
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (built,) = out.glob("activation_kit-*.whl")
    return built


def test_the_wheel_carries_the_template_and_every_command(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packaged = {n.removeprefix("kit/_template/") for n in names if n.startswith("kit/_template/")}
    assert packaged == template_files()
    assert {"README.md", "pyproject.toml.template", "src/kit_my_activation/__init__.py"} <= packaged
    assert {"kit/cli.py", "kit/scaffold.py", "kit/__main__.py"} <= names
    record = next(n for n in names if n.endswith(".dist-info/RECORD"))
    assert "kit/_template/pyproject.toml.template," in zipfile.ZipFile(wheel).read(record).decode()


def test_new_plugin_works_from_the_installed_package(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {k: v for k, v in os.environ.items() if k != "KIT_PLUGIN_TEMPLATE"}
    env["PYTHONPATH"] = str(site)  # this activation-kit, not the repository's
    where = subprocess.run(
        [sys.executable, "-c", "import kit, kit.scaffold; print(kit.__file__); print(kit.scaffold.template_dir())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout.split()
    assert where == [str(site / "kit" / "__init__.py"), str(site / "kit" / "_template")]
    run = subprocess.run([sys.executable, "-m", "kit", "new-plugin", "soft_clip", "--dir", "sc"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert run.stdout.startswith("wrote sc\n")
    files = sorted(p.relative_to(tmp_path / "sc").as_posix() for p in (tmp_path / "sc").rglob("*") if p.is_file())
    assert files == ["README.md", "pyproject.toml", "src/kit_soft_clip/__init__.py", "tests/test_soft_clip.py"]
    assert "class SoftClip" in (tmp_path / "sc" / "src" / "kit_soft_clip" / "__init__.py").read_text(encoding="utf-8")


def _kit_imports(path: Path) -> set[str]:
    """The ``kit...`` modules a source file imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("kit"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("kit"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if node.module == "kit")
    return found


def test_the_command_line_is_the_one_argparse_tree_and_nothing_imports_it():
    importers = sorted(str(p.relative_to(REPO)) for p in (REPO / "kit").rglob("*.py")
                       if p.name != "__main__.py" and "kit.cli" in _kit_imports(p))
    assert importers == []
    assert not {m for m in _kit_imports(REPO / "kit" / "scaffold.py") if m.startswith("kit.cli")}
    assert "argparse" not in (REPO / "kit" / "scaffold.py").read_text(encoding="utf-8")
