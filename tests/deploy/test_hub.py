"""deploy/jupyterhub_config.py, running: a class of three on one JupyterHub, from login to shutdown.

One hub for the module, started from the repository's configuration file unchanged; the
settings that differ from a real server are the simple spawner (no Unix users: this passes as
root and as a normal user), the shared-password authenticator, free ports on 127.0.0.1, a
1 GiB memory limit and culling after 45 idle seconds. The proxy is configurable-http-proxy from
the npm registry (``npm ci --prefix deploy``). Tests run in file order, a class's day:

log in and spawn -> sockets on 127.0.0.1 only -> lesson 1 for everyone -> own copies ->
memory limit -> coursework collected and graded -> a lessons update -> idle culling ->
shutdown with no process left.

Nothing here depends on what lesson 1 says: only that it runs without a cell error.
Skipped with the reason when jupyterhub or the proxy is missing; KIT_REQUIRE_HUB=1 fails instead.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.hub

ROOT = Path(__file__).resolve().parents[2]
USERS = ["alice", "bob", "carol"]
LESSON = "01_one_sided_derivatives.ipynb"
MEM_LIMIT = 1024**3
CULL_TIMEOUT = 45
SETTINGS = {"MEM_LIMIT": "1G", "CPU_LIMIT": "1", "CULL_TIMEOUT": str(CULL_TIMEOUT), "CULL_EVERY": "5",
            "ACTIVITY_INTERVAL": "5"}


def _everyone(hub, fn):
    """``{user: fn(user)}`` for every user at once; a failure fails the test with the hub's log."""
    try:
        with ThreadPoolExecutor(len(USERS)) as pool:
            out = dict(zip(USERS, pool.map(fn, USERS), strict=True))
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__}: {exc}\n--- hub log ---\n{hub.log_tail()}")
    hub.snapshot()
    return out


@pytest.fixture(scope="module")
def hub(hub_ready, release, tmp_path_factory):
    from kit_hub.localhub import LocalHub

    h = LocalHub(tmp_path_factory.mktemp("hub"), lessons=release, users=USERS, settings=SETTINGS, proxy=hub_ready)
    h.start()
    yield h
    h.stop()


@pytest.fixture(scope="module")
def students(hub):
    """The three users, logged in through the login form, their servers started (at once)."""
    from kit_hub.client import Student

    def arrive(name):
        s = Student(hub.url, name)
        s.login(hub.password)
        s.start_server()
        return s

    return _everyone(hub, arrive)


@pytest.fixture(scope="module")
def runs(hub, students):
    """Lesson 1 run (and saved) in each user's own copy, all three at once."""
    return _everyone(hub, lambda name: students[name].run_notebook(f"lessons/{LESSON}"))


def _ensure_running(student):
    if not (student.server_model() or {}).get("ready"):
        student.start_server()


# -- log in, spawn ---------------------------------------------------------------------------


def test_three_users_log_in_and_each_gets_a_server_of_their_own(hub, students):
    from kit_hub.client import HubError, Student

    pids = {}
    for name, s in students.items():
        model = s.server_model()
        assert model["ready"] and model["url"] == f"/user/{name}/"
        procs = hub.marked(name)
        assert procs, f"no process of {name}'s server found"
        assert any("jupyterhub.singleuser" in p.cmd for p in procs)
        pids[name] = {p.pid for p in procs}
    assert not (pids["alice"] & pids["bob"]) and not (pids["bob"] & pids["carol"])
    with pytest.raises(HubError, match="refused"):
        Student(hub.url, "alice").login("not the password")
    with pytest.raises(HubError, match="refused"):
        Student(hub.url, "mallory").login(hub.password)       # not in the class


def test_jupyterlab_is_the_default_interface_through_the_hubs_oauth(hub, students):
    s = students["alice"]
    resp = s.http.get(f"{hub.url}/user/alice/", timeout=60)   # hub cookie -> OAuth -> the server
    assert resp.status_code == 200
    assert resp.url.split("?")[0] == f"{hub.url}/user/alice/lab"
    assert "JupyterLab" in resp.text


def test_a_user_cannot_reach_another_users_server(hub, students):
    alice = students["alice"]
    resp = alice.http.get(f"{hub.url}/user/bob/api/contents/lessons", timeout=30,
                          headers={"Authorization": f"token {alice.token}"}, allow_redirects=False)
    assert resp.status_code == 403
    resp = alice.http.get(f"{hub.url}/user/bob/lab", timeout=30)      # with her browser cookies
    assert resp.status_code == 403 and "/hub/api/oauth2/authorize" in resp.url   # the hub refuses her


