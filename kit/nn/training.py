"""Training: :class:`Trainer` (steppable), :func:`train` and :func:`gradients`.

Part of the engine; see :mod:`kit.nn` for the conventions and how divergence is reported.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kit._validate import in_dtype, integer, number
from kit.activation import SATURATION_TOL
from kit.nn import losses as _losses
from kit.nn import memory as _memory
from kit.nn import optim as _optim
from kit.nn.diagnostics import KinkCounter, Saturation, dead_units
from kit.nn.history import History, TrainingDiverged
from kit.nn.network import MLP, _check_inputs, _per_layer, flat_views, is_flat

__all__ = ["Trainer", "gradients", "train"]


def _guess_loss(y: NDArray, n_out: int) -> str:
    if y.dtype.kind in "biu":
        return "bce" if n_out == 1 else "ce"
    return "mse"


Preprocess = tuple[NDArray[np.float64], NDArray[np.float64]]


def _input_map(
    X64: NDArray[np.float64], standardize: bool | None, shift: Any, scale: Any, current: Preprocess | None
) -> Preprocess | None:
    """The input map ``(a, c)`` (inputs become ``x * a + c``) a :class:`Trainer` sets, or None."""
    if standardize is not None and not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be True, False or None, got {standardize!r}")
    shift = number("input_shift", shift)
    scale = number("input_scale", scale)
    if scale == 0:
        raise ValueError("input_scale must be non-zero")
    plain = shift == 0 and scale == 1
    if standardize is None:
        if plain:
            return current  # keep the map the network already has
        standardize = False
    if standardize:
        std = X64.std(axis=0)
        std[std == 0] = 1.0
        a = scale / std
        return a, shift - X64.mean(axis=0) * a
    if plain:
        return None
    return np.full(X64.shape[1], scale), np.full(X64.shape[1], shift)


class Trainer:
    """Trains an :class:`MLP` step by step (for widgets) or all at once.

    All arguments are checked here, before any work (a bad one raises and
    leaves ``net`` as it was); :meth:`step` then runs without further
    validation.  The network's weights are updated in place, and its input map
    ``net.preprocess`` is set as ``standardize``/``input_shift``/``input_scale`` say.

    Parameters
    ----------
    net : MLP
    X : array, shape (n, sizes[0])
    y : array
        Labels 0..K-1 (bce: 0/1 with one output; ce: K outputs) or targets
        (mse: shape (n,) or (n, n_out)).
    loss : {"bce", "ce", "mse"} or None
        None guesses: integer labels give "bce" (1 output) or "ce", floats "mse".
    optimizer : {"sgd", "momentum", "adam"}
    lr : float
        Learning rate > 0.
    batch_size : int or None
        Rows per step; None or >= n means the full batch.  Batches are drawn
        without replacement from a fresh permutation each epoch (the
        incomplete last batch of an epoch is skipped, so every step sees
        exactly ``batch_size`` rows).
    dropout : float or list of float
        Probability in [0, 1) of zeroing a hidden unit during training (one per
        hidden layer if a list), with the kept units scaled by 1 / (1 - p).
    l1, l2 : float
        Penalties l1 Σ|W| + (l2 / 2) Σ W² on the weights (not the biases).
    momentum : float
        For ``"momentum"``.
    betas, eps
        For ``"adam"`` (eps None: 1e-8, or 1e-4 in float16).
    standardize : bool or None
        True: map each input feature to mean 0 and standard deviation 1 over
        ``X``.  False: no standardisation.  None (default): keep the map the
        network already has (``net.preprocess``, none for a new network), so
        training a trained network again changes nothing about its inputs,
        unless ``input_shift`` or ``input_scale`` is given (then as False).
    input_shift, input_scale : float
        Then map inputs to ``x * input_scale + input_shift``: move them away
        from the standardized range to show saturation.  The map is stored in
        ``net.preprocess`` so ``net.forward`` applies it to new inputs too.
    saturation_tol : float
        |f'| at or below which a pre-activation counts as saturated (``kit.SATURATION_TOL``, 1e-3).
    record_every : int
        Record the history every this many steps (each :meth:`step` call also
        records its last step).
    seed : int or None
        Seed of the batch order and dropout masks.
    callback : callable or None
        ``callback(trainer)`` after each record; returning ``False`` stops.
    on_diverge : {"stop", "raise"}
        Return the history with ``stopped=True``, or raise :class:`TrainingDiverged`.
    max_records : int or None
        None: the history keeps every record.  An int >= 4: at most that many,
        the newest half all and the older ones thinned evenly (see
        :class:`History`), so that a run without an end (an app) keeps a
        bounded history; ``history.at(step)`` looks a step up.

    Examples
    --------
    >>> from kit import nn
    >>> from kit.lab import datasets
    >>> X, y = datasets.make("circle", n=100, seed=0)
    >>> tr = nn.Trainer(nn.MLP([2, 8, 1], seed=0), X, y, loss="bce", lr=0.5)
    >>> hist = tr.step(10)
    >>> tr.steps_done, hist.step[-1]
    (10, 10)
    """

    def __init__(
        self,
        net: MLP,
        X: ArrayLike,
        y: ArrayLike,
        loss: str | None = None,
        optimizer: str = "sgd",
        lr: float = 0.1,
        batch_size: int | None = 32,
        dropout: float | Sequence[float] = 0.0,
        l1: float = 0.0,
        l2: float = 0.0,
        momentum: float = 0.9,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float | None = None,
        standardize: bool | None = None,
        input_shift: float = 0.0,
        input_scale: float = 1.0,
        saturation_tol: float = SATURATION_TOL,
        record_every: int = 1,
        seed: int | None = 0,
        callback: Callable[[Trainer], Any] | None = None,
        on_diverge: str = "stop",
        max_records: int | None = None,
    ) -> None:
        # every check comes before anything is changed: a bad argument leaves `net` as it was
        if not isinstance(net, MLP):
            raise TypeError(f"net must be a kit.nn.MLP, got {type(net).__name__}")
        self.net = net
        X64 = _check_inputs(X, net.sizes[0]).astype(np.float64)
        n = X64.shape[0]
        if n == 0:
            raise ValueError("X has no rows")
        if not np.all(np.isfinite(X64)):
            raise ValueError("X contains NaN or inf")
        ya = np.asarray(y)
        if ya.ndim == 0 or ya.shape[0] != n:
            raise ValueError(f"y must have one entry per row of X ({n}), got shape {ya.shape}")
        self.loss = _losses.get(loss if loss is not None else _guess_loss(ya, net.sizes[-1]))
        self.targets = self.loss.targets(ya, net.sizes[-1], net.dtype)
        opt_cls = _optim.check_name(optimizer)
        self.lr = number("lr", lr, lowest=0)
        if self.lr == 0:
            raise ValueError("lr must be > 0")
        dt = net.dtype
        in_dtype("lr", self.lr, dt, nonzero=True, hint=f"a {dt.name} network computes with lr in {dt.name}")
        self.batch_size = n if batch_size is None else min(integer("batch_size", batch_size, lowest=1), n)
        drops = _per_layer(list(dropout) if isinstance(dropout, (list, tuple)) else dropout, net.n_hidden, "dropout")
        self.dropout = [number("dropout", p, lowest=0, below=1) for p in drops]
        for p in self.dropout:  # the kept units are scaled by 1 / (1 - p), in the network's dtype
            in_dtype(f"dropout={p:g}: the scale of the kept units 1 / (1 - dropout)", 1.0 / (1.0 - p), dt,
                     hint="choose a smaller dropout")
        self.l1 = in_dtype("l1", number("l1", l1, lowest=0), dt)
        self.l2 = in_dtype("l2", number("l2", l2, lowest=0), dt)
        self.saturation_tol = number("saturation_tol", saturation_tol, lowest=0)
        self.record_every = integer("record_every", record_every, lowest=1)
        self.max_records = None if max_records is None else integer("max_records", max_records, lowest=4)
        if seed is not None:
            integer("seed", seed, lowest=0)
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable or None")
        if on_diverge not in ("stop", "raise"):
            raise ValueError(f"on_diverge must be 'stop' or 'raise', got {on_diverge!r}")
        self.callback = callback
        self.on_diverge = on_diverge
        _memory.check(
            f"training {list(net.sizes)} on {n:,} rows in batches of {self.batch_size:,} with {optimizer}",
            _memory.training_bytes(net.sizes, net.dtype, n, self.batch_size, optimizer,
                                   any(p > 0 for p in self.dropout), bool(self.l1 or self.l2)),
            "use a smaller batch_size, fewer rows or a smaller network",
        )
        preprocess = _input_map(X64, standardize, input_shift, input_scale, net.preprocess)
        self.X = net.map_and_cast(X64, preprocess)
        self._x_max = float(np.max(np.abs(self.X), initial=0.0))  # for the divergence messages
        if not np.all(np.isfinite(self.X)):
            mapped = "" if preprocess is None else f", mapped to x * {np.abs(preprocess[0]).max():.3g} + c"
            raise ValueError(f"X overflows {net.dtype.name} after the input map (largest |x| {np.abs(X64).max():.3g}"
                             f"{mapped}; largest finite value {float(np.finfo(net.dtype).max):.3g}): scale the "
                             f"inputs (standardize=True) or lower input_scale/input_shift")
        opt_options: dict[str, Any] = {"lr": self.lr}
        if optimizer == "momentum":
            opt_options["momentum"] = momentum
        if optimizer == "adam":
            opt_options.update(betas=betas, eps=eps)
        # one buffer for all the weights (as the network keeps them) and one for all the gradients:
        # the optimiser updates, and the finiteness check reads, everything in one numpy call each
        params = net.parameters()
        self._flat_params = getattr(net, "_flat", None) if is_flat(getattr(net, "_flat", None), params) else None
        self.optimizer = opt_cls(params if self._flat_params is None else [self._flat_params], **opt_options)
        # checked: now change the network and allocate
        net.preprocess = preprocess
        self.rng = np.random.default_rng(seed)
        self._setup_buffers()
        self.steps_done = 0
        self._updating = False  # True while the optimiser changes the weights (an interrupt waits)
        self._interrupt_requested = False  # set by Ctrl-C under :func:`train`: stop after this step
        self._ahead: list[NDArray] | None = None  # a record's full-batch forward pass, for the next step
        self._share = self._full and not any(p > 0 for p in self.dropout)  # a step's forward = a record's
        self._hits = [0] * net.n_hidden
        self._counters = [KinkCounter(a) for a in net.activations]
        self._saturation = [Saturation(a, self.saturation_tol) for a in net.activations]
        self.history = History(widths=net.sizes[1:-1], max_records=self.max_records)
        self._record(first=True)

    # -- buffers -----------------------------------------------------------------
    def _setup_buffers(self) -> None:
        net, B, dt = self.net, self.batch_size, self.net.dtype
        n = self.X.shape[0]
        self._full = B >= n
        self._order = np.arange(n)
        self._pos = n  # forces a fresh permutation at the first step
        self._Xb = self.X if self._full else np.empty((B, net.sizes[0]), dtype=dt)
        if self._full:
            self._tb = self.targets
        else:
            self._tb = np.empty((B, *self.targets.shape[1:]), dtype=self.targets.dtype)
        self._Z = [np.empty((B, s), dtype=dt) for s in net.sizes[1:]]
        self._dA = [np.empty((B, s), dtype=dt) for s in net.sizes[1:-1]]
        shapes = []
        for W, b in zip(net.W, net.b, strict=True):
            shapes += [W.shape, b.shape]
        self._flat_grads, views = flat_views(shapes, dt)
        self._dW, self._db = views[0::2], views[1::2]
        start = self._flat_grads.ctypes.data
        parts = [slice((v.ctypes.data - start) // dt.itemsize, (v.ctypes.data - start) // dt.itemsize + v.size)
                 for v in views]
        self._grad_parts = list(zip(parts[0::2], parts[1::2], strict=True))  # where each dW, db lies in the buffer
        self._db_row = [db.reshape(1, -1) for db in self._db]  # views: bias gradients written in place
        self._g_bits = np.empty(self._flat_grads.shape, dtype=np.uint16) if dt == np.float16 else None
        self._ones = np.ones((1, B), dtype=dt)
        self._grads: list[NDArray] = [self._flat_grads] if self._flat_params is not None else views
        self._pen = [np.empty_like(W) for W in net.W] if (self.l1 or self.l2) else []
        self._l1 = np.asarray(self.l1, dtype=dt)
        self._l2 = np.asarray(self.l2, dtype=dt)
        self._masks: list[NDArray | None] = []
        self._uniform: list[NDArray | None] = []
        for p, s in zip(self.dropout, net.sizes[1:-1], strict=True):
            self._masks.append(np.empty((B, s), dtype=dt) if p > 0 else None)
            self._uniform.append(np.empty((B, s), dtype=np.float32 if dt == np.float16 else dt) if p > 0 else None)
        self._keep_scale = [np.asarray(1.0 / (1.0 - p), dtype=dt) for p in self.dropout]

    def _next_batch(self) -> None:
        if self._full:
            return
        n, B = self.X.shape[0], self.batch_size
        if self._pos + B > n:
            self._order = self.rng.permutation(n)
            self._pos = 0
        idx = self._order[self._pos : self._pos + B]
        self._pos += B
        self.X.take(idx, axis=0, out=self._Xb)
        self.targets.take(idx, axis=0, out=self._tb)

    # -- one step ----------------------------------------------------------------
    @property
    def stopped(self) -> bool:
        """True once training has stopped (see ``history.message``)."""
        return self.history.stopped

    def _one_step(self) -> bool:
        """Forward, backward, check, update (numpy's warnings silenced by the caller, :meth:`_advance`).
        False if training had to stop."""
        self._next_batch()
        ahead, self._ahead = self._ahead, None
        acts = self._forward_backward_in_errstate(ahead)
        if not self._grads_finite():
            self._diverged(self._explain_gradient(acts), self.steps_done + 1)
            return False
        self._updating = True  # stays True if the update is cut short: train() then knows
        self.optimizer.update(self._grads)
        self._updating = False
        return True

    def _grads_finite(self) -> bool:
        """Whether every gradient is finite (the gaps between them in the buffer are 0)."""
        g = self._flat_grads
        if self._g_bits is not None:  # float16: no exponent field all ones (inf, NaN), in integer arithmetic
            np.bitwise_and(g.view(np.uint16), 0x7FFF, out=self._g_bits)
            return bool(self._g_bits.max(initial=0) < 0x7C00)
        # g·g by BLAS is finite iff every entry is, unless the squares overflow: then look closer
        return math.isfinite(float(np.dot(g, g))) or bool(np.isfinite(g).all())

    def _forward_backward(self) -> list[NDArray]:
        """Gradients of the current batch into self._dW/_db; returns the hidden activations."""
        with np.errstate(all="ignore"):
            return self._forward_backward_in_errstate()

    def _forward_backward_in_errstate(self, ahead: list[NDArray] | None = None) -> list[NDArray]:
        """:meth:`_forward_backward`, for a caller that has already silenced numpy's warnings.

        ``ahead``: the hidden activations of a forward pass of the current weights over this
        batch already in ``self._Z`` (a record's, in full-batch training without dropout): the
        forward pass is not made again, only its kink hits are counted.
        """
        net = self.net
        L = len(net.W)
        acts: list[NDArray] = []
        a = self._Xb
        if ahead is not None:
            for i in range(L - 1):
                self._hits[i] += self._counters[i].count(self._Z[i])
            acts = ahead
        for i in range(L if ahead is None else 0):
            z = self._Z[i]
            net.matmul(a, net.W[i], out=z)
            z += net.b[i]
            if i < L - 1:
                self._hits[i] += self._counters[i].count(z)
                a = net.layer_values[i](z)
                mask = self._masks[i]
                if mask is not None:
                    u = self._uniform[i]
                    assert u is not None  # a layer with a dropout mask has its uniforms
                    self.rng.random(dtype=u.dtype, out=u)
                    np.greater_equal(u, self.dropout[i], out=mask, casting="unsafe")
                    mask *= self._keep_scale[i]
                    a = a * mask
                acts.append(a)
        dz = self.loss.grad(self._Z[-1], self._tb)
        for i in range(L - 1, -1, -1):
            a_prev = acts[i - 1] if i > 0 else self._Xb
            net.matmul(a_prev.T, dz, out=self._dW[i])
            net.matmul(self._ones, dz, out=self._db_row[i])  # the batch sum, rounded as the products are
            if i > 0:
                da = net.matmul(dz, net.W[i].T, out=self._dA[i - 1])
                mask = self._masks[i - 1]
                if mask is not None:
                    da *= mask
                da *= net.layer_derivatives[i - 1](self._Z[i - 1])
                dz = da
        if self._pen:
            for W, dW, pen in zip(net.W, self._dW, self._pen, strict=True):
                if self.l2:
                    np.multiply(W, self._l2, out=pen)
                    dW += pen
                if self.l1:
                    np.sign(W, out=pen)
                    pen *= self._l1
                    dW += pen
        return acts

    # -- explaining a stop -------------------------------------------------------
    # Each cause is named where it shows first, walking the forward pass layer by layer: an
    # activation that returns inf/NaN at a finite pre-activation is the activation's fault (not the
    # data's, nor the learning rate's); a pre-activation that overflows with finite inputs is the
    # inputs' or initial weights' fault before training and the learning rate's (or the inputs') after;
    # a loss that overflows with finite outputs is the targets' fault if they are what is large.
    def _layer(self, i: int) -> str:
        """``"hidden layer 2 (8→8)"`` or ``"output layer (8→1)"`` for weight layer ``i``."""
        sizes = self.net.sizes
        kind = "output layer" if i == len(sizes) - 2 else f"hidden layer {i + 1}"
        return f"{kind} ({sizes[i]}→{sizes[i + 1]})"

    def _largest(self) -> str:
        return f"largest finite value {float(np.finfo(self.net.dtype).max):.4g}"

    def _inputs_large(self) -> bool:
        """Inputs far outside a standardized range (their size then drives the first weights' gradient)."""
        return self._x_max > 100.0

    def _inputs_text(self) -> str:
        return f"the inputs are too large (they reach {self._x_max:.3g}): scale them (standardize=True)"

    def _growth_cause(self, step: int) -> str:
        """Why values grew beyond the dtype: before training the data or the initial weights, after it the lr."""
        if step == 0:
            if self._inputs_large():
                return self._inputs_text()
            return (f"the initial weights are too large for these inputs (init={self.net.init!r}, "
                    f"bias={self.net.bias:g}); scale the inputs (standardize=True) or choose a smaller init")
        lr = f"the learning rate lr={self.lr:g} is likely too high"
        if self._inputs_large():
            return f"{self._inputs_text()}, or {lr}"
        return f"{lr}{', or use float32' if self.net.dtype == np.float16 else ''}"

    def _explain_forward(self, zs: Sequence[NDArray], acts: Sequence[NDArray], step: int) -> str | None:
        """What first made the forward pass non-finite, or None if it is finite throughout."""
        net = self.net
        for i, z in enumerate(zs):
            if not np.isfinite(z).all():
                return (f"the pre-activations of {self._layer(i)} overflowed {net.dtype.name} ({self._largest()}): "
                        f"{self._growth_cause(step)}")
            if i < len(acts):
                bad = ~np.isfinite(acts[i])
                if bad.any():
                    act = net.activations[i]
                    where = ", ".join(f"{v:.6g}" for v in np.unique(z[bad])[:3].tolist())
                    return (f"activation {act.name!r} of {self._layer(i)} returned {acts[i][bad][0]} at finite "
                            f"pre-activation(s) z = {where} ({int(bad.sum())} value(s)): the activation is at "
                            f"fault, not the data or the learning rate; fix its value() there, or choose "
                            f"another activation")
        return None

    def _explain_loss(self, out: NDArray, step: int) -> str:
        """Why the loss is not finite although every output is finite."""
        big = float(np.max(np.abs(out))) if out.size else 0.0
        if self.loss.name == "mse":
            t_big = float(np.max(np.abs(self.targets))) if self.targets.size else 0.0
            if t_big >= big and t_big > math.sqrt(float(np.finfo(self.net.dtype).max)) / 2:
                return (f"the targets reach {t_big:.3g}, too large for {self.net.dtype.name}: their squared error "
                        f"overflows it ({self._largest()}); scale the targets (e.g. divide y by its standard "
                        f"deviation) or use a wider dtype")
        return (f"the outputs of the {self._layer(len(self.net.W) - 1)} reach {big:.4g}, too large for the loss: "
                f"{self._growth_cause(step)}")

    def _explain_gradient(self, acts: list[NDArray]) -> str:
        net, step = self.net, self.steps_done + 1
        head = f"training stopped at step {step}: the gradient is not finite"
        forward = self._explain_forward(self._Z, acts, step)
        if forward is not None:
            return f"{head}: {forward}"
        for i in range(len(net.W) - 2, -1, -1):
            with np.errstate(all="ignore"):
                d = net.layer_derivatives[i](self._Z[i])
            bad = ~np.isfinite(d)
            if bad.any():
                act = net.activations[i]
                zb = np.unique(self._Z[i][bad])
                where = ", ".join(f"{v:.6g}" for v in zb[:3].tolist())
                count = int(bad.sum())
                if self._on_kinks(act, zb):
                    return (
                        f"{head} in {self._layer(i)}: activation {act.name!r} has a non-finite derivative "
                        f"({d[bad][0]}) at z = {where} for {count} pre-activation(s) "
                        f"with kink={net.kink_rules[i]!r}: the function jumps there, and gradient descent cannot use "
                        f"an infinite slope; choose a finite kink rule such as kink=kit.Fixed(0.0), or another activation"
                    )
                return (
                    f"{head} in {self._layer(i)}: activation {act.name!r} returned a non-finite derivative "
                    f"({d[bad][0]}) at finite pre-activation(s) z = {where}, not at a kink ({count} value(s)): "
                    f"the activation's derivative is at fault, not the data or the learning rate; fix its "
                    f"derivative there, or choose another activation"
                )
        if not np.isfinite(self._Z[-1]).all() or not np.isfinite(self.loss.grad(self._Z[-1], self._tb)).all():
            return f"{head}: {self._explain_loss(self._Z[-1], step)}"

        # the layer with the largest share of non-finite gradient entries (weights and biases)
        def share(i: int) -> float:
            bad = np.count_nonzero(~np.isfinite(self._dW[i])) + np.count_nonzero(~np.isfinite(self._db[i]))
            return float(bad) / (self._dW[i].size + self._db[i].size)

        worst = max(range(len(net.W)), key=share)
        return f"{head} in {self._layer(worst)}: the gradient overflowed {net.dtype.name}: {self._growth_cause(step)}"

    @staticmethod
    def _on_kinks(act: Any, z: NDArray) -> bool:
        """Whether every value of ``z`` is a kink of ``act`` (compared in z's dtype)."""
        try:
            with np.errstate(all="ignore"):
                pts = np.asarray(act.kinks(float(z.min()), float(z.max())), dtype=np.float64).ravel()
                return bool(pts.size) and bool(np.isin(z, pts.astype(z.dtype)).all())
        except (ValueError, TypeError, OverflowError, MemoryError):
            return False

    def _diverged(self, message: str, step: int) -> None:
        h = self.history
        h.stopped, h.message, h.stopped_at = True, message, step
        if self.on_diverge == "raise":
            raise TrainingDiverged(message, h)

    # -- records -----------------------------------------------------------------
    def _record(self, first: bool = False) -> None:
        net, h = self.net, self.history
        with np.errstate(all="ignore"):
            if self._share:  # the next step's forward pass, done now into its buffers
                zs, acts = self._Z, self._forward_into_buffers()
            else:
                zs, acts = net.forward_all(self.X)
            out = zs[-1]
            loss = self.loss.value(out, self.targets)
            acc = float(np.mean(self.loss.correct(out, self.targets))) if self.loss.classification else math.nan
            dead, sat = [], []
            for i in range(net.n_hidden):
                z = zs[i]
                dead.append(int(np.count_nonzero(dead_units(net.layer_derivatives[i], z))))
                sat.append(self._saturation[i].fraction(z))
            if first:
                norms = [math.nan] * len(net.W)
            else:
                g64 = self._flat_grads.astype(np.float64)  # every gradient widened at once
                norms = []
                for w_part, b_part in self._grad_parts:
                    dW, db = g64[w_part], g64[b_part]
                    norms.append(math.sqrt(float(np.vdot(dW, dW)) + float(np.vdot(db, db))))
        h.append(self.steps_done, loss, acc, dead, sat, self._hits, norms)
        if self._share and self.callback is None:  # nothing can change the weights before the next step
            self._ahead = acts
        self._hits = [0] * net.n_hidden
        if not math.isfinite(loss) and not h.stopped:
            with np.errstate(all="ignore"):
                step = 0 if first else self.steps_done
                where = self._explain_forward(zs, acts, step) or self._explain_loss(out, step)
            if first:
                self._diverged(f"the loss of the initial network is {loss} before any training: {where}", 0)
                return
            self._diverged(f"training stopped at step {self.steps_done}: the training loss is {loss}: {where}",
                           self.steps_done)

    def _forward_into_buffers(self) -> list[NDArray]:
        """The forward pass of a full-batch step (no dropout, no kink count) into ``self._Z``; the
        hidden activations."""
        net, a, acts = self.net, self.X, []
        last = len(net.W) - 1
        for i, (W, b) in enumerate(zip(net.W, net.b, strict=True)):
            z = net.matmul(a, W, out=self._Z[i])
            z += b
            if i < last:
                a = net.layer_values[i](z)
                acts.append(a)
        return acts

    def _advance(self, k: int) -> bool:
        """Run k steps with the regular records; False if stopped."""
        self._ahead = None  # the weights may have been changed since the last record
        caller = np.geterr()  # the callback runs with the caller's settings
        with np.errstate(all="ignore"):  # entered once for all k steps
            for _ in range(k):
                if self.history.stopped or self._interrupt_requested:
                    return False
                if not self._one_step():
                    return False
                self.steps_done += 1
                if self.steps_done % self.record_every == 0:
                    self._record()
                    if self.history.stopped:
                        return False
                    if self.callback is not None:
                        with np.errstate(**caller):
                            go_on = self.callback(self) is not False
                        if not go_on:
                            self._stop_by_callback()
                            return False
        return True

    def _stop_by_callback(self) -> None:
        h = self.history
        h.stopped, h.message, h.stopped_at = True, f"stopped by the callback at step {self.steps_done}", self.steps_done

    def _finish(self) -> None:
        h = self.history
        if h.step and h.step[-1] != self.steps_done:
            self._record()
            if self.callback is not None and not h.stopped and self.callback(self) is False:
                self._stop_by_callback()

    def set_lr(self, lr: float) -> None:
        """Train on with learning rate ``lr`` (as TensorFlow Playground does when its slider moves).

        The network, the optimiser's state and the history go on; a bad value
        is refused and nothing changes.

        Examples
        --------
        >>> import numpy as np
        >>> from kit import nn
        >>> X = np.array([[-1.0], [0.0], [1.0]]); y = np.array([0.0, 1.0, 1.0])
        >>> t = Trainer(nn.MLP([1, 2, 1], seed=0), X, y, lr=0.5)
        >>> t.set_lr(0.05)
        >>> t.lr, t.optimizer.lr
        (0.05, 0.05)
        """
        lr = number("lr", lr, above=0)
        dt = self.net.dtype
        in_dtype("lr", lr, dt, nonzero=True, hint=f"a {dt.name} network computes with lr in {dt.name}")
        self.optimizer.set_lr(lr)
        self.lr = lr

    def step(self, k: int = 1, record: bool = True) -> History:
        """Run ``k`` more training steps and return the history.

        Parameters
        ----------
        k : int
            Steps to run (>= 0).
        record : bool
            True: the history's last record is the current state (recorded now
            if the ``record_every`` schedule did not just do it).  False: only
            the schedule records (cheapest, for animations).

        Returns
        -------
        History
            ``self.history``, updated in place.  Once training has stopped (see
            ``history.stopped``) this does nothing more.

        Raises
        ------
        KeyboardInterrupt
            On Ctrl-C, after the step under way has finished its update (as
            in :func:`train`) and the network has been recorded: the last
            record is the network as it is, and :meth:`step` can go on later.
        """
        k = integer("k", k, lowest=0)
        try:
            with _DeferredInterrupt(self):
                self._advance(k)
                if self._interrupt_requested:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            if not self._updating:  # the network is as after `steps_done` steps: say so in the history
                self._settle()
            raise
        if record:
            self._finish()
        return self.history

    def _settle(self) -> None:
        """After an interrupt: drop a half-made record and record the network as it is (no callback)."""
        h = self.history
        h._trim()
        self._interrupt_requested = False
        if not h.step or h.step[-1] != self.steps_done:
            self._record()

    @property
    def gradients(self) -> list[tuple[NDArray, NDArray]]:
        """The last step's gradients ``(dW, db)`` per weight layer (read-only views, L1/L2 included)."""
        out = []
        for dW, db in zip(self._dW, self._db, strict=True):
            vw, vb = dW.view(), db.view()
            vw.flags.writeable = False
            vb.flags.writeable = False
            out.append((vw, vb))
        return out

    def __repr__(self) -> str:
        return (
            f"Trainer({self.net!r}, loss={self.loss.name!r}, optimizer={self.optimizer!r}, "
            f"batch_size={self.batch_size}, steps_done={self.steps_done})"
        )


def train(
    net: MLP,
    X: ArrayLike,
    y: ArrayLike,
    loss: str | None = None,
    optimizer: str = "sgd",
    lr: float = 0.1,
    steps: int = 500,
    batch_size: int | None = 32,
    dropout: float | Sequence[float] = 0.0,
    seed: int | None = 0,
    progress: bool = False,
    record_every: int | None = None,
    **options: Any,
) -> History:
    """Train ``net`` in place for ``steps`` steps and return its :class:`History`.

    Parameters
    ----------
    net, X, y, loss, optimizer, lr, batch_size, dropout, seed
        As for :class:`Trainer`.
    steps : int
        Training steps (>= 0).
    progress : bool
        Show a ``tqdm.auto`` progress bar (a widget in Jupyter, text elsewhere).
    record_every : int or None
        Record the history every this many steps; None: every step up to
        1,000 steps, else ``steps // 1000`` (about 1,000 records).  The last
        step is always recorded.
    **options
        The other :class:`Trainer` arguments: ``l1``, ``l2``, ``momentum``,
        ``betas``, ``eps``, ``standardize``, ``input_shift``, ``input_scale``,
        ``saturation_tol``, ``callback``, ``on_diverge``, ``max_records``.

    Returns
    -------
    History
        Everything recorded; ``stopped``/``message`` say if and why training
        stopped early (see :mod:`kit.nn`, Divergence).  After an interrupt
        (Ctrl-C, "interrupt the kernel" in Jupyter) the history so far is
        returned, not an exception: ``interrupted`` and ``stopped`` are True,
        ``message`` says at which step, and its last record is the network
        as it is (see Notes).

    Raises
    ------
    ValueError, TypeError
        A bad argument, before any work (``net`` is left as it was).
    MemoryError
        The network and its training buffers would not fit in the memory
        available (see :mod:`kit.nn.memory`), before any work.
    TrainingDiverged
        Only with ``on_diverge="raise"``.
    KeyboardInterrupt
        Only if an interrupt could not be deferred and arrived while the
        optimiser was updating the weights (see Notes).

    Notes
    -----
    An interrupt never leaves the network half-trained.  In the main thread
    (a script, a notebook) the first Ctrl-C only asks training to stop: the
    step under way, its update included, finishes; the network is recorded
    once more (the last record is the network as it is, so
    ``hist.loss[-1]`` is its loss on ``X``); a one-line note goes to
    stderr; and the history is returned.  A second Ctrl-C stops at once
    (still never inside an update), and the history is returned the same
    way.  A :class:`KeyboardInterrupt` raised by other code (an activation,
    a callback) is handled the same way.  The weights are then exactly those
    of ``hist.step[-1]`` uninterrupted steps: training a new network with
    the same seeds for that many steps gives the same weights (and, after
    a first Ctrl-C, the same records; a step cut short by other code may
    have counted some kink hits already).  If an interrupt comes when the
    interrupted run was already stopping (divergence, a callback), that
    stop's message is kept and ``interrupted`` is True as well.

    Examples
    --------
    >>> from kit import nn
    >>> from kit.lab import datasets
    >>> X, y = datasets.make("sine", n=64, noise=0.0, seed=0)
    >>> net = nn.MLP([1, 16, 1], activation="relu", dtype="float64", seed=0)
    >>> hist = nn.train(net, X, y, loss="mse", optimizer="adam", lr=0.01, steps=400, batch_size=None)
    >>> hist.loss[-1] < 0.05 * hist.loss[0]
    True
    """
    steps = integer("steps", steps, lowest=0)
    if record_every is None:
        record_every = max(1, steps // 1000)
    trainer = Trainer(
        net, X, y, loss=loss, optimizer=optimizer, lr=lr, batch_size=batch_size, dropout=dropout,
        record_every=record_every, seed=seed, **options,
    )
    try:
        with _DeferredInterrupt(trainer):
            _run(trainer, steps, progress)
            if trainer._interrupt_requested and not trainer.history.stopped:
                raise KeyboardInterrupt
            trainer._finish()
    except KeyboardInterrupt:
        if trainer._updating:  # could not be deferred (see _DeferredInterrupt) and hit an update half-way
            raise
        _interrupted(trainer, steps)
    return trainer.history


def _run(trainer: Trainer, steps: int, progress: bool) -> None:
    if not progress:
        trainer._advance(steps)
        return
    from tqdm.auto import tqdm  # imported only when asked: `import kit` stays light

    chunk = max(1, steps // 100)
    with tqdm(total=steps, desc="training", leave=False) as bar:
        done = 0
        while done < steps:
            k = min(chunk, steps - done)
            ok = trainer._advance(k)
            done += k
            bar.update(k)
            if not ok:
                break


class _DeferredInterrupt:
    """While :func:`train` runs in the main thread under Python's own SIGINT handler, Ctrl-C only
    asks the trainer to stop after the step it is in (``trainer._interrupt_requested``), so the
    weights are never left half-updated.  A second Ctrl-C raises :class:`KeyboardInterrupt` at
    once, except during an update, which always finishes.  Elsewhere (another thread, or another
    handler installed) nothing is changed and a :class:`KeyboardInterrupt` arrives as usual.
    """

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.installed = False

    def _handle(self, signum: int, frame: Any) -> None:
        tr = self.trainer
        if tr._interrupt_requested and not tr._updating:
            raise KeyboardInterrupt
        tr._interrupt_requested = True

    def __enter__(self) -> _DeferredInterrupt:
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, self._handle)
            self.installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _interrupted(trainer: Trainer, steps: int) -> None:
    """Make the history end with a record of the network as it is, marked as interrupted, and say so."""
    h = trainer.history
    trainer._settle()
    h.interrupted = True
    if h.stopped:  # it was stopping anyway (divergence, a callback): that message says more
        return
    h.stopped, h.stopped_at = True, trainer.steps_done
    h.message = (f"interrupted (KeyboardInterrupt) at step {trainer.steps_done} of {steps}: the history up to "
                 f"there is returned, and the network is as its last record says")
    print(f"kit.nn.train: {h.message}", file=sys.stderr, flush=True)


def gradients(
    net: MLP, X: ArrayLike, y: ArrayLike, loss: str | None = None, l1: float = 0.0, l2: float = 0.0
) -> list[tuple[NDArray, NDArray]]:
    """The exact backprop gradients ``(dW, db)`` of the mean loss, per weight layer.

    The same code path as a training step (no dropout, the whole of ``X`` as
    one batch), with the network's kink rule, dtype and input map.

    Parameters
    ----------
    net : MLP
    X, y, loss
        As for :class:`Trainer`.
    l1, l2 : float
        Penalties added to the weight gradients: ``l1 * sign(W) + l2 * W``.

    Returns
    -------
    list of (ndarray, ndarray)
        Copies of ``(dW, db)`` for each weight layer, in the network's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from kit import nn
    >>> net = nn.MLP([1, 1, 1], dtype="float64", seed=0)
    >>> net.set_weights([([[1.0]], [0.0]), ([[1.0]], [0.0])])
    >>> x, t = np.array([[0.0]]), np.array([1.0])  # the pre-activation is exactly on ReLU's kink
    >>> nn.gradients(net, x, t, loss="mse")[0][1], nn.gradients(net.copy(kink="right"), x, t, loss="mse")[0][1]
    (array([0.]), array([-2.]))
    """
    trainer = _GradientProbe(net, X, y, loss=loss, lr=1.0, batch_size=None, l1=l1, l2=l2)
    trainer._forward_backward()
    return [(dW.copy(), db.copy()) for dW, db in zip(trainer._dW, trainer._db, strict=True)]


class _GradientProbe(Trainer):
    """A :class:`Trainer` that records nothing: :func:`gradients` only needs its checks and buffers."""

    def _record(self, first: bool = False) -> None:
        pass
