"""The kit spawners without a hub: their command, environment and limits, down to the child process.

KitLocalSpawner's limits are checked in a real child through the spawner's own preexec function;
KitSystemdSpawner cannot run here (no systemd), so its start is run up to the ``systemd-run``
call, whose unit properties are checked.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import subprocess
import sys
from types import SimpleNamespace
from unittest import mock

import pytest

SHOW = "import json, os, resource; print(json.dumps([resource.getrlimit(resource.RLIMIT_DATA), " \
       "resource.getrlimit(resource.RLIMIT_NPROC), os.getcwd()]))"


def _run(coro):
    """Run a coroutine to the end in a thread of its own (another test's event loop may be running here)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _spawner(cls, tmp_path, **traits):
    from jupyterhub.objects import Hub

    name = pwd.getpwuid(os.getuid()).pw_name
    user = SimpleNamespace(name=name, escaped_name=name, url=f"/user/{name}/", base_url="/", id=1, orm_user=None,
                           server=None, spawners={})
    return cls(user=user, hub=Hub(), api_token="t", oauth_client_id="c", **traits)


def test_the_command_syncs_the_lessons_then_starts_the_single_user_server(tmp_path, kit_hub_installed):
    from kit_hub.spawner import KitSimpleLocalSpawner

    sp = _spawner(KitSimpleLocalSpawner, tmp_path, lessons_source="/srv/x/lessons", lessons_dir="my-lessons")
    assert sp.cmd == [sys.executable, "-m", "kit_hub", "start", "--lessons", "/srv/x/lessons", "--into",
                      "my-lessons", "--updates", "lessons-updated", "--", sys.executable, "-m",
                      "jupyterhub.singleuser"]


def test_the_limits_reach_the_child_process_through_the_preexec_function(tmp_path, kit_hub_installed):
    from kit_hub.spawner import KitSimpleLocalSpawner

    sp = _spawner(KitSimpleLocalSpawner, tmp_path, mem_limit="512M", max_processes=4000,
                  home_dir_template=str(tmp_path / "{username}"))
    done = subprocess.run([sys.executable, "-c", SHOW], preexec_fn=sp.make_preexec_fn(sp.user.name),
                          capture_output=True, text=True, timeout=60)
    data, nproc, cwd = json.loads(done.stdout)
    assert data == [512 * 1024**2] * 2 and nproc == [4000, 4000]
    assert cwd == str(tmp_path / sp.user.name)          # the parent's preexec (chdir home) still ran


def test_no_limit_configured_means_no_limit_set(tmp_path, kit_hub_installed):
    from kit_hub.spawner import KitSimpleLocalSpawner

    sp = _spawner(KitSimpleLocalSpawner, tmp_path, home_dir_template=str(tmp_path / "{username}"))
    import resource

    done = subprocess.run([sys.executable, "-c", SHOW], preexec_fn=sp.make_preexec_fn(sp.user.name),
                          capture_output=True, text=True, timeout=60)
    data, nproc, _ = json.loads(done.stdout)
    assert data == list(resource.getrlimit(resource.RLIMIT_DATA))
    assert nproc == list(resource.getrlimit(resource.RLIMIT_NPROC))


def test_threads_follow_the_cpu_limit_and_blas_settings_are_passed_on(tmp_path, kit_hub_installed, monkeypatch):
    from kit_hub.spawner import KitSimpleLocalSpawner

    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("UNRELATED_SECRET", "x")
    env = _spawner(KitSimpleLocalSpawner, tmp_path, cpu_limit=2.5).get_env()
    assert {k: env[k] for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")} == \
        dict.fromkeys(("OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"), "2")
    assert env["OPENBLAS_CORETYPE"] == "Haswell" and "UNRELATED_SECRET" not in env
    env = _spawner(KitSimpleLocalSpawner, tmp_path, cpu_limit=0.5, environment={"OMP_NUM_THREADS": "3"}).get_env()
    assert env["OMP_NUM_THREADS"] == "3" and env["MKL_NUM_THREADS"] == "1"
    assert "OMP_NUM_THREADS" not in _spawner(KitSimpleLocalSpawner, tmp_path).get_env()


def test_the_systemd_unit_gets_memory_cpu_and_tasks_limits(tmp_path, systemdspawner):
    from kit_hub.systemd import KitSystemdSpawner
    from systemdspawner import systemd

    sp = _spawner(KitSystemdSpawner, tmp_path, mem_limit="1G", cpu_limit=1.5, max_processes=300)
    started = {}

    async def fake_start(unit, **kw):
        started.update(kw, unit=unit)

    async def no(*args, **kw):
        return False

    async def running(self):
        return None

    with mock.patch.object(systemd, "start_transient_service", fake_start), \
            mock.patch.object(systemd, "service_running", no), mock.patch.object(systemd, "service_failed", no), \
            mock.patch.object(KitSystemdSpawner, "poll", running):
        ip, _ = _run(sp.start())
    assert ip == "127.0.0.1"
    props = started["properties"]
    assert (props["MemoryMax"], props["CPUQuota"], props["TasksMax"]) == (1024**3, "150%", "300")
    assert started["cmd"] == sp.cmd and started["cmd"][2:4] == ["kit_hub", "start"]
    assert started["environment_variables"]["OMP_NUM_THREADS"] == "1"
    assert started["uid"] == os.getuid()


@pytest.mark.parametrize("cpu", [None, 1.0])
def test_the_local_spawner_says_it_does_not_enforce_cpu(tmp_path, kit_hub_installed, cpu, caplog):
    from kit_hub.spawner import KitSimpleLocalSpawner

    sp = _spawner(KitSimpleLocalSpawner, tmp_path, cpu_limit=cpu, home_dir_template=str(tmp_path / "{username}"),
                  cmd=[sys.executable, "-c", "pass"])
    _run(sp.start())
    _run(sp.stop(now=True))
    said = [r.getMessage() for r in caplog.records if "not enforced" in r.getMessage()]
    assert len(said) == (1 if cpu else 0)
