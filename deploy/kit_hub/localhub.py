"""A throw-away JupyterHub on 127.0.0.1, from ``deploy/jupyterhub_config.py``, for tests and benchmarks.

It runs the configuration file unchanged; only the ``KIT_HUB_*`` settings differ from a real
server: free ports, a state folder of its own, the simple spawner (no Unix users, homes under
the state folder) and the shared-password authenticator. Every process it causes carries a
marker in its environment, so that :meth:`LocalHub.stop` can find and kill whatever outlived
the hub's own shutdown and tell which ones did. Linux only (it reads ``/proc``)::

    with LocalHub(tmp, lessons=release, users=["alice", "bob", "carol"]) as hub:
        hub.url, hub.home("alice"), hub.password       # log in with kit_hub.client.Student
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import requests

#: The repository's configuration (this package lives in deploy/kit_hub/).
CONFIG = Path(__file__).resolve().parent.parent / "jupyterhub_config.py"
#: Where ``npm ci --prefix deploy`` puts the proxy.
LOCAL_PROXY = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "configurable-http-proxy"
MARKER = "KIT_HUB_RUN_ID"


def find_proxy() -> str | None:
    """configurable-http-proxy: deploy/node_modules first, then the PATH; None if neither has it."""
    if LOCAL_PROXY.exists() and os.access(LOCAL_PROXY, os.X_OK):
        return str(LOCAL_PROXY)
    return shutil.which("configurable-http-proxy")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Process:
    """A process, identified by pid and start time (so a reused pid is not mistaken for it)."""

    pid: int
    start: int
    ppid: int
    cmd: str

    def alive(self) -> bool:
        """Whether this very process still runs (a zombie does not count)."""
        info = _stat(self.pid)
        return info is not None and info[1] == self.start and info[2] != "Z"

    def __str__(self) -> str:
        return f"{self.pid} {self.cmd[:160]}"


def _stat(pid: int) -> tuple[int, int, str] | None:
    """(ppid, start time, state) of ``pid`` from /proc, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[19]), fields[0]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


