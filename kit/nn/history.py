"""What a training run recorded: :class:`History`, and :class:`TrainingDiverged`.

Part of the engine; see :mod:`kit.nn`.
"""

from __future__ import annotations

import bisect
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
    max_records : int or None
        None (default): every record is kept.  An int n >= 4 bounds the
        history to n records, for runs without an end (the apps): the newest
        ``n // 2`` are all kept, the older ones thinned evenly, every
        ``stride``-th kept (the stride doubles whenever they fill their half).
        The first record (step 0) and the last are always kept; the kink hits
        of a dropped record are added to the next kept one, so
        ``total_kink_hits`` stays the run's total.  :meth:`at` looks a step up.

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
    max_records: int | None = None
    _stride: int = field(default=1, repr=False, compare=False)
    _aged: int = field(default=0, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_records is not None and (
            isinstance(self.max_records, bool) or not isinstance(self.max_records, int) or self.max_records < 4
        ):
            raise ValueError(f"max_records must be None or an integer >= 4, got {self.max_records!r}")

    def __len__(self) -> int:
        return len(self.step)

    @property
    def stride(self) -> int:
        """1 while every record is kept; else how many records each kept older one stands for."""
        return self._stride

    def index(self, step: int) -> int:
        """Index of the record of ``step``, or of the last kept record before it (thinned histories).

        Raises
        ------
        ValueError
            ``step`` is before the first record.

        Examples
        --------
        >>> h = History(widths=(1,), max_records=4)
        >>> for s in range(10):
        ...     h.append(s, 1.0 / (s + 1), float("nan"), [0], [0.0], [1], [0.0, 0.0])
        >>> h.step, h.index(5), h.at(9)["loss"], h.total_kink_hits
        ([0, 4, 8, 9], 1, 0.1, [10])
        """
        i = bisect.bisect_right(self.step, step) - 1
        if i < 0:
            raise ValueError(f"no record at or before step {step}: the first is at step "
                             f"{self.step[0] if self.step else None}")
        return i

    def at(self, step: int) -> dict[str, Any]:
        """The record of ``step`` (or the last kept one before it) as a dict of its values."""
        i = self.index(step)
        return {"step": self.step[i], "loss": self.loss[i], "accuracy": self.accuracy[i], "dead": self.dead[i],
                "saturated": self.saturated[i], "kink_hits": self.kink_hits[i], "grad_norm": self.grad_norm[i]}

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
        if self.max_records is not None:
            self._thin()

    def _drop(self, j: int) -> None:
        """Remove record ``j`` (not the last), giving its kink hits to the next record."""
        self.kink_hits[j + 1] = [a + b for a, b in zip(self.kink_hits[j], self.kink_hits[j + 1], strict=True)]
        for series in self._series():
            del series[j]

    def _thin(self) -> None:
        """Keep at most ``max_records``: the newest half all, the older ones every ``stride``-th."""
        cap = self.max_records or 0
        recent = cap // 2
        old = len(self.step) - recent - 1  # the record that just left the recent window
        if old < 0:
            return
        if self._aged % self._stride:
            self._drop(old)
        self._aged += 1
        k = len(self.step) - recent  # the older records
        if k > cap - recent:  # full: every other older one goes (the first stays)
            hits = self.kink_hits
            for j in range(1, k, 2):
                hits[j + 1] = [a + b for a, b in zip(hits[j], hits[j + 1], strict=True)]
            keep = [*range(0, k, 2), *range(k, len(self.step))]
            for series in self._series():
                series[:] = [series[i] for i in keep]
            self._stride *= 2

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
