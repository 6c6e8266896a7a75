"""One student's kernel, isolated: its own folder, process group, limits, and nothing of anyone else's.

What each kernel gets
---------------------
* a fresh temporary folder (mode 0700, as are its files and sockets) as its working directory and
  ``HOME``, holding only the kernel's connection file and its sockets: no
  notebook is written anywhere (cells are sent over the kernel protocol), so
  there is no other submission, merged notebook, report or CSV to read or
  overwrite;
* ``python -I`` (isolated mode: no ``PYTHON*`` variables, no user site, no
  working directory on ``sys.path``), ``PYTHONNOUSERSITE=1``, a minimal
  environment (no ``PWD``, no teacher paths), relative paths on its command
  line, ``stdin`` closed;
* its own session and process group (``setsid``), ``PR_SET_PDEATHSIG`` so it
  dies with its grader process, and resource limits: address space
  (``RLIMIT_AS``, the memory limit), CPU seconds (a backstop to the wall
  clock), file size, no core files, a bound on processes;
* wall-clock limits per cell and per notebook, and a cap on the bytes it may
  print (counted as they arrive and thrown away: the grader's memory does not
  grow with a student's output);
* at the end: its process group killed with ``SIGKILL``, then every process
  it started that left the group (``setsid``, double fork) is found, because
  the grader's worker is a *child subreaper* (``PR_SET_CHILD_SUBREAPER``):
  orphans are re-parented to it, and it kills them before the next student.

With ``isolation="namespaces"`` (the default where bubblewrap, ``bwrap``, can
create namespaces), the kernel also runs in its own user, mount, PID, IPC,
UTS and network namespaces, as an unprivileged user: it sees the Python
installation and the kit's code read-only, its own folder (as ``/grading``),
an empty ``/tmp`` and its own ``/proc``, and nothing else: no teacher's
notebook, no submission, no course folder, no parent processes, no network.
When the namespace's first process dies, the kernel kills every process in
it.

What this does not protect against
----------------------------------
With ``isolation="processes"`` the kernel runs as the grading user: it can
read (and, where permissions allow, write) whatever that user can, find the
course folder through ``/proc`` (other processes' command lines, working
directories), signal the grader's processes, and use the network.  The grader
detects changes to the kit's code, the teacher's notebooks and the submissions
while grading (see :mod:`kit.coursework.grading`), and reads every notebook
before any kernel starts, but it cannot stop a determined student from
*reading* the teacher's solutions there.  Grade untrusted work with
namespaces, or as another user in a container (otter-grader runs each
submission in its own Docker container).  Namespaces do not limit CPU share
or the machine's total memory across processes beyond the per-process limits;
a container or cgroup does.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import json
import math
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.coursework import agent as _agent_module
from kit.coursework.agent import recv_frame, send_frame

__all__ = [
    "AGENT_SOURCE",
    "ISOLATIONS",
    "Kernel",
    "KernelGone",
    "Limits",
    "OrphanGuard",
    "Outcome",
    "become_subreaper",
    "namespaces_available",
    "protected_paths",
]

ISOLATIONS = ("auto", "namespaces", "processes")

AGENT_SOURCE = Path(_agent_module.__file__).read_text(encoding="utf-8")
"""The agent's source, read once when the grader starts (a later change on disk does not reach kernels)."""

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36
_INSIDE = "/grading"
_MAX_FRAME = 64 << 20


@dataclass(frozen=True)
class Limits:
    """What one submission may use.

    Attributes
    ----------
    cell_timeout : float
        Seconds of wall clock per cell (and per check's evaluation).
    notebook_timeout : float
        Seconds of wall clock for the whole notebook, kernel start included.
    memory_mb : float
        Address space of each kernel process (``RLIMIT_AS``), in MiB.
    output_mb : float
        Bytes the notebook may print (streams, displays, tracebacks), in MiB.
    """

    cell_timeout: float = 60.0
    notebook_timeout: float = 600.0
    memory_mb: float = 4096.0
    output_mb: float = 20.0