def _listening() -> dict[int, str]:
    """Socket inode -> "address:port" of every TCP socket listening on this machine."""
    out = {}
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] != "0A":                      # LISTEN
                continue
            addr, port = f[1].split(":")
            if v6:
                ip = "::1" if addr == "0" * 31 + "1" else ("::" if set(addr) == {"0"} else addr)
                if addr.startswith("0000000000000000FFFF0000"):   # v4-mapped
                    raw = bytes.fromhex(addr[24:])[::-1]
                    ip = ".".join(map(str, raw))
            else:
                ip = ".".join(map(str, bytes.fromhex(addr)[::-1]))
            out[int(f[9])] = f"{ip}:{int(port, 16)}"
    return out


def test_every_socket_the_hub_listens_on_is_on_127_0_0_1(hub, students):
    sockets = _listening()
    found = {}
    for p in hub.snapshot():
        try:
            fds = os.listdir(f"/proc/{p.pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{p.pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:[") and int(link[8:-1]) in sockets:
                found[sockets[int(link[8:-1])]] = p.cmd
    ports = {int(a.rsplit(":", 1)[1]) for a in found}
    assert hub.port in ports and int(hub.settings["API_PORT"]) in ports
    assert int(hub.settings["PROXY_API_PORT"]) in ports
    assert sum("jupyterhub.singleuser" in c for c in found.values()) >= len(USERS)
    assert all(a.rsplit(":", 1)[0] in ("127.0.0.1", "::1") for a in found), found


# -- the lesson --------------------------------------------------------------------------------


def test_lesson_one_runs_to_the_end_without_a_cell_error_for_every_user(runs, hub):
    for name, run in runs.items():
        assert run.errors == [], f"{name}: {run.errors}\n{hub.log_tail()}"
        code = [c for c in run.notebook["cells"] if c.get("cell_type") == "code"]
        assert run.cells == len(code) > 0
        assert any(c["outputs"] for c in code), f"{name}: no cell printed anything"


def test_each_user_works_in_their_own_copy(hub, students, runs, release):
    from kit_hub.lessons import files

    given = sorted(p.as_posix() for p in files(release))
    inodes = set()
    for name, s in students.items():
        mine = hub.home(name) / "lessons"
        assert mine.is_dir() and not mine.is_symlink()
        assert sorted(p.as_posix() for p in files(mine)) == given
        for rel in given:
            st = (mine / rel).stat()
            inodes.add((st.st_dev, st.st_ino))
            if rel != LESSON:
                assert (mine / rel).read_bytes() == (release / rel).read_bytes(), f"{name}: {rel}"
        saved = nbformat.reads((mine / LESSON).read_text(), as_version=4)   # the run, saved into their copy
        ran = nbformat.reads(json.dumps(runs[name].notebook), as_version=4)
        assert [c.outputs for c in saved.cells if c.cell_type == "code"] == \
            [c.outputs for c in ran.cells if c.cell_type == "code"]
        s.api("PUT", "contents/lessons/whose.txt", json={"type": "file", "format": "text", "content": name})
    assert len(inodes) == len(given) * len(USERS)              # no file shared between users
    for name in USERS:
        assert (hub.home(name) / "lessons" / "whose.txt").read_text() == name


# -- limits ------------------------------------------------------------------------------------


def test_memory_beyond_the_limit_fails_in_the_kernel_and_the_kernel_survives(hub, students):
    s = students["alice"]
    _ensure_running(s)
    code = [
        "import os, resource\nprint(resource.getrlimit(resource.RLIMIT_DATA), os.environ.get('OMP_NUM_THREADS'))",
        f"try:\n    block = bytearray({2 * MEM_LIMIT})\n    print('allocated')\n"
        "except MemoryError:\n    print('MemoryError')",
        "block = bytearray(64 * 1024**2)\nprint('still here', len(block))",
    ]
    run = s.run_notebook(f"lessons/{LESSON}", code=code)
    assert run.errors == []
    printed = ["".join(o.get("text", "") for o in c["outputs"]).strip() for c in run.notebook["cells"]]
    assert printed == [f"({MEM_LIMIT}, {MEM_LIMIT}) 1", "MemoryError", f"still here {64 * 1024**2}"]


def test_every_process_of_every_server_has_the_limit(hub, students):
    for name in USERS:
        _ensure_running(students[name])
        procs = hub.marked(name)
        assert procs
        for p in procs:
            limits = Path(f"/proc/{p.pid}/limits").read_text()
            line = next(x for x in limits.splitlines() if x.startswith("Max data size"))
            assert line.split()[3:5] == [str(MEM_LIMIT), str(MEM_LIMIT)], f"{name} {p}: {line}"


