"""``kit-hub``: release the lessons, sync a user's copy, start a server, collect coursework.

::

    kit-hub release LESSONS OUT [--force]          the tree every user gets (operator, after git pull)
    kit-hub sync [--lessons SRC] [--into DIR] [--updates DIR]    sync the calling user's copy
    kit-hub start [sync options] -- COMMAND...     sync, then exec COMMAND (the spawners' cmd)
    kit-hub collect NOTEBOOK OUT (--group G | --users NAME... [--home-template T])
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

#: Where a user's lessons state lives, relative to their home.
STATE_FILE = ".activation-kit/lessons-state.json"


def _home_path(p: str) -> Path:
    path = Path(os.path.expanduser(p))
    return path if path.is_absolute() else Path(os.path.expanduser("~")) / path


def _sync(args: argparse.Namespace) -> str:
    from kit_hub.lessons import sync

    report = sync(args.lessons, _home_path(args.into), _home_path(args.updates), _home_path(STATE_FILE))
    return report.summary()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kit-hub", description="activation-kit on JupyterHub")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("release", help="write the lessons release every user gets (coursework without solutions)")
    r.add_argument("lessons", help="the repository's lessons/ folder")
    r.add_argument("out", help="where the release goes, e.g. /srv/activation-kit/lessons")
    r.add_argument("--force", action="store_true", help="replace an existing release")
    for name, text in (("sync", "sync your copy of the lessons (never overwrites your work)"),
                       ("start", "sync the lessons, then exec the command after --")):
        s = sub.add_parser(name, help=text)
        s.add_argument("--lessons", default="/srv/activation-kit/lessons", help="the release")
        s.add_argument("--into", default="lessons", help="your copy, relative to your home (default lessons)")
        s.add_argument("--updates", default="lessons-updated",
                       help="new versions of lessons you changed (default lessons-updated)")
        if name == "start":
            s.add_argument("command", nargs=argparse.REMAINDER, help="-- then the server command")
    c = sub.add_parser("collect", help="copy one notebook from each student into OUT/STUDENT/ for the grader")
    c.add_argument("notebook", help="path inside each lessons copy, e.g. coursework/cw1_kinks_and_dead_units.ipynb")
    c.add_argument("out", help="the submitted/ folder for `kit coursework grade`")
    who = c.add_mutually_exclusive_group(required=True)
    who.add_argument("--group", help="every member of this Unix group (homes and owners from the system)")
    who.add_argument("--users", nargs="+", metavar="NAME", help="these users")
    c.add_argument("--home-template", help="home of each of --users, e.g. /srv/homes/{username} "
                   "(default: the system's home, and the owner is checked)")
    c.add_argument("--lessons-dir", default="lessons", help="the lessons copy inside each home (default lessons)")
    return p


def _collect(args: argparse.Namespace) -> int:
    import pwd

    from kit_hub.collect import collect, unix_students

    if args.group:
        found = unix_students(args.group)
        homes = {n: h for n, (h, _) in found.items()}
        owners: dict[str, int] | None = {n: uid for n, (_, uid) in found.items()}
    elif args.home_template:
        homes = {n: Path(args.home_template.format(username=n)) for n in args.users}
        owners = None
    else:
        homes, owners = {}, {}
        for n in args.users:
            p = pwd.getpwnam(n)
            homes[n], owners[n] = Path(p.pw_dir), p.pw_uid
    results = collect(args.notebook, homes, args.out, lessons_dir=args.lessons_dir, owners=owners)
    for r in results:
        print(r)
    n = sum(r.status == "collected" for r in results)
    print(f"collected {n} of {len(results)} into {args.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kit-hub``; 0 on success, 2 for bad arguments or files (with a one-line error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.cmd == "release":
            from kit_hub.lessons import release

            files = release(args.lessons, args.out, force=args.force)
            print(f"released {len(files)} files into {args.out}")
            return 0
        if args.cmd == "sync":
            print(_sync(args))
            return 0
        if args.cmd == "collect":
            return _collect(args)
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        print(f"kit-hub {args.cmd}: error: {exc}", file=sys.stderr)
        return 2
    # start: the lessons must never keep a student out of their server.
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("kit-hub start: error: no command after --", file=sys.stderr)
        return 2
    try:
        print(f"kit-hub start: {_sync(args)}", file=sys.stderr, flush=True)
    except Exception as exc:  # logged, and the server starts anyway
        print(f"kit-hub start: lessons not synced: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    os.execvp(command[0], command)
    return 127  # not reached
