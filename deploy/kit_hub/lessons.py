"""The lessons every user gets: a student release of ``lessons/``, and each user's own copy of it.

Two steps, run by different people:

``release(lessons, out)``
    Run by the operator after each ``git pull``: writes the tree every user is given, the
    lessons as they are and the coursework as *student* versions (``kit coursework release``:
    solutions stubbed, outputs cleared). The teacher's coursework copies, which hold the
    solutions, never enter it.

``sync(source, target, updates, state)``
    Run as the user, each time their server starts (``kit-hub start``): gives them their own
    copy of the release without ever overwriting their work. The rules are nbgitpuller's, with
    hashes instead of git:

    1. a file the user does not have is copied (first login; a new lesson; a lesson the user
       deleted: deleting a notebook is how to get a fresh copy of it);
    2. a file the user has not changed since it was given to them is replaced by its new
       version;
    3. a file the user has changed is kept as it is; if the release has a new version of it,
       that goes into ``updates`` (``~/lessons-updated/``, beside their copy) for them to
       compare;
    4. files the release no longer has, and files the user added, are left alone.

    "Given to them" is remembered in ``state`` (a JSON file of SHA-256 hashes). Without it
    (first run, or deleted) every file that differs from the release counts as the user's
    work: the rules err on the side of keeping.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "release").mkdir(); _ = (root / "release" / "01.ipynb").write_text("v1")
>>> r = sync(root / "release", root / "home/lessons", root / "home/lessons-updated", root / "home/state.json")
>>> r.added, (root / "home/lessons/01.ipynb").read_text()
(['01.ipynb'], 'v1')
>>> _ = (root / "home/lessons/01.ipynb").write_text("my answer")      # the student works
>>> _ = (root / "release" / "01.ipynb").write_text("v2")              # the lesson is updated
>>> r = sync(root / "release", root / "home/lessons", root / "home/lessons-updated", root / "home/state.json")
>>> r.kept, (root / "home/lessons/01.ipynb").read_text(), (root / "home/lessons-updated/01.ipynb").read_text()
(['01.ipynb'], 'my answer', 'v2')
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: Folders and files never released nor copied.
SKIP_NAMES = frozenset({".ipynb_checkpoints", "__pycache__", ".git", ".DS_Store"})

#: Markers whose presence in a released notebook means a solution leaked.
SOLUTION_MARKERS = ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS")

UPDATES_README = """\
# Newer versions of lessons you have changed

Your own copies in the lessons folder are never overwritten. When a lesson you
have changed is updated, its new version is put here, under the same name, so
that you can compare the two or copy what you need. This folder is rewritten
each time your server starts: keep nothing of your own in it.

To start a lesson afresh, delete (or rename) your copy: the next time your
server starts you get the current version.
"""


def files(root: str | os.PathLike[str]) -> Iterator[Path]:
    """Every regular file under ``root`` (relative paths, sorted), skipping SKIP_NAMES and symlinks."""
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_NAMES)
        base = Path(dirpath)
        for name in sorted(filenames):
            p = base / name
            if name in SKIP_NAMES or p.is_symlink() or not p.is_file():
                continue
            yield p.relative_to(root)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_copy(src: Path, dst: Path) -> None:
    """Copy ``src`` onto ``dst`` atomically (a temporary file beside it, then a rename).

    Only the bytes are copied, not the mode: a read-only release gives the user writable copies.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclass
class SyncReport:
    """What :func:`sync` did, by relative path."""

    added: list[str] = field(default_factory=list)      # copied: the user did not have them
    updated: list[str] = field(default_factory=list)    # replaced: unchanged by the user, new in the release
    kept: list[str] = field(default_factory=list)       # the user's work, a newer version put in updates
    unchanged: list[str] = field(default_factory=list)  # already the release's version, or the user's and no news
    skipped: list[str] = field(default_factory=list)    # the user has something that is not a file there

    def summary(self) -> str:
        """One line, for the server's log."""
        parts = [f"{len(v)} {k}" for k, v in vars(self).items() if v]
        return "lessons: " + (", ".join(parts) if parts else "nothing to do")


