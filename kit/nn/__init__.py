"""A numpy gradient-descent engine whose backward pass asks the activation plugins.

A multilayer perceptron (:class:`MLP`) whose hidden layers use any registered
activation, trained by :func:`train` or stepped by a :class:`Trainer`.  The
backward pass multiplies by exactly ``act.derivative(z, kink=...)``: what happens
at a kink is a named parameter, never an accident.  Two networks that differ only
in ``kink`` therefore give identical gradients unless a pre-activation is exactly
on a kink, and the history counts how many were.

Conventions
-----------
* A layer computes ``z = a @ W + b`` with ``W`` of shape ``(fan_in, fan_out)``;
  hidden layers apply their activation, the last layer is linear and the loss
  owns the output nonlinearity (sigmoid for ``"bce"``, softmax for ``"ce"``,
  none for ``"mse"``; see :mod:`kit.nn.losses`).
* "Layer" in the diagnostics ``dead``, ``saturated`` and ``kink_hits`` means a
  hidden layer (``len(sizes) - 2`` of them); ``grad_norm`` has one entry per
  weight layer (``len(sizes) - 1``), the norm of the concatenated ``(dW, db)``.
* Inputs, weights, pre-activations, activations, gradients and optimiser state
  are all in the network's dtype (float16, float32 or float64).  Each
  elementwise numpy operation on float16 is computed in float32 and rounded to
  float16, once per operation.
* float16 matrix products, ``accumulate="float32"`` (default): numpy's own
  float16 ``matmul`` (``HALF_matmul_inner_noblas`` in numpy's ``matmul.c.src``,
  which never calls BLAS): each product of two float16 numbers is exact in
  float32, the products are added one after the other (k = 0, 1, ...) in a
  float32 accumulator, and the sum is rounded to float16 once.  The engine
  computes these same sums, bit for bit, vectorised (float32 products of a
  block of k summed in k order by ``np.add.reduce``; see
  ``kit.nn.network._matmul_float16``), 8-10 times faster than numpy's scalar
  loop on lesson-sized layers.  PyTorch 2.13's
  float16 matmul on the CPU accumulates wide and rounds once too (measured: it
  agrees on 99.85 % of the entries of a 64×256 @ 256×64 product; the others
  differ by the order of the float32 additions).
  ``accumulate="float16"``: the accumulator is float16, rounded after every
  multiply-add in the order k = 0, 1, ..., fan_in - 1 (a float16 fused
  multiply-add; computed exactly in float64 and rounded once per step).  In
  both modes the bias is then added in float16 (one more rounding).  The rule
  holds for every matrix product of the forward and the backward pass: ``a @ W``,
  ``a.T @ dz`` (weight gradients), ``dz @ W.T`` and the batch sums of the bias
  gradients (computed as ``ones @ dz``).  Rounding each step can absorb a small
  term into a large partial sum (1024 + 0.25 is 1024 in float16) and so make
  exact zeros, i.e. kink hits, that a float32 accumulator would not make; how
  many depends on the data (measure it with
  ``kit.lab.experiments.exact_zeros(accumulate=...)``).  float32 and float64
  products use numpy's BLAS (OpenBLAS).
* ``dead[l]``: hidden units of layer l whose derivative (with the network's kink
  rule) is exactly zero on every training input, evaluated on the whole training
  set without dropout.  ``saturated[l]``: fraction of that layer's pre-activations
  over the training set lying in ``act.saturation(tol)`` (``tol`` =
  ``saturation_tol``, ``kit.SATURATION_TOL`` = 1e-3 by default: |f'| <= 1e-3, below
  leaky ReLU's slope 0.01, which still learns; an interval's end counts only where both one-sided derivatives are
  <= tol there).  ``kink_hits[l]``: pre-activations of the training batches since
  the previous record that were exactly equal to a kink of the activation
  (``act.kinks(lo, hi)`` over each batch's range), compared in the network's
  dtype: a kink the dtype cannot hold (0.1) is hit by the dtype's nearest
  number, which is where the plugin's own ``z <= 0.1`` switches slope.

Portability
-----------
``KIT_ROUNDING=perturbed`` in the environment (read at import) makes float32 and
float64 matrix products round another way than this machine's BLAS
(:data:`ROUNDINGS`): the lessons run under it in CI, so that no claim depends on
the last bits of one CPU's kernel.

Reproducibility
---------------
The weights come from ``MLP(seed=...)`` and the batch order and dropout masks
from ``train(seed=...)``/``Trainer(seed=...)``, each a
:func:`numpy.random.default_rng`: the same call gives the same numbers on every
run.  float16 products and all elementwise operations are computed by numpy's
own loops, identical on every machine; float32/float64 products go through
OpenBLAS, whose kernels depend on the CPU, so their last bits may differ between
machines (never between runs on one machine).

Divergence
----------
If a gradient is not finite (before the weights are updated) or the training
loss is inf/NaN, training stops with a message naming the step, the layer and
the likely cause, found by walking the forward pass layer by layer: an
activation that returns inf/NaN (or a non-finite derivative) at a finite
pre-activation is named as the fault, not the data; a pre-activation that
overflows points at the inputs or initial weights before training and at the
learning rate (or huge inputs) after it; a squared error that overflows with
finite outputs points at the targets when they are what is large.  By default the history up to that point is returned with
``hist.stopped = True`` and ``hist.message`` set (no warning, no exception, so a
notebook cell just shows it); with ``on_diverge="raise"``, a
:class:`TrainingDiverged` carrying the history is raised instead.

Interrupting
------------
Ctrl-C (or "interrupt the kernel") during :func:`train` returns the history so
far instead of raising: ``hist.interrupted`` and ``hist.stopped`` are True, a
one-line note goes to stderr, and the network is left exactly as its last
record (the step under way finishes its update first).  See :func:`train`.

Limits
------
Everything is checked before any work: a network or training buffers larger
than the memory available raise :class:`MemoryError` with the estimate
(:mod:`kit.nn.memory`), and a learning rate, penalty, bias, initial weight or
regression target beyond the network's dtype raises :class:`ValueError`
(rounding it would give inf and ``RuntimeWarning: overflow encountered in cast``).

Examples
--------
>>> from kit import nn
>>> from kit.lab import datasets
>>> X, y = datasets.make("xor", n=200, noise=0.1, seed=0)
>>> net = nn.MLP([2, 8, 8, 1], activation="relu", kink="left", init="he", seed=0)
>>> hist = nn.train(net, X, y, loss="bce", optimizer="adam", lr=0.02, steps=300, seed=0)
>>> hist.accuracy[-1] > 0.95
True
>>> len(hist.dead[-1]), len(hist.grad_norm[-1])
(2, 3)
"""

from __future__ import annotations

from kit.nn.diagnostics import diagnostics
from kit.nn.history import History, TrainingDiverged
from kit.nn.network import ACCUMULATE, DTYPES, MLP, ROUNDING, ROUNDINGS
from kit.nn.training import Trainer, gradients, train

__all__ = [
    "ACCUMULATE",
    "DTYPES",
    "MLP",
    "ROUNDING",
    "ROUNDINGS",
    "History",
    "Trainer",
    "TrainingDiverged",
    "diagnostics",
    "gradients",
    "train",
]