def all_processes() -> dict[int, Process]:
    """Every process this user can see."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _stat(int(entry))
            if info is not None and info[2] != "Z":
                out[int(entry)] = Process(int(entry), info[1], info[0], _cmdline(int(entry)))
    return out


def descendants(pid: int, procs: Mapping[int, Process] | None = None) -> list[Process]:
    """``pid`` and every process below it."""
    procs = all_processes() if procs is None else procs
    children: dict[int, list[int]] = {}
    for p in procs.values():
        children.setdefault(p.ppid, []).append(p.pid)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in procs:
            out.append(procs[p])
        todo.extend(children.get(p, []))
    return out


def memory(pids: Iterable[int]) -> tuple[int, int]:
    """(PSS, RSS) in bytes summed over ``pids`` (``/proc/PID/smaps_rollup``); gone pids count 0.

    PSS shares each page among the processes that map it, so the PSS of many servers adds up
    to what they cost together; RSS counts shared pages (the Python libraries) once per process.
    """
    pss = rss = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Rss"):
                kb = int(rest.split()[0]) * 1024
                if key == "Pss":
                    pss += kb
                else:
                    rss += kb
    return pss, rss


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time, in seconds, used so far by ``pids`` (not their children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
    return total / tick


def peak_rss(pid: int) -> int:
    """The most resident memory ``pid`` ever had (VmHWM), in bytes; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class LocalHub:
    """A JupyterHub started from the repository's configuration on free 127.0.0.1 ports.

    Parameters
    ----------
    base : path
        An empty folder for the hub's state, log and the users' homes.
    lessons : path
        The lessons release (``kit-hub release``) the users get copies of.
    users : iterable of str
        The users allowed to log in (with :attr:`password`).
    settings : mapping, optional
        More ``KIT_HUB_*`` settings, without the prefix (``{"MEM_LIMIT": "1G"}``).
    config : path
        The configuration file (default: the repository's).
    """

    def __init__(self, base: str | os.PathLike[str], *, lessons: str | os.PathLike[str], users: Iterable[str],
                 settings: Mapping[str, str] | None = None, config: str | os.PathLike[str] = CONFIG,
                 proxy: str | None = None) -> None:
        self.base = Path(base)
        self.lessons = Path(lessons)
        self.users = sorted(users)
        self.password = secrets.token_urlsafe(12)
        self.run_id = secrets.token_hex(8)
        self.config = Path(config)
        self.proxy = proxy or find_proxy()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.base / "hub.log"
        self.settings = {
            "STATE_DIR": str(self.base / "state"),
            "PORT": str(self.port), "API_PORT": str(free_port()), "PROXY_API_PORT": str(free_port()),
            "PROXY": self.proxy or "configurable-http-proxy",
            "SPAWNER": "simple", "HOMES": str(self.base / "homes" / "{username}"),
            "AUTH": "shared-password", "SHARED_PASSWORD": self.password, "USERS": ",".join(self.users),
            "LESSONS": str(self.lessons), "PASS_ENV": MARKER,
            **dict(settings or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.seen: dict[tuple[int, int], Process] = {}

    def home(self, user: str) -> Path:
        """The user's home folder."""
        return Path(self.settings["HOMES"].format(username=user))

    def environment(self) -> dict[str, str]:
        """The hub's environment: this one without KIT_HUB_*/JUPYTERHUB_*, plus the settings and the marker."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KIT_HUB_", "JUPYTERHUB_"))}
        env.update({f"KIT_HUB_{k}": v for k, v in self.settings.items()})
        env[MARKER] = self.run_id
        env.pop("CONFIGPROXY_AUTH_TOKEN", None)
        return env

    def start(self, timeout: float = 90.0) -> LocalHub:
        """Start the hub and wait until its API answers through the proxy."""
        self.base.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(self.config)], cwd=self.base,
                env=self.environment(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"JupyterHub did not answer within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.3)
        self.snapshot()
        return self

    def log_tail(self, n: int = 60) -> str:
        """The last lines of the hub's log (which has the proxy's and the servers' too)."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def marked(self, user: str | None = None) -> list[Process]:
        """Processes whose environment has this hub's marker (and ``JUPYTERHUB_USER=user``, if given)."""
        tag = f"{MARKER}={self.run_id}\0".encode()
        who = f"JUPYTERHUB_USER={user}\0".encode() if user else b""
        out = []
        for p in all_processes().values():
            if p.pid == os.getpid():
                continue
            env = b"\0" + _environ(p.pid)
            if b"\0" + tag in env and (not who or b"\0" + who in env):
                out.append(p)
        return out

    def snapshot(self) -> list[Process]:
        """Record the hub's process tree and every marked process (for :meth:`stop`); return them."""
        found = self.marked()
        if self.process is not None:
            found += descendants(self.process.pid)
        for p in found:
            self.seen[(p.pid, p.start)] = p
        return found

    def alive(self) -> list[Process]:
        """Every recorded or marked process still running."""
        live = {(p.pid, p.start): p for p in self.seen.values() if p.alive()}
        live.update({(p.pid, p.start): p for p in self.marked()})
        return sorted(live.values(), key=lambda p: p.pid)

    def stop(self, timeout: float = 45.0) -> list[Process]:
        """Stop the hub as an operator would (SIGTERM), then kill whatever outlived it.

        Returns the processes still running after the hub's own shutdown (before they were
        killed, process group by process group): an empty list when the hub cleaned up after
        itself. :meth:`alive` is empty afterwards unless a process could not be killed.
        """
        if self.process is None:
            return []
        self.snapshot()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        deadline = time.monotonic() + 5
        leftovers = self.alive()
        while leftovers and time.monotonic() < deadline:   # the proxy and servers exit just after the hub
            time.sleep(0.2)
            leftovers = self.alive()
        self.kill(leftovers)
        return leftovers

    def kill(self, procs: Iterable[Process]) -> None:
        """SIGTERM, then SIGKILL, the process group of each of ``procs`` (never this process's own)."""
        procs = list(procs)
        own = os.getpgrp()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for p in procs:
                if not p.alive():
                    continue
                try:
                    pgid = os.getpgid(p.pid)
                    if pgid != own:
                        os.killpg(pgid, sig)
                    else:
                        os.kill(p.pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 5
            while any(p.alive() for p in procs) and time.monotonic() < deadline:
                time.sleep(0.1)

    def __enter__(self) -> LocalHub:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