@dataclass(frozen=True)
class Outcome:
    """What happened to one piece of code sent to the kernel.

    ``status`` is ``"ok"``, ``"error"`` (the code raised: ``ename``/``evalue``),
    ``"timeout"``, ``"notebook timeout"``, ``"memory"`` (``MemoryError``),
    ``"output cap"`` or ``"died"`` (``detail`` says how).
    """

    status: str
    ename: str = ""
    evalue: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def fatal(self) -> bool:
        """True when the kernel is gone (nothing more can run)."""
        return self.status in ("notebook timeout", "output cap", "died")

    def reason(self) -> str:
        """One line for the grade table."""
        if self.status == "error":
            return (f"{self.ename}: {self.evalue}" if self.evalue else self.ename)[:300] + (f" {self.detail}" if self.detail else "")
        if self.status == "memory":
            return f"memory limit ({self.ename}: {self.evalue})"[:300]
        return {"timeout": "timed out", "notebook timeout": "notebook time limit", "output cap": "output cap",
                "died": "kernel died"}.get(self.status, self.status) + (f" ({self.detail})" if self.detail else "")


class KernelGone(RuntimeError):
    """The kernel cannot run anything more (it died, was killed, or the notebook's time is up)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.reason())
        self.outcome = outcome


def _prctl(option: int, arg: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(option, arg, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: nothing to set
        pass


_REAPER = False


def become_subreaper() -> None:
    """Make this process (a grading worker, whose only children are its kernels) adopt its orphaned descendants
    (Linux) so that :meth:`Kernel.stop` can kill them; and refuse ptrace and /proc peeking by peers."""
    global _REAPER
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    _prctl(_PR_SET_DUMPABLE, 0)
    _REAPER = True


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def _stat(pid: int) -> list[bytes]:
    with open(f"/proc/{pid}/stat", "rb") as f:
        return f.read().rsplit(b")", 1)[1].split()


class OrphanGuard:
    """Adopt, for the duration of grading, the orphans of workers that die (Linux), and kill them at the end.

    The grading process becomes a child subreaper; :meth:`close` kills every
    adopted process that is not in this process's own session (a kernel and
    what it starts run in sessions of their own; the pool's workers and
    multiprocessing's helpers are in ours), then restores the previous setting.
    """

    def __init__(self) -> None:
        self.previous = ctypes.c_int(0)
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(37, ctypes.byref(self.previous), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
        except (OSError, AttributeError):
            pass
        _prctl(_PR_SET_CHILD_SUBREAPER, 1)

    def close(self) -> int:
        """Kill the adopted orphans and stop adopting; return how many were killed."""
        killed = self.sweep()
        _prctl(_PR_SET_CHILD_SUBREAPER, int(self.previous.value))
        return killed

    def sweep(self) -> int:
        """Kill the adopted orphans; return how many."""
        killed = 0
        own = os.getsid(0)
        for _ in range(50):
            strays = []
            for pid in _children(os.getpid()):
                with contextlib.suppress(OSError, IndexError, ValueError):
                    if int(_stat(pid)[3]) != own:
                        strays.append(pid)
            if not strays:
                break
            for pid in strays:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
            for pid in strays:
                with contextlib.suppress(ChildProcessError, OSError):
                    os.waitpid(pid, 0)
        return killed


def sweep_orphans() -> int:
    """Kill and reap every child of this process (a subreaper's adopted orphans); return how many."""
    killed = 0
    quiet = 0
    while quiet < 2:
        kids = _children(os.getpid())
        if not kids:
            quiet += 1
            time.sleep(0.01)
            continue
        quiet = 0
        for pid in kids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        for pid in kids:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)
    return killed


# -- namespaces ----------------------------------------------------------------------------


