"""One build step beyond pyproject.toml: the plugin template becomes package data.

The template's one copy lives in the repository, in ``plugins/template/``,
where activation-kit's own test run tests it in place.  ``kit new-plugin``
must work from a wheel too, so building the package (``pip wheel .``,
``pip install .``, ``python -m build``) copies it into the built ``kit``
package as ``kit/_template/`` (without its ``conftest.py``, which only serves
the in-place test run, and without caches).  An editable install copies
nothing: :func:`kit.scaffold.template_dir` finds ``plugins/template`` beside
the source tree.  ``MANIFEST.in`` puts the template in the sdist, so a wheel
built from the sdist carries it as well.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TEMPLATE = Path(__file__).resolve().parent / "plugins" / "template"
PACKAGED = Path("kit") / "_template"
LEFT_OUT = {"conftest.py", "__pycache__", ".pytest_cache", ".ruff_cache", "build", "dist"}


def template_files() -> list[Path]:
    """The template's files to package, relative to ``plugins/template``."""
    files = []
    for path in sorted(TEMPLATE.rglob("*")):
        rel = path.relative_to(TEMPLATE)
        if (path.is_file() and not LEFT_OUT.intersection(rel.parts) and rel.suffix != ".pyc"
                and not any(part.endswith(".egg-info") for part in rel.parts)):
            files.append(rel)
    return files


class BuildPyWithTemplate(build_py):
    """``build_py``, then ``plugins/template`` copied into the built package as ``kit/_template``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        if not (TEMPLATE / "pyproject.toml.template").is_file():
            raise SystemExit(f"cannot build activation-kit: the plugin template is missing from {TEMPLATE}")
        dest = Path(self.build_lib) / PACKAGED
        shutil.rmtree(dest, ignore_errors=True)
        for rel in template_files():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(TEMPLATE / rel, target)


setup(cmdclass={"build_py": BuildPyWithTemplate})
