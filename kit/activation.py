"""The activation plugin contract: :class:`Activation`.

An activation is data about a function, not only the function: its value, its
two one-sided derivatives, where it has kinks and where it saturates.  The
engine, the plots and the widgets never decide by accident what happens at a
kink: they ask :meth:`Activation.derivative` with a named ``kink`` rule.

Writing a plugin
----------------
Subclass :class:`Activation` and give

* ``name`` (optional, defaults to the snake_case class name; the entry-point
  name wins when the class is loaded through ``kit.activations``),
* ``defaults``: the parameters and their default values,
* ``formula``: a LaTeX string (may be empty),
* ``value(z)``, ``left_derivative(z)``, ``right_derivative(z)``: plain numpy
  code on a floating array ``z``.  The base class wraps these three methods so
  that they accept scalars, lists and integer arrays, refuse non-numbers with a
  ``TypeError``, and give back scalars for scalars.  Return the dtype of ``z``.
* ``kinks(lo, hi)`` if the function has points where it is not differentiable,
* ``saturation(tol)`` in closed form if you know it (optional: the base class
  finds it numerically, and :func:`kit.check` checks the answer against the
  derivatives).  The base class checks ``lo``, ``hi`` and ``tol`` before your
  ``kinks`` and ``saturation`` run, so they receive floats,
* ``frameworks``: what PyTorch, TensorFlow and JAX return at the kinks, where
  those frameworks have the function.

Parameters are read as attributes (``self.alpha``).  To refuse a bad parameter
value, override ``__init__``, call ``super().__init__(**params)`` and raise
``ValueError`` naming the parameter.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kit._validate import number

__all__ = [
    "FRAMEWORKS",
    "KINK_RULES",
    "NAME_PATTERN",
    "SATURATION_TOL",
    "SCAN_GRID",
    "Activation",
    "Fixed",
    "KinkRule",
    "Rule",
    "as_float_array",
    "numerical_saturation",
    "validate_kink",
    "validate_tol",
    "within",
]

FRAMEWORKS: tuple[str, ...] = ("pytorch", "tensorflow", "jax")
"""Framework names accepted as a ``kink`` rule."""

KINK_RULES: tuple[str, ...] = ("left", "right", "mean")
"""Named rules accepted as a ``kink`` rule, besides a number t and a framework."""

SATURATION_TOL: float = 1e-3
"""The default saturation tolerance everywhere (contract, engine, plots, apps): |f'| <= 1e-3.

