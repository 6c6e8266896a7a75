"""The ``kit`` command (also ``python -m kit``).

``kit list``, ``kit show NAME``, ``kit check NAME|module:Class``,
``kit plot NAME -o FILE``, ``kit new-plugin NAME``, ``kit coursework ...``.
Bad input exits non-zero with one line on stderr, never a traceback.

This module is the kit's one argparse tree: every subcommand's arguments are
here, the work is done by the modules it calls (:mod:`kit.scaffold`,
:mod:`kit.coursework`, :mod:`kit.plot`), and nothing in the kit imports it.
A ``module:Class`` on the command line names an Activation subclass or
instance and nothing else is called (see :func:`kit.registry.resolve`).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import kit
from kit._text import number as _fmt
from kit.activation import FRAMEWORKS, Activation, Rule
from kit.conformance import check, saturation_text
from kit.registry import PluginError, UnknownActivation, plugin_problems, resolve, status

__all__ = ["main"]

_WINDOW = 10.0


class _Fail(Exception):
    """One line for the user, exit status 2."""


_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|infinity|nan)$", re.IGNORECASE)
"""A negative number as a user types it: ``-3``, ``-1e3``, ``-.5``, ``-2.5E-3``, ``-inf``."""


class _Parser(argparse.ArgumentParser):
    """The kit's argument parser: errors are one line (raised as :class:`_Fail`), never a usage dump,
    and a numeric option takes a negative number (``--lo -1e3``).

    argparse reads ``-1e3`` (and ``-inf``) as an option, because only ``-3`` and
    ``-3.5`` match its own negative-number pattern; this parser rewrites
    ``--lo -1e3`` as ``--lo=-1e3`` (``-x -1e3`` as ``-x-1e3``) for the options
    declared with ``type=float`` or ``type=int``, and for nothing else.
    Subcommands' parsers are of this class too (``add_subparsers`` makes them
    so), and each rewrites only its own options.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.numeric_options: set[str] = set()  # before argparse's __init__, which adds --help
        self.long_options: set[str] = set()
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        longs = {o for o in action.option_strings if o.startswith("--")}
        self.long_options |= longs
        if action.option_strings and action.nargs is None and action.type in (float, int):
            self.numeric_options.update(action.option_strings)
        return action

    def _numeric(self, token: str) -> bool:
        """``token`` names one of this parser's numeric options (a unique ``--lo`` prefix counts)."""
        if token in self.numeric_options:
            return True
        if not (self.allow_abbrev and token.startswith("--")) or token in self.long_options:
            return False
        matches = [o for o in self.long_options if o.startswith(token)]
        return len(matches) == 1 and matches[0] in self.numeric_options

    def parse_known_args(self, args: Iterable[str] | None = None, namespace: Any = None) -> tuple[Any, list[str]]:
        """Parse as argparse does, after joining each numeric option to a negative number after it."""
        argv = list(sys.argv[1:] if args is None else args)
        out: list[str] = []
        i = 0
        while i < len(argv):
            token = argv[i]
            if token == "--":
                out += argv[i:]
                break
            if i + 1 < len(argv) and _NUMBER.match(argv[i + 1]) and self._numeric(token):
                out.append(f"{token}={argv[i + 1]}" if token.startswith("--") else token + argv[i + 1])
                i += 2
                continue
            out.append(token)
            i += 1
        return super().parse_known_args(out, namespace)

    def error(self, message: str) -> NoReturn:
        raise _Fail(f"{message} (see {self.prog} --help)")


