"""What a training run recorded: :class:`History`, and :class:`TrainingDiverged`.

Part of the engine; see :mod:`kit.nn`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["History", "TrainingDiverged"]


class TrainingDiverged(RuntimeError):
    """Training stopped on a non-finite loss or gradient (with ``on_diverge="raise"``).

    Attributes
    ----------
    history : History
        Everything recorded up to the stop; ``history.message`` repeats the message.
    """

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


@dataclass
class History:
    """What a training run recorded, one entry per record (step 0 is the initial network).

    Attributes
    ----------
    step : list of int
        The step after which each record was taken (0: before training).
    loss, accuracy : list of float
        Mean loss and accuracy over the whole training set (accuracy is NaN
        for regression).  The loss is the data loss, without L1/L2 penalties.
    dead : list of list of int
        Per hidden layer: units whose derivative is 0 on every training input.
    saturated : list of list of float
        Per hidden layer: fraction of training pre-activations in the
        saturation region (|f'| <= ``saturation_tol``).
    kink_hits : list of list of int
        Per hidden layer: batch pre-activations exactly on a kink since the
        previous record (their sum over records is the run's total).
    grad_norm : list of list of float
        Per weight layer: norm of the last step's gradient (dW, db); NaN at step 0.
    widths : tuple of int
        The hidden layers' widths (to turn ``dead`` into fractions).
    stopped : bool
        True if training stopped early (divergence, an interrupt, or a callback returned False).
    message : str
        Why it stopped ("" if it did not).
    stopped_at : int or None
        The step at which it stopped.
    interrupted : bool
        True if :func:`~kit.nn.train` was interrupted (Ctrl-C): then ``stopped``
        is True too, and the last record is the network as it was left.

    Examples
    --------
    >>> h = History(widths=(4,))
    >>> h.stopped, len(h)
    (False, 0)
    """

    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    dead: list[list[int]] = field(default_factory=list)
    saturated: list[list[float]] = field(default_factory=list)
    kink_hits: list[list[int]] = field(default_factory=list)
    grad_norm: list[list[float]] = field(default_factory=list)
    widths: tuple[int, ...] = ()
    stopped: bool = False
    message: str = ""
    stopped_at: int | None = None
    interrupted: bool = False

    def __len__(self) -> int:
        return len(self.step)

    def append(
        self, step: int, loss: float, accuracy: float, dead: list[int], saturated: list[float],
        kink_hits: list[int], grad_norm: list[float],
    ) -> None:
        """Add one record (the trainer's; every series gets one entry)."""
        self.step.append(step)
        self.loss.append(loss)
        self.accuracy.append(accuracy)
        self.dead.append(dead)
        self.saturated.append(saturated)
        self.kink_hits.append(kink_hits)
        self.grad_norm.append(grad_norm)

    def _series(self) -> tuple[list[Any], ...]:
        return self.step, self.loss, self.accuracy, self.dead, self.saturated, self.kink_hits, self.grad_norm

    def _trim(self) -> None:
        """Drop a record that was cut short (some series one entry longer than the others)."""
        n = min(len(s) for s in self._series())
        for s in self._series():
            del s[n:]

    @property
    def dead_fraction(self) -> list[list[float]]:
        """``dead`` divided by each hidden layer's width."""
        return [[d / w for d, w in zip(row, self.widths, strict=True)] for row in self.dead]

    @property
    def total_kink_hits(self) -> list[int]:
        """Per hidden layer: kink hits over the whole run."""
        return [int(sum(col)) for col in zip(*self.kink_hits, strict=True)] if self.kink_hits else [0] * len(self.widths)

    def as_arrays(self) -> dict[str, NDArray]:
        """Every series as a numpy array (records × layers for the per-layer ones)."""
        n_hidden, n_layers = len(self.widths), len(self.widths) + 1
        shape = {"dead": n_hidden, "saturated": n_hidden, "kink_hits": n_hidden, "grad_norm": n_layers}
        out: dict[str, NDArray] = {
            "step": np.asarray(self.step, dtype=np.int64),
            "loss": np.asarray(self.loss, dtype=np.float64),
            "accuracy": np.asarray(self.accuracy, dtype=np.float64),
        }
        for key, width in shape.items():
            out[key] = np.asarray(getattr(self, key), dtype=np.float64).reshape(len(self.step), width)
        return out

    def __repr__(self) -> str:
        if not self.step:
            return "History(no records)"
        acc = self.accuracy[-1]
        acc_s = "" if math.isnan(acc) else f", accuracy={acc:.3f}"
        head = (
            f"History({len(self.step)} records to step {self.step[-1]}: loss={self.loss[-1]:.4g}{acc_s}, "
            f"dead={self.dead[-1]}, kink_hits total={self.total_kink_hits}"
        )
        return head + (f"; STOPPED: {self.message})" if self.stopped else ")")
