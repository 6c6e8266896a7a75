"""Spawners for a class: JupyterHub's own, plus the lessons copy and the limits they can enforce.

``KitLocalSpawner``
    JupyterHub's ``LocalProcessSpawner`` (one process per user, as that Unix user). It cannot
    confine a user's whole process tree, so it enforces what a process can be given:
    ``mem_limit`` as ``RLIMIT_DATA`` on every process of the user's server (the server and each
    kernel separately: writable memory beyond it fails with ``MemoryError``) and
    ``max_processes`` as ``RLIMIT_NPROC``. ``cpu_limit`` is not enforced (a warning says so);
    it only caps the BLAS/OpenMP thread pools.
``KitSimpleLocalSpawner``
    The same on ``SimpleLocalProcessSpawner``: no Unix users, every server as the hub's own
    user, homes from a template. For tests, benchmarks and trying the configuration out only:
    users are not isolated from each other.
``kit_hub.systemd.KitSystemdSpawner``
    The same on ``jupyterhub-systemdspawner``: one transient systemd unit per user, whose
    cgroup enforces ``mem_limit`` (``MemoryMax``) and ``cpu_limit`` (``CPUQuota``) over the
    whole tree. The choice for a real server.

Every one of them starts the single-user server through ``kit-hub start``, which first syncs
the user's copy of the lessons (:func:`kit_hub.lessons.sync`) as the user, never as root.
"""

from __future__ import annotations

import math
import os
import resource
import sys
from collections.abc import Callable

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner
from traitlets import Integer, List, Unicode, default
from traitlets.config import Configurable

#: Thread-pool sizes capped to the user's CPU share (OpenBLAS reads OMP_NUM_THREADS too).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def start_command(lessons_source: str, lessons_dir: str, updates_dir: str, server: list[str]) -> list[str]:
    """The command that syncs the lessons, then execs ``server`` (``python -m kit_hub start ...``)."""
    return [sys.executable, "-m", "kit_hub", "start", "--lessons", lessons_source, "--into", lessons_dir,
            "--updates", updates_dir, "--", *server]


def rlimits(mem_limit: int | None, max_processes: int | None) -> list[tuple[int, int]]:
    """The (resource, value) pairs a user's processes get: RLIMIT_DATA from ``mem_limit``, RLIMIT_NPROC."""
    out = []
    if mem_limit:
        out.append((resource.RLIMIT_DATA, int(mem_limit)))
    if max_processes:
        out.append((resource.RLIMIT_NPROC, int(max_processes)))
    return out


def apply_rlimits(limits: list[tuple[int, int]]) -> None:
    """Set soft and hard limits, so the user cannot raise them again."""
    for res, value in limits:
        resource.setrlimit(res, (value, value))


class KitSpawner(Configurable):
    """What every kit spawner adds: the lessons copy, thread caps, and (local spawners) rlimits.

    Configured as ``c.KitSpawner.<name>``, whichever spawner class is in use.
    """

    lessons_source = Unicode(
        "/srv/activation-kit/lessons",
        help="The lessons release every user gets a copy of (written by `kit-hub release`).",
    ).tag(config=True)
    lessons_dir = Unicode(
        "lessons", help="The user's copy, relative to their home.",
    ).tag(config=True)
    lessons_updates_dir = Unicode(
        "lessons-updated",
        help="Where new versions of lessons the user has changed go, relative to their home.",
    ).tag(config=True)
    max_processes = Integer(
        0, help="Processes per user (RLIMIT_NPROC for local spawners, TasksMax for systemd); 0: no limit.",
    ).tag(config=True)

    pass_env = List(
        Unicode(), ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"],
        help="Variables of the hub's environment passed on to every server, on top of env_keep "
             "(OpenBLAS needs OPENBLAS_CORETYPE on some CPUs).",
    ).tag(config=True)

    @default("cmd")
    def _default_cmd(self) -> list[str]:
        return start_command(self.lessons_source, self.lessons_dir, self.lessons_updates_dir,
                             [sys.executable, "-m", "jupyterhub.singleuser"])

    def get_env(self) -> dict[str, str]:
        """The spawner's environment, plus ``pass_env``, with thread pools capped to ``cpu_limit`` (unless set)."""
        env = super().get_env()  # type: ignore[misc]
        for name in self.pass_env:
            if name in os.environ:
                env.setdefault(name, os.environ[name])
        cpu_limit = getattr(self, "cpu_limit", None)
        if cpu_limit:
            threads = str(max(1, math.floor(cpu_limit)))
            for name in THREAD_VARIABLES:
                env.setdefault(name, threads)
        return env

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        """The parent spawner's preexec (setuid, chdir), then the rlimits, in the child before exec."""
        inner = super().make_preexec_fn(name)  # type: ignore[misc]
        limits = rlimits(getattr(self, "mem_limit", None), self.max_processes)

        def preexec() -> None:
            inner()
            apply_rlimits(limits)

        return preexec

    async def start(self):  # type: ignore[no-untyped-def]
        """Start the server, warning that a local process spawner does not enforce ``cpu_limit``."""
        if getattr(self, "cpu_limit", None) and isinstance(self, LocalProcessSpawner):
            self.log.warning("cpu_limit=%s for %s is not enforced by %s (thread pools are capped to it); "
                             "use kit_hub.systemd.KitSystemdSpawner to enforce it",
                             self.cpu_limit, self.user.name, type(self).__name__)
        return await super().start()  # type: ignore[misc]


class KitLocalSpawner(KitSpawner, LocalProcessSpawner):
    """LocalProcessSpawner (real Unix users) with the lessons copy, RLIMIT_DATA and RLIMIT_NPROC."""


class KitSimpleLocalSpawner(KitSpawner, SimpleLocalProcessSpawner):
    """SimpleLocalProcessSpawner (no Unix users; tests and try-outs only) with the same additions."""
