"""The network: :class:`MLP`, a fully connected net whose hidden layers use activation plugins.

Part of the engine; see :mod:`kit.nn` for the conventions (dtypes, how float16
matrix products are rounded, what the kink rule changes).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kit._validate import in_dtype, integer, number
from kit.activation import Activation
from kit.nn import init as _init
from kit.nn import losses as _losses
from kit.nn import memory as _memory
from kit.registry import resolve

__all__ = ["ACCUMULATE", "DTYPES", "MLP", "ROUNDING", "ROUNDINGS"]

DTYPES: tuple[str, ...] = ("float16", "float32", "float64")
"""The dtypes a network can compute in."""

ActivationSpec = Any
"""``"relu"``, ``("leaky_relu", {"alpha": 0.1})`` or an :class:`~kit.Activation` instance."""


# -- checking arguments ----------------------------------------------------------


def _dtype(dtype: Any) -> np.dtype:
    try:
        dt = None if dtype is None else np.dtype(dtype)  # np.dtype(None) would be float64
    except TypeError:
        dt = None
    if dt is None or dt.name not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    return dt








def _per_layer(spec: Any, n: int, what: str) -> list[Any]:
    """One spec per hidden layer: a list must have n entries, anything else is repeated."""
    if isinstance(spec, list):
        if len(spec) != n:
            raise ValueError(f"{what}: got a list of {len(spec)} for {n} hidden layer(s); give one per hidden layer")
        return list(spec)
    return [spec] * n


def _check_inputs(X: ArrayLike, n_in: int) -> NDArray:
    """``X`` as a 2-D array of real numbers with ``n_in`` columns (a 1-D ``X`` is a column if
    ``n_in`` is 1), else one clear error."""
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim == 1 and n_in == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != n_in:
        raise ValueError(f"X must have shape (n, {n_in}) for this network, got {arr.shape}")
    return arr


def _accumulate(accumulate: str | None, dtype: np.dtype, current: str | None = None) -> str | None:
    """The float16 accumulation mode for a network of ``dtype`` (None for other dtypes)."""
    if accumulate is not None and accumulate not in ACCUMULATE:
        raise ValueError(f"accumulate must be None, 'float32' or 'float16', got {accumulate!r}")
    if accumulate is not None and dtype != np.float16:
        raise ValueError(f"accumulate applies to float16 networks only; this one is {dtype.name}")
    if dtype != np.float16:
        return None
    return accumulate or current or "float32"


# -- matrix products ---------------------------------------------------------------

ACCUMULATE: tuple[str, ...] = ("float32", "float16")
"""float16 matrix-product modes: accumulate in float32 and round once, or round each step."""

ROUNDINGS: tuple[str, ...] = ("native", "perturbed")
"""How float32/float64 matrix products are rounded: by this machine's BLAS, or another way.

``KIT_ROUNDING=perturbed`` (read once, when :mod:`kit.nn` is imported) emulates a
machine whose BLAS kernel rounds differently, to test that a lesson's claims do
not depend on the last bits of one CPU: float32 products are computed in float64
and rounded once (the correctly rounded dot product, which no BLAS kernel
computes exactly), float64 products sum the two halves of the inner dimension
separately (another kernel's blocking).  float16 products never use BLAS and are
the same on every machine, so they are left alone."""

ROUNDING: str = os.environ.get("KIT_ROUNDING", "native") or "native"
if ROUNDING not in ROUNDINGS:
    raise ValueError(f"KIT_ROUNDING must be one of {', '.join(ROUNDINGS)}, got {ROUNDING!r}")


def _matmul_perturbed(a: NDArray, b: NDArray, out: NDArray | None = None) -> NDArray:
    """a @ b rounded another way than this machine's BLAS (see :data:`ROUNDING`)."""
    if a.dtype == np.float32:
        result = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)
    else:
        h = a.shape[1] // 2
        result = a[:, :h] @ b[:h] + a[:, h:] @ b[h:] if h else a @ b
    if out is None:
        return result
    out[...] = result
    return out


