"""Losses on the network's raw outputs: mse, bce (on logits) and softmax cross-entropy.

The network's last layer is linear; the loss owns the output nonlinearity, in
its numerically stable form (as PyTorch's ``BCEWithLogitsLoss`` and
``CrossEntropyLoss``).  Each loss computes, in the outputs' dtype:

* ``per_sample(out, t)``: the loss of each row,
* ``grad(out, t)``: d(mean loss)/d(out), so that the batch mean is the loss,
* ``predict(out)``: probabilities (bce, ce) or the outputs (mse),
* ``correct(out, t)``: which rows are classified right (classification only).

``t`` is the target prepared by :meth:`Loss.targets` (checked once, before any
work): class labels as int64 for ``ce``, 0/1 in the network's dtype for
``bce``, a ``(n, n_out)`` array for ``mse``.

==========  ===========================================  ======================
name        loss of one row                              d(loss)/d(out)
==========  ===========================================  ======================
mse         mean over outputs of (out - t)²              2 (out - t) / n_out
bce         log(1 + e^out) - t·out                       σ(out) - t
ce          log Σ_k e^out_k - out_t                      softmax(out) - onehot(t)
==========  ===========================================  ======================

Examples
--------
>>> import numpy as np
>>> from kit.nn import losses
>>> bce = losses.get("bce")
>>> out = np.array([[0.0], [2.0]])
>>> t = bce.targets(np.array([0, 1]), n_out=1, dtype=np.float64)
>>> bce.per_sample(out, t).round(4).tolist()
[0.6931, 0.1269]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["Loss", "get", "names"]


def _sigmoid(x: NDArray) -> NDArray:
    """Stable logistic function in the dtype of x: 1 / (1 + e) for x >= 0, else e / (1 + e), e = exp(-|x|)."""
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1
    s = np.where(x >= 0, x.dtype.type(1), e)  # then s / d is 1 / (1 + e) or e / (1 + e), element by element
    s /= d
    return s.astype(x.dtype, copy=False)


class Loss:
    """A loss on raw network outputs; see the module docstring."""

    name = ""
    classification = False

    def targets(self, y: NDArray, n_out: int, dtype: np.dtype) -> NDArray:
        """Check ``y`` against this loss and an ``n_out``-output network; return prepared targets.

        Parameters
        ----------
        y : ndarray, shape (n,) or (n, n_out)
            Class labels (bce, ce) or targets (mse).
        n_out : int
            The network's number of outputs.
        dtype : numpy.dtype
            The network's dtype (labels for ``ce`` stay int64).

        Returns
        -------
        ndarray
            What :meth:`per_sample` and :meth:`grad` take as ``t``.

        Raises
        ------
        ValueError
            Labels or targets that do not fit the loss or the network.
        """
        raise NotImplementedError

    def per_sample(self, out: NDArray, t: NDArray) -> NDArray:
        """Loss of each row, shape (n,), dtype of ``out``."""
        raise NotImplementedError

    def grad(self, out: NDArray, t: NDArray) -> NDArray:
        """d(mean over rows of the loss)/d(out), same shape and dtype as ``out``."""
        raise NotImplementedError

    def predict(self, out: NDArray) -> NDArray:
        """Probabilities (classification) or predicted values (regression)."""
        return out

    def correct(self, out: NDArray, t: NDArray) -> NDArray[np.bool_]:
        """Whether each row is classified right (classification losses only)."""
        raise NotImplementedError(f"{self.name} is not a classification loss")

    def value(self, out: NDArray, t: NDArray) -> float:
        """Mean loss over rows as a Python float (float16 averaged with a float32 accumulator)."""
        return float(np.mean(self.per_sample(out, t)))

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


def _as_labels(y: NDArray, what: str) -> NDArray[np.int64]:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{what}: labels must have shape (n,), got {y.shape}")
    if y.dtype.kind in "biu" or (y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y))):
        return y.astype(np.int64)
    raise ValueError(f"{what}: labels must be whole numbers (class indices), got dtype {y.dtype}")


class MSE(Loss):
    """Mean squared error, averaged over rows and outputs (PyTorch's MSELoss)."""

    name = "mse"

    def targets(self, y: NDArray, n_out: int, dtype: np.dtype) -> NDArray:
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise ValueError(f"mse: targets must be real numbers, got dtype {y.dtype}")
        if y.ndim == 1:
            y = y[:, None]
        if y.ndim != 2 or y.shape[1] != n_out:
            raise ValueError(
                f"mse: targets must have shape (n,) for one output or (n, {n_out}) for {n_out} outputs, got {y.shape}"
            )
        if not np.all(np.isfinite(y)):
            raise ValueError("mse: targets contain NaN or inf")
        if y.size:
            big = float(np.max(np.abs(y)))
            top = float(np.finfo(dtype).max)
            if big > top:
                raise ValueError(
                    f"mse: targets reach {big:.3g}, beyond {np.dtype(dtype).name} (largest finite value {top:.3g}): "
                    f"scale them (e.g. divide y by its standard deviation) or use a wider dtype"
                )
        return np.ascontiguousarray(y, dtype=dtype)

    def per_sample(self, out: NDArray, t: NDArray) -> NDArray:
        d = out - t
        return np.mean(d * d, axis=1, dtype=out.dtype)

    def grad(self, out: NDArray, t: NDArray) -> NDArray:
        scale = np.asarray(2.0 / out.size, dtype=out.dtype)
        return (out - t) * scale


class BCE(Loss):
    """Binary cross-entropy on a logit (one output), log(1 + e^z) - t z in a stable form."""

    name = "bce"
    classification = True

    def targets(self, y: NDArray, n_out: int, dtype: np.dtype) -> NDArray:
        if n_out != 1:
            raise ValueError(f"bce needs a network with 1 output (a logit), this one has {n_out}; use loss='ce'")
        labels = _as_labels(y, "bce")
        bad = ~np.isin(labels, (0, 1))
        if bad.any():
            raise ValueError(f"bce: labels must be 0 or 1, got {sorted(set(labels[bad].tolist()))[:5]}; use loss='ce'")
        return labels.astype(dtype)[:, None]

    def per_sample(self, out: NDArray, t: NDArray) -> NDArray:
        z = out[:, 0]
        return np.maximum(z, 0) - z * t[:, 0] + np.log1p(np.exp(-np.abs(z)))

    def grad(self, out: NDArray, t: NDArray) -> NDArray:
        g = _sigmoid(out)  # a new array: the rest is done in place
        g -= t
        g *= out.dtype.type(1.0 / len(out))
        return g

    def predict(self, out: NDArray) -> NDArray:
        return _sigmoid(out)

    def correct(self, out: NDArray, t: NDArray) -> NDArray[np.bool_]:
        return (out[:, 0] > 0) == (t[:, 0] > 0.5)


class CrossEntropy(Loss):
    """Softmax cross-entropy over K >= 2 outputs, labels 0..K-1."""

    name = "ce"
    classification = True

    def targets(self, y: NDArray, n_out: int, dtype: np.dtype) -> NDArray:
        if n_out < 2:
            raise ValueError("ce (softmax cross-entropy) needs a network with >= 2 outputs, one per class; use loss='bce'")
        labels = _as_labels(y, "ce")
        if labels.size and (labels.min() < 0 or labels.max() >= n_out):
            raise ValueError(f"ce: labels must be in 0..{n_out - 1} for {n_out} outputs, got {labels.min()}..{labels.max()}")
        return labels

    def _log_softmax(self, out: NDArray) -> NDArray:
        shifted = out - out.max(axis=1, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True, dtype=out.dtype))

    def per_sample(self, out: NDArray, t: NDArray) -> NDArray:
        return -np.take_along_axis(self._log_softmax(out), t[:, None], axis=1)[:, 0]

    def grad(self, out: NDArray, t: NDArray) -> NDArray:
        p = self.predict(out)
        p[np.arange(len(t)), t] -= 1
        p *= np.asarray(1.0 / len(out), dtype=out.dtype)
        return p

    def predict(self, out: NDArray) -> NDArray:
        e = np.exp(out - out.max(axis=1, keepdims=True))
        e /= np.sum(e, axis=1, keepdims=True, dtype=out.dtype)
        return e

    def correct(self, out: NDArray, t: NDArray) -> NDArray[np.bool_]:
        return np.argmax(out, axis=1) == t


_LOSSES: dict[str, type[Loss]] = {"mse": MSE, "bce": BCE, "ce": CrossEntropy}
_ALIASES = {"cross_entropy": "ce", "softmax": "ce", "binary_cross_entropy": "bce"}


def names() -> list[str]:
    """Names of the losses: ``['bce', 'ce', 'mse']``."""
    return sorted(_LOSSES)


def get(name: str | Loss) -> Loss:
    """The loss called ``name``.

    Parameters
    ----------
    name : str or Loss
        ``"mse"``, ``"bce"``, ``"ce"`` (also ``"cross_entropy"``, ``"softmax"``,
        ``"binary_cross_entropy"``); a :class:`Loss` is returned as it is.

    Returns
    -------
    Loss

    Examples
    --------
    >>> get("ce").name
    'ce'
    """
    if isinstance(name, Loss):
        return name
    key = _ALIASES.get(name, name) if isinstance(name, str) else None
    if key not in _LOSSES:
        raise ValueError(f"unknown loss {name!r}; known: {', '.join(names())}")
    return _LOSSES[key]()
