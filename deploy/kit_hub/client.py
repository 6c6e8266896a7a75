"""A student, scripted: log in to the hub, start a server, run a notebook over the kernel websocket.

Used by the hub test and the benchmark; an operator can use it to check a hub they run with
the shared-password authenticator. Everything goes through the public URL (the proxy), as a
browser's requests would::

    s = Student("http://127.0.0.1:8000", "alice")
    s.login("the shared password")
    s.start_server()                                   # seconds until it answered
    run = s.run_notebook("lessons/01_one_sided_derivatives.ipynb")
    run.errors                                         # [] when no cell raised
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import requests
import websocket

REQUEST_TIMEOUT = 30.0


class HubError(RuntimeError):
    """The hub or a server answered something else than expected."""


@dataclass
class NotebookRun:
    """The outcome of :meth:`Student.run_notebook`."""

    path: str
    cells: int = 0                                     # code cells executed
    errors: list[str] = field(default_factory=list)    # "cell N: ename: evalue"
    seconds: float = 0.0
    kernel_id: str = ""
    notebook: dict[str, Any] = field(default_factory=dict)  # with the outputs, as saved


def _check(resp: requests.Response, *expected: int) -> requests.Response:
    if resp.status_code not in expected:
        raise HubError(f"{resp.request.method} {resp.url}: {resp.status_code} {resp.text[:300]}")
    return resp


class Student:
    """One user of the hub, with their own cookies and API token."""

    def __init__(self, hub_url: str, name: str) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.name = name
        self.http = requests.Session()
        self.token: str | None = None

    # -- the hub --------------------------------------------------------------------------
    def login(self, password: str) -> None:
        """Log in through the login form (with its XSRF token), then create an API token."""
        _check(self.http.get(f"{self.hub_url}/hub/login", timeout=REQUEST_TIMEOUT), 200)
        xsrf = self.http.cookies.get("_xsrf", "", path="/hub/")
        resp = self.http.post(f"{self.hub_url}/hub/login", timeout=REQUEST_TIMEOUT, allow_redirects=False,
                              data={"username": self.name, "password": password, "_xsrf": xsrf})
        if resp.status_code != 302:
            raise HubError(f"login of {self.name} refused: {resp.status_code}")
        me = _check(self.http.get(f"{self.hub_url}/hub/api/user", timeout=REQUEST_TIMEOUT), 200).json()
        if me.get("name") != self.name:
            raise HubError(f"logged in as {me.get('name')!r}, not {self.name!r}")
        xsrf = self.http.cookies.get("_xsrf", "", path="/hub/")  # a new one, bound to the session
        resp = self.http.post(f"{self.hub_url}/hub/api/users/{quote(self.name)}/tokens", timeout=REQUEST_TIMEOUT,
                              headers={"X-XSRFToken": xsrf}, json={"note": "kit_hub.client", "expires_in": 7200})
        self.token = _check(resp, 200, 201).json()["token"]

    def _headers(self) -> dict[str, str]:
        if not self.token:
            raise HubError(f"{self.name} is not logged in")
        return {"Authorization": f"token {self.token}"}

    def hub_api(self, method: str, path: str, *expected: int, **kw: Any) -> Any:
        """Call ``/hub/api/<path>`` with the user's token; the decoded JSON or None."""
        resp = self.http.request(method, f"{self.hub_url}/hub/api/{path}", headers=self._headers(),
                                 timeout=REQUEST_TIMEOUT, **kw)
        _check(resp, *(expected or (200,)))
        return resp.json() if resp.content else None

    def server_model(self) -> dict[str, Any] | None:
        """The hub's model of the user's default server, or None when it is not running."""
        return self.hub_api("GET", f"users/{quote(self.name)}").get("servers", {}).get("")

    def start_server(self, timeout: float = 180.0) -> float:
        """Ask the hub to start the user's server and wait until it is ready; the seconds it took."""
        t0 = time.perf_counter()
        self.hub_api("POST", f"users/{quote(self.name)}/server", 201, 202)
        deadline = time.monotonic() + timeout
        while True:
            model = self.server_model()
            if model and model.get("ready"):
                break
            if model is None and time.perf_counter() - t0 > 2:
                raise HubError(f"the server of {self.name} stopped while starting (see the hub's log)")
            if time.monotonic() > deadline:
                raise HubError(f"the server of {self.name} was not ready within {timeout:.0f} s: {model}")
            time.sleep(0.1)
        # ready in the hub; now answering through the proxy
        while True:
            try:
                self.api("GET", "status")
                return time.perf_counter() - t0
            except (HubError, requests.RequestException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop_server(self, timeout: float = 60.0) -> None:
        """Ask the hub to stop the user's server and wait until it has."""
        self.hub_api("DELETE", f"users/{quote(self.name)}/server", 202, 204)
        deadline = time.monotonic() + timeout
        while self.server_model() is not None:
            if time.monotonic() > deadline:
                raise HubError(f"the server of {self.name} did not stop within {timeout:.0f} s")
            time.sleep(0.2)

    # -- the user's server ----------------------------------------------------------------
    def api(self, method: str, path: str, **kw: Any) -> Any:
        """Call the user's server ``/user/<name>/api/<path>``; the decoded JSON or None."""
        resp = self.http.request(method, f"{self.hub_url}/user/{quote(self.name)}/api/{path}",
                                 headers=self._headers(), timeout=REQUEST_TIMEOUT, allow_redirects=False, **kw)
        _check(resp, 200, 201, 204)
        return resp.json() if resp.content else None

    def read_notebook(self, path: str) -> dict[str, Any]:
        """A notebook from the user's files (contents API)."""
        return self.api("GET", f"contents/{quote(path)}", params={"content": "1"})["content"]

    def run_notebook(self, path: str, *, cell_timeout: float = 300.0, save: bool = True,
                     code: list[str] | None = None, shutdown: bool = True) -> NotebookRun:
        """Run every code cell of ``path`` in a new kernel of the user's server, in order.

        Like "Run All" in JupyterLab: a session for the notebook (so the kernel's working folder
        is the notebook's), each cell sent as an ``execute_request`` over the kernel websocket,
        outputs collected from iopub, stopping at the first error. With ``save``, the notebook
        with its outputs is written back (as a student's save would). ``code`` runs these
        sources instead of the notebook's cells (the notebook is then neither read nor saved).
        The kernel is shut down at the end, unless ``shutdown`` is false (the notebook left open).
        """
        t0 = time.perf_counter()
        run = NotebookRun(path)
        nb = self.read_notebook(path) if code is None else {"cells": [
            {"cell_type": "code", "source": src, "outputs": [], "metadata": {}} for src in code]}
        session = self.api("POST", "sessions", json={"path": path, "type": "notebook", "name": "",
                                                     "kernel": {"name": "python3"}})
        run.kernel_id = session["kernel"]["id"]
        ws_url = self.hub_url.replace("http", "ws", 1) + \
            f"/user/{quote(self.name)}/api/kernels/{run.kernel_id}/channels?session_id={uuid.uuid4().hex}"
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {self.token}"],
                                         timeout=cell_timeout)
        try:
            for i, cell in enumerate(nb["cells"]):
                if cell.get("cell_type") != "code":
                    continue
                source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                outputs, error = _execute(ws, source, self.name, cell_timeout)
                cell["outputs"] = outputs
                run.cells += 1
                if error:
                    run.errors.append(f"cell {i}: {error}")
                    break
        finally:
            ws.close()
            if shutdown:
                try:
                    self.api("DELETE", f"sessions/{session['id']}")
                except (HubError, requests.RequestException):
                    pass
        run.notebook = nb
        if save and code is None:
            self.api("PUT", f"contents/{quote(path)}", json={"type": "notebook", "format": "json", "content": nb})
        run.seconds = time.perf_counter() - t0
        return run


