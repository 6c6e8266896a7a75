"""The ``kit`` command (also ``python -m kit``).

``kit list``, ``kit show NAME``, ``kit check NAME|module:Class``,
``kit plot NAME -o FILE``, ``kit new-plugin NAME``, ``kit coursework ...``.
Bad input exits non-zero with one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

import kit
from kit._text import number as _fmt
from kit.activation import FRAMEWORKS, Activation
from kit.conformance import check, saturation_text
from kit.registry import PluginError, UnknownActivation, plugin_problems, resolve, status

__all__ = ["main"]

_WINDOW = 10.0


class _Fail(Exception):
    """One line for the user, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (raised as :class:`_Fail`), not a usage dump."""

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


def _cmd_plot(args: argparse.Namespace) -> int:
    act = _activation(args)
    import matplotlib

    matplotlib.use("Agg")
    from kit import plot

    fig = plot.activation(act, lo=args.lo, hi=args.hi, kink=args.kink)
    fig.savefig(args.output, dpi=args.dpi, bbox_inches="tight")
    print(f"wrote {args.output}")
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
    sub.add_parser("new-plugin", help="scaffold a plugin distribution (kit new-plugin NAME --help)", add_help=False)
    sub.add_parser("coursework", help="release and grade coursework (kit coursework --help)", add_help=False)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kit`` command; returns the exit status.

    0 on success, 1 when ``kit check`` finds a problem, 2 with one line on
    stderr (no traceback) for bad input: an unknown name, a bad parameter or
    argument, a plugin that cannot be loaded.

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
        if argv and argv[0] == "new-plugin":
            from kit.scaffold import cli as scaffold_cli

            return scaffold_cli(argv[1:])
        if argv and argv[0] == "coursework":
            from kit.coursework import cli as coursework_cli

            return coursework_cli(argv[1:])
        args = _parser().parse_args(argv)
        if getattr(args, "kink", None) is not None:
            args.kink = _kink_arg(args.kink)
        return int(args.run(args))
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except (_Fail, UnknownActivation, PluginError, TypeError, ValueError, OSError) as exc:
        print(f"kit: error: {exc}", file=sys.stderr)
        return 2


def _kink_arg(text: str) -> str | float:
    try:
        return kit.validate_kink(float(text))
    except ValueError:
        return kit.validate_kink(text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
