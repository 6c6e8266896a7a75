"""Fixtures for plugin tests: fake installed distributions on sys.path.

A distribution is a ``NAME-1.0.dist-info/`` folder (METADATA and
entry_points.txt) next to its modules in a temporary folder put on
``sys.path``; ``kit.refresh()`` makes the registry scan again.  Everything is
undone afterwards, so the registry sees only the real installation again.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import kit


class FakeSite:
    """A folder on sys.path holding fake distributions and their modules."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: set[str] = set()

    def module(self, name: str, source: str) -> None:
        (self.root / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        self.modules.add(name)

    def distribution(self, dist: str, entry_points: dict[str, str], version: str = "1.0") -> None:
        folder = self.root / f"{dist.replace('-', '_')}-{version}.dist-info"
        folder.mkdir()
        (folder / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        lines = ["[kit.activations]", *(f"{k} = {v}" for k, v in entry_points.items())]
        (folder / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        importlib.invalidate_caches()
        kit.refresh()


@pytest.fixture
def fake_site(tmp_path: Path) -> Iterator[FakeSite]:
    site = FakeSite(tmp_path / "site")
    site.root.mkdir()
    sys.path.insert(0, str(site.root))
    try:
        yield site
    finally:
        sys.path.remove(str(site.root))
        for name in site.modules:
            sys.modules.pop(name, None)
        importlib.invalidate_caches()
        kit.refresh()


@pytest.fixture
def failing_checks() -> Callable[[kit.Report], set[str]]:
    def failing(report: kit.Report) -> set[str]:
        return {r.check for r in report.results if not r.ok}

    return failing
