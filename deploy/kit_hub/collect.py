"""Collect one coursework notebook from every student's home into the grader's layout.

``kit coursework grade SRC SUBMITTED`` reads ``SUBMITTED/STUDENT/NOTEBOOK.ipynb``; this writes
exactly that, from ``HOME/lessons/coursework/NOTEBOOK.ipynb`` of each student. It runs as root
on a hub with Unix users, over homes the students control, so it trusts nothing in them:

- every path component is opened with ``O_NOFOLLOW``: a symlink anywhere (to another
  student's notebook, to the teacher's solutions, to ``/etc/shadow``) is refused;
- the file must be a regular file owned by the student (with Unix users: a hard link to
  someone else's file is refused), and at most ``max_bytes`` long;
- student names become folder names only if they are plain (letters, digits, ``._-``);
- nothing is written outside ``out``; an existing ``out/STUDENT/NOTEBOOK`` is replaced.

The bytes are copied as they are: whether they are a valid notebook is the grader's call.

Examples
--------
>>> import pathlib, tempfile
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> nb = root / "alice/lessons/coursework/cw1.ipynb"; nb.parent.mkdir(parents=True)
>>> _ = nb.write_text('{"cells": []}')
>>> [str(r) for r in collect("coursework/cw1.ipynb", {"alice": root / "alice", "bob": root / "bob"},
...                          root / "submitted", lessons_dir="lessons")]
['alice: collected (13 bytes)', 'bob: missing']
>>> (root / "submitted/alice/cw1.ipynb").read_text()
'{"cells": []}'
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Largest notebook collected (bytes): the grader caps output too; a 50 MB notebook is an attack.
MAX_BYTES = 50 * 1024 * 1024

_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Collected:
    """The outcome for one student: ``status`` is collected, missing or refused."""

    student: str
    status: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.student}: {self.status}" + (f" ({self.detail})" if self.detail else "")


def _relative_parts(notebook: str) -> list[str]:
    parts = PurePosixPath(notebook).parts
    if not parts or PurePosixPath(notebook).is_absolute() or any(p in ("..", ".") for p in parts):
        raise ValueError(f"notebook must be a plain relative path inside the lessons folder, not {notebook!r}")
    return list(parts)


def _read_no_follow(home: Path, parts: list[str], owner: int | None, max_bytes: int) -> bytes:
    """Read ``home/parts...`` refusing symlinks at every step; OSError or ValueError says why not."""
    flags_dir = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    fd = os.open(home, flags_dir)
    try:
        for part in parts[:-1]:
            nxt = os.open(part, flags_dir, dir_fd=fd)
            os.close(fd)
            fd = nxt
        ffd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
    finally:
        os.close(fd)
    try:
        st = os.fstat(ffd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if owner is not None and st.st_uid != owner:
            raise ValueError(f"owned by uid {st.st_uid}, not the student")
        if st.st_size > max_bytes:
            raise ValueError(f"{st.st_size} bytes, more than {max_bytes}")
        with os.fdopen(ffd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValueError(f"more than {max_bytes} bytes")
        return data
    finally:
        os.close(ffd)


def collect(notebook: str, homes: Mapping[str, str | os.PathLike[str]], out: str | os.PathLike[str], *,
            lessons_dir: str = "lessons", owners: Mapping[str, int] | None = None,
            max_bytes: int = MAX_BYTES) -> list[Collected]:
    """Copy ``HOME/lessons_dir/notebook`` of each student to ``out/STUDENT/<notebook's file name>``.

    Parameters
    ----------
    notebook : str
        Path inside each student's lessons copy, e.g. ``"coursework/cw1_kinks_and_dead_units.ipynb"``.
    homes : mapping
        Student name to home folder.
    out : path
        The ``submitted/`` folder for ``kit coursework grade``; created if needed.
    lessons_dir : str
        The lessons copy inside each home (``c.KitSpawner.lessons_dir``).
    owners : mapping, optional
        Student name to the uid that must own the notebook (Unix users); None: not checked.
    max_bytes : int
        Largest notebook accepted.

    Returns
    -------
    list of Collected
        One per student, sorted by name.

    Raises
    ------
    ValueError
        If ``notebook`` or ``lessons_dir`` is not a plain relative path (nothing is collected).
    """
    parts = _relative_parts(lessons_dir) + _relative_parts(notebook)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for student in sorted(homes):
        if not _PLAIN.match(student):
            results.append(Collected(student, "refused", "not a plain name for a folder"))
            continue
        owner = None if owners is None else owners.get(student)
        try:
            data = _read_no_follow(Path(homes[student]), parts, owner, max_bytes)
        except FileNotFoundError:
            results.append(Collected(student, "missing"))
            continue
        except OSError as exc:
            why = "a symlink on the way" if exc.errno in (errno.ELOOP, errno.ENOTDIR) else exc.strerror
            results.append(Collected(student, "refused", why))
            continue
        except ValueError as exc:
            results.append(Collected(student, "refused", str(exc)))
            continue
        folder = out / student
        if folder.is_symlink():
            folder.unlink()
        folder.mkdir(exist_ok=True)
        target = folder / parts[-1]
        tmp = folder / f".{parts[-1]}.part"
        tmp.write_bytes(data)
        os.replace(tmp, target)
        results.append(Collected(student, "collected", f"{len(data)} bytes"))
    return results


def unix_students(group: str) -> dict[str, tuple[Path, int]]:
    """Members of a Unix group (listed, or by primary group): name to (home, uid)."""
    import grp
    import pwd

    g = grp.getgrnam(group)
    names: Iterable[str] = set(g.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == g.gr_gid}
    out = {}
    for name in sorted(names):
        p = pwd.getpwnam(name)
        out[name] = (Path(p.pw_dir), p.pw_uid)
    return out
