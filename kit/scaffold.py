"""``kit new-plugin NAME [--dir DIR]``: write a ready plugin distribution from the template.

The template lives in the repository, in ``plugins/template/``: a working
plugin (``kit_my_activation.MyActivation``, activation ``my_activation``)
whose ``pyproject.toml`` is stored as ``pyproject.toml.template`` so that the
Makefile, which installs every ``plugins/*/pyproject.toml``, never installs
the template itself.  activation-kit's own test run tests the template in
place (``plugins/template/conftest.py`` puts its ``src`` on the path; that
file is not copied).

Scaffolding copies the template and renames: ``my_activation`` becomes NAME,
``my-activation`` NAME with dashes (the distribution ``kit-NAME``),
``MyActivation`` the CamelCase class name, and ``pyproject.toml.template``
``pyproject.toml``.

Where the template is found (:func:`template_dir`): ``$KIT_PLUGIN_TEMPLATE``
if set; else ``kit/_template/`` inside the installed package, which building
a wheel copies from ``plugins/template`` (``setup.py``, so the template has one
copy in the repository and ``kit new-plugin`` works from ``pip install
activation-kit``); else ``plugins/template`` next to the ``kit`` package, which
is where an editable install (``pip install -e .``, what ``make`` does) leaves
it.  This module is called by the ``kit new-plugin`` command and imports no
part of the command line.

Examples
--------
>>> from pathlib import Path
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     where = new_plugin("soft_clip", Path(tmp) / "soft_clip")
...     sorted(str(p.relative_to(where)) for p in where.rglob("*.*"))
['README.md', 'pyproject.toml', 'src/kit_soft_clip/__init__.py', 'tests/test_soft_clip.py']
"""

from __future__ import annotations

import keyword
import os
import shutil
from pathlib import Path

from kit.activation import NAME_PATTERN

__all__ = ["TemplateNotFound", "new_plugin", "template_dir", "validate_name"]

TEMPLATE_NAME = "my_activation"
_SKIP = {"conftest.py", "__pycache__", ".pytest_cache", ".ruff_cache", "build", "dist"}


class TemplateNotFound(FileNotFoundError):
    """The plugin template is not where the kit expects it."""


PACKAGED_TEMPLATE = Path(__file__).resolve().parent / "_template"
"""Where a built (non-editable) install carries the template: ``kit/_template``."""

REPOSITORY_TEMPLATE = Path(__file__).resolve().parent.parent / "plugins" / "template"
"""Where the repository, and so an editable install, keeps it: ``plugins/template``."""


def template_dir() -> Path:
    """The folder of the plugin template.

    ``$KIT_PLUGIN_TEMPLATE`` if it is set, else the copy packaged in
    ``kit/_template`` (a wheel's), else the repository's ``plugins/template``
    (an editable install's).  Raises :class:`TemplateNotFound` (one line saying
    what to do) when there is none.

    Examples
    --------
    >>> (template_dir() / "pyproject.toml.template").is_file()
    True
    """
    env = os.environ.get("KIT_PLUGIN_TEMPLATE")
    candidates = [Path(env)] if env else [PACKAGED_TEMPLATE, REPOSITORY_TEMPLATE]
    for where in candidates:
        if (where / "pyproject.toml.template").is_file():
            return where
    raise TemplateNotFound(
        f"plugin template not found at {' or '.join(map(str, candidates))}: this activation-kit was installed "
        f"without it; reinstall it (pip install activation-kit, or pip install -e . in its repository) or set "
        f"KIT_PLUGIN_TEMPLATE to a copy of plugins/template"
    )


def _skipped(rel: Path) -> bool:
    """Files of the template that are not copied: its conftest, caches, build output, egg-info."""
    return bool(_SKIP.intersection(rel.parts)) or rel.suffix == ".pyc" or any(p.endswith(".egg-info") for p in rel.parts)


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def validate_name(name: str) -> None:
    """Raise ``ValueError`` (one line) unless ``name`` can be a new activation's name.

    Examples
    --------
    >>> validate_name("soft_clip")
    >>> validate_name("relu")
    Traceback (most recent call last):
    ...
    ValueError: an activation named 'relu' already exists (from activation-kit ... (built-in)); choose another name
    """
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValueError(f"invalid plugin name {name!r}: use lower-case letters, digits and _, starting with a letter")
    if len(name) > 40 or "__" in name or name.endswith("_"):
        raise ValueError(f"invalid plugin name {name!r}: at most 40 characters, no '__', no trailing '_'")
    if keyword.iskeyword(name):
        raise ValueError(f"invalid plugin name {name!r}: it is a Python keyword")
    if name == TEMPLATE_NAME:
        raise ValueError(f"invalid plugin name {name!r}: that is the template's own name; choose yours")
    import kit

    taken = kit.entries().get(name)
    if taken is not None:
        raise ValueError(f"an activation named {name!r} already exists (from {taken.source}); choose another name")


def _render(text: str, name: str) -> str:
    return (
        text.replace("MyActivation", _camel(name))
        .replace(TEMPLATE_NAME, name)
        .replace(TEMPLATE_NAME.replace("_", "-"), name.replace("_", "-"))
        .replace("# (In activation-kit's repository this file is called pyproject.toml.template, so\n"
                 "# that the template itself is never installed as a plugin.)\n", "")
    )


def new_plugin(name: str, directory: str | os.PathLike[str] | None = None, *, template: str | os.PathLike[str] | None = None) -> Path:
    """Write a plugin distribution for the activation ``name`` and return its folder.

    Parameters
    ----------
    name : str
        The activation's name, ``[a-z][a-z0-9_]*``, not already registered.
        The distribution is ``kit-NAME`` (dashes), the package ``kit_NAME``.
    directory : path, optional
        The folder to create (default ``./NAME``).  It must not exist, or be empty.
    template : path, optional
        A copy of ``plugins/template`` to use instead of the one :func:`template_dir` finds.

    Raises
    ------
    ValueError
        for an invalid or taken name.
    FileExistsError
        if ``directory`` exists and is not empty (nothing is overwritten).
    TemplateNotFound
        if the template cannot be found.
    """
    validate_name(name)
    src = Path(template) if template is not None else template_dir()
    if template is not None and not (src / "pyproject.toml.template").is_file():
        raise TemplateNotFound(f"no pyproject.toml.template in {src}: not a copy of plugins/template")
    dest = Path(directory) if directory is not None else Path.cwd() / name
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise FileExistsError(f"{dest} already exists and is not empty; kit new-plugin never overwrites")
    files = [p for p in sorted(src.rglob("*")) if p.is_file() and not _skipped(p.relative_to(src))]
    dest.mkdir(parents=True, exist_ok=True)
    for path in files:
        rel = path.relative_to(src)
        parts = [_render(part, name) for part in rel.parts]
        if parts[-1] == "pyproject.toml.template":
            parts[-1] = "pyproject.toml"
        target = dest.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.write_text(_render(path.read_text(encoding="utf-8"), name), encoding="utf-8")
        except UnicodeDecodeError:
            shutil.copyfile(path, target)
    return dest