def _editable_paths() -> list[str]:
    """Source folders of editable installs (setuptools finders and .pth path lines) on this Python's path."""
    out: list[str] = []
    sites = {p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)}
    for site in sites:
        for name in os.listdir(site):
            full = os.path.join(site, name)
            if name.startswith("__editable__") and name.endswith("_finder.py"):
                try:
                    tree = ast.parse(Path(full).read_text(encoding="utf-8"))
                except (OSError, SyntaxError):
                    continue
                for node in tree.body:
                    if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                            and node.target.id == "MAPPING" and node.value is not None):
                        with contextlib.suppress(ValueError):
                            out.extend(str(v) for v in ast.literal_eval(node.value).values())
            elif name.endswith(".pth"):
                with contextlib.suppress(OSError):
                    for line in Path(full).read_text(encoding="utf-8").splitlines():
                        line = line.strip()
                        if line and not line.startswith(("#", "import")) and os.path.isdir(line):
                            out.append(line)
    return sorted({os.path.realpath(p) for p in out if os.path.exists(p)})


def protected_paths() -> list[Path]:
    """The code a kernel must not change: the kit package and every editable install's source folders."""
    import kit

    paths = [Path(p).resolve() for p in kit.__path__]
    paths += [Path(p) for p in _editable_paths()]
    return sorted(set(paths))


def _python_roots() -> list[str]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        with contextlib.suppress(KeyError):
            roots.add(sysconfig.get_paths()[key])
    real = {os.path.realpath(sys.executable)}
    roots |= {os.path.dirname(os.path.dirname(p)) for p in real}
    return sorted({os.path.realpath(r) for r in roots if os.path.exists(r)})


def _bwrap_args(folder: str) -> list[str]:
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--uid", "65534", "--gid", "65534", "--hostname", "grading", "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for f in ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"):
        args += ["--ro-bind-try", f, f]
    # a fresh /tmp first: a Python or a checkout of the kit that lives under /tmp is bound on top of it
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    binds = [r for r in _python_roots() + _editable_paths() if not r.startswith("/usr/")]
    for path in sorted(set(binds)):
        args += ["--ro-bind", path, path]
    args += ["--bind", folder, _INSIDE, "--chdir", _INSIDE, "--clearenv"]
    return args


_NAMESPACES: bool | None = None


def namespaces_available() -> bool:
    """True if bubblewrap can start a Python in the namespaces the grader uses (checked once)."""
    global _NAMESPACES
    if _NAMESPACES is None:
        _NAMESPACES = False
        if shutil.which("bwrap") and sys.platform.startswith("linux"):
            with tempfile.TemporaryDirectory(prefix="kit-probe-") as d:  # mode 0700, as a kernel's folder
                probe = f"import kit; open('{_INSIDE}/probe', 'w').write('ok')"
                cmd = [*_bwrap_args(d), "--", sys.executable, "-I", "-c", probe]
                with contextlib.suppress(OSError, subprocess.SubprocessError):
                    _NAMESPACES = subprocess.run(cmd, capture_output=True, timeout=60, check=False).returncode == 0
    return _NAMESPACES


# -- the kernel ------------------------------------------------------------------------------


def _environment(home: str) -> dict[str, str]:
    env = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
        "JUPYTER_DATA_DIR": f"{home}/.jupyter-data",
        "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter-runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    for key, value in os.environ.items():  # the machine's BLAS settings stay as they are
        if key.startswith(("OPENBLAS_", "OMP_", "MKL_", "KIT_")):
            env[key] = value
    return env


def _own_processes() -> int:
    uid = os.getuid()
    n = 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    n += len(os.listdir(f"/proc/{entry}/task"))
    return n


def _preexec(limits: Limits, cpu_seconds: int, nproc: int) -> Any:
    mem = int(limits.memory_mb * (1 << 20))

    def run() -> None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))

    return run


def _rmtree(path: str) -> None:
    def retry(func: Any, p: str, _exc: Any) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(p), stat.S_IRWXU)
            os.chmod(p, stat.S_IRWXU)
            func(p)

    shutil.rmtree(path, onerror=retry)  # onexc needs Python 3.12