Below the smallest slope an activation keeps on purpose (leaky ReLU's 0.01), so a
unit that still learns, slowly, is never counted as saturated; sigmoid saturates
for |z| >= 6.9 and tanh for |z| >= 4.1 at this tolerance."""


@dataclass(frozen=True)
class Fixed:
    """A fixed derivative value used at a kink, whatever the one-sided limits.

    Frameworks sometimes return a value that is neither one-sided derivative,
    e.g. ``sign'(0) = 0`` where both one-sided derivatives are ``+inf``.
    ``value`` must be a real number (stored as a float); NaN input still
    gives NaN.

    Examples
    --------
    >>> import kit
    >>> sign = kit.get("sign")
    >>> sign.left_derivative(0.0), sign.right_derivative(0.0)
    (inf, inf)
    >>> sign.derivative(0.0, kink=Fixed(0.0)), sign.derivative(0.0, kink="mean")
    (0.0, inf)
    """

    value: float

    def __post_init__(self) -> None:
        value = _real(self.value, "Fixed: the value")
        if math.isnan(value):
            raise ValueError("Fixed: the value must be a number, got nan")
        object.__setattr__(self, "value", value)


Rule: TypeAlias = str | float | Fixed
"""One rule for the derivative at a kink (what ``kink=`` accepts): a name, a number t or a :class:`Fixed` value."""
KinkRule: TypeAlias = Rule | Mapping[float, Rule]
"""A kink rule: ``"left"``, ``"right"``, ``"mean"``, a number t in [0, 1]
meaning ``(1 - t) * left + t * right``, a :class:`Fixed` value, a framework
name, or (in ``frameworks``) a mapping from kink location to one of these."""

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
"""What an activation's name must match (it is also its entry-point name)."""

_RESERVED = {
    "name",
    "defaults",
    "formula",
    "frameworks",
    "params",
    "value",
    "left_derivative",
    "right_derivative",
    "derivative",
    "kinks",
    "saturation",
    "framework_rule",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def as_float_array(z: Any, what: str = "z") -> NDArray[np.floating]:
    """Return ``z`` as a floating numpy array, keeping a floating dtype.

    Integers and booleans become float64; float16, float32 and float64 are
    kept.  Anything else raises ``TypeError`` saying what was expected:
    non-numbers, complex numbers, ``np.longdouble`` (its precision differs
    between machines, and scipy's special functions refuse it), and masked
    arrays (whose mask plain numpy code drops; the activations' own methods
    take them and keep the mask).

    Examples
    --------
    >>> as_float_array([0, 1]).dtype
    dtype('float64')
    >>> as_float_array(np.float16(0.5)).dtype
    dtype('float16')
    >>> as_float_array(np.ones(2, dtype=np.longdouble))
    Traceback (most recent call last):
    ...
    TypeError: z: np.longdouble (float128) is not supported (its precision differs between machines); convert with z.astype(np.float64)
    """
    if isinstance(z, np.ma.MaskedArray):
        raise TypeError(
            f"{what}: a masked array would lose its mask here; pass z.filled(np.nan), or call the activation's "
            f"value/left_derivative/right_derivative/derivative, which keep the mask"
        )
    if isinstance(z, np.ndarray):
        arr = z if type(z) is np.ndarray else np.asarray(z)  # np.matrix and other subclasses: plain arrays
    elif isinstance(z, (str, bytes)):
        raise TypeError(f"{what}: expected real numbers (a float or an array of floats), got {type(z).__name__} {z!r}")
    else:
        try:
            arr = np.asarray(z)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{what}: expected real numbers (a float or an array of floats), got {type(z).__name__}"
            ) from exc
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype.itemsize <= 8:
        return arr
    if kind == "f":
        raise TypeError(
            f"{what}: np.longdouble ({arr.dtype}) is not supported (its precision differs between machines); "
            f"convert with z.astype(np.float64)"
        )
    if kind in "iub":
        return arr.astype(np.float64)
    raise TypeError(
        f"{what}: expected real numbers (a float or an array of floats), got {type(z).__name__} of dtype {arr.dtype}"
    )


def _elementwise(compute: Callable[[NDArray[np.floating]], Any], z: Any) -> Any:
    """``compute(as_float_array(z))``, given back as a Python float for a Python
    number, a numpy scalar for a numpy scalar, and as computed otherwise.

    A masked array is computed on its data with the masked entries filled
    with 0 (so they raise nothing and cost nothing), and given back masked
    where it was: the plugin's code only ever sees plain arrays."""
    if isinstance(z, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(z)
        data = as_float_array(np.ma.getdata(z))
        out = np.asarray(compute(np.where(mask, data.dtype.type(0), data)))
        return np.ma.MaskedArray(out, mask=mask.copy() if out.shape == mask.shape else np.ma.nomask)
    python_scalar = isinstance(z, (int, float)) and not isinstance(z, np.generic)
    out = compute(as_float_array(z))
    if not (python_scalar or isinstance(z, np.generic)) or np.ndim(out) != 0:
        return out
    out = np.asarray(out)
    return float(out) if python_scalar else out[()]


def _vectorised(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a plugin's ``method(self, z)`` so it takes any real input.

    :meth:`Activation.value_function` and :meth:`Activation.derivative_function`
    unwrap it, through ``__wrapped__`` when it is marked ``_kit_vectorised``, to
    call the plugin's array code directly.
    """
    if getattr(method, "_kit_vectorised", False):
        return method

    @functools.wraps(method)
    def wrapper(self: Activation, z: ArrayLike) -> Any:
        return _elementwise(lambda arr: method(self, arr), z)

    wrapper._kit_vectorised = True  # type: ignore[attr-defined]  # a marker on the function, read by _array_method
    return wrapper


def _real(x: Any, what: str) -> float:
    """``x`` as a float (±inf allowed), or ``ValueError`` unless it is a number (:mod:`kit._validate`)."""
    return number(what, x, finite=False)


def validate_tol(tol: Any) -> float:
    """``tol`` as a float, or ``ValueError`` unless it is a number >= 0.

    The base class applies it to every :meth:`Activation.saturation`, so a
    plugin's own ``saturation`` receives a checked float.

    Examples
    --------
    >>> validate_tol(0)
    0.0
    >>> validate_tol(-1e-3)
    Traceback (most recent call last):
    ...
    ValueError: tol must be a number >= 0, got -0.001
    """
    try:
        t = _real(tol, "tol")
    except ValueError:
        raise ValueError(f"tol must be a number >= 0, got {tol!r}") from None
    if not t >= 0:
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    return t


def _check_window(lo: Any = -math.inf, hi: Any = math.inf) -> tuple[float, float]:
    """``(lo, hi)`` as floats, or ``ValueError`` for a non-number or NaN end."""
    lo_f, hi_f = _real(lo, "lo"), _real(hi, "hi")
    if math.isnan(lo_f) or math.isnan(hi_f):
        raise ValueError(f"kinks(lo, hi) needs the ends of a window, got lo={lo!r}, hi={hi!r}")
    return lo_f, hi_f


_DEFAULT = object()


def _check_tol_arg(tol: Any = _DEFAULT) -> tuple[float, ...]:
    """``(tol,)`` checked, or ``()`` when it was not given (the plugin's default applies)."""
    return () if tol is _DEFAULT else (validate_tol(tol),)


def _checking(check: Callable[..., tuple[Any, ...]]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a plugin's method so that ``check`` vets its arguments, and turns them
    into floats, before the plugin's code runs."""

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        if getattr(method, "_kit_checked", False):
            return method

        @functools.wraps(method)
        def wrapper(self: Activation, *args: Any, **kwargs: Any) -> Any:
            return method(self, *check(*args, **kwargs))

        wrapper._kit_checked = True  # type: ignore[attr-defined]  # a marker on the function: wrapped once only
        return wrapper

    return wrap


def within(points: Any, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
    """Sorted float64 array of the ``points`` that lie in ``[lo, hi]``.

    A helper for :meth:`Activation.kinks`.

    Parameters
    ----------
    points : array_like
        Candidate kink locations, in any order.
    lo, hi : float
        The window, ends included.

    Examples
    --------
    ReLU6 has kinks at 0 and 6; asked about [-1, 1] it has one:

    >>> within([6.0, 0.0], -1, 1)
    array([0.])
    >>> within([], 0, 1)
    array([], dtype=float64)
    """
    lo, hi = _check_window(lo, hi)
    pts = np.sort(np.asarray(points, dtype=np.float64).ravel())
    return pts[(pts >= lo) & (pts <= hi)]


def validate_kink(kink: object) -> Rule:
    """Return ``kink`` if it is a valid kink rule, else raise ``ValueError``.

    Valid: ``"left"``, ``"right"``, ``"mean"``, a framework name (see
    :data:`FRAMEWORKS`), a real number t in [0, 1], or a :class:`Fixed` value.

    Examples
    --------
    >>> validate_kink(0.5)
    0.5
    >>> validate_kink("middle")
    Traceback (most recent call last):
    ...
    ValueError: kink must be 'left', 'right', 'mean', a number t in [0, 1], a kit.Fixed value, or one of 'pytorch', 'tensorflow', 'jax'; got 'middle'
    """
    allowed = (
        f"kink must be 'left', 'right', 'mean', a number t in [0, 1], a kit.Fixed value, or one of "
        f"{', '.join(repr(f) for f in FRAMEWORKS)}; got {kink!r}"
    )
    if isinstance(kink, Fixed):
        return kink
    if isinstance(kink, str):
        if kink in KINK_RULES or kink in FRAMEWORKS:
            return kink
        raise ValueError(allowed)
    if isinstance(kink, (int, float, np.integer, np.floating)) and not isinstance(kink, (bool, np.bool_)):
        t = float(kink)
        if 0.0 <= t <= 1.0:
            return t
    raise ValueError(allowed)


def _combine(left: NDArray, right: NDArray, rule: Rule) -> NDArray:
    """The derivative a rule picks from the two one-sided derivatives."""
    if isinstance(rule, Fixed):  # NaN in, NaN out: left is NaN exactly where z is
        return np.where(np.isnan(left), left, np.asarray(rule.value, dtype=np.result_type(left)))
    if rule == "left" or rule == 0.0:
        return left
    if rule == "right" or rule == 1.0:
        return right
    t = 0.5 if rule == "mean" else float(rule)
    dtype = np.result_type(left)
    return (1 - t) * left + np.asarray(t, dtype=dtype) * right


class Activation:
    """Base class of every activation: built-ins, plugins and notebook ones.

    Parameters
    ----------
    **params
        Values for the parameters named in ``defaults``.  An unknown name
        raises ``TypeError``; a non-finite or non-real value ``ValueError``.

    Attributes
    ----------
    name : str
        The activation's name (``[a-z][a-z0-9_]*``).
    defaults : dict
        Class-level parameters and their defaults, ``{}`` when there are none.
    formula : str
        LaTeX for display, may be empty.
    frameworks : dict
        What each framework's autodiff returns at this function's kinks:
        ``{"pytorch": "left", "jax": {-1.0: "right", 1.0: "left"}}``.  Omit a
        framework that does not have the function.

    Examples
    --------
    ReLU has a kink at 0, where its one-sided derivatives differ:

    >>> import kit
    >>> relu = kit.get("relu")
    >>> relu.left_derivative(0.0), relu.right_derivative(0.0)
    (0.0, 1.0)
    >>> relu.derivative(0.0, kink="mean"), relu.derivative(0.0, kink=0.25)
    (0.5, 0.25)
    >>> relu.kinks(-10, 10)
    array([0.])
    >>> relu.saturation(tol=0)
    [(-inf, 0.0)]
    """

    name: ClassVar[str] = ""
    defaults: ClassVar[Mapping[str, float]] = {}
    formula: ClassVar[str] = ""
    frameworks: ClassVar[Mapping[str, KinkRule]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = _snake(cls.__name__)
        # the base class checks the arguments before a plugin's code runs
        for meth, wrap in _WRAPPERS.items():
            if meth in cls.__dict__:
                wrapped = wrap(cls.__dict__[meth])
                if wrapped.__doc__ is None:  # help() shows the contract
                    wrapped.__doc__ = getattr(Activation, meth).__doc__
                setattr(cls, meth, wrapped)
        final = sorted(m for m in _FINAL if m in cls.__dict__)
        if final:
            raise TypeError(
                f"{cls.__name__}: {', '.join(final)} is given by kit.Activation and cannot be overridden; "
                "define value, left_derivative and right_derivative (and kinks), and the kink rule does the rest"
            )
        clash = sorted(k for k in cls.defaults if k in _RESERVED or (isinstance(k, str) and k.startswith("_")))
        if clash:
            raise TypeError(f"{cls.__name__}: parameter names {clash} are reserved by kit.Activation")

    def __init__(self, **params: float) -> None:
        cls = type(self)
        unknown = set(params) - set(cls.defaults)
        if unknown:
            valid = ", ".join(cls.defaults) or "none"
            raise TypeError(
                f"{cls.name or cls.__name__}: unknown parameter(s) {', '.join(sorted(unknown))}; valid parameters: {valid}"
            )
        checked: dict[str, float] = {}
        for key, val in {**cls.defaults, **params}.items():
            number = _real(val, f"{cls.name}: parameter {key}")
            if not math.isfinite(number):
                raise ValueError(f"{cls.name}: parameter {key} must be finite, got {val!r}")
            default = cls.defaults[key]
            if isinstance(default, int) and not isinstance(default, bool):
                if not number.is_integer():
                    raise ValueError(f"{cls.name}: parameter {key} must be a whole number, got {val!r}")
                checked[key] = int(number)
            else:
                checked[key] = number
        self._params = checked
        for key, val in checked.items():
            setattr(self, key, val)

    # -- the function and its one-sided derivatives -------------------------
    def value(self, z: ArrayLike) -> Any:
        """f(z), elementwise: same shape and floating dtype as ``z``.

        Parameters
        ----------
        z : array_like or float
            Real numbers; integers become float64.  NaN gives NaN, +-inf the limit.

        Examples
        --------
        >>> import kit
        >>> kit.get("relu").value([-1.0, 0.0, 2.0])
        array([0., 0., 2.])
        """
        raise NotImplementedError(f"{type(self).__name__} must define value(z)")

    def left_derivative(self, z: ArrayLike) -> Any:
        """lim_{h -> 0+} (f(z) - f(z - h)) / h, elementwise.

        ``+inf`` (or ``-inf``) on the side where f jumps.

        Examples
        --------
        At ReLU's kink the slope from the left is that of the dead piece; the
        step jumps up at 0 coming from the left:

        >>> import kit
        >>> kit.get("relu").left_derivative([-1.0, 0.0, 1.0])
        array([0., 0., 1.])
        >>> kit.get("step").left_derivative(0.0)
        inf
        """
        raise NotImplementedError(f"{type(self).__name__} must define left_derivative(z)")

    def right_derivative(self, z: ArrayLike) -> Any:
        """lim_{h -> 0+} (f(z + h) - f(z)) / h, elementwise.

        ``+inf`` (or ``-inf``) on the side where f jumps.

        Examples
        --------
        >>> import kit
        >>> kit.get("relu").right_derivative([-1.0, 0.0, 1.0])
        array([0., 1., 1.])
        >>> kit.get("step").right_derivative(0.0)   # H(0) = 1: continuous from the right
        0.0
        """
        raise NotImplementedError(f"{type(self).__name__} must define right_derivative(z)")

    def __call__(self, z: ArrayLike) -> Any:
        return self.value(z)

    def kinks(self, lo: float = -math.inf, hi: float = math.inf) -> NDArray[np.float64]:
        """Sorted float64 array of the points in ``[lo, hi]`` where f is not differentiable.

        A kink is where the one-sided derivatives differ or f jumps.  Default:
        none.  Use :func:`within` to filter a list of points.  A function with
        infinitely many kinks (a staircase) answers for the window asked about
        and may refuse an unbounded one with ``ValueError``.  The base class
        refuses a window end that is not a number before the plugin's code runs.

        Examples
        --------
        >>> import kit
        >>> kit.get("relu6").kinks()
        array([0., 6.])
        >>> kit.get("relu6").kinks(-1, 1)
        array([0.])
        >>> kit.get("tanh").kinks()
        array([], dtype=float64)
        """
        return np.empty(0, dtype=np.float64)

    def saturation(self, tol: float = SATURATION_TOL) -> list[tuple[float, float]]:
        """Open intervals ``(lo, hi)`` on which both one-sided |f'| are <= ``tol``.

        ``tol=0`` gives the dead region, where the gradient is exactly zero and
        gradient descent learns nothing.  Ends may be ``-inf``/``inf``; the
        intervals are sorted and disjoint.  The base class checks ``tol`` (a
        number >= 0, else ``ValueError``) before the plugin's code runs.

        The answer holds *almost everywhere*: a declared kink inside an
        interval (a point of measure zero, listed by :meth:`kinks`) may have a
        larger one-sided derivative.  A function with finitely many such points
        may split the interval there (``step`` answers
        ``[(-inf, 0.0), (0.0, inf)]``); one with infinitely many cannot list the
        pieces and keeps the interval whole (a staircase's dead region is
        ``[(-inf, inf)]``: zero gradient wherever the gradient exists).

        The base class finds the intervals numerically (:func:`numerical_saturation`);
        subclasses may answer in closed form, and :func:`kit.check` checks the
        answer against the derivatives.

        Examples
        --------
        >>> import kit
        >>> kit.get("relu").saturation(tol=0)        # the dead region: z < 0
        [(-inf, 0.0)]
        >>> kit.get("leaky_relu").saturation(tol=0)  # never dead
        []
        >>> [(round(a, 3), round(b, 3)) for a, b in kit.get("sigmoid").saturation(tol=1e-3)]
        [(-inf, -6.906), (6.906, inf)]
        """
        return numerical_saturation(self, tol)

    # -- given by the base class ---------------------------------------------
    @property
    def params(self) -> dict[str, float]:
        """The parameters in force, as a new dict.

        Examples
        --------
        >>> import kit
        >>> kit.get("leaky_relu", alpha=0.1).params
        {'alpha': 0.1}
        """
        return dict(self._params)

    def framework_rule(self, framework: str) -> KinkRule:
        """The kink rule that ``framework``'s autodiff applies to this function.

        Raises ``ValueError`` if the framework does not have this function
        (and the function has kinks, so the choice would matter).

        Examples
        --------
        >>> import kit
        >>> kit.get("hard_tanh").framework_rule("jax")   # the inside slope at both kinks
        {-1.0: 'right', 1.0: 'left'}
        >>> kit.get("step").framework_rule("tensorflow")
        Traceback (most recent call last):
        ...
        ValueError: step: what tensorflow returns at its kinks is not recorded ...; choose ...
        """
        if framework not in FRAMEWORKS:
            raise ValueError(f"unknown framework {framework!r}; known: {', '.join(FRAMEWORKS)}")
        if framework in self.frameworks:
            return self.frameworks[framework]
        if _smooth(self):
            return "left"  # no kinks: every rule gives the same derivative
        raise ValueError(
            f"{self.name}: what {framework} returns at its kinks is not recorded "
            f"({framework} may not have this function); choose 'left', 'right', 'mean' or t in [0, 1]"
        )

    def derivative(self, z: ArrayLike, kink: Rule = "left") -> Any:
        """The derivative gradient descent uses.

        Equal to both one-sided derivatives where they agree; at a kink, what
        the ``kink`` rule picks.  Given by the base class and final: a subclass
        that defines it is refused with ``TypeError``.

        Parameters
        ----------
        z : array_like or float
            Where to take it; shape, dtype and scalar-ness are kept as by
            :meth:`value`.
        kink : str, float or Fixed, default "left"
            ``"left"``, ``"right"``, ``"mean"``, a number t in [0, 1] meaning
            ``(1 - t) * left + t * right`` (for ReLU, t is ReLU'(0)), a
            :class:`Fixed` value, or a framework's name (``"pytorch"``,
            ``"tensorflow"``, ``"jax"``), which picks what that framework's
            autodiff returns there (``ValueError`` if it is not recorded).

        Examples
        --------
        >>> import kit
        >>> relu = kit.get("relu")
        >>> [relu.derivative(0.0, kink=k) for k in ("left", "right", "mean", 0.3)]
        [0.0, 1.0, 0.5, 0.3]
        >>> relu.derivative([-1.0, 2.0], kink="right")  # away from the kink all agree
        array([0., 1.])
        >>> leaky = kit.get("leaky_relu", alpha=0.1)
        >>> leaky.derivative(0.0, kink="pytorch"), leaky.derivative(0.0, kink="jax")
        (0.1, 1.0)
        """
        return _elementwise(self.derivative_function(kink), z)

    def derivative_function(self, kink: Rule = "left") -> Callable[[NDArray], NDArray]:
        """The function ``z -> derivative(z, kink=kink)`` on floating arrays, the rule resolved once.

        For code that takes the derivative many times on arrays of one dtype
        (the engine's backward pass): the returned function takes a floating
        ndarray and returns one of its shape and dtype, without the scalar and
        list conversions of :meth:`derivative`, and calls the plugin's own array
        code (for ``"left"``, ``"right"``, t = 0 or 1 just one of its methods).
        Given by the base class: do not override it.

        Examples
        --------
        >>> import numpy as np, kit
        >>> d = kit.get("relu").derivative_function("mean")
        >>> d(np.array([-1.0, 0.0, 2.0], dtype=np.float32))
        array([0. , 0.5, 1. ], dtype=float32)
        """
        rule: KinkRule = validate_kink(kink)
        if isinstance(rule, str) and rule in FRAMEWORKS:
            rule = self.framework_rule(rule)
        left = self._array_method("left_derivative")
        if not isinstance(rule, Mapping) and (rule == "left" or rule == 0.0):
            return left
        right = self._array_method("right_derivative")
        if not isinstance(rule, Mapping) and (rule == "right" or rule == 1.0):
            return right
        if isinstance(rule, Mapping):
            at = [(where, sub) for where, sub in rule.items() if not (sub == "left" or sub == 0.0)]

            def per_kink(z: NDArray) -> NDArray:
                lo = np.asarray(left(z))
                out, hi = lo, np.asarray(right(z))
                for where, sub in at:
                    out = np.where(z == where, _combine(lo, hi, sub), out)
                return out

            return per_kink
        chosen: Rule = rule

        def combined(z: NDArray) -> NDArray:
            lo, hi = np.asarray(left(z)), np.asarray(right(z))
            # infinite on both sides (sign at 0) is not differentiable either: apply the rule there too
            return np.where((lo == hi) & ~np.isinf(lo), lo, _combine(lo, hi, chosen))

        return combined

    def value_function(self) -> Callable[[NDArray], NDArray]:
        """The function ``z -> value(z)`` on floating arrays, without :meth:`value`'s conversions.

        The engine's forward pass calls it; see :meth:`derivative_function`.

        Examples
        --------
        >>> import numpy as np, kit
        >>> kit.get("relu").value_function()(np.array([-1.0, 2.0]))
        array([0., 2.])
        """
        return self._array_method("value")

    def _array_method(self, name: str) -> Callable[[NDArray], NDArray]:
        """The plugin's own array code for ``name`` (the method the base class wrapped), or the method."""
        method = getattr(type(self), name)
        inner = getattr(method, "__wrapped__", None)
        if callable(inner) and getattr(method, "_kit_vectorised", False) and name not in self.__dict__:
            return inner.__get__(self)
        return getattr(self, name)

    # -- Python protocol -----------------------------------------------------
    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{self.name}({args})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.name == self.name and other._params == self._params

    def __hash__(self) -> int:
        return hash((type(self), self.name, tuple(sorted(self._params.items()))))


_FINAL = ("derivative", "derivative_function", "value_function", "_array_method")

_WRAPPERS: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "value": _vectorised,
    "left_derivative": _vectorised,
    "right_derivative": _vectorised,
    "kinks": _checking(_check_window),
    "saturation": _checking(_check_tol_arg),
}
# the base class's own kinks() and saturation() check their arguments too, so that a plugin
# that keeps the defaults refuses kinks(nan, 1) exactly as one that overrides them
Activation.kinks = _WRAPPERS["kinks"](Activation.kinks)  # type: ignore[method-assign]  # wrapped as a plugin's is
Activation.saturation = _WRAPPERS["saturation"](Activation.saturation)  # type: ignore[method-assign]  # (see above)


def _smooth(act: Activation) -> bool:
    """True if ``act`` declares no kink in [-1e3, 1e3] (a staircase has millions in a wider window)."""
    try:
        return act.kinks(-1e3, 1e3).size == 0
    except Exception:
        return False


# -- numerical saturation ------------------------------------------------------

SCAN_HALF_WIDTH = 50.0
"""Half-width of the dense part of :data:`SCAN_GRID`."""
SCAN_GRID = np.unique(
    np.concatenate(
        [
            np.linspace(-SCAN_HALF_WIDTH, SCAN_HALF_WIDTH, 20001),
            np.geomspace(SCAN_HALF_WIDTH, 1e300, 600),
            -np.geomspace(SCAN_HALF_WIDTH, 1e300, 600),
        ]
    )
)
"""The points :func:`numerical_saturation` (and the saturation check) scan: [-50, 50] in steps of
0.005 and a geometric grid from 50 to 1e300 on each side."""


def _grad_bound(act: Activation, x: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(all="ignore"):
        left = np.abs(np.asarray(act.left_derivative(x), dtype=np.float64))
        right = np.abs(np.asarray(act.right_derivative(x), dtype=np.float64))
    return np.fmax(left, right)


def _ordered(x: float) -> int:
    """An integer for the float64 ``x`` that orders as the floats do (-0.0 and 0.0 share 0)."""
    bits = int(np.array([x], dtype=np.float64).view(np.int64)[0])
    return bits if bits >= 0 else -(bits & 0x7FFFFFFFFFFFFFFF)


def _unordered(k: int) -> float:
    mag = float(np.array([abs(k)], dtype=np.int64).view(np.float64)[0])
    return mag if k >= 0 else -mag


def _bisect(act: Activation, inside: float, outside: float, tol: float) -> float:
    """Last float64 from ``inside`` (saturated) towards ``outside`` that is saturated.

    Bisects over the floats themselves (their ordered bit patterns), so it
    ends within one float of the edge in at most 64 steps, however far apart
    the two points are in magnitude (tanh shrink's dead band is 1.5e-162 wide).
    """
    lo, hi = _ordered(inside), _ordered(outside)
    while abs(hi - lo) > 1:
        mid = (lo + hi) // 2
        if _grad_bound(act, np.array([_unordered(mid)]))[0] <= tol:
            lo = mid
        else:
            hi = mid
    return _unordered(lo)


def numerical_saturation(act: Activation, tol: float = SATURATION_TOL) -> list[tuple[float, float]]:
    """Saturation intervals of ``act`` found numerically.

    Scans [-50, 50] in steps of 0.005 plus a geometric grid out to ±1e300, then
    refines each end by bisection; an end within 1e-9 of a kink is snapped to
    it, and a run that reaches the end of the grid extends to infinity.  The
    answer holds almost everywhere, as the contract asks: a declared kink
    (``kinks()``, a set of measure zero) never splits an interval, so a
    staircase's or floor's dead region is ``[(-inf, inf)]`` although each step
    has an infinite one-sided derivative, and an isolated point where the
    derivative happens to be 0 (hard swish's minimum) makes no interval.
    What is narrower than the grid step may be missed.

    Examples
    --------
    >>> import kit
    >>> numerical_saturation(kit.get("relu"), tol=0)
    [(-inf, 0.0)]
    >>> numerical_saturation(kit.get("step"), tol=0)    # the jump at 0 is a declared kink
    [(-inf, inf)]
    """
    tol = validate_tol(tol)
    sat = _grad_bound(act, SCAN_GRID) <= tol
    keep = ~_declared(act, SCAN_GRID, ~sat)  # a declared kink is measure zero: it decides nothing
    x, sat = SCAN_GRID[keep], sat[keep]
    if not sat.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], sat.astype(np.int8), [0]])))
    out: list[tuple[float, float]] = []
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        lo = -math.inf if start == 0 else _bisect(act, x[start], x[start - 1], tol)
        hi = math.inf if stop == len(x) else _bisect(act, x[stop - 1], x[stop], tol)
        lo, hi = _snap(act, lo), _snap(act, hi)
        if lo < hi:  # a single point (a run of one grid point that bisection cannot widen) is measure zero
            out.append((lo, hi))
    return out


def _kinks_or_none(act: Activation, lo: float, hi: float) -> NDArray[np.float64] | None:
    """``act.kinks(lo, hi)`` as a sorted float64 array, or None if the plugin cannot answer."""
    try:
        return np.sort(np.asarray(act.kinks(lo, hi), dtype=np.float64).ravel())
    except Exception:
        return None


_DECLARED_CHUNK = 256


def _declared(act: Activation, x: NDArray[np.float64], ask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Which of the sorted points ``x[ask]`` are declared kinks (the others are reported False).

    The points asked about are taken in runs of neighbours on the grid, at most
    256 at a time, and each run costs one ``kinks(first, last)`` call, a lone
    point ``kinks(x, x)``; so a function with millions of kinks where it is
    saturated anyway (a fine staircase) is never asked to list them all.  A run
    the plugin refuses (too many kinks) is asked point by point.
    """
    out = np.zeros(x.shape, dtype=bool)
    idx = np.flatnonzero(ask)
    if not idx.size:
        return out
    breaks = np.flatnonzero(np.diff(idx) > 1) + 1
    for run in np.split(idx, breaks):
        for start in range(0, run.size, _DECLARED_CHUNK):
            chunk = run[start : start + _DECLARED_CHUNK]
            found = _kinks_or_none(act, float(x[chunk[0]]), float(x[chunk[-1]]))
            if found is not None:
                out[chunk] = np.isin(x[chunk], found)
                continue
            for i in chunk:
                one = _kinks_or_none(act, float(x[i]), float(x[i]))
                out[i] = one is not None and one.size > 0
    return out


def _snap(act: Activation, point: float) -> float:
    """``point``, or the declared kink within 1e-9 (1 + |k|) of it."""
    if math.isfinite(point):
        reach = 1e-9 * (1 + abs(point))
        near = _kinks_or_none(act, point - reach, point + reach)
        if near is not None and near.size:
            return float(near[np.argmin(np.abs(near - point))])
    return float(point)
