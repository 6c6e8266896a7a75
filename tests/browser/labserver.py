"""A JupyterLab server and a Chromium for tests and benchmarks (no pytest here).

:func:`start_lab` starts ``python -m jupyter lab`` on 127.0.0.1 at a free port
with a random token, ``expose_app_in_browser`` on and fresh settings, config,
data (a ``python3`` kernelspec pointing at this Python), runtime and workspace
directories under ``base``; :func:`stop_lab` ends it and its kernels.
:func:`notebook_json` builds a notebook from code-cell sources.  The JavaScript
snippets wait for a kernel and for "run all" to finish.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("KIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 90.0


class LabError(RuntimeError):
    """The server did not start or answer."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 free now."""
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


def start_lab(base: Path, env: Mapping[str, str] | None = None) -> Lab:
    """Start JupyterLab with fresh directories under ``base``; ``env`` adds to the server's environment.

    Raises :class:`LabError` if it exits or does not answer within a minute and a half.
    """
    dirs = {name: base / name for name in ("root", "settings", "config", "data", "runtime", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir(parents=True)
    _write_settings(dirs["settings"])
    _write_kernelspec(dirs["data"])
    full_env = dict(os.environ)
    full_env.update({
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "IPYTHONDIR": str(dirs["ipython"]),
    })
    full_env.pop("MPLBACKEND", None)
    full_env.update(env or {})
    port = free_port()
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
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=dirs["root"],
                                start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, dirs["root"], log, proc)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise LabError(f"JupyterLab exited with code {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/api/status?token={token}", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            stop_lab(server)
            raise LabError(f"JupyterLab did not answer within {START_TIMEOUT:.0f} s:\n{server.log_tail()}")
        time.sleep(0.3)


def stop_lab(server: Lab) -> None:
    """End the server and the kernels it started (its process group)."""
    proc = server.process
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def notebook_json(cells: Sequence[str]) -> dict[str, Any]:
    """A notebook of code cells with these sources."""
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


def write_notebook(lab: Lab, cells: Sequence[str], name: str | None = None) -> str:
    """Write a notebook of these cells into the server's root; its relative path."""
    rel = name or f"nb-{secrets.token_hex(4)}.ipynb"
    (lab.root / rel).write_text(json.dumps(notebook_json(list(cells))))
    return rel


KERNEL_IDLE = """() => {
  const app = window.jupyterapp;
  const nb = app && app.shell.currentWidget;
  const ctx = nb && nb.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  return !!(kernel && kernel.status === 'idle' && nb.content && nb.content.widgets.length > 0);
}"""

ALL_RUN = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  return nb.content.widgets.every(c => c.model.type !== 'code' || typeof c.model.executionCount === 'number');
}"""

NOTEBOOK_STATE = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb && nb.sessionContext.session && nb.sessionContext.session.kernel;
  return {
    title: nb && nb.title.label,
    kernel: kernel ? kernel.status : null,
    counts: nb ? nb.content.widgets.map(c => c.model.type === 'code' ? c.model.executionCount : '-') : [],
  };
}"""


def open_and_run(page: Any, lab: Lab, rel: str, timeout_ms: int = 180_000, run: bool = True) -> None:
    """Open the notebook ``rel`` in ``page``, wait for an idle kernel, run all cells and wait for them."""
    page.goto(lab.tree_url(rel))
    page.wait_for_function(KERNEL_IDLE, timeout=timeout_ms, polling=250)
    if run:
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_timeout(300)
        page.wait_for_function(ALL_RUN, timeout=timeout_ms, polling=250)