# -- coursework --------------------------------------------------------------------------------


def test_coursework_is_collected_from_the_homes_and_graded(hub, students, release, tmp_path):
    teacher = sorted((ROOT / "lessons" / "coursework").glob("*.ipynb"))[0]
    rel = f"coursework/{teacher.name}"
    for s in students.values():
        _ensure_running(s)
    solved = json.loads(teacher.read_text())
    students["alice"].api("PUT", f"contents/lessons/{rel}", json={"type": "notebook", "format": "json",
                                                                     "content": solved})
    students["carol"].api("DELETE", f"contents/lessons/{rel}")
    out = tmp_path / "submitted"
    done = subprocess.run([sys.executable, "-m", "kit_hub", "collect", rel, str(out), "--users", *USERS,
                           "--home-template", hub.settings["HOMES"]], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("alice: collected") and lines[1].startswith("bob: collected")
    assert lines[2] == "carol: missing"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.ipynb")) == \
        [f"alice/{teacher.name}", f"bob/{teacher.name}"]
    assert (out / "bob" / teacher.name).read_bytes() == (release / rel).read_bytes()
    grades = tmp_path / "grades.csv"
    graded = subprocess.run([sys.executable, "-m", "kit", "coursework", "grade", str(teacher), str(out),
                             "--csv", str(grades)], capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0, graded.stderr
    with grades.open() as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"alice", "bob"}
    assert float(rows["alice"]["score"]) == float(rows["alice"]["max_score"]) > 0
    assert float(rows["bob"]["score"]) == 0


# -- updates -----------------------------------------------------------------------------------


def test_an_update_reaches_a_student_at_their_next_start_without_overwriting_their_work(hub, students, runs,
                                                                                        release):
    from kit_hub.lessons import files

    others = [p.as_posix() for p in files(release) if p.suffix == ".ipynb" and p.as_posix() != LESSON]
    untouched = sorted(others)[0]
    bob = students["bob"]
    his = (hub.home("bob") / "lessons" / LESSON).read_bytes()
    alice_before = (hub.home("alice") / "lessons" / untouched).read_bytes()
    for rel in (LESSON, untouched):                        # the teacher updates two lessons, adds one
        nb = json.loads((release / rel).read_text())
        nb["metadata"]["kit_update"] = "v2"
        (release / rel).write_text(json.dumps(nb))
    (release / "08_new.ipynb").write_text((release / untouched).read_text())
    if bob.server_model() is not None:
        bob.stop_server()
    bob.start_server()
    mine = hub.home("bob") / "lessons"
    assert (mine / LESSON).read_bytes() == his                               # his work, kept
    assert (hub.home("bob") / "lessons-updated" / LESSON).read_bytes() == (release / LESSON).read_bytes()
    assert (mine / untouched).read_bytes() == (release / untouched).read_bytes()   # updated in place
    assert (mine / "08_new.ipynb").read_bytes() == (release / "08_new.ipynb").read_bytes()
    assert (mine / "whose.txt").read_text() == "bob"
    assert (hub.home("alice") / "lessons" / untouched).read_bytes() == alice_before   # not restarted yet
    assert "kit-hub start: lessons: 1 added, 1 updated, 1 kept, " in hub.log.read_text()


# -- culling and shutdown -------------------------------------------------------------------------


def test_idle_servers_are_stopped_by_the_culler_and_the_files_stay(hub, students):
    deadline = time.monotonic() + CULL_TIMEOUT + 90
    running = set(USERS)
    while running and time.monotonic() < deadline:
        running = {n for n in running if students[n].server_model() is not None}
        time.sleep(2)
    assert not running, f"not culled: {running}\n{hub.log_tail()}"
    log = hub.log.read_text()
    for name in USERS:
        assert f"Culling server {name}" in log
        assert (hub.home(name) / "lessons" / LESSON).exists()
    assert not any("jupyterhub.singleuser" in p.cmd for p in hub.marked())


def test_stopping_the_hub_leaves_no_process_behind(hub, students):
    hub.snapshot()
    seen = len(hub.seen)
    assert seen >= 3 + len(USERS)            # hub, proxy, culler and a server each, at least
    leftovers = hub.stop()
    assert leftovers == [], "outlived the hub's shutdown: " + "; ".join(map(str, leftovers))
    assert hub.alive() == []
    import requests

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{hub.url}/hub/api/", timeout=5)
