"""Find, load and validate activations registered in the ``kit.activations`` group.

The kit finds its own built-in catalogue exactly as it finds a student's
plugin: through entry points.  Discovery runs in stages with immutable records
(in the manner of flake8's plugin finder):

1. *find*: read entry-point metadata only, import nothing (:func:`names`);
2. *load*: import a plugin's module when it is first asked for;
3. *validate*: check it gives a :class:`~kit.activation.Activation` that can be
   built with its defaults.

A broken plugin is recorded and skipped, never fatal (:func:`plugin_problems`):
whatever it raises while being imported or built, ``SystemExit`` included,
and a call of ``os._exit`` (intercepted while plugin code is imported or
built, so the kernel survives it), becomes a :class:`PluginError` naming the
plugin; only ``KeyboardInterrupt`` passes.  An entry point whose name is not
a valid activation name, or whose value is not ``package.module:Class``, is
listed by :func:`status` with a sentence saying so.
Two plugins with the same name clash: the built-in keeps the plain name and the
other is reachable as ``"name@distribution"``; between two outside plugins
neither gets the plain name, both keep their ``name@distribution`` spelling.
Activations defined in a notebook join with :func:`register`.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import importlib.metadata as metadata
import inspect
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from kit.activation import NAME_PATTERN, Activation

__all__ = [
    "GROUP",
    "KIT_DISTRIBUTION",
    "Entry",
    "PluginError",
    "Problem",
    "UnknownActivation",
    "entries",
    "get",
    "names",
    "plugin_problems",
    "refresh",
    "register",
    "resolve",
    "status",
    "unregister",
]

GROUP = "kit.activations"
KIT_DISTRIBUTION = "activation-kit"
RUNTIME = "<runtime>"


class UnknownActivation(KeyError):
    """No activation of that name is registered.  The message suggests close names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class PluginError(RuntimeError):
    """A plugin could not be loaded or validated.  The message names the plugin and its distribution."""


