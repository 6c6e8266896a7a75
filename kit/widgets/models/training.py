"""What the three training apps share: data, features, a network, a stepping trainer, test loss.

The engine is :mod:`kit.nn` (:class:`kit.nn.MLP`, :class:`kit.nn.Trainer`);
nothing here computes a gradient.  A model's settings are a plain dict;
changing any setting that shapes the data, the network or the training
rebuilds them (training restarts from step 0); the settings in :data:`LIVE`
do not.

What an app keeps is bounded: the trainer records once per frame into a
history of at most :data:`HISTORY_RECORDS` records (older ones thinned
evenly, see :class:`kit.nn.History`), and the series the pictures draw are
thinned (:class:`Thinned`), so that a frame costs the same, and the kernel
holds the same, after an hour of Play as after a minute.  Training that
diverges, to a non-finite loss (the engine's stop) or to a loss that grew
more than :data:`DIVERGED` times its start, stops with a message.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from kit import nn
from kit.activation import Rule
from kit.lab import datasets
from kit.widgets.models import features as _features
from kit.widgets.models.base import AppModel, rule_from

__all__ = ["DATASETS", "DIVERGED", "HISTORY_RECORDS", "Thinned", "TrainingModel"]

DIVERGED = 1e4
"""Training stops when the loss grows beyond this many times its start (or 1, if larger): it is diverging."""

DATASETS: tuple[str, ...] = ("xor", "circle", "gauss", "spiral", "moons", "sine", "abs", "cubic")
"""Data sets the apps offer: 2-D classification, then 1-D regression."""

BASE_DEFAULTS: dict[str, Any] = {
    "dataset": "moons",
    "n": 500,
    "noise": 0.1,
    "test_fraction": 0.3,
    "seed": 0,
    "data_seed": None,
    "features": ["x1", "x2"],
    "hidden": [8, 8],
    "activation": "relu",
    "kink": "left",
    "t": 0.5,
    "init": "he",
    "bias": 0.0,
    "optimizer": "sgd",
    "lr": 0.1,
    "l1": 0.0,
    "l2": 0.0,
    "dropout": 0.0,
    "batch_size": 32,
    "dtype": "float32",
    "standardize": False,
    "input_shift": 0.0,
    "input_scale": 1.0,
    "steps_per_frame": 10,
}
"""Every setting of a training app and its default."""

LIVE = frozenset({"steps_per_frame", "show_test", "discretize", "lr"})
"""Settings that change without restarting training (the learning rate restarts a run that has stopped)."""

HISTORY_RECORDS = 1000
"""The most records an app's trainer keeps (``max_records`` of :class:`kit.nn.History`): the newest
half every frame, the older ones thinned evenly; step 0 and the current step always."""


class Thinned:
    """Records ``(step, *values)`` kept to at most ``2 * size``: when full, every other older one is dropped.

    The newest record is always kept and the kept ones stay evenly spread
    (the spacing doubles each time), so a curve of an hour-long run costs what
    a curve of a minute does.

    Examples
    --------
    >>> t = Thinned(size=4)
    >>> for i in range(20):
    ...     t.append(i, float(i))
    >>> t.steps, t.stride
    ([0, 4, 8, 12, 16, 19], 4)
    """

    def __init__(self, size: int = 500) -> None:
        self.size = int(size)
        self.stride = 1
        self._count = 0
        self._steps: list[int] = []
        self._values: list[tuple[Any, ...]] = []
        self._last: tuple[int, tuple[Any, ...]] | None = None

    def __len__(self) -> int:
        return len(self.steps)

    def append(self, step: int, *values: Any) -> None:
        """Add a record; every ``stride``-th is kept, and when ``2 * size`` are kept every other one goes."""
        i = self._count
        self._count += 1
        self._last = (int(step), values)
        if i % self.stride:
            return
        self._steps.append(int(step))
        self._values.append(values)
        if len(self._steps) >= 2 * self.size:
            self._steps, self._values = self._steps[::2], self._values[::2]
            self.stride *= 2

    @property
    def steps(self) -> list[int]:
        """The steps of the kept records, the newest last."""
        if self._last is not None and (not self._steps or self._steps[-1] != self._last[0]):
            return [*self._steps, self._last[0]]
        return list(self._steps)

    @property
    def values(self) -> list[tuple[Any, ...]]:
        """The values of the kept records."""
        if self._last is not None and (not self._steps or self._steps[-1] != self._last[0]):
            return [*self._values, self._last[1]]
        return list(self._values)

    def column(self, i: int) -> list[Any]:
        """The ``i``-th value of every record."""
        return [v[i] for v in self.values]



def _check_settings(s: dict[str, Any]) -> None:
    if s["dataset"] not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {s['dataset']!r}")
    hidden = s["hidden"]
    if isinstance(hidden, (int, np.integer)):
        hidden = [int(hidden)]
    if not isinstance(hidden, (list, tuple)) or not hidden:
        raise ValueError(f"hidden must be a non-empty list of layer widths, e.g. [8, 8]; got {hidden!r}")
    s["hidden"] = [int(h) for h in hidden]
    if any(h < 1 for h in s["hidden"]):
        raise ValueError(f"every hidden layer needs at least one unit; got {s['hidden']}")
    s["features"] = _features.check(s["features"])
    if s["data_seed"] is not None:
        s["data_seed"] = int(s["data_seed"])
        if s["data_seed"] < 0:
            raise ValueError(f"data_seed must be a whole number >= 0 or None, got {s['data_seed']!r}")
    frac = float(s["test_fraction"])
    if not 0.0 <= frac < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {frac!r}")
    if int(s["steps_per_frame"]) < 1:
        raise ValueError(f"steps_per_frame must be >= 1, got {s['steps_per_frame']!r}")
    for key in ("standardize", "show_test", "discretize"):
        if key in s and not isinstance(s[key], (bool, np.bool_)):
            raise ValueError(f"{key} must be True or False, got {s[key]!r}")
    for key in ("lr", "noise", "bias", "l1", "l2", "input_shift", "input_scale", "dropout"):
        if not math.isfinite(float(s[key])):
            raise ValueError(f"{key} must be finite, got {s[key]!r}")


class TrainingModel(AppModel):
    """Base of the dead-units, saturation and playground models.

    Parameters
    ----------
    **settings
        Any key of :data:`BASE_DEFAULTS` (the subclass may change defaults).

    Attributes
    ----------
    settings : dict
        The settings in force.
    X_train, y_train, X_test, y_test : ndarray
        The data (points in the plane, or on a line for regression).
    inputs : list of str
        The features the network sees (see :mod:`kit.widgets.models.features`).
    F_train, F_test : ndarray
        Those features of the training and test points: the network's inputs.
    net : kit.nn.MLP
    trainer : kit.nn.Trainer
        Records once per :meth:`step` call (``record_every`` is the frame's steps).
    history : kit.nn.History
        Bounded to :data:`HISTORY_RECORDS` records (thinned evenly; look a step up with ``history.at(step)``).
    curves : Thinned
        What the pictures draw, per record: step, loss, dead fraction, saturated share,
        gradient norm per layer (bounded).
    test_steps, test_loss, test_accuracy : list
        Test loss and accuracy at the end of each frame (thinned like :attr:`curves`).
    """

    DEFAULTS: dict[str, Any] = BASE_DEFAULTS
    trainer: nn.Trainer  # set by set(), from _build

    def __init__(self, **settings: Any) -> None:
        unknown = set(settings) - set(self.DEFAULTS)
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}; known: {', '.join(self.DEFAULTS)}")
        self.settings: dict[str, Any] = copy.deepcopy(self.DEFAULTS)
        self.listeners: list[Any] = []
        """Called with no arguments after every successful :meth:`set` (views sync their controls)."""
        self._build_figure()
        self.set(**settings)

    # -- settings -----------------------------------------------------------------
    def set(self, **changes: Any) -> None:
        """Change settings; a bad value raises and the previous network stays in force."""
        unknown = set(changes) - set(self.DEFAULTS)
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}; known: {', '.join(self.DEFAULTS)}")
        new = copy.deepcopy(self.settings)
        new.update(copy.deepcopy(changes))
        _check_settings(new)
        if hasattr(self, "trainer") and set(changes) <= LIVE and not ("lr" in changes and self.stopped):
            if new["lr"] != self.settings["lr"]:
                self.trainer.set_lr(float(new["lr"]))  # refuses before anything changes
            self.settings = new
            self.trainer.record_every = int(new["steps_per_frame"])
            self._draw()
            self._notify()
            return
        built = self._build(new)
        self.settings = new
        (self.X_train, self.y_train, self.X_test, self.y_test, self.net, self.trainer) = built
        self.inputs = _features.used(new["features"], self.X_train.reshape(len(self.X_train), -1).shape[1])
        self.F_train, self.F_test = self._inputs(self.X_train), self._inputs(self.X_test)
        self.curves = Thinned()
        self._tests = Thinned()
        self._seen_step = -1  # the step of the last history record copied into the curves
        self._stop_message = ""
        self._take_records()
        self._evaluate()
        self._draw()
        self._notify()

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        """The network's inputs for points ``X``: their features."""
        names = getattr(self, "inputs", None) or _features.used(self.settings["features"], 2)
        return _features.features(names, X)

    def _notify(self) -> None:
        for listener in list(self.listeners):
            listener()

    @property
    def rule(self) -> Rule:
        """The kink rule in force."""
        return rule_from(self.settings["kink"], self.settings["t"])

    @property
    def classification(self) -> bool:
        """True for the 2-D classification data sets."""
        return datasets.task(self.settings["dataset"]) == "classification"

    def _activations(self, s: dict[str, Any]) -> Any:
        act = s["activation"]
        if isinstance(act, (list, tuple)) and not (len(act) == 2 and isinstance(act[1], dict)):
            acts = [tuple(a) if isinstance(a, list) else a for a in act]
            if len(acts) != len(s["hidden"]):
                raise ValueError(f"activation: {len(acts)} given for {len(s['hidden'])} hidden layers")
            return acts
        return tuple(act) if isinstance(act, list) else act

    def _build(self, s: dict[str, Any]) -> tuple[Any, ...]:
        data_seed = s["seed"] if s["data_seed"] is None else s["data_seed"]
        X, y = datasets.make(s["dataset"], n=int(s["n"]), noise=float(s["noise"]), seed=data_seed)
        perm = np.random.default_rng(data_seed).permutation(len(X))
        n_test = round(len(X) * float(s["test_fraction"]))
        if len(X) - n_test < 1:
            raise ValueError("no training points left: lower test_fraction or raise n")
        test, train = perm[:n_test], perm[n_test:]
        names = _features.used(s["features"], X.reshape(len(X), -1).shape[1])
        F = _features.features(names, X)
        net = nn.MLP([F.shape[1], *s["hidden"], 1], activation=self._activations(s), kink=rule_from(s["kink"], s["t"]),
                     init=s["init"], bias=float(s["bias"]), dtype=s["dtype"], seed=s["seed"])
        batch = None if s["batch_size"] in (None, 0) else int(s["batch_size"])
        trainer = nn.Trainer(net, F[train], y[train], loss="bce" if datasets.task(s["dataset"]) == "classification"
                             else "mse", optimizer=s["optimizer"], lr=float(s["lr"]), batch_size=batch,
                             dropout=float(s["dropout"]), l1=float(s["l1"]), l2=float(s["l2"]),
                             standardize=bool(s["standardize"]), input_shift=float(s["input_shift"]),
                             input_scale=float(s["input_scale"]), record_every=int(s["steps_per_frame"]),
                             seed=s["seed"], max_records=HISTORY_RECORDS)
        return X[train], y[train], X[test], y[test], net, trainer

    # -- training -------------------------------------------------------------------
    @property
    def history(self) -> nn.History:
        """The trainer's history (one record per frame, the older ones thinned: at most :data:`HISTORY_RECORDS`)."""
        return self.trainer.history

    @property
    def steps_done(self) -> int:
        """Training steps taken since the last rebuild."""
        return self.trainer.steps_done

    @property
    def stopped(self) -> bool:
        """True once training stopped (diverged); see :attr:`message`."""
        return self.trainer.stopped or bool(self._stop_message)

    @property
    def message(self) -> str:
        """Why training stopped, or "" (in the app's words: what to select in it)."""
        text = self._stop_message or self.history.message
        return text.replace("kink=kit.Fixed(0.0)", "the kink rule 'fixed' with f'(kink) = 0 (kink=kit.Fixed(0.0))")

    def step(self, k: int | None = None) -> None:
        """Train ``k`` steps (default ``steps_per_frame``) and redraw.  Nothing happens once stopped."""
        k = int(self.settings["steps_per_frame"] if k is None else k)
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        if not self.stopped:
            self.trainer.step(k)
            self._take_records()
            self._evaluate()
        self._draw()

    def reset(self) -> None:
        """Rebuild data and network from the settings: back to step 0."""
        self.set(**{"seed": self.settings["seed"]})

    def regenerate(self) -> None:
        """New data drawn from the same data set (the next data seed); the network restarts at step 0."""
        current = self.settings["data_seed"]
        self.set(data_seed=(self.settings["seed"] if current is None else current) + 1)

    def _take_records(self) -> None:
        """Copy the history's new records into :attr:`curves` and check for divergence."""
        h = self.history
        widths = h.widths
        first = h.index(self._seen_step) + 1 if self._seen_step >= 0 else 0  # the history is thinned: by step
        for i in range(first, len(h.step)):
            dead = [d / w for d, w in zip(h.dead[i], widths, strict=True)]
            self.curves.append(h.step[i], h.loss[i], dead, h.saturated[i], h.grad_norm[i], h.accuracy[i])
        if h.step:
            self._seen_step = h.step[-1]
        if not self.stopped and h.loss and math.isfinite(h.loss[-1]):
            start = h.loss[0]
            limit = DIVERGED * max(start, 1.0) if math.isfinite(start) else math.inf
            if h.loss[-1] > limit:
                self._stop_message = (
                    f"training stopped at step {h.step[-1]}: the training loss grew from {start:.4g} to "
                    f"{h.loss[-1]:.4g}, more than {DIVERGED:g} times its start: training is diverging; the "
                    f"learning rate lr={self.trainer.lr:g} is likely too high (lower it, then reset)")

    def _evaluate(self) -> None:
        if not len(self.X_test):
            return
        loss = self.trainer.loss
        with np.errstate(all="ignore"):
            out = self.net.forward(self.F_test)
            targets = loss.targets(self.y_test, 1, self.net.dtype)
            value = float(loss.value(out, targets))
            acc = float(np.mean(loss.correct(out, targets))) if loss.classification else math.nan
        self._tests.append(self.steps_done, value, acc)

    @property
    def test_steps(self) -> list[int]:
        """The steps at which the test loss was measured (the end of each frame, thinned)."""
        return self._tests.steps

    @property
    def test_loss(self) -> list[float]:
        """The test loss at :attr:`test_steps`."""
        return self._tests.column(0)

    @property
    def test_accuracy(self) -> list[float]:
        """The test accuracy at :attr:`test_steps` (NaN for regression)."""
        return self._tests.column(1)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Probability of class 1 (classification) or the output (regression) for points X."""
        return self.net.predict(self._inputs(X), loss=self.trainer.loss.name)

    @property
    def kink_hits(self) -> list[int]:
        """Per hidden layer: pre-activations exactly on a kink since step 0 (training batches)."""
        return self.history.total_kink_hits  # the thinned history keeps the run's totals

    def dying(self) -> list[int]:
        """Per hidden layer: units dead now that were alive at step 0 (they died while training)."""
        h = self.history
        return [max(0, now - then) for now, then in zip(h.dead[-1], h.dead[0], strict=True)] if h.dead else []

    def status(self) -> str:
        """The summary, the test accuracy beside the training accuracy, and a warning when units die."""
        text = self.summary()
        acc = self.test_accuracy
        if acc and not math.isnan(acc[-1]) and not self.stopped:
            text = text.replace(f"accuracy {self.history.accuracy[-1]:.3f}",
                                f"accuracy {self.history.accuracy[-1]:.3f} (test {acc[-1]:.3f})", 1)
        died = self.dying()
        if sum(died) and not self.stopped:
            layers = ", ".join(f"layer {i + 1}: {d}" for i, d in enumerate(died) if d)
            text += (f". ⚠ units died while training ({layers}): no gradient reaches them any more; "
                     f"a lower learning rate, a positive initial bias or leaky_relu keeps them alive")
        return text

    def summary(self) -> str:
        """Step, loss, accuracy, dead units per layer, the stop message if any."""
        h = self.history
        parts = [f"step {self.steps_done}", f"loss {h.loss[-1]:.4g}"]
        if self.test_loss:
            parts.append(f"test loss {self.test_loss[-1]:.4g}")
        if not math.isnan(h.accuracy[-1]):
            parts.append(f"accuracy {h.accuracy[-1]:.3f}")
        parts.append("dead units " + ", ".join(f"{d}/{w}" for d, w in zip(h.dead[-1], h.widths, strict=True)))
        parts.append("saturated " + ", ".join(f"{s:.0%}" for s in h.saturated[-1]))
        hits = self.kink_hits
        if any(hits):
            parts.append("pre-activations exactly on a kink " + ", ".join(map(str, hits)))
        text = "; ".join(parts)
        return f"{text}. STOPPED: {self.message}" if self.stopped else text

    # -- picture (subclasses) ---------------------------------------------------------
    def _build_figure(self) -> None:
        raise NotImplementedError

    def _draw(self) -> None:
        raise NotImplementedError
