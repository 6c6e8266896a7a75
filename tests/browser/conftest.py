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
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("KIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("KIT_SCREENSHOT_DIR", "/tmp/kit-screenshots"))
START_TIMEOUT = 90.0
RUN_TIMEOUT_MS = 180_000


def _unavailable(reason: str) -> None:
    if os.environ.get("KIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser test required (KIT_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab server."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen

    def tree_url(self, relative: str) -> str:
        """The URL that opens ``relative`` (a path under :attr:`root`) alone, in a reset workspace."""
        return f"{self.url}/lab/tree/{relative}?token={self.token}&reset"

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API (``/api/...``); the decoded JSON answer or None."""
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self, notebooks: Sequence[str]) -> None:
        """Shut down the sessions (and kernels) of these notebook paths."""
        for session in self.api("GET", "/api/sessions") or []:
            if session.get("path") in notebooks:
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def log_tail(self, n: int = 40) -> str:
        """The last lines of the server's log."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


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


def _write_settings(settings: Path) -> None:
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"autoStartDefaultKernel": True}))
    notify = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notify.parent.mkdir(parents=True)
    notify.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def _write_kernelspec(data: Path) -> None:
    spec = data / "kernels" / "python3" / "kernel.json"
    spec.parent.mkdir(parents=True)
    spec.write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (kit test)",
        "language": "python",
    }))


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab server on 127.0.0.1 with a token and fresh settings; stopped at teardown."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _unavailable("jupyterlab is not installed (pip install -e '.[dev]')")
    base = tmp_path_factory.mktemp("jupyterlab")
    dirs = {name: base / name for name in ("root", "settings", "config", "data", "runtime", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir()
    _write_settings(dirs["settings"])
    _write_kernelspec(dirs["data"])
    env = dict(os.environ)
    env.update({
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "IPYTHONDIR": str(dirs["ipython"]),
    })
    env.pop("MPLBACKEND", None)
    port = _free_port()
    token = secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={dirs['root']}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = base / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=dirs["root"],
                                start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, dirs["root"], log, proc)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {proc.returncode}:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{server.url}/api/status?token={token}", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT:.0f} s:\n{server.log_tail()}")
            time.sleep(0.3)
        yield server
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernels it started
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _notebook_json(cells: Sequence[str]) -> dict[str, Any]:
    return {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {}, "outputs": [],
             "source": src}
            for i, src in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


_KERNEL_IDLE = """() => {
  const app = window.jupyterapp;
  const nb = app && app.shell.currentWidget;
  const ctx = nb && nb.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  return !!(kernel && kernel.status === 'idle' && nb.content && nb.content.widgets.length > 0);
}"""

_ALL_RUN = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  return nb.content.widgets.every(c => c.model.type !== 'code' || typeof c.model.executionCount === 'number');
}"""

_STATE = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb && nb.sessionContext.session && nb.sessionContext.session.kernel;
  return {
    title: nb && nb.title.label,
    kernel: kernel ? kernel.status : null,
    counts: nb ? nb.content.widgets.map(c => c.model.type === 'code' ? c.model.executionCount : '-') : [],
  };
}"""

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
            (self.lab.root / rel).write_text(json.dumps(_notebook_json(list(source))))
        page = self.context.new_page()
        self.pages.append(page)
        self.opened.append(rel)
        page.goto(self.lab.tree_url(rel))
        try:
            page.wait_for_function(_KERNEL_IDLE, timeout=timeout_ms, polling=250)
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
            page.wait_for_function(_ALL_RUN, timeout=timeout_ms, polling=250)
        except Exception as exc:
            shot = self.screenshot(page, "failed-run-all")
            state = page.evaluate(_STATE)
            raise AssertionError(f"run all did not finish: {state}; screenshot {shot}\n{self.lab.log_tail()}") from exc

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