_F16_CHUNK = 1 << 17
"""float32 products held at once by :func:`_matmul_float16` (512 KiB, the fastest block here)."""


def _matmul_float16(a: NDArray, b: NDArray, out: NDArray | None = None) -> NDArray:
    """float16 ``a @ b`` bit for bit as ``np.matmul`` computes it, without its scalar loop.

    numpy's float16 matmul (no BLAS) converts each element to float32, accumulates
    ``sum += a[i, k] * b[k, j]`` in float32 in k order from +0, and rounds to float16
    once.  Each product of two float16 numbers is exact in float32, so the same
    sums come out of float32 products of a block of k, ``P[k, i, j]``, summed over
    k by ``np.add.reduce`` along the outer axis (one float32 addition per k, in k
    order, for every (i, j) at once), the running sum carried in ``P[0]`` from one
    block to the next.  Small products, and those numpy's reduction could sum in
    another order (fewer than 16 outputs: a single-column reduction is summed
    pairwise), are left to ``np.matmul`` itself, and so are the rows with a NaN
    result: which of two NaNs an addition keeps (their sign and payload) depends
    on the order of its operands in the compiled code.
    """
    m, k = a.shape
    n = b.shape[1]
    if m * n < 16 or k < 2 or m * k * n <= 2048:
        return np.matmul(a, b, out=out)
    at = a.T.astype(np.float32)  # (k, m): row k holds column k of a
    bt = b.astype(np.float32)
    kc = max(1, min(k, _F16_CHUNK // (m * n)))
    buf = np.empty((kc + 1, m, n), dtype=np.float32)
    buf[0] = 0.0
    acc = np.empty((m, n), dtype=np.float32)
    for j in range(0, k, kc):
        c = min(kc, k - j)
        np.multiply(at[j : j + c, :, None], bt[j : j + c, None, :], out=buf[1 : c + 1])
        np.add.reduce(buf[: c + 1], axis=0, out=acc)
        if j + c < k:
            buf[0] = acc
    result = acc.astype(np.float16) if out is None else out
    if out is not None:
        np.copyto(out, acc, casting="unsafe")
    nan_rows = np.isnan(acc).any(axis=1)
    if nan_rows.any():
        rows = np.flatnonzero(nan_rows)
        result[rows] = np.matmul(a[rows], b)
    return result


def _matmul_round_each(a: NDArray, b: NDArray, out: NDArray | None = None) -> NDArray:
    """float16 a @ b with a float16 accumulator rounded after every multiply-add."""
    a64 = a.astype(np.float64)
    b64 = b.astype(np.float64)
    acc = np.zeros((a.shape[0], b.shape[1]), dtype=np.float16)
    for k in range(a.shape[1]):
        acc = (acc.astype(np.float64) + a64[:, k : k + 1] * b64[k : k + 1, :]).astype(np.float16)
    if out is None:
        return acc
    out[...] = acc
    return out


# -- one buffer for many arrays ------------------------------------------------------

_ALIGN = 64
"""Bytes: each array of a :func:`flat_views` buffer starts at a multiple of this (a cache line)."""


def flat_views(shapes: Sequence[tuple[int, ...]], dtype: np.dtype) -> tuple[NDArray, list[NDArray]]:
    """One zeroed buffer and C-contiguous views of it of ``shapes``, each starting at a multiple of
    64 bytes (the gaps stay zero): an update or a check of all the arrays is one numpy call.

    Examples
    --------
    >>> flat, (w, b) = flat_views([(2, 3), (3,)], np.dtype("float32"))
    >>> w[...] = 1; b[...] = 2; float(flat.sum()), flat.size
    (12.0, 32)
    """
    per = max(1, _ALIGN // dtype.itemsize)
    starts, end = [], 0
    for shape in shapes:
        starts.append(end)
        end += -(-int(np.prod(shape, dtype=np.int64)) // per) * per
    raw = np.zeros(end + per, dtype=dtype)
    skip = (-raw.ctypes.data % _ALIGN) // dtype.itemsize
    flat = raw[skip : skip + end]
    views = [flat[o : o + int(np.prod(shape, dtype=np.int64))].reshape(shape) for o, shape in zip(starts, shapes,
                                                                                                  strict=True)]
    return flat, views


def is_flat(flat: NDArray | None, arrays: Sequence[NDArray]) -> bool:
    """Whether every one of ``arrays`` still lies inside ``flat`` (not replaced by another array)."""
    if flat is None:
        return False
    lo = flat.ctypes.data
    hi = lo + flat.nbytes
    return all(a.base is flat.base and a.flags.c_contiguous and a.dtype == flat.dtype
               and lo <= a.ctypes.data and a.ctypes.data + a.nbytes <= hi for a in arrays)


# -- the network ------------------------------------------------------------------


class MLP:
    """A fully connected network: hidden layers with plugin activations, a linear output.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``[2, 16, 16, 1]``; at least two,
        each > 0.
    activation : str, (str, dict), Activation, or a list of these
        The hidden layers' activation, any registered plugin (``kit.names()``),
        with parameters as ``("leaky_relu", {"alpha": 0.1})``; a list gives one
        per hidden layer.
    kink : kink rule or a list of them
        What the backward pass uses at a kink: anything
        :meth:`kit.Activation.derivative` accepts (``"left"``, ``"right"``,
        ``"mean"``, t in [0, 1], ``kit.Fixed(v)``, ``"pytorch"``,
        ``"tensorflow"``, ``"jax"``); a list gives one per hidden layer.
    init : str or (str, dict)
        ``"he"``, ``"xavier"``, ``"lecun"``, ``("normal", {"std": 0.1})``,
        ``("uniform", {"limit": 0.1})`` or ``"rai"`` (see :mod:`kit.nn.init`).
    bias : float
        Initial value of the hidden layers' biases (0: zero bias; e.g. 0.1 for
        positive bias).  The output bias starts at 0.  Ignored by ``"rai"``.
    dtype : {"float32", "float16", "float64"}
        The dtype of every computation.
    seed : int or None
        Seed of the generator that draws the weights.
    accumulate : {"float32", "float16"} or None
        float16 networks only: how matrix products are rounded (see the module
        docstring).  None means ``"float32"``.

    Attributes
    ----------
    W, b : list of ndarray
        Weights and biases per layer (views of one buffer).
    layer_values, layer_derivatives : list of callable
        Per hidden layer, ``f(z)`` and ``f'(z)`` under that layer's kink rule
        (:meth:`kit.Activation.value_function`,
        :meth:`kit.Activation.derivative_function`): what the forward and
        backward passes, the trainer and the diagnostics call.

    Examples
    --------
    >>> import numpy as np
    >>> from kit import nn
    >>> net = nn.MLP([2, 3, 1], activation="relu", dtype="float64", seed=0)
    >>> net.layer_derivatives[0](np.array([-1.0, 0.0, 1.0]))  # ReLU'(0) = 0 under kink="left"
    array([0., 0., 1.])
    >>> net.forward(np.zeros((4, 2))).shape
    (4, 1)
    >>> net
    MLP([2, 3, 1], activation=relu(), kink='left', init='he', dtype=float64)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: ActivationSpec = "relu",
        kink: Any = "left",
        init: Any = "he",
        bias: float = 0.0,
        dtype: Any = "float32",
        seed: int | None = 0,
        accumulate: str | None = None,
    ) -> None:
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
            raise ValueError(f"sizes must be a list of at least two layer widths, e.g. [2, 16, 1]; got {sizes!r}")
        self.sizes: tuple[int, ...] = tuple(integer(f"sizes[{i}]", s, lowest=1) for i, s in enumerate(sizes))
        n_hidden = len(self.sizes) - 2
        self.dtype: np.dtype = _dtype(dtype)
        self.accumulate: str | None = _accumulate(accumulate, self.dtype)
        init_name, _ = _init.parse(init)
        self.init = init
        self.bias = in_dtype("bias", number("bias", bias), self.dtype)
        count = _memory.parameters_bytes(self.sizes, self.dtype) // self.dtype.itemsize
        _memory.check(f"MLP({list(self.sizes)}) in {self.dtype.name} ({count:,} parameters)",
                      _memory.network_bytes(self.sizes, self.dtype), "use fewer or narrower layers")
        if seed is not None:
            integer("seed", seed, lowest=0)
        self.seed = seed
        self.activations: list[Activation] = [resolve(a) for a in _per_layer(activation, n_hidden, "activation")]
        self.kink = kink
        self.kink_rules: list[Any] = _per_layer(kink, n_hidden, "kink")
        self._build_derivatives()
        rng = np.random.default_rng(seed)
        self.W: list[NDArray] = []
        self.b: list[NDArray] = []
        for i, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:], strict=True)):
            last = i == len(self.sizes) - 2
            W, b = _init.draw(init, fan_in, fan_out, rng, bias=0.0 if last else self.bias)
            if last and init_name == "rai":  # the output layer is linear: no dying to prevent there
                b[:] = 0.0
            with np.errstate(over="ignore"):
                W, b = W.astype(self.dtype), b.astype(self.dtype)
            if not (np.isfinite(W).all() and np.isfinite(b).all()):
                raise ValueError(f"init={init!r}: the initial weights of layer {i + 1} are beyond {self.dtype.name} "
                                 f"(largest finite value {float(np.finfo(self.dtype).max):.3g}); choose a smaller scale")
            self.W.append(W)
            self.b.append(b)
        self._flatten()
        self.preprocess: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None
        """``(a, c)``: inputs are mapped to ``x * a + c`` (float64) before the cast, or None."""

    # -- set-up ------------------------------------------------------------------
    def _flatten(self) -> None:
        """Move the weights into one buffer (``self._flat``; ``W`` and ``b`` become views of it)."""
        shapes = []
        for W, b in zip(self.W, self.b, strict=True):
            shapes += [W.shape, b.shape]
        self._flat, views = flat_views(shapes, self.dtype)
        for i, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            views[2 * i][...] = W
            views[2 * i + 1][...] = b
        self.W, self.b = views[0::2], views[1::2]

    def _build_derivatives(self) -> None:
        self.layer_values = [act.value_function() for act in self.activations]
        self.layer_derivatives = [act.derivative_function(k)
                                  for act, k in zip(self.activations, self.kink_rules, strict=True)]
        probe = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0], dtype=self.dtype)
        for act, fv, fd in zip(self.activations, self.layer_values, self.layer_derivatives, strict=True):
            for what, f in (("value", fv), ("derivative", fd)):
                with np.errstate(all="ignore"):
                    out = f(probe)
                if not isinstance(out, np.ndarray) or out.shape != probe.shape or out.dtype != probe.dtype:
                    got = f"{type(out).__name__} {getattr(out, 'dtype', '')} {getattr(out, 'shape', '')}".strip()
                    raise TypeError(
                        f"activation {act.name!r}: {what}(z) of a {self.dtype.name} array of shape {probe.shape} "
                        f"returned {got}; a plugin must return the shape and dtype of z"
                    )

    @property
    def n_hidden(self) -> int:
        """Number of hidden layers."""
        return len(self.sizes) - 2

    @property
    def n_params(self) -> int:
        """Number of trainable numbers (weights and biases)."""
        return sum(W.size + b.size for W, b in zip(self.W, self.b, strict=True))

    def parameters(self) -> list[NDArray]:
        """The live parameter arrays ``[W0, b0, W1, b1, ...]`` (optimisers update these in place)."""
        out: list[NDArray] = []
        for W, b in zip(self.W, self.b, strict=True):
            out += [W, b]
        return out

    def get_weights(self) -> list[tuple[NDArray, NDArray]]:
        """Copies of ``(W, b)`` for each weight layer."""
        return [(W.copy(), b.copy()) for W, b in zip(self.W, self.b, strict=True)]

    def set_weights(self, weights: Sequence[tuple[ArrayLike, ArrayLike]]) -> None:
        """Set every ``(W, b)`` (cast to the network's dtype); shapes must match.

        Parameters
        ----------
        weights : sequence of (array_like, array_like)
            One ``(W, b)`` per weight layer, ``W`` of shape ``(fan_in, fan_out)``
            and ``b`` of shape ``(fan_out,)``.  Nothing is changed if any shape is wrong.

        Examples
        --------
        >>> from kit import nn
        >>> net = nn.MLP([1, 1], seed=0)
        >>> net.set_weights([([[2.0]], [1.0])]); net.forward([[1.0]]).tolist()
        [[3.0]]
        """
        if len(weights) != len(self.W):
            raise ValueError(f"expected {len(self.W)} (W, b) pairs, got {len(weights)}")
        new = []
        for i, (pair, W, b) in enumerate(zip(weights, self.W, self.b, strict=True)):
            w2, b2 = (np.asarray(p, dtype=np.float64) for p in pair)
            if w2.shape != W.shape or b2.shape != b.shape:
                raise ValueError(f"layer {i}: expected W {W.shape} and b {b.shape}, got {w2.shape} and {b2.shape}")
            new.append((w2, b2))
        for (w2, b2), W, b in zip(new, self.W, self.b, strict=True):
            W[...] = w2
            b[...] = b2

    def copy(self, kink: Any = None, dtype: Any = None, accumulate: str | None = None) -> MLP:
        """A copy with the same weights, optionally another kink rule, dtype or accumulation.

        Parameters
        ----------
        kink : kink rule, list of them, or None
            As for :class:`MLP`; None keeps this network's.
        dtype : {"float16", "float32", "float64"} or None
            None keeps this network's.  Changing it rounds the weights once.
        accumulate : {"float32", "float16"} or None
            float16 copies only; None keeps this network's mode (``"float32"``
            for a copy that becomes float16).

        Returns
        -------
        MLP
            An independent network: training it leaves this one unchanged.

        Examples
        --------
        >>> from kit import nn
        >>> a = nn.MLP([2, 4, 1], seed=1)
        >>> b = a.copy(kink="right")
        >>> b.kink, (a.W[0] == b.W[0]).all()
        ('right', np.True_)
        """
        new = object.__new__(MLP)
        new.__dict__.update(self.__dict__)
        new.dtype = _dtype(dtype) if dtype is not None else self.dtype
        new.accumulate = _accumulate(accumulate, new.dtype, self.accumulate)
        if kink is not None:
            new.kink = kink
            new.kink_rules = _per_layer(kink, self.n_hidden, "kink")
        with np.errstate(over="ignore"):  # weights beyond the new dtype's range become inf, as a cast does
            new.W = [W.astype(new.dtype) for W in self.W]
            new.b = [b.astype(new.dtype) for b in self.b]
        new._flatten()
        new.activations = list(self.activations)
        new.preprocess = None if self.preprocess is None else (self.preprocess[0].copy(), self.preprocess[1].copy())
        new._build_derivatives()
        return new

    # -- computing ---------------------------------------------------------------
    def matmul(self, a: NDArray, b: NDArray, out: NDArray | None = None) -> NDArray:
        """The network's one matrix product ``a @ b`` (into ``out``), rounded as this network rounds.

        float16: numpy's float16 semantics, fast (or each addition rounded, ``accumulate="float16"``);
        under ``KIT_ROUNDING=perturbed``, another machine's rounding (see the module docstring).
        Every product of the forward and backward passes goes through it.
        """
        if self.accumulate == "float16":
            return _matmul_round_each(a, b, out)
        if a.dtype == np.float16:
            return _matmul_float16(a, b, out)
        if ROUNDING == "perturbed" and a.dtype != np.float16:
            return _matmul_perturbed(a, b, out)
        return np.matmul(a, b, out=out)

    def prepare(self, X: ArrayLike) -> NDArray:
        """The inputs as the network computes with them.

        Parameters
        ----------
        X : array_like, shape (n, sizes[0])
            Real numbers; a 1-D array is one column when ``sizes[0]`` is 1.

        Returns
        -------
        ndarray, shape (n, sizes[0])
            ``X`` mapped by ``preprocess`` (if set) and cast to the network's
            dtype, C-contiguous; values beyond the dtype's range become inf.
        """
        return self.map_and_cast(_check_inputs(X, self.sizes[0]), self.preprocess)

    def map_and_cast(
        self, arr: NDArray, preprocess: tuple[NDArray[np.float64], NDArray[np.float64]] | None
    ) -> NDArray:
        """``arr * a + c`` for ``preprocess = (a, c)`` (float64), cast to the network's dtype, C-contiguous.

        Values beyond the dtype's range become inf, quietly: the callers check.
        """
        with np.errstate(over="ignore", invalid="ignore"):  # values beyond the range become inf: the callers check
            if preprocess is not None:
                a, c = preprocess
                arr = arr * a + c
            return np.ascontiguousarray(arr, dtype=self.dtype)

    def forward_all(self, Xp: NDArray) -> tuple[list[NDArray], list[NDArray]]:
        """Pre-activations of every layer (output last) and the hidden activations, for prepared inputs ``Xp``."""
        zs, acts = [], []
        a = Xp
        last = len(self.W) - 1
        for i, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            z = self.matmul(a, W)
            z += b
            zs.append(z)
            if i < last:
                a = self.layer_values[i](z)
                acts.append(a)
        return zs, acts

    def forward(self, X: ArrayLike) -> NDArray:
        """The network's raw outputs for inputs ``X`` (see :meth:`prepare`).

        Returns
        -------
        ndarray, shape (n, sizes[-1])
            Logits for ``"bce"``/``"ce"``, predictions for ``"mse"``, in the
            network's dtype.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            return self.forward_all(self.prepare(X))[0][-1]

    __call__ = forward

    def pre_activations(self, X: ArrayLike) -> list[NDArray]:
        """The pre-activations z of each hidden layer for inputs ``X``.

        Examples
        --------
        >>> from kit import nn
        >>> net = nn.MLP([2, 5, 3, 1], seed=0)
        >>> [z.shape for z in net.pre_activations([[0.0, 1.0]])]
        [(1, 5), (1, 3)]
        """
        with np.errstate(over="ignore", invalid="ignore"):
            return self.forward_all(self.prepare(X))[0][:-1]

    def hidden(self, X: ArrayLike) -> list[NDArray]:
        """The activations f(z) of each hidden layer for inputs ``X``.

        Returns
        -------
        list of ndarray
            One ``(n, width)`` array per hidden layer, in the network's dtype.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            return self.forward_all(self.prepare(X))[1]

    def predict(self, X: ArrayLike, loss: str = "mse") -> NDArray:
        """What the network predicts for inputs ``X`` under ``loss``.

        Parameters
        ----------
        X : array_like, shape (n, sizes[0])
        loss : {"mse", "bce", "ce"}
            The loss the network is trained with (it owns the output nonlinearity).

        Returns
        -------
        ndarray
            Probabilities for ``"bce"`` (shape (n, 1), of class 1) and ``"ce"``
            (shape (n, K)); the outputs themselves for ``"mse"``.
        """
        return _losses.get(loss).predict(self.forward(X))

    def __repr__(self) -> str:
        acts = self.activations
        act = repr(acts[0]) if acts and all(a == acts[0] for a in acts) else repr(acts)
        hidden = f", activation={act}, kink={self.kink!r}" if acts else ""
        extra = f", accumulate={self.accumulate!r}" if self.accumulate else ""
        return f"MLP({list(self.sizes)}{hidden}, init={self.init!r}, dtype={self.dtype.name}{extra})"
