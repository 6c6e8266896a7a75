"""A real JupyterLab in headless Chromium, for tests that need a browser.

Fixtures
--------
``chromium``
    A Playwright Chromium browser (Debian's ``/usr/bin/chromium``, or
    ``$KIT_CHROMIUM``; never a downloaded one), session-wide.
``lab``
    A JupyterLab server started for the session on 127.0.0.1, a free port, a
    random token, ``expose_app_in_browser`` on, with fresh settings, config,
    data (a ``python3`` kernelspec pointing at this Python), runtime and
    workspace directories, and a temporary root directory.  Killed at teardown.
``notebooks``
    Opens notebooks in a fresh browser context: ``page = notebooks(path_or_cells)``
    copies a ``.ipynb`` file (or builds one from a list of code-cell sources)
    into the server's root (``notebooks.lab.root``; copy any data files it
    reads there yourself), opens it, waits for the kernel, runs all cells
    (``run=False`` to skip) and returns the Playwright ``Page``.  Helpers:
    ``notebooks.run_all(page)``, ``notebooks.errors(page)`` (error outputs of
    the notebook), ``notebooks.screenshot(target, name)`` (saved under
    ``$KIT_SCREENSHOT_DIR``, default ``/tmp/kit-screenshots``).

Without Chromium or playwright the tests skip with the reason; with
``KIT_REQUIRE_BROWSER=1`` (as ``.ci/run`` sets) they fail instead.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from labserver import (
    ALL_RUN,
    CHROMIUM,
    CHROMIUM_ARGS,
    KERNEL_IDLE,
    NOTEBOOK_STATE,
    Lab,
    LabError,
    notebook_json,
    start_lab,
    stop_lab,
)

SCREENSHOTS = Path(os.environ.get("KIT_SCREENSHOT_DIR", "/tmp/kit-screenshots"))
RUN_TIMEOUT_MS = 180_000


def _unavailable(reason: str) -> None:
    if os.environ.get("KIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser test required (KIT_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium driven by Playwright (no browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install playwright)")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:
        pw.stop()
        _unavailable(f"Chromium at {CHROMIUM} does not start: {exc}")
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab server on 127.0.0.1 with a token and fresh settings; stopped at teardown."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _unavailable("jupyterlab is not installed (pip install -e '.[dev]')")
    try:
        server = start_lab(tmp_path_factory.mktemp("jupyterlab"))
    except LabError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        stop_lab(server)


_ERRORS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const out = [];
  for (const c of nb.content.widgets) {
    if (c.model.type !== 'code') continue;
    for (const o of c.model.outputs.toJSON()) {
      if (o.output_type === 'error') out.push(o.ename + ': ' + o.evalue);
    }
  }
  return out;
}"""

_STDERR = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const out = [];
  for (const c of nb.content.widgets) {
    if (c.model.type !== 'code') continue;
    for (const o of c.model.outputs.toJSON()) {
      if (o.output_type === 'stream' && o.name === 'stderr') out.push([].concat(o.text).join(''));
    }
  }
  return out;
}"""


# every app has drawn its picture: the img of a matplotlib figure, or the playground's canvas (its frame counter)
APPS_DRAWN = """(n) => {
  const apps = Array.from(document.querySelectorAll('.kit-app'));
  return apps.length === n && apps.every(a => {
    const img = a.querySelector('img'), cv = a.querySelector('canvas[data-frame]');
    return (img && img.complete && img.naturalWidth > 100) || (cv && Number(cv.dataset.frame) > 0);
  });
}"""


class Notebooks:
    """Open and run notebooks in the test's JupyterLab (the ``notebooks`` fixture)."""

    def __init__(self, lab: Lab, browser: Any) -> None:
        self.lab = lab
        self.context = browser.new_context(viewport={"width": 1500, "height": 1100})
        self.pages: list[Any] = []
        self.opened: list[str] = []

    def __call__(self, source: str | os.PathLike[str] | Sequence[str], *, name: str | None = None,
                 run: bool = True, timeout_ms: int = RUN_TIMEOUT_MS) -> Any:
        """Open ``source`` (an .ipynb path, or code-cell sources) and run all its cells; return the page."""
        if isinstance(source, (str, os.PathLike)) and str(source).endswith(".ipynb"):
            src = Path(source)
            rel = name or src.name
            target = self.lab.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
        else:
            rel = name or f"nb-{secrets.token_hex(4)}.ipynb"
            (self.lab.root / rel).write_text(json.dumps(notebook_json(list(source))))
        page = self.context.new_page()
        self.pages.append(page)
        self.opened.append(rel)
        page.goto(self.lab.tree_url(rel))
        try:
            page.wait_for_function(KERNEL_IDLE, timeout=timeout_ms, polling=250)
        except Exception as exc:
            raise AssertionError(f"the notebook {rel} did not open with an idle kernel: {exc}\n"
                                 f"{self.lab.log_tail()}") from exc
        if run:
            self.run_all(page, timeout_ms=timeout_ms)
        return page

    def run_all(self, page: Any, *, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
        """Run every cell of the page's notebook and wait until all have finished."""
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_timeout(300)
        try:
            page.wait_for_function(ALL_RUN, timeout=timeout_ms, polling=250)
        except Exception as exc:
            shot = self.screenshot(page, "failed-run-all")
            state = page.evaluate(NOTEBOOK_STATE)
            raise AssertionError(f"run all did not finish: {state}; screenshot {shot}\n{self.lab.log_tail()}") from exc

    def wait_for_apps(self, page: Any, n: int, timeout_ms: int = 120_000) -> None:
        """Wait until the page shows ``n`` kit apps, each with its picture drawn (a loaded image or a painted canvas)."""
        page.wait_for_function(APPS_DRAWN, arg=n, timeout=timeout_ms)

    def errors(self, page: Any) -> list[str]:
        """``'ename: evalue'`` of every error output in the page's notebook."""
        return page.evaluate(_ERRORS)

    def stderr(self, page: Any) -> list[str]:
        """Text the notebook's cells wrote to stderr (warnings, for one)."""
        return page.evaluate(_STDERR)

    def screenshot(self, target: Any, name: str) -> Path:
        """Save a screenshot of a page or element as ``$KIT_SCREENSHOT_DIR/name.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        target.screenshot(path=str(path))
        return path

    def close(self) -> None:
        """Close the pages and the context, and shut down the notebooks' kernels."""
        for page in self.pages:
            page.close()
        self.context.close()
        try:
            self.lab.shutdown_kernels(self.opened)
        except OSError:
            pass


@pytest.fixture
def notebooks(chromium: Any, lab: Lab) -> Iterator[Notebooks]:
    """Open notebooks in a real JupyterLab in headless Chromium (see the module docstring)."""
    nbs = Notebooks(lab, chromium)
    yield nbs
    nbs.close()