def _params(pairs: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for pair in pairs:
        key, sep, val = pair.partition("=")
        if not sep or not key:
            raise _Fail(f"--param takes NAME=NUMBER, got {pair!r}")
        try:
            out[key.strip()] = float(val)
        except ValueError:
            raise _Fail(f"--param {key}: {val!r} is not a number") from None
    return out


def _activation(args: argparse.Namespace) -> Activation:
    """The activation the command names: a registered name or ``package.module:Class``."""
    return resolve(args.name, **_params(args.param))


def _cmd_list(args: argparse.Namespace) -> int:
    rows = [(e.key, e.source, state) for e, state in status()]
    width = max([len(r[0]) for r in rows] + [4])
    src = max([len(r[1]) for r in rows] + [6])
    print(f"{'name':<{width}}  {'source':<{src}}  status")
    for key, source, state in rows:
        print(f"{key:<{width}}  {source:<{src}}  {state}")
    clashes = [p for p in plugin_problems() if "name clash" in p.error]
    for p in clashes:
        print(f"clash: {p}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    act = _activation(args)
    entry = kit.entries().get(args.name)
    doc = (type(act).__doc__ or "").strip().splitlines()
    print(f"{act!r}")
    if doc:
        print(f"  {doc[0]}")
    if act.formula:
        print(f"  formula: {act.formula}")
    if entry is not None:
        print(f"  source: {entry.source} ({entry.value})")
    print(f"  parameters: {act.params or 'none'}")
    kinks = act.kinks(-_WINDOW, _WINDOW)
    print(f"  kinks in [-{_WINDOW:g}, {_WINDOW:g}]: {', '.join(_fmt(k) for k in kinks) or 'none'}")
    print(f"  dead region (f' = 0): {saturation_text(act, 0.0, _WINDOW)}")
    print(f"  saturation (|f'| <= 1e-3): {saturation_text(act, 1e-3, _WINDOW)}")
    if kinks.size:
        head = ["at", "left", "right", *FRAMEWORKS]
        print("  one-sided derivatives and what each framework's autodiff returns:")
        print("    " + "".join(f"{h:>12}" for h in head))
        for k in kinks[:12]:
            cells = [_fmt(float(k)), _fmt(act.left_derivative(float(k))), _fmt(act.right_derivative(float(k)))]
            for fw in FRAMEWORKS:
                try:
                    cells.append(_fmt(act.derivative(float(k), kink=fw)))
                except ValueError:
                    cells.append("-")
            print("    " + "".join(f"{c:>12}" for c in cells))
        if kinks.size > 12:
            print(f"    ... {kinks.size - 12} more")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    report = check(_activation(args))
    print(report)
    return 0 if report.ok else 1


MAX_PIXELS = 50_000_000
"""The largest image ``kit plot`` renders: 50 megapixels (about 200 MB of RGBA while it is drawn)."""


def _output_file(text: str) -> tuple[Path, str]:
    """The file ``kit plot -o TEXT`` writes, and its format; refused in one line unless it can be a file.

    The file is exactly the path given, and its extension says the format
    (matplotlib would quietly write ``-o /dev/full`` to ``/dev/full.png``).  A
    folder, a device or anything else that exists and is not a regular file, a
    path without an extension or with an unknown one, and a missing or
    unwritable parent folder are refused before anything is drawn.
    """
    from matplotlib.backend_bases import FigureCanvasBase

    path = Path(text)
    if path.is_dir():
        raise _Fail(f"-o {text}: that is a folder; give a file name such as {path / 'plot.png'}")
    if path.exists() and not path.is_file():
        raise _Fail(f"-o {text}: that exists and is not a regular file (a device, a pipe, a socket?)")
    formats = FigureCanvasBase.get_supported_filetypes()
    if not path.suffix:
        raise _Fail(f"-o {text}: no file extension to say the format; e.g. {path.name}.png, .svg or .pdf")
    fmt = path.suffix[1:].lower()
    if fmt not in formats:
        raise _Fail(f"-o {text}: unknown image format {path.suffix!r}; use one of {', '.join(sorted(formats))}")
    parent = path.parent
    if not parent.is_dir():
        raise _Fail(f"-o {text}: no such folder {parent}")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise _Fail(f"-o {text}: cannot write {path} (permission denied)")
    return path, fmt


def _cmd_plot(args: argparse.Namespace) -> int:
    act = _activation(args)
    if not 0 < args.dpi:
        raise _Fail(f"--dpi must be a positive integer, got {args.dpi}")
    import matplotlib

    matplotlib.use("Agg")
    path, fmt = _output_file(args.output)
    from kit import plot

    fig = plot.activation(act, lo=args.lo, hi=args.hi, kink=args.kink)
    width, height = fig.get_size_inches() * args.dpi
    if width * height > MAX_PIXELS:
        top = int((MAX_PIXELS / (width * height)) ** 0.5 * args.dpi)
        raise _Fail(f"--dpi {args.dpi} would make a {width:.0f} x {height:.0f} pixel image, more than "
                    f"{MAX_PIXELS // 1_000_000} megapixels; use --dpi {top} or less")
    existed = path.exists()
    try:
        with open(path, "wb") as out:
            fig.savefig(out, format=fmt, dpi=args.dpi, bbox_inches="tight")
    except BaseException as exc:
        if not existed:
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _Fail(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    print(f"wrote {path}")
    return 0


def _cmd_new_plugin(args: argparse.Namespace) -> int:
    from kit.scaffold import new_plugin

    where = new_plugin(args.name, args.directory)
    package = "kit_" + args.name
    print(f"wrote {where}\n"
          f"  edit     {where / 'src' / package / '__init__.py'}\n"
          f"  install  pip install -e {where}\n"
          f"  check    kit check {args.name}   (and: pytest {where})")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="kit", description="activation-kit: activations, their kinks and gradient descent")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="every registered activation, its source and status").set_defaults(run=_cmd_list)

    def with_name(name: str, help_: str) -> argparse.ArgumentParser:
        s = sub.add_parser(name, help=help_)
        s.add_argument("name", help="a registered name, or package.module:Class")
        s.add_argument("--param", "-p", action="append", default=[], metavar="NAME=NUMBER", help="a parameter")
        return s

    with_name("show", "kinks, one-sided derivatives, saturation and the frameworks' choices").set_defaults(
        run=_cmd_show
    )
    with_name("check", "run the conformance checks; exit 1 if any fails").set_defaults(run=_cmd_check)
    plot = with_name("plot", "draw the function and its one-sided derivatives to a file")
    plot.add_argument("-o", "--output", required=True, help="image file (png, svg, pdf)")
    plot.add_argument("--lo", type=float, default=-5.0)
    plot.add_argument("--hi", type=float, default=5.0)
    plot.add_argument("--kink", default="left", help="kink rule: left, right, mean, t in [0, 1], pytorch, ...")
    plot.add_argument("--dpi", type=int, default=120)
    plot.set_defaults(run=_cmd_plot)
    scaffold = sub.add_parser(
        "new-plugin", help="write a ready plugin distribution from the template",
        description="Write a ready activation plugin (a distribution with its entry point, a module to fill in, "
        "a README and a test that runs the conformance suite).",
    )
    scaffold.add_argument("name", help="the activation's name, e.g. soft_clip ([a-z][a-z0-9_]*)")
    scaffold.add_argument("--dir", dest="directory", default=None, help="the folder to create (default: ./NAME)")
    scaffold.set_defaults(run=_cmd_new_plugin)
    _coursework(sub)
    return p


def _coursework(sub: argparse._SubParsersAction) -> None:
    """``kit coursework release|grade``: the arguments here, every check of their values and the work in kit.coursework."""
    cw = sub.add_parser("coursework", help="release and grade coursework notebooks")
    act = cw.add_subparsers(dest="action", required=True, metavar="ACTION")
    r = act.add_parser("release", help="write the student version: solutions stubbed, hidden tests removed")
    r.add_argument("src", help="a coursework notebook or a folder of them")
    r.add_argument("dest", help="folder for the student versions")
    r.add_argument("--force", action="store_true", help="overwrite notebooks already in DEST")
    g = act.add_parser("grade", help="grade every submission in its own isolated kernel; print a table")
    g.add_argument("src", help="the teacher's notebook(s), with solutions")
    g.add_argument("submitted", help="folder with one sub-folder per student")
    g.add_argument("--csv", help="also write the grades as CSV to this file")
    g.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    g.add_argument("--notebook-timeout", type=float, default=600.0, help="seconds per notebook (default 600)")
    g.add_argument("--memory", type=float, default=4096.0, help="MiB of address space per kernel (default 4096)")
    g.add_argument("--output", type=float, default=20.0, help="MiB a notebook may print (default 20)")
    g.add_argument("--workers", type=int, default=None, help="kernels at once (default: the number of cores)")
    g.add_argument("--isolation", default="auto", help="auto, namespaces or processes (default auto)")

    def run(args: argparse.Namespace) -> int:
        from kit.coursework import grading, notebook

        if args.action == "release":
            for path in notebook.release(args.src, args.dest, force=args.force):
                print(f"wrote {path}")
            return 0
        grading.options(args.timeout, args.notebook_timeout, args.memory, args.output, args.workers, args.isolation)
        out = grading.check_csv_path(args.csv) if args.csv else None
        result = grading.grade(args.src, args.submitted, timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                               memory_mb=args.memory, output_mb=args.output, workers=args.workers,
                               isolation=args.isolation)
        print(grading.table(result))
        if out is not None:
            out.write_text(grading.to_csv(result.grades), encoding="utf-8")
        return 3 if result.damage else 0

    cw.set_defaults(run=run)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kit`` command; returns the exit status.

    0 on success, 1 when ``kit check`` finds a problem (or, silently, when the
    reader of stdout has gone: ``kit list | head``), 2 with one line on stderr
    (no traceback) for bad input: an unknown name, a bad parameter or
    argument, a plugin that cannot be loaded, an output file that cannot be
    written.

    Examples
    --------
    >>> main(["show", "relu"])  # doctest: +ELLIPSIS
    relu()
    ...
      kinks in [-10, 10]: 0
      dead region (f' = 0): [(-inf, 0)]
      saturation (|f'| <= 1e-3): [(-inf, 0)]
      one-sided derivatives and what each framework's autodiff returns:
                  at        left       right     pytorch  tensorflow         jax
                   0           0           1           0           0           0
    0
    >>> main(["show", "rleu"])  # one line on stderr: kit: error: no activation named 'rleu'; ...
    2
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
        if getattr(args, "kink", None) is not None:
            args.kink = _kink_arg(args.kink)
        return int(args.run(args))
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except BrokenPipeError:  # kit list | head: the reader has gone; say nothing more
        _silence_stdout()
        return 1
    except (_Fail, UnknownActivation, PluginError, TypeError, ValueError, OSError) as exc:
        print(f"kit: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's last flush does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _one_line(message: str, limit: int = 500) -> str:
    """``message`` on one line (a plugin's message may hold newlines), at most ``limit`` characters."""
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _kink_arg(text: str) -> Rule:
    """``--kink``: a number t in [0, 1] when it reads as a number (so ``-0.5`` is refused as one), else a name."""
    try:
        t = float(text)
    except ValueError:
        return kit.validate_kink(text)
    return kit.validate_kink(t)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
