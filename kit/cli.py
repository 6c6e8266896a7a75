"""The ``kit`` command (also ``python -m kit``).

``kit list``, ``kit show NAME``, ``kit check NAME|module:Class``,
``kit plot NAME -o FILE``, ``kit new-plugin NAME``, ``kit coursework ...``.
Bad input exits non-zero with one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from collections.abc import Sequence
from typing import Any

import kit
from kit.activation import FRAMEWORKS, Activation
from kit.registry import PluginError, UnknownActivation, status

__all__ = ["main"]

_WINDOW = 10.0


class _Fail(Exception):
    """One line for the user, exit status 2."""


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


def _resolve(spec: str, params: dict[str, float]) -> Activation:
    """A registered name, or ``package.module:Class`` (imported, never evaluated)."""
    if ":" in spec:
        module, _, attr = spec.partition(":")
        try:
            obj: Any = importlib.import_module(module)
            for part in attr.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as exc:
            raise _Fail(f"cannot import {spec}: {exc}") from None
        if not (isinstance(obj, type) and issubclass(obj, Activation)):
            raise _Fail(f"{spec} is not a subclass of kit.Activation")
        return obj(**params)
    return kit.get(spec, **params)


def _fmt(x: float) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.6g}"


def _cmd_list(args: argparse.Namespace) -> int:
    rows = [(e.key, e.source, state) for e, state in status()]
    width = max([len(r[0]) for r in rows] + [4])
    src = max([len(r[1]) for r in rows] + [6])
    print(f"{'name':<{width}}  {'source':<{src}}  status")
    for key, source, state in rows:
        print(f"{key:<{width}}  {source:<{src}}  {state}")
    from kit.registry import plugin_problems

    clashes = [p for p in plugin_problems() if "name clash" in p.error]
    for p in clashes:
        print(f"clash: {p}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    act = _resolve(args.name, _params(args.param))
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
    print(f"  dead region (f' = 0): {_intervals(act.saturation(0.0))}")
    print(f"  saturation (|f'| <= 1e-3): {_intervals(act.saturation(1e-3))}")
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


def _intervals(iv: list[tuple[float, float]]) -> str:
    return ", ".join(f"({_fmt(a)}, {_fmt(b)})" for a, b in iv) or "none"


def _cmd_check(args: argparse.Namespace) -> int:
    act = _resolve(args.name, _params(args.param))
    from kit.checks import check

    report = check(act)
    print(report)
    return 0 if report.ok else 1


def _cmd_plot(args: argparse.Namespace) -> int:
    act = _resolve(args.name, _params(args.param))
    import matplotlib

    matplotlib.use("Agg")
    from kit import plot

    fig = plot.activation(act, lo=args.lo, hi=args.hi, kink=args.kink)
    fig.savefig(args.output, dpi=args.dpi, bbox_inches="tight")
    print(f"wrote {args.output}")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kit", description="activation-kit: activations, their kinks and gradient descent")
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
    """Run the ``kit`` command; returns the exit status."""
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