class Kernel:
    """A student's kernel, started isolated; use as a context manager.

    Parameters
    ----------
    limits : Limits
    isolation : {"namespaces", "processes"}
        See the module docstring.
    """

    def __init__(self, limits: Limits, isolation: str = "processes") -> None:
        if isolation not in ("namespaces", "processes"):
            raise ValueError(f"isolation must be 'namespaces' or 'processes', got {isolation!r}")
        self.limits = limits
        self.isolation = isolation
        self.output_bytes = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.client: Any = None
        self.folder = ""
        self.gone: Outcome | None = None
        self.deadline = math.inf
        self._agents = 0

    # -- life cycle --------------------------------------------------------------
    def __enter__(self) -> Kernel:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the kernel and wait until it answers (counted in the notebook's time)."""
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        self.deadline = time.monotonic() + self.limits.notebook_timeout
        self.folder = tempfile.mkdtemp(prefix="kit-grade-")
        inside = _INSIDE if self.isolation == "namespaces" else self.folder
        _, info = write_connection_file(os.path.join(self.folder, "grader.json"), transport="ipc",
                                        ip=os.path.join(self.folder, "k"))
        kernel_info = {**info, "ip": f"{inside}/k"}
        for key in ("key", "signature_scheme"):
            value = info[key]
            kernel_info[key] = value.decode() if isinstance(value, bytes) else value
        conn = os.path.join(self.folder, "kernel.json")
        with open(conn, "w", encoding="utf-8") as f:
            json.dump(kernel_info, f)
        os.chmod(conn, 0o600)
        os.unlink(os.path.join(self.folder, "grader.json"))
        home = inside
        cmd = [sys.executable, "-I", "-m", "ipykernel_launcher", "-f", "kernel.json", "--HistoryManager.enabled=False"]
        env = _environment(home)
        if self.isolation == "namespaces":
            sets = [a for k, v in env.items() for a in ("--setenv", k, v)]
            cmd = [*_bwrap_args(self.folder), *sets, "--", *cmd]
        cpu = int(self.limits.notebook_timeout) + 10
        nproc = _own_processes() + 1024
        self.proc = subprocess.Popen(
            cmd, cwd=self.folder, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=_preexec(self.limits, cpu, nproc),
        )
        client = BlockingKernelClient()
        client.load_connection_info(info)
        client.start_channels()
        self.client = client
        while True:
            if self.proc.poll() is not None:
                raise self._fail(Outcome("died", detail=f"the kernel did not start (exit status {self.proc.returncode})"))
            if time.monotonic() > self.deadline:
                raise self._fail(Outcome("notebook timeout", detail="the kernel did not start in time"))
            try:
                client.wait_for_ready(timeout=min(5.0, max(0.1, self.deadline - time.monotonic())))
                return
            except RuntimeError:
                continue

    def stop(self) -> None:
        """Kill the kernel, its process group and everything it started; remove its folder."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.stop_channels()
            self.client = None
        if self.proc is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                self.proc.kill()
            with contextlib.suppress(Exception):
                self.proc.wait(timeout=10)
        if _REAPER:  # only in a worker: elsewhere this process may have children of its own
            sweep_orphans()
        if self.folder:
            _rmtree(self.folder)
            self.folder = ""

    def _fail(self, outcome: Outcome) -> KernelGone:
        self.gone = outcome
        if self.proc is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        return KernelGone(outcome)

    # -- messages ------------------------------------------------------------------
    def _drain_iopub(self, parent: str | None) -> dict[str, Any]:
        """Read every waiting IOPub message, counting output; return the state of ``parent``'s execution."""
        state: dict[str, Any] = {}
        cap = self.limits.output_mb * (1 << 20)
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=0)
            except Exception:  # queue.Empty
                return state
            kind = msg.get("msg_type", "")
            content = msg.get("content", {})
            if kind == "stream":
                self.output_bytes += len(content.get("text", ""))
            elif kind in ("display_data", "execute_result", "update_display_data"):
                self.output_bytes += sum(len(str(v)) for v in content.get("data", {}).values())
            elif kind == "error":
                self.output_bytes += sum(len(t) for t in content.get("traceback", []))
            if self.output_bytes > cap:
                raise self._fail(Outcome("output cap", detail=f"more than {self.limits.output_mb:g} MB printed"))
            if parent is not None and msg.get("parent_header", {}).get("msg_id") == parent:
                if kind == "status" and content.get("execution_state") == "idle":
                    state["idle"] = True
                elif kind == "error":
                    state["error"] = (content.get("ename", ""), content.get("evalue", ""))

    def _alive(self) -> None:
        if self.gone is not None:
            raise KernelGone(self.gone)
        if self.proc is not None and self.proc.poll() is not None:
            rc = self.proc.returncode
            how = f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}"
            raise self._fail(Outcome("died", detail=how))

    def _wait(self, msg_id: str, until: float, what: str) -> Outcome:
        """Wait for the reply to ``msg_id`` until ``until`` (monotonic); interrupt, then kill, when time is up."""
        import zmq

        poller = zmq.Poller()
        poller.register(self.client.iopub_channel.socket, zmq.POLLIN)
        poller.register(self.client.shell_channel.socket, zmq.POLLIN)
        reply: dict[str, Any] | None = None
        idle = False
        error: tuple[str, str] | None = None
        interrupted_at: float | None = None
        while True:
            self._alive()
            state = self._drain_iopub(msg_id)
            idle = idle or bool(state.get("idle"))
            error = state.get("error", error)
            with contextlib.suppress(Exception):
                while True:
                    m = self.client.get_shell_msg(timeout=0)
                    if m.get("parent_header", {}).get("msg_id") == msg_id:
                        reply = m["content"]
            if reply is not None and idle:
                break
            now = time.monotonic()
            if now >= self.deadline:
                raise self._fail(Outcome("notebook timeout", detail=f"{self.limits.notebook_timeout:g} s, in {what}"))
            if now >= until and interrupted_at is None:
                interrupted_at = now
                self._interrupt()
            if interrupted_at is not None and now >= interrupted_at + 5:
                raise self._fail(Outcome("died", detail=f"did not stop when interrupted after timing out in {what}"))
            poller.poll(max(1, int(1000 * min(0.25, max(0.0, min(until, self.deadline) - now)))) if now < until else 50)
        if interrupted_at is not None:
            return Outcome("timeout", detail=f"{self.limits.cell_timeout:g} s, in {what}")
        if reply.get("status") == "error" or error is not None:
            ename = reply.get("ename") or (error[0] if error else "")
            evalue = reply.get("evalue") or (error[1] if error else "")
            evalue = (str(evalue).splitlines() or [""])[0][:240]
            return Outcome("memory" if ename == "MemoryError" else "error", str(ename), evalue)
        return Outcome("ok")

    def _interrupt(self) -> None:
        with contextlib.suppress(Exception):
            msg = self.client.session.msg("interrupt_request", {})
            self.client.control_channel.send(msg)

    def execute(self, code: str, what: str = "a cell") -> Outcome:
        """Run ``code`` in the kernel within the cell and notebook limits.

        Raises
        ------
        KernelGone
            If the kernel died, printed too much or the notebook's time ran out.
        """
        self._alive()
        msg_id = self.client.execute(code, silent=False, store_history=False, allow_stdin=False, stop_on_error=False)
        return self._wait(msg_id, min(time.monotonic() + self.limits.cell_timeout, self.deadline), what)

    # -- the agent ---------------------------------------------------------------------
    @contextlib.contextmanager
    def agent(self, what: str) -> Iterator[Agent]:
        """Start the kernel-side agent (one execute request serving plain values over a Unix socket)."""
        self._alive()
        self._agents += 1
        name = f"agent-{self._agents}.sock"
        path = os.path.join(self.folder, name)
        inside = f"{_INSIDE}/{name}" if self.isolation == "namespaces" else name
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        os.chmod(path, 0o600)
        server.listen(1)
        code = (f"(lambda _kit_ns: (exec(compile({AGENT_SOURCE!r}, 'kit-grading-agent', 'exec'), _kit_ns), "
                f"_kit_ns['serve']({inside!r}, globals()), None)[-1])({{}})")
        msg_id = self.client.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False)
        until = min(time.monotonic() + self.limits.cell_timeout, self.deadline)
        conn: socket.socket | None = None
        server.settimeout(0.05)
        try:
            while conn is None:
                self._alive()
                self._drain_iopub(None)
                if time.monotonic() > until:
                    break
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
            agent = Agent(self, conn, what)
            try:
                yield agent
            finally:
                if conn is not None:
                    with contextlib.suppress(OSError):
                        send_frame(conn, {"op": "bye"})
                    conn.close()
                if self.gone is None:
                    out = self._wait(msg_id, min(time.monotonic() + 5, self.deadline), what)
                    if out.status == "timeout":
                        raise self._fail(Outcome("died", detail=f"the kernel did not come back after {what}"))
        finally:
            server.close()
            with contextlib.suppress(OSError):
                os.unlink(path)


