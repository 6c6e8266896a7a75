"""binder/: the image recipe repo2docker reads, run as repo2docker would, in a fresh virtual environment.

Docker does not run here, so this is the part of the image build that can be checked:
``binder/postBuild`` run in a copy of the repository (what repo2docker copies in) with
``NB_PYTHON_PREFIX`` pointing at a new venv. That venv sees the test environment's third-party
packages (linked in, as repo2docker's base environment has them: installing them from the index
takes over ten minutes here) but none of this repository's projects, so postBuild must install
the kit and every plugin itself; they must then be installed (not editable: the copy is deleted
first), found through their entry points with no broken plugin, and the lessons release written
where the Helm values' start command looks for it. postBuild runs with no package index (only
the build backend, fetched first), so it cannot quietly download something the base environment
lacks. ``binder/requirements.txt`` is checked by resolving its pin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", "*.egg-info", "build",
                                ".hypothesis", ".ruff_cache", ".pytest_cache", ".ipynb_checkpoints")


def _repository_files() -> list[str] | None:
    """Tracked and untracked-but-not-ignored files (what a commit of this tree would hold), or None."""
    try:
        done = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard",
                               "-z"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError):
        return None
    return [f for f in done.stdout.decode().split("\0") if f]


def _copy_repository(dest: Path) -> None:
    listed = _repository_files()
    if listed is None:
        shutil.copytree(ROOT, dest, ignore=IGNORE)
        return
    for rel in listed:
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def _expected_activations() -> set[str]:
    names = set()
    for pyproject in [ROOT / "pyproject.toml", *sorted(ROOT.glob("plugins/*/pyproject.toml"))]:
        data = tomllib.loads(pyproject.read_text())
        names |= set(data.get("project", {}).get("entry-points", {}).get("kit.activations", {}))
    return names


def _base_environment(site: Path, overlay: Path) -> None:
    """Link every third-party distribution of ``site`` into ``overlay``, leaving out this repository's own.

    The repository's projects are the ones installed from a local folder in editable mode
    (``direct_url.json``); pip, setuptools and the ``.pth`` machinery stay the fresh venv's own.
    """
    own = set()
    for info in site.glob("*.dist-info"):
        url = info / "direct_url.json"
        if url.exists() and json.loads(url.read_text()).get("dir_info", {}).get("editable"):
            own.add(info.name)
    skip = ("pip", "setuptools", "pkg_resources", "_distutils_hack", "__editable__", "distutils-precedence")
    overlay.mkdir()
    for entry in site.iterdir():
        if entry.name in own or entry.name.startswith(skip) or entry.suffix == ".pth" or entry.name == "__pycache__":
            continue
        (overlay / entry.name).symlink_to(entry)


@pytest.fixture(scope="module")
def image(tmp_path_factory, kit_hub_installed):
    """A fresh venv, with the test environment's third-party packages, completed by binder/postBuild."""
    import sysconfig

    base = tmp_path_factory.mktemp("binder")
    repo, prefix = base / "repo", base / "env"
    _copy_repository(repo)
    python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([python, "-m", "venv", str(prefix)], check=True, timeout=300)
    fresh_site = Path(subprocess.run([str(prefix / "bin" / "python"), "-c",
                                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     capture_output=True, text=True, check=True).stdout.strip())
    _base_environment(Path(sysconfig.get_paths()["purelib"]), base / "base-env")
    (fresh_site / "zz-base-env.pth").write_text(f"{base / 'base-env'}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    # The build backend the projects ask for, fetched once; then postBuild runs with no index at
    # all, so it can only use the base environment and what it builds from the repository.
    wheels = base / "wheels"
    requires = sorted({r for p in [repo / "pyproject.toml", repo / "deploy" / "pyproject.toml",
                                   *repo.glob("plugins/*/pyproject.toml")]
                       for r in tomllib.loads(p.read_text())["build-system"]["requires"]})
    fetched = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(wheels), *requires],
                             capture_output=True, text=True, timeout=900)
    if fetched.returncode != 0:
        pytest.fail(f"could not fetch the build backend {requires}: {fetched.stderr[-2000:]}")
    env.update({"NB_PYTHON_PREFIX": str(prefix), "VIRTUAL_ENV": str(prefix),
                "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels),
                "PATH": f"{prefix / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"})
    done = subprocess.run(["bash", "binder/postBuild"], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=1500)
    if done.returncode != 0:
        pytest.fail(f"binder/postBuild failed ({done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}")
    shutil.rmtree(repo)                      # what an editable install would need
    return prefix, env, done.stdout + done.stderr


def _run(image, code: str) -> str:
    prefix, env, _ = image
    done = subprocess.run([str(prefix / "bin" / "python"), "-c", code], env=env, cwd=prefix, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_postbuild_installs_the_kit_and_every_plugin_registered_by_their_entry_points(image):
    prefix, _, log = image
    assert "0 broken plugins" in log
    got = json.loads(_run(image, "import json, kit; print(json.dumps({'file': kit.__file__, "
                                 "'names': kit.names(), 'problems': [str(p) for p in kit.plugin_problems()]}))"))
    assert got["problems"] == []
    assert Path(got["file"]).resolve().is_relative_to(prefix.resolve())     # installed, not editable
    assert _expected_activations() <= set(got["names"])


def test_postbuild_gives_the_servers_the_hub_pieces(image):
    _run(image, "import jupyterhub.singleuser, jupyterlab, jupyterhub_idle_culler, kit_hub.cli")


def test_the_requirements_pin_resolves_to_the_charts_jupyterhub(tmp_path):
    """binder/requirements.txt pins jupyterhub to the chart's 5.5 line, and that pin exists for Python 3.11."""
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--ignore-installed",
                           "-q", "--report", str(report), "-r", str(ROOT / "binder" / "requirements.txt")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    got = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in json.loads(report.read_text())["install"]}
    assert list(got) == ["jupyterhub"] and got["jupyterhub"].startswith("5.5.")
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == f"python-{sys.version_info[0]}.{sys.version_info[1]}"


def test_postbuild_writes_the_lessons_release_the_start_command_syncs_from(image):
    prefix, _, _ = image
    release = prefix / "share" / "activation-kit" / "lessons"
    lessons = sorted(p.name for p in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    assert lessons and all((release / name).is_file() for name in lessons)
    for nb in (release / "coursework").glob("*.ipynb"):
        assert "BEGIN SOLUTION" not in nb.read_text()
    assert sorted(p.name for p in (release / "coursework").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "lessons" / "coursework").glob("*.ipynb"))
