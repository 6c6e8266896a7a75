"""Every lesson in a real JupyterLab: run all cells, no cell errors, every widget renders.

Uses the ``notebooks`` fixture of ``tests/browser/conftest.py`` (JupyterLab on
localhost, headless Chromium); skipped without a browser unless
``KIT_REQUIRE_BROWSER=1``.  Screenshots of each lesson's widgets are saved
under ``$KIT_SCREENSHOT_DIR`` (default ``/tmp/kit-screenshots``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb")) + sorted((LESSONS / "coursework").glob("*.ipynb"))
WIDGET_CALL = re.compile(r"kit\.widgets\.(explorer|descent|dead_units|saturation|playground)\(")


def _widget_cells(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and WIDGET_CALL.search(c.source))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_runs_in_jupyterlab_and_every_widget_renders(notebooks, path):
    page = notebooks(path, name=path.name)
    assert notebooks.errors(page) == []
    n = _widget_cells(path)
    if n:
        notebooks.wait_for_apps(page, n)
    text = page.locator(".jp-Notebook").inner_text()
    assert "Error displaying widget" not in text
    shown = "\n".join(page.locator(".kit-app").all_inner_texts())
    # an error inside an app starts with ⚠; so does the warning that units died (lesson 4 wants them to)
    assert not [line for line in shown.splitlines() if "⚠" in line and "died while training" not in line]
    apps = page.locator(".kit-app")
    for i in range(apps.count()):
        apps.nth(i).scroll_into_view_if_needed()
        notebooks.screenshot(apps.nth(i), f"lesson-{path.stem}-widget{i}")
    notebooks.screenshot(page, f"lesson-{path.stem}")