def _message(msg_type: str, content: dict[str, Any], username: str) -> dict[str, Any]:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": username,
                   "session": uuid.uuid4().hex, "version": "5.3",
                   "date": datetime.now(timezone.utc).isoformat()},
        "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": [],
    }


def _decode(frame: str | bytes) -> dict[str, Any]:
    """A kernel message from a websocket frame: JSON text, or (with buffers) jupyter_server's binary framing.

    A binary frame is: the number of parts n (uint32, big-endian), n offsets (uint32), then the
    parts; the first part is the message as JSON, the others its binary buffers (dropped here).
    """
    if isinstance(frame, str):
        return json.loads(frame)
    n = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i:8 + 4 * i], "big") for i in range(n)]
    end = offsets[1] if n > 1 else len(frame)
    return json.loads(frame[offsets[0]:end])


def _execute(ws: websocket.WebSocket, code: str, username: str, timeout: float) -> tuple[list[Any], str]:
    """Execute ``code``; (nbformat outputs, "ename: evalue" or "")."""
    msg = _message("execute_request", {"code": code, "silent": False, "store_history": True,
                                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
                   username)
    ws.send(json.dumps(msg))
    msg_id = msg["header"]["msg_id"]
    outputs: list[Any] = []
    error = ""
    replied = idle = False
    deadline = time.monotonic() + timeout
    while not (replied and idle):
        if time.monotonic() > deadline:
            raise HubError(f"a cell did not finish within {timeout:.0f} s")
        reply = _decode(ws.recv())
        if reply.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = reply["msg_type"], reply["content"]
        if reply.get("channel") == "shell" and kind == "execute_reply":
            replied = True
            if content.get("status") == "error" and not error:
                error = f"{content.get('ename')}: {content.get('evalue')}"
        elif kind == "status" and content.get("execution_state") == "idle":
            idle = True
        elif kind == "stream":
            outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
        elif kind in ("display_data", "execute_result"):
            out = {"output_type": kind, "data": content["data"], "metadata": content.get("metadata", {})}
            if kind == "execute_result":
                out["execution_count"] = content.get("execution_count")
            outputs.append(out)
        elif kind == "error":
            outputs.append({"output_type": "error", "ename": content["ename"], "evalue": content["evalue"],
                            "traceback": content["traceback"]})
            error = error or f"{content['ename']}: {content['evalue']}"
    return outputs, error