def _load_state(state: Path) -> dict[str, str]:
    try:
        data = json.loads(state.read_text())
        hashes = data.get("files", {})
        return {str(k): str(v) for k, v in hashes.items()} if isinstance(hashes, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _save_state(state: Path, hashes: dict[str, str]) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{state.name}.", dir=state.parent)
    with os.fdopen(fd, "w") as f:
        json.dump({"version": 1, "files": dict(sorted(hashes.items()))}, f, indent=1)
    os.replace(tmp, state)


def sync(source: str | os.PathLike[str], target: str | os.PathLike[str], updates: str | os.PathLike[str],
         state: str | os.PathLike[str]) -> SyncReport:
    """Give a user their own copy of the released lessons without overwriting their work.

    Parameters
    ----------
    source : path
        The release (:func:`release`), readable by the user.
    target : path
        The user's copy, e.g. ``~/lessons``; created if needed.
    updates : path
        Where new versions of files the user changed go, e.g. ``~/lessons-updated``.
    state : path
        JSON file remembering the hash of each file as it was given to the user.

    Returns
    -------
    SyncReport

    Raises
    ------
    FileNotFoundError
        If ``source`` is not a folder (nothing is changed).
    """
    source, target, updates, state = Path(source), Path(target), Path(updates), Path(state)
    if not source.is_dir():
        raise FileNotFoundError(f"no lessons release at {source}")
    given = _load_state(state)
    report = SyncReport()
    for rel in files(source):
        key = rel.as_posix()
        src, dst = source / rel, target / rel
        new = _sha256(src)
        if dst.is_symlink() or (dst.exists() and not dst.is_file()):
            report.skipped.append(key)
            continue
        if not dst.exists():
            _write_copy(src, dst)
            given[key] = new
            report.added.append(key)
            continue
        mine = _sha256(dst)
        if mine == new:
            given[key] = new
            report.unchanged.append(key)
        elif given.get(key) == new:
            report.unchanged.append(key)      # the user's work, and nothing new in the release
        elif given.get(key) == mine:
            _write_copy(src, dst)
            given[key] = new
            report.updated.append(key)
        else:
            pending = updates / rel
            if not pending.is_symlink() and not (pending.is_file() and _sha256(pending) == new):
                _write_copy(src, pending)
            report.kept.append(key)
    if report.kept:
        note = updates / "README.md"
        if not note.exists() and not note.is_symlink():
            note.write_text(UPDATES_README)
    _save_state(state, given)
    return report


def release(lessons: str | os.PathLike[str], out: str | os.PathLike[str], *, coursework: str = "coursework",
            force: bool = False) -> list[str]:
    """Write the tree every user is given: ``lessons/`` with the coursework in its student version.

    Everything under ``lessons`` is copied except the folder ``coursework`` (the teacher's
    copies, with solutions), which is replaced by the output of ``kit coursework release``.
    The new tree is built beside ``out`` and renamed into place, so a server starting meanwhile
    sees the old release or the new one, never half of one.

    Parameters
    ----------
    lessons : path
        The repository's ``lessons/`` folder.
    out : path
        Where the release goes (e.g. ``/srv/activation-kit/lessons``).
    coursework : str
        The name of the coursework folder inside ``lessons``.
    force : bool
        Replace an existing release.

    Returns
    -------
    list of str
        The released files, relative to ``out``.

    Raises
    ------
    FileExistsError
        If ``out`` exists and ``force`` is false.
    RuntimeError
        If ``kit coursework release`` fails, or a released notebook still holds a solution
        marker (nothing is replaced).
    """
    lessons, out = Path(lessons).resolve(), Path(out).absolute()
    if not lessons.is_dir():
        raise FileNotFoundError(f"no lessons folder at {lessons}")
    if out.exists() and not force:
        raise FileExistsError(f"{out} exists (use --force to replace it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for rel in files(lessons):
            if rel.parts[0] == coursework:
                continue
            (build / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(lessons / rel, build / rel)
        if (lessons / coursework).is_dir():
            cmd = [sys.executable, "-m", "kit", "coursework", "release", str(lessons / coursework),
                   str(build / coursework)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"kit coursework release failed ({done.returncode}): "
                                   f"{(done.stderr or done.stdout).strip()}")
        leaks = [rel.as_posix() for rel in files(build) if rel.suffix == ".ipynb"
                 and any(m in (build / rel).read_text(errors="replace") for m in SOLUTION_MARKERS)]
        if leaks:
            raise RuntimeError(f"refusing to release: solution markers left in {', '.join(leaks)}")
        for p in [build, *build.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        released = [rel.as_posix() for rel in files(build)]
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
        os.replace(build, out)
        if old is not None:
            shutil.rmtree(old)
        return released
    finally:
        if build.exists():
            shutil.rmtree(build)