QUALIFIED_NAME = re.compile(r"^[a-z][a-z0-9_]*@[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
"""``name@distribution``: how :func:`get` spells, and labels, the loser of a name clash."""

_T = TypeVar("_T")


class _ExitCalled(BaseException):
    """Raised in place of ``os._exit(code)`` while plugin code is imported or built."""

    def __init__(self, code: Any) -> None:
        super().__init__(code)
        self.code = code


@contextlib.contextmanager
def _exit_intercepted() -> Iterator[None]:
    """``os._exit`` (and ``posix._exit``) raise :class:`_ExitCalled` instead of ending the process.

    Only while plugin code is imported or built (the registry's lock is held);
    the originals are restored afterwards, also when nested.
    """

    def refuse(code: Any = 0) -> None:
        raise _ExitCalled(code)

    modules = [os, *(m for m in (sys.modules.get("posix"), sys.modules.get("nt")) if m is not None)]
    saved = [(m, m._exit) for m in modules if hasattr(m, "_exit")]
    for m, _ in saved:
        m._exit = refuse  # type: ignore[attr-defined]  # os._exit (posix._exit, nt._exit): ModuleType does not declare it
    try:
        yield
    finally:
        for m, original in reversed(saved):
            m._exit = original


def contained(where: str, doing: str, fn: Callable[[], _T]) -> _T:
    """``fn()``, with anything it raises or exits with turned into a :class:`PluginError`.

    ``where`` names the plugin, ``doing`` says what it was doing ("while being
    imported").  ``sys.exit`` (a ``SystemExit``), ``os._exit`` (intercepted) and
    any other ``BaseException`` become one sentence; ``KeyboardInterrupt``
    passes, so the user can still stop the kernel; a :class:`PluginError`
    passes as it is.

    Examples
    --------
    >>> import sys
    >>> contained("plugin 'x' from x-dist", "while being imported", lambda: sys.exit(3))
    Traceback (most recent call last):
    ...
    kit.registry.PluginError: plugin 'x' from x-dist called sys.exit(3) while being imported
    """
    try:
        with _exit_intercepted():
            return fn()
    except (KeyboardInterrupt, PluginError):
        raise
    except _ExitCalled as exc:
        raise PluginError(f"{where} called os._exit({exc.code!r}) {doing}; the kit stopped it") from None
    except SystemExit as exc:
        raise PluginError(f"{where} called sys.exit({exc.code!r}) {doing}") from None
    except BaseException as exc:
        raise PluginError(f"{where} raised {type(exc).__name__}: {exc} {doing}".rstrip()) from exc


@dataclass(frozen=True)
class Entry:
    """One registered activation, as found (nothing imported yet).

    ``key`` is the spelling :func:`get` takes: the plain name, or
    ``name@distribution`` for the loser of a name clash.
    """

    name: str
    key: str
    value: str
    distribution: str
    version: str
    builtin: bool
    loader: Callable[[], Any] | None = None

    @property
    def source(self) -> str:
        """``"activation-kit 0.1.0 (built-in)"``, ``"my-acts 1.0"`` or ``"<runtime>"``.

        Examples
        --------
        >>> import kit
        >>> kit.entries()["relu"].source
        'activation-kit ... (built-in)'
        """
        if self.distribution == RUNTIME:
            return RUNTIME
        return f"{self.distribution} {self.version}" + (" (built-in)" if self.builtin else "")


@dataclass(frozen=True)
class Problem:
    """A plugin that failed to load or validate, or a name clash."""

    name: str
    distribution: str
    error: str

    def __str__(self) -> str:
        return f"{self.name} ({self.distribution}): {self.error}"


class _Registry:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._found: dict[str, Entry] | None = None
        self._clashes: list[Problem] = []
        self._invalid: list[tuple[Entry, str]] = []
        self._runtime: dict[str, Entry] = {}
        self._loaded: dict[str, Any] = {}
        self._failed: dict[str, str] = {}

    # stage 1: find -----------------------------------------------------------
    def _find(self) -> dict[str, Entry]:
        with self._lock:
            if self._found is None:
                self._found, self._clashes, self._invalid = _discover()
            return self._found

    def refresh(self) -> None:
        with self._lock:
            self._found = None
            self._clashes = []
            self._invalid = []
            self._loaded.clear()
            self._failed.clear()

    def entries(self) -> dict[str, Entry]:
        found = self._find()
        return dict(sorted({**found, **self._runtime}.items()))

    # stage 2 and 3: load and validate -----------------------------------------
    def load(self, key: str) -> tuple[Entry, Any]:
        """The entry and its validated class or factory; ``PluginError`` if it cannot be used."""
        entry = self.lookup(key)
        return entry, self._factory(key, entry)

    def _factory(self, key: str, entry: Entry) -> Any:
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
            if key in self._failed:
                raise PluginError(self._failed[key])
            where = f"plugin {entry.name!r} from {entry.distribution} ({entry.value})"
            try:
                obj = contained(where, "while being loaded", entry.loader) if entry.loader else _load_value(entry)
                contained(where, "while being validated", lambda: _validate(entry, obj))
            except PluginError as exc:
                self._failed[key] = str(exc)
                raise
            self._loaded[key] = obj
            return obj

    def lookup(self, key: str) -> Entry:
        if not isinstance(key, str):
            raise TypeError(f"activation name must be a string, got {type(key).__name__}")
        table = self.entries()
        if key in table:
            return table[key]
        clash = [e.key for e in table.values() if e.name == key]
        if clash:
            raise UnknownActivation(
                f"{key!r} is provided by more than one plugin; choose one of: {', '.join(sorted(clash))}"
            )
        close = difflib.get_close_matches(key, list(table), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        if not table:
            hint = "; no activations are registered at all: is activation-kit installed (pip install -e .)?"
        raise UnknownActivation(f"no activation named {key!r}{hint}")

    def register(self, cls: Any, name: str | None = None) -> str:
        if not (isinstance(cls, type) and issubclass(cls, Activation)):
            raise TypeError(f"register() takes a subclass of kit.Activation, got {cls!r}")
        name = name or cls.name
        if not NAME_PATTERN.match(name or ""):
            raise ValueError(f"activation name must match [a-z][a-z0-9_]*, got {name!r}")
        found = self._find()
        if name in found:
            raise ValueError(
                f"{name!r} is already provided by {found[name].source}; register under another name"
            )
        entry = Entry(name, name, f"{cls.__module__}:{cls.__qualname__}", RUNTIME, "", False, loader=lambda: cls)
        _validate(entry, cls)
        with self._lock:
            self._runtime[name] = entry
            self._loaded.pop(name, None)
            self._failed.pop(name, None)
        return name

    def unregister(self, name: str) -> None:
        with self._lock:
            if name not in self._runtime:
                raise UnknownActivation(f"{name!r} was not registered at run time")
            del self._runtime[name]
            self._loaded.pop(name, None)
            self._failed.pop(name, None)

    def status(self) -> list[tuple[Entry, str]]:
        out = []
        for key, entry in self.entries().items():
            try:
                self._factory(key, entry)
                out.append((entry, "ok"))
            except PluginError as exc:
                out.append((entry, str(exc)))
        out += self._invalid  # entry points that cannot even be named: shown, never loaded
        return sorted(out, key=lambda row: (row[0].key, row[0].distribution))

    def problems(self) -> list[Problem]:
        failed = [Problem(e.name, e.distribution, state) for e, state in self.status() if state != "ok"]
        return sorted(failed + self._clashes, key=lambda p: (p.name, p.distribution))


def _discover() -> tuple[dict[str, Entry], list[Problem], list[tuple[Entry, str]]]:
    """Stage 1: entry-point metadata only, sorted for determinism.

    Returns the usable entries by key, the name clashes, and the entry points
    whose name is not a valid activation name (with the sentence saying so).
    """
    raw: list[Entry] = []
    seen: set[tuple[str, str]] = set()
    for ep in metadata.entry_points(group=GROUP):
        dist = ep.dist.metadata["Name"] if ep.dist is not None else "<unknown distribution>"
        version = ep.dist.version if ep.dist is not None else ""
        if (ep.name, dist) in seen:  # the same distribution seen twice on sys.path
            continue
        seen.add((ep.name, dist))
        builtin = _canonical(dist) == KIT_DISTRIBUTION
        raw.append(Entry(ep.name, ep.name, ep.value, dist, version, builtin))
    raw.sort(key=lambda e: (e.name, not e.builtin, _canonical(e.distribution)))
    found: dict[str, Entry] = {}
    problems: list[Problem] = []
    invalid: list[tuple[Entry, str]] = []
    by_name: dict[str, list[Entry]] = {}
    for e in raw:
        by_name.setdefault(e.name, []).append(e)
    for name, group in by_name.items():
        if not NAME_PATTERN.match(name):
            for e in group:
                sentence = (f"plugin {name!r} from {e.distribution}: invalid activation name {name!r} "
                            f"(use [a-z][a-z0-9_]*, e.g. {_suggest(name)!r}); it is not loaded")
                invalid.append((e, sentence))
                problems.append(Problem(name, e.distribution, sentence))
            continue
        if len(group) == 1:
            found[name] = group[0]
            continue
        winner = group[0] if group[0].builtin else None
        for e in group:
            if e is winner:
                found[name] = e
            else:
                key = f"{name}@{_canonical(e.distribution)}"
                found[key] = Entry(e.name, key, e.value, e.distribution, e.version, e.builtin)
        dists = ", ".join(e.distribution for e in group)
        kept = f"the built-in keeps {name!r}" if winner else f"neither is {name!r}"
        spell = ", ".join(f"'{name}@{_canonical(e.distribution)}'" for e in group if e is not winner)
        for e in group:
            if e is not winner:
                problems.append(Problem(name, e.distribution, f"name clash between {dists}: {kept}; use {spell}"))
    return found, problems, invalid


def _suggest(name: str) -> str:
    """A valid activation name close to ``name`` (``Bad-Name`` -> ``bad_name``)."""
    out = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return out if NAME_PATTERN.match(out) else f"act_{out}".rstrip("_") or "my_activation"


def _canonical(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


_ENTRY_VALUE = re.compile(r"^\s*[A-Za-z_][\w.]*\s*:\s*[A-Za-z_][\w.]*\s*$")
"""What an entry point's value must read: ``package.module:Class``."""


def _load_value(entry: Entry) -> Any:
    where = f"plugin {entry.name!r} from {entry.distribution}"
    if not _ENTRY_VALUE.match(entry.value):
        raise PluginError(
            f"{where}: its entry point reads {entry.name} = {entry.value!r}, which is not 'package.module:Class'; "
            f"fix [project.entry-points.\"{GROUP}\"] in its pyproject.toml and reinstall it"
        )
    ep = metadata.EntryPoint(name=entry.name, value=entry.value, group=GROUP)
    try:
        return contained(where, f"while {entry.value} was being imported", ep.load)
    except PluginError as exc:
        if exc.__cause__ is None:  # sys.exit / os._exit: the sentence is complete
            raise
        cause = exc.__cause__
        raise PluginError(f"{where}: cannot import {entry.value}: {type(cause).__name__}: {cause}") from cause


def _validate(entry: Entry, obj: Any) -> None:
    """Stage 3: the entry point must give an Activation, buildable with its defaults."""
    where = f"plugin {entry.name!r} from {entry.distribution} ({entry.value})"
    if isinstance(obj, type) and issubclass(obj, Activation):
        inst = _build(where, obj, {})
    elif callable(obj) and not isinstance(obj, type):
        inst = _build(where, obj, {})
        if not isinstance(inst, Activation):
            raise PluginError(f"{where}: calling it returned {type(inst).__name__}, not a kit.Activation")
    else:
        raise PluginError(f"{where}: is {obj!r}, not a subclass of kit.Activation")
    for meth in ("value", "left_derivative", "right_derivative"):
        if getattr(type(inst), meth) is getattr(Activation, meth):
            raise PluginError(f"{where}: does not define {meth}(z)")


def _build(where: str, factory: Any, params: dict[str, Any]) -> Activation:
    try:
        return contained(where, "while being built", lambda: factory(**params))
    except PluginError as exc:
        cause = exc.__cause__
        if cause is None:
            raise
        raise PluginError(f"{where}: building it raised {type(cause).__name__}: {cause}") from cause


_REGISTRY = _Registry()


def names() -> list[str]:
    """Sorted names of every registered activation.  Imports no plugin code.

    Examples
    --------
    >>> import kit
    >>> "relu" in kit.names()
    True
    """
    return list(_REGISTRY.entries())


def entries() -> dict[str, Entry]:
    """Every registered activation's :class:`Entry`, by the key :func:`get` takes.  Imports no plugin code.

    Examples
    --------
    >>> import kit
    >>> entry = kit.entries()["relu"]
    >>> entry.value, entry.builtin
    ('kit.activations.piecewise:ReLU', True)
    """
    return _REGISTRY.entries()


def get(name: str | Activation, **params: float) -> Activation:
    """The activation ``name`` with ``params``, loading its plugin if needed.

    ``name`` may also be an :class:`Activation` instance (returned as is when
    no params are given) or ``"name@distribution"`` after a name clash.

    Raises
    ------
    UnknownActivation
        (a ``KeyError``) with close names suggested.
    PluginError
        naming the plugin and its distribution if it cannot be loaded.
    TypeError, ValueError
        for unknown or invalid parameters.

    Examples
    --------
    >>> import kit
    >>> kit.get("leaky_relu", alpha=0.1).derivative(0.0, kink="right")
    1.0
    >>> kit.get("rleu")
    Traceback (most recent call last):
    ...
    kit.registry.UnknownActivation: no activation named 'rleu'; did you mean 'relu' or 'relu6'?
    """
    if isinstance(name, Activation):
        if not params:
            return name
        act = type(name)(**{**name.params, **params})
        label = name.name
    else:
        entry, factory = _REGISTRY.load(name)
        act = _with_params(f"plugin {entry.name!r} from {entry.distribution}", factory, params)
        if not isinstance(act, Activation):
            raise PluginError(f"plugin {name!r} returned {type(act).__name__}, not a kit.Activation")
        label = entry.key  # "relu@other-dist" after a clash: reports and plots say which one it is
    if act.name != label:
        act.name = label  # type: ignore[misc]  # the entry-point name wins
    return act


def _with_params(where: str, factory: Any, params: dict[str, Any]) -> Any:
    """``factory(**params)``: a plugin's own TypeError / ValueError for a bad parameter passes as it is,
    anything else it raises or exits with becomes a :class:`PluginError`."""
    try:
        return contained(where, "while being built", lambda: factory(**params))
    except PluginError as exc:
        if isinstance(exc.__cause__, (TypeError, ValueError)):
            raise exc.__cause__ from None
        raise


def register(cls: type[Activation], name: str | None = None) -> str:
    """Register an activation class defined at run time (e.g. in a notebook).

    Re-registering the same name replaces the earlier run-time class, so a
    notebook cell can be run again.  A name owned by an installed plugin is
    refused.  Returns the name.

    Examples
    --------
    >>> import kit, numpy as np
    >>> class Bent(kit.Activation):
    ...     defaults = {"slope": 2.0}
    ...     def value(self, z): return np.where(z < 0, 0 * z, self.slope * z)
    ...     def left_derivative(self, z): return np.where(z <= 0, 0 * z, self.slope + 0 * z)
    ...     def right_derivative(self, z): return np.where(z < 0, 0 * z, self.slope + 0 * z)
    ...     def kinks(self, lo=-np.inf, hi=np.inf): return kit.within([0.0], lo, hi)
    >>> kit.register(Bent)
    'bent'
    >>> kit.get("bent", slope=3.0).right_derivative(0.0)
    3.0
    >>> kit.unregister("bent")
    """
    return _REGISTRY.register(cls, name)


def unregister(name: str) -> None:
    """Remove an activation registered with :func:`register` (see its example).

    Raises :class:`UnknownActivation` for a name that was not registered at run time.
    """
    _REGISTRY.unregister(name)


def plugin_problems() -> list[Problem]:
    """Load every plugin and return each one that failed, and each name clash.

    Each :class:`Problem` names the activation, its distribution and the
    error; an empty list means every installed plugin can be used.

    Examples
    --------
    >>> import kit
    >>> [p for p in kit.plugin_problems() if p.distribution == "activation-kit"]
    []
    """
    return _REGISTRY.problems()


def status() -> list[tuple[Entry, str]]:
    """Each entry with ``"ok"`` or the reason it cannot be used (loads every plugin): what ``kit list`` shows.

    Examples
    --------
    >>> import kit
    >>> dict((entry.key, state) for entry, state in status())["relu"]
    'ok'
    """
    return _REGISTRY.status()


def refresh() -> None:
    """Forget what was found and loaded; the next call scans entry points again.

    Run it after ``pip install -e`` of a plugin in a running kernel.
    """
    _REGISTRY.refresh()


_SPEC = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def resolve(spec: Any, **params: float) -> Activation:
    """The one way the kit turns what a user wrote into an :class:`Activation`.

    Accepted: an instance, a subclass of :class:`Activation`, a callable
    object that returns an Activation when called with keyword parameters, a
    registered name (``"relu"``, ``"relu@dist"``), ``"package.module:Class"``,
    or a pair ``(spec, params)`` such as ``("leaky_relu", {"alpha": 0.1})``.
    Keyword ``params`` are applied on top.  The engine, the plots, the widgets,
    the checks and the command line all call this.

    A ``"package.module:Class"`` string is text a user typed, so it is held to
    more than an object is: the module is imported, then ``Class`` (or
    ``Outer.Inner``, through classes only) is looked up without running any
    descriptor or module ``__getattr__``, and it must be an Activation subclass
    or instance.  Nothing else it names is ever called: not a function
    (``"os:abort"``), not a factory, and no dunder attribute is followed
    (``"os.path:join.__globals__"``).

    Raises
    ------
    UnknownActivation
        for a name that is not registered (close names suggested).
    ValueError
        for a malformed ``"module:Class"`` spelling, or invalid parameter values.
    PluginError
        when the plugin cannot be imported or built (the message says why).
    TypeError
        for unknown parameters, a class that is not an Activation, a
        ``"module:Class"`` string naming anything but an Activation subclass or
        instance, or anything else.

    Examples
    --------
    >>> resolve("leaky_relu", alpha=0.1)
    leaky_relu(alpha=0.1)
    >>> resolve(("leaky_relu", {"alpha": 0.2}))
    leaky_relu(alpha=0.2)
    >>> resolve("kit.activations.piecewise:ReLU")
    relu()
    >>> resolve("kit.activation:Fixed")
    Traceback (most recent call last):
    ...
    TypeError: kit.activation:Fixed is not a subclass of kit.Activation
    >>> resolve("os:getcwd")
    Traceback (most recent call last):
    ...
    TypeError: os:getcwd names a builtin_function_or_method, not a kit.Activation subclass or instance; nothing was called
    """
    if isinstance(spec, tuple):
        if len(spec) != 2 or not isinstance(spec[1], dict):
            raise TypeError(f"an activation pair must be (name, {{params}}), got {spec!r}")
        return resolve(spec[0], **{**spec[1], **params})
    what = spec if isinstance(spec, str) else getattr(spec, "__qualname__", repr(spec))
    if isinstance(spec, str) and ":" in spec:
        spec = _import_spec(spec)
        if not isinstance(spec, Activation) and not isinstance(spec, type):
            raise TypeError(f"{what} names a {type(spec).__name__}, not a kit.Activation subclass or instance; "
                            "nothing was called")
    if isinstance(spec, (str, Activation)):
        return get(spec, **params)
    if isinstance(spec, type):
        if not issubclass(spec, Activation):
            raise TypeError(f"{what} is not a subclass of kit.Activation")
        unknown = sorted(set(params) - set(spec.defaults))
        if unknown:
            valid = ", ".join(spec.defaults) or "none"
            raise TypeError(f"{spec.__name__}: unknown parameter(s) {', '.join(unknown)}; valid parameters: {valid}")
    elif not callable(spec):
        raise TypeError(
            "activation must be a kit.Activation, its class, a registered name ('relu'), 'module:Class' "
            f"or a pair (name, {{params}}), got {spec!r}"
        )
    try:
        act = contained(what, "while being built", lambda: spec(**params))
    except PluginError as exc:
        cause = exc.__cause__
        if cause is None:  # sys.exit / os._exit
            raise
        raise PluginError(f"building {what} raised {type(cause).__name__}: {cause}") from cause
    if not isinstance(act, Activation):
        raise PluginError(f"calling {what} returned {type(act).__name__}, not a kit.Activation")
    return act


def _import_spec(spec: str) -> Any:
    """The object ``"package.module:Class"`` names: the module imported, the rest looked up statically.

    Each part after the colon is read with :func:`inspect.getattr_static` (no
    descriptor, property or module ``__getattr__`` runs), no part may be a
    dunder name, and every part but the last must be a class (``Outer.Inner``).
    """
    if not _SPEC.match(spec):
        raise ValueError(f"expected 'package.module:Class', got {spec!r}")
    mod_name, qual = spec.split(":")
    parts = qual.split(".")
    for part in parts:
        if part.startswith("__") and part.endswith("__"):
            raise ValueError(f"{spec}: {part!r} is a dunder attribute; 'package.module:Class' names a class")

    def find() -> Any:
        return importlib.import_module(mod_name)

    try:
        obj: Any = contained(spec, "while being imported", find)
    except PluginError as exc:
        cause = exc.__cause__
        if cause is None:
            raise
        raise PluginError(f"cannot import {spec}: {type(cause).__name__}: {cause}") from cause
    where = mod_name
    for i, part in enumerate(parts):
        if i and not isinstance(obj, type):
            raise TypeError(f"{spec}: {where} is a {type(obj).__name__}, not a class; "
                            "'package.module:Class.Inner' may only go through classes")
        try:
            obj = inspect.getattr_static(obj, part)
        except AttributeError:
            raise PluginError(f"cannot import {spec}: AttributeError: {where} has no attribute {part!r}") from None
        where = f"{where}{':' if i == 0 else '.'}{part}"
    return obj
