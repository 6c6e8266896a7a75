"""What the three training apps share: data, a network, a stepping trainer, test loss.

The engine is :mod:`kit.nn` (:class:`kit.nn.MLP`, :class:`kit.nn.Trainer`);
nothing here computes a gradient.  A model's settings are a plain dict;
changing any setting that shapes the data, the network or the training
rebuilds them (training restarts from step 0), ``steps_per_frame`` does not.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from kit import nn
from kit.lab import datasets
from kit.widgets.models.base import AppModel, rule_from

__all__ = ["DATASETS", "TrainingModel"]

DATASETS: tuple[str, ...] = ("xor", "circle", "gauss", "spiral", "moons", "sine", "abs", "cubic")
"""Data sets the apps offer: 2-D classification, then 1-D regression."""

BASE_DEFAULTS: dict[str, Any] = {
    "dataset": "moons",
    "n": 500,
    "noise": 0.1,
    "test_fraction": 0.3,
    "seed": 0,
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

LIVE = frozenset({"steps_per_frame"})
"""Settings that change without restarting training."""


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
    frac = float(s["test_fraction"])
    if not 0.0 <= frac < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {frac!r}")
    if int(s["steps_per_frame"]) < 1:
        raise ValueError(f"steps_per_frame must be >= 1, got {s['steps_per_frame']!r}")
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
    net : kit.nn.MLP
    trainer : kit.nn.Trainer
    history : kit.nn.History
    test_steps, test_loss : list
        Test loss at the end of each frame.
    """

    DEFAULTS: dict[str, Any] = BASE_DEFAULTS

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
        if hasattr(self, "trainer") and set(changes) <= LIVE:
            self.settings = new
            self._notify()
            return
        built = self._build(new)
        self.settings = new
        (self.X_train, self.y_train, self.X_test, self.y_test, self.net, self.trainer) = built
        self.test_steps: list[int] = []
        self.test_loss: list[float] = []
        self._evaluate()
        self._draw()
        self._notify()

    def _notify(self) -> None:
        for listener in list(self.listeners):
            listener()

    @property
    def rule(self) -> Any:
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
        X, y = datasets.make(s["dataset"], n=int(s["n"]), noise=float(s["noise"]), seed=s["seed"])
        perm = np.random.default_rng(s["seed"]).permutation(len(X))
        n_test = round(len(X) * float(s["test_fraction"]))
        if len(X) - n_test < 1:
            raise ValueError("no training points left: lower test_fraction or raise n")
        test, train = perm[:n_test], perm[n_test:]
        net = nn.MLP([X.shape[1], *s["hidden"], 1], activation=self._activations(s), kink=rule_from(s["kink"], s["t"]),
                     init=s["init"], bias=float(s["bias"]), dtype=s["dtype"], seed=s["seed"])
        batch = None if s["batch_size"] in (None, 0) else int(s["batch_size"])
        trainer = nn.Trainer(net, X[train], y[train], loss="bce" if datasets.task(s["dataset"]) == "classification"
                             else "mse", optimizer=s["optimizer"], lr=float(s["lr"]), batch_size=batch,
                             dropout=float(s["dropout"]), l1=float(s["l1"]), l2=float(s["l2"]),
                             standardize=bool(s["standardize"]), input_shift=float(s["input_shift"]),
                             input_scale=float(s["input_scale"]), seed=s["seed"])
        return X[train], y[train], X[test], y[test], net, trainer

    # -- training -------------------------------------------------------------------
    @property
    def history(self) -> nn.History:
        """The trainer's history (one record per step)."""
        return self.trainer.history

    @property
    def steps_done(self) -> int:
        """Training steps taken since the last rebuild."""
        return self.trainer.steps_done

    @property
    def stopped(self) -> bool:
        """True once training stopped (diverged); see :attr:`message`."""
        return self.trainer.stopped

    @property
    def message(self) -> str:
        """Why training stopped, or ""."""
        return self.history.message

    def step(self, k: int | None = None) -> None:
        """Train ``k`` steps (default ``steps_per_frame``) and redraw.  Nothing happens once stopped."""
        k = int(self.settings["steps_per_frame"] if k is None else k)
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        if not self.stopped:
            self.trainer.step(k)
            self._evaluate()
        self._draw()

    def reset(self) -> None:
        """Rebuild data and network from the settings: back to step 0."""
        self.set(**{"seed": self.settings["seed"]})

    def _evaluate(self) -> None:
        if not len(self.X_test):
            return
        loss = self.trainer.loss
        with np.errstate(all="ignore"):
            out = self.net.forward(self.X_test)
            value = float(loss.value(out, loss.targets(self.y_test, 1, self.net.dtype)))
        self.test_steps.append(self.steps_done)
        self.test_loss.append(value)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Probability of class 1 (classification) or the output (regression) for inputs X."""
        return self.net.predict(X, loss=self.trainer.loss.name)

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
        hits = h.total_kink_hits
        if any(hits):
            parts.append("pre-activations exactly on a kink " + ", ".join(map(str, hits)))
        text = "; ".join(parts)
        return f"{text}. STOPPED: {self.message}" if self.stopped else text

    # -- picture (subclasses) ---------------------------------------------------------
    def _build_figure(self) -> None:
        raise NotImplementedError

    def _draw(self) -> None:
        raise NotImplementedError
