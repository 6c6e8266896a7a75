"""Optimisers that update parameter arrays in place: sgd, momentum, adam.

Each keeps its state in preallocated arrays of the parameters' dtype, so a
long run allocates nothing per step beyond numpy temporaries.  The formulas are
PyTorch's (``torch.optim.SGD`` with and without ``momentum``, dampening 0, and
``torch.optim.Adam``), so the engine can be checked against it step by step.

==========  =====================================================================
name        update of a parameter p with gradient g
==========  =====================================================================
sgd         p -= lr g
momentum    v = μ v + g;  p -= lr v                      (μ = ``momentum``, 0.9)
adam        m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²;
            p -= lr (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + eps)
==========  =====================================================================

Adam's ``eps`` defaults to 1e-8, and to 1e-4 in float16, where 1e-8 rounds to
0 (the smallest positive float16 is about 6e-8) and 0/0 would give NaN.

Examples
--------
>>> import numpy as np
>>> from kit.nn import optim
>>> p = [np.array([1.0, 2.0])]
>>> opt = optim.get("sgd", p, lr=0.5)
>>> opt.update([np.array([2.0, 2.0])]); p[0].tolist()
[0.0, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kit._validate import in_dtype, number

__all__ = ["SGD", "Adam", "Momentum", "Optimizer", "get", "names"]




class Optimizer:
    """Base class: ``update(grads)`` changes ``params`` in place.

    Parameters
    ----------
    params : sequence of ndarray
        The arrays to update (e.g. ``MLP.parameters()``); the state is kept in
        their dtypes.
    lr : float
        Learning rate > 0.

    Attributes
    ----------
    t : int
        Number of updates made.
    """

    name = ""

    def __init__(self, params: Sequence[NDArray], lr: float) -> None:
        self.params = list(params)
        self.lr = number("lr", lr, above=0)
        for dt in sorted({p.dtype.name for p in self.params}):
            in_dtype("lr", self.lr, dt, nonzero=True)
        self._lr = [np.asarray(self.lr, dtype=p.dtype) for p in self.params]
        self.t = 0

    def set_lr(self, lr: float) -> None:
        """Use ``lr`` from the next update on; the optimiser's state (velocity, moments, ``t``) is kept.

        A value that is not a number > 0, or not one in every parameter's dtype, is
        refused and nothing changes.

        Examples
        --------
        >>> import numpy as np
        >>> opt = get("sgd", [np.zeros(2, dtype=np.float16)], lr=0.5)
        >>> opt.set_lr(0.1)
        >>> opt.lr
        0.1
        >>> opt.set_lr(1e6)
        Traceback (most recent call last):
        ...
        ValueError: lr=1e+06 is beyond float16 (largest finite value 6.55e+04)
        """
        lr = number("lr", lr, above=0)
        for dt in sorted({p.dtype.name for p in self.params}):
            in_dtype("lr", lr, dt, nonzero=True)
        self._check_lr(lr)
        self.lr = lr
        self._lr = [np.asarray(lr, dtype=p.dtype) for p in self.params]

    def _check_lr(self, lr: float) -> None:
        """What a subclass refuses beyond :meth:`set_lr`'s checks (nothing here)."""

    def update(self, grads: Sequence[NDArray]) -> None:
        """Apply one step.

        Parameters
        ----------
        grads : sequence of ndarray
            One gradient per parameter, same shapes (and dtypes) as ``params``.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr})"


class SGD(Optimizer):
    """Plain stochastic gradient descent, p -= lr g (parameters as for :class:`Optimizer`)."""

    name = "sgd"

    def __init__(self, params: Sequence[NDArray], lr: float = 0.1) -> None:
        super().__init__(params, lr)
        self._tmp = [np.empty_like(p) for p in self.params]

    def update(self, grads: Sequence[NDArray]) -> None:
        self.t += 1
        for p, g, lr, tmp in zip(self.params, grads, self._lr, self._tmp, strict=True):
            np.multiply(g, lr, out=tmp)
            p -= tmp


class Momentum(Optimizer):
    """Heavy-ball momentum as PyTorch's SGD(momentum=μ): v = μ v + g; p -= lr v.

    Parameters
    ----------
    params, lr
        As for :class:`Optimizer`.
    momentum : float
        μ in [0, 1).  The velocity starts at the first gradient, as in PyTorch.
    """

    name = "momentum"

    def __init__(self, params: Sequence[NDArray], lr: float = 0.1, momentum: float = 0.9) -> None:
        super().__init__(params, lr)
        self.momentum = number("momentum", momentum, lowest=0, below=1)
        self._mu = [np.asarray(self.momentum, dtype=p.dtype) for p in self.params]
        self._v = [np.zeros_like(p) for p in self.params]
        self._tmp = [np.empty_like(p) for p in self.params]

    def update(self, grads: Sequence[NDArray]) -> None:
        self.t += 1
        for p, g, lr, mu, v, tmp in zip(self.params, grads, self._lr, self._mu, self._v, self._tmp, strict=True):
            if self.t == 1:
                np.copyto(v, g)  # PyTorch starts the buffer at the first gradient
            else:
                v *= mu
                v += g
            np.multiply(v, lr, out=tmp)
            p -= tmp


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015) with PyTorch's bias correction.

    Parameters
    ----------
    params, lr
        As for :class:`Optimizer`.
    betas : (float, float)
        Decay rates β1, β2 of the moment estimates, each in [0, 1).
    eps : float or None
        Added to the denominator; None: 1e-8, or 1e-4 when a parameter is
        float16 (an eps that rounds to 0 in float16 is refused).
    """

    name = "adam"

    def __init__(
        self,
        params: Sequence[NDArray],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float | None = None,
    ) -> None:
        super().__init__(params, lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (number("betas[0]", betas[0], lowest=0, below=1), number("betas[1]", betas[1], lowest=0, below=1))
        half = any(p.dtype == np.float16 for p in self.params)
        self.eps = number("eps", (1e-4 if half else 1e-8) if eps is None else eps, above=0)
        if half and np.float16(self.eps) == 0:
            raise ValueError(f"eps={self.eps:g} rounds to 0 in float16 (then 0/0 gives NaN); use eps >= 6e-8, e.g. 1e-4")
        for name in sorted({p.dtype.name for p in self.params}):
            in_dtype("eps", self.eps, name, nonzero=True)
        self._check_lr(self.lr)
        dt = [p.dtype for p in self.params]
        self._b1 = [np.asarray(self.betas[0], dtype=d) for d in dt]
        self._b2 = [np.asarray(self.betas[1], dtype=d) for d in dt]
        self._c1 = [np.asarray(1 - self.betas[0], dtype=d) for d in dt]
        self._c2 = [np.asarray(1 - self.betas[1], dtype=d) for d in dt]
        self._m = [np.zeros_like(p) for p in self.params]
        self._v = [np.zeros_like(p) for p in self.params]
        self._tmp = [np.empty_like(p) for p in self.params]
        self._tmp2 = [np.empty_like(p) for p in self.params]

    def _check_lr(self, lr: float) -> None:
        # the next step multiplies by lr / (1 - beta1^(t+1)), the largest factor of the steps to come
        factor = lr / (1.0 - self.betas[0] ** (self.t + 1))
        for name in sorted({p.dtype.name for p in self.params}):
            in_dtype(f"Adam's {'first' if self.t == 0 else 'next'} step lr / (1 - beta1)", factor, name,
                     hint="lower lr")

    def update(self, grads: Sequence[NDArray]) -> None:
        self.t += 1
        bc1 = 1 - self.betas[0] ** self.t
        bc2 = 1 - self.betas[1] ** self.t
        step = self.lr / bc1
        root_bc2 = math.sqrt(bc2)
        for p, g, b1, b2, c1, c2, m, v, tmp, tmp2 in zip(
            self.params, grads, self._b1, self._b2, self._c1, self._c2, self._m, self._v, self._tmp, self._tmp2, strict=True
        ):
            dt = p.dtype.type
            m *= b1
            np.multiply(g, c1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= c2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp /= dt(root_bc2)
            tmp += dt(self.eps)
            np.divide(m, tmp, out=tmp2)
            tmp2 *= dt(step)
            p -= tmp2


_OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def names() -> list[str]:
    """Names of the optimisers: ``['adam', 'momentum', 'sgd']``."""
    return sorted(_OPTIMIZERS)


def check_name(name: str) -> type[Optimizer]:
    """The optimiser class called ``name``, or ``ValueError`` listing the known ones."""
    if not isinstance(name, str) or name not in _OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(names())}")
    return _OPTIMIZERS[name]


def get(name: str, params: Sequence[NDArray], **options: Any) -> Optimizer:
    """Build the optimiser ``name`` over ``params``.

    Parameters
    ----------
    name : {"sgd", "momentum", "adam"}
    params : sequence of ndarray
        Updated in place by ``update``.
    **options
        ``lr``; ``momentum`` for ``"momentum"``; ``betas``, ``eps`` for ``"adam"``.

    Returns
    -------
    Optimizer

    Examples
    --------
    >>> import numpy as np
    >>> get("adam", [np.zeros(2)], lr=0.01).eps
    1e-08
    """
    return check_name(name)(params, **options)