class AgentError(Exception):
    """The kernel could not give an answer; ``outcome`` says why (raised, timed out, not plain data...)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.reason())
        self.outcome = outcome


class Agent:
    """The grader's end of an agent session: evaluate expressions and call methods in the kernel."""

    def __init__(self, kernel: Kernel, conn: socket.socket | None, what: str) -> None:
        self.kernel = kernel
        self.conn = conn
        self.what = what
        self.broken: Outcome | None = None if conn is not None else Outcome("died", detail="the kernel did not answer")

    def request(self, header: dict[str, Any], buffers: Sequence[bytes] = (), until: float | None = None) -> tuple[Any, list[bytes]]:
        """Send one request; the reply ``(header, buffers)``; :class:`AgentError` or :class:`KernelGone` otherwise."""
        if self.broken is not None:
            raise AgentError(self.broken)
        k = self.kernel
        limit = min(until if until is not None else time.monotonic() + k.limits.cell_timeout, k.deadline)
        assert self.conn is not None
        try:
            send_frame(self.conn, header, list(buffers))
            while True:
                k._alive()
                k._drain_iopub(None)
                now = time.monotonic()
                if now >= k.deadline:
                    raise k._fail(Outcome("notebook timeout", detail=f"in {self.what}"))
                if now >= limit:
                    self.broken = Outcome("timeout", detail=f"{k.limits.cell_timeout:g} s, in {self.what}")
                    k._interrupt()
                    raise AgentError(self.broken)
                self.conn.settimeout(min(0.1, limit - now))
                try:
                    first = self.conn.recv(1, socket.MSG_PEEK)
                except TimeoutError:
                    continue
                if not first:
                    raise ConnectionError("closed")
                self.conn.settimeout(max(0.5, limit - time.monotonic()))
                reply, bufs = recv_frame(self.conn, _MAX_FRAME)
                break
        except (OSError, ValueError, ConnectionError) as exc:
            if isinstance(exc, TimeoutError):
                self.broken = Outcome("timeout", detail=f"{k.limits.cell_timeout:g} s, in {self.what}")
            else:
                with contextlib.suppress(KernelGone):
                    k._alive()
                self.broken = Outcome("error", "GradingError", f"the kernel's answer was unreadable ({exc})"[:200])
            raise AgentError(self.broken) from None
        if not isinstance(reply, dict):
            raise AgentError(Outcome("error", "GradingError", "the kernel's answer was not a dict"))
        if "error" in reply:
            err = reply["error"]
            ename, evalue = (str(err[0]), str(err[1])) if isinstance(err, list) and len(err) == 2 else ("Error", str(err))
            status = "memory" if ename == "MemoryError" else "timeout" if ename == "KeyboardInterrupt" else "error"
            raise AgentError(Outcome(status, ename, (evalue.splitlines() or [""])[0][:240]))
        return reply, bufs

    def value(self, expr: str) -> Any:
        """The plain value of ``expr`` in the student's namespace (decoded and validated here)."""
        from kit.coursework.plain import NotPlain, decode

        reply, bufs = self.request({"op": "eval", "expr": expr})
        if "unplain" in reply:
            raise NotPlain(str(reply["unplain"])[:300])
        return decode(reply.get("value"), bufs)

