"""The numbers of the playground's network view: a picture per unit, weights, dead and saturated units.

:func:`network_frame` turns a training model into one frame for the browser
(:class:`kit.widgets.views.network.NetworkView` draws it on a canvas): plain
numbers and small byte arrays, nothing drawn here, so every number the view
shows is computed, and tested, in Python.

What a frame holds
------------------
* ``extent``: the input plane shown (the data's range, padded), ``grid`` its
  points per side (``out_grid`` for the output's map).
* ``feature_tiles``: every feature of :data:`~kit.widgets.models.features.FEATURES`
  over the plane, ``unit_tiles``: each hidden unit's output f(z) over the
  plane, layer by layer; each tile scaled to its own largest |value|
  (``feature_scale``, ``unit_scale``), 0 -> -max, 128 -> 0, 255 -> +max.
  For 1-D data a tile is a row: the value along x.
* ``output``: the probability of class 1 over the plane (classification,
  0 -> 0, 255 -> 1) or the fitted curve (regression, float32).
* ``weights``: each layer's W (fan_in × fan_out, row-major, float32) and ``bias``.
* ``dead`` (1: no training input passes a gradient: the one definition,
  :func:`kit.nn.diagnostics.dead_units`), ``saturated`` (share of the unit's
  training pre-activations in the saturation region, :class:`~kit.nn.diagnostics.Saturation`)
  and ``kink_hits`` (training pre-activations exactly on a kink) per unit.
* ``histogram``: for the selected unit, its training pre-activations binned,
  with the activation's kinks and its saturation and dead regions in that range.
* ``points``/``labels`` (training), ``test_points``/``test_labels``, the loss
  curves (bounded), ``stats`` and ``flags``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kit.nn.diagnostics import KinkCounter, Saturation, dead_units
from kit.plot.style import BLACK, BLUE, DEAD, DIVERGING, ORANGE, SATURATED, nice_ceil
from kit.widgets.models import features as _features

__all__ = ["GRID", "OUT_GRID", "SATURATED_UNIT", "network_frame", "quantize", "unit_histogram"]

GRID = 24
"""Points per side of a unit's tile."""
OUT_GRID = 48
"""Points per side of the output's map."""
CURVE_POINTS = 160
"""Points of a 1-D output curve."""
SATURATED_UNIT = 0.9
"""A unit is marked saturated when at least this share of its training pre-activations is saturated."""
BINS = 40


def quantize(values: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``values`` (…, n) to uint8 per last-axis column: -scale -> 0, 0 -> 128 (rounded), +scale -> 255.

    A column whose scale is 0 (flat) is all 128.

    Examples
    --------
    >>> quantize(np.array([[-2.0, 0.0], [0.0, 0.0], [2.0, 0.0]]), np.array([2.0, 0.0])).T.tolist()
    [[0, 128, 255], [128, 128, 128]]
    """
    s = np.where(scale > 0, scale, 1.0)
    with np.errstate(all="ignore"):
        q = np.rint(127.5 * (1.0 + np.nan_to_num(values / s, nan=0.0)))
    return np.clip(q, 0, 255).astype(np.uint8)


def _lut() -> bytes:
    rgba = DIVERGING(np.linspace(0, 1, 256))
    return (np.asarray(rgba)[:, :3] * 255).round().astype(np.uint8).tobytes()


LUT = _lut()


def _extent(X: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    lo, hi = lo - pad, hi + pad
    if X.shape[1] == 1:
        return float(lo[0]), float(hi[0]), 0.0, 0.0
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def _plane(extent: tuple[float, float, float, float], n: int, dims: int) -> np.ndarray:
    """Points of the plane (n × n, rows from the top: y decreasing) or of the line (n)."""
    x0, x1, y0, y1 = extent
    xs = np.linspace(x0, x1, n)
    if dims == 1:
        return xs[:, None]
    ys = np.linspace(y1, y0, n)  # the first row is the top of the picture
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def unit_histogram(model: Any, layer: int, unit: int, bins: int = BINS) -> dict[str, Any]:
    """The selected unit's training pre-activations against its activation's kink and saturation region.

    Returns ``counts`` (share of the training points per bin), ``lo``/``hi``
    (the symmetric range binned), ``kinks`` in it, ``saturated`` and ``dead``
    intervals clipped to it, ``share_saturated``, ``dead`` (bool) and ``name``.
    """
    net = model.net
    if not (0 <= layer < net.n_hidden and 0 <= unit < net.sizes[layer + 1]):
        raise ValueError(f"no unit {unit + 1} in hidden layer {layer + 1}")
    act = net.activations[layer]
    z = np.asarray(net.pre_activations(model.F_train)[layer][:, unit])
    z64 = z.astype(np.float64)
    finite = z64[np.isfinite(z64)]
    top = nice_ceil(max(3.0, 1.1 * float(np.quantile(np.abs(finite), 0.995)))) if finite.size else 3.0
    counts, _ = np.histogram(np.clip(finite, -top, top), bins=bins, range=(-top, top))
    tol = model.trainer.saturation_tol

    def clip(intervals: Any) -> list[list[float]]:
        out = []
        for a, b in intervals:
            a, b = max(float(a), -top), min(float(b), top)
            if a < b:
                out.append([a, b])
        return out

    deriv = act.derivative_function(net.kink_rules[layer])
    return {
        "layer": layer, "unit": unit, "name": act.name, "lo": -top, "hi": top,
        "counts": (counts / max(1, z.size)).astype(np.float32).tobytes(),
        "kinks": [float(k) for k in np.asarray(act.kinks(-top, top), dtype=np.float64)],
        "saturated": clip(act.saturation(tol)) if tol > 0 else [],
        "dead_region": clip(act.saturation(0.0)),
        "share_saturated": Saturation(act, tol).fraction(z),
        "dead": bool(dead_units(deriv, z[:, None])[0]),
        "tol": tol,
    }


def _geometry(model: Any, X: np.ndarray, Xt: np.ndarray) -> dict[str, Any]:
    """The plane, its points and the features' tiles: the same from frame to frame until the data change."""
    key = (id(model.X_train), id(model.X_test), tuple(model.inputs), model.classification)
    cached = getattr(model, "_network_geometry", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    dims = X.shape[1]
    extent = _extent(np.concatenate([X, Xt]) if len(Xt) else X)
    P = _plane(extent, GRID, dims)
    names = [f for f in _features.FEATURES if dims == 2 or "x2" not in f]
    F_all = _features.features(names, P)
    f_scale = np.max(np.abs(F_all), axis=0)
    Q = _plane(extent, OUT_GRID, dims) if model.classification else _plane(extent, CURVE_POINTS, 1)
    out_y = None
    if not model.classification:
        ys = np.concatenate([np.ravel(model.y_train), np.ravel(model.y_test)]).astype(np.float64)
        pad = 0.25 * float(np.ptp(ys) or 1.0)
        out_y = [float(ys.min()) - pad, float(ys.max()) + pad]
    geometry = {
        "extent": extent, "features": names,
        "feature_tiles": quantize(F_all, f_scale).T.tobytes(),
        "feature_scale": f_scale.astype(np.float32).tobytes(),
        "inputs": _features.features(model.inputs, P),
        "out_inputs": _features.features(model.inputs, Q),
        "out_y": out_y,
    }
    model._network_geometry = (key, geometry)
    return geometry


def _measures(model: Any) -> list[tuple[Any, Saturation, KinkCounter]]:
    """Per hidden layer: its derivative with the kink rule, its saturation share, its kink counter (kept per network)."""
    net = model.net
    cached = getattr(model, "_network_measures", None)
    if cached is not None and cached[0] is net:
        return cached[1]
    tol = model.trainer.saturation_tol
    out = [(act.derivative_function(rule), Saturation(act, tol), KinkCounter(act))
           for act, rule in zip(net.activations, net.kink_rules, strict=True)]
    model._network_measures = (net, out)
    return out


def network_frame(model: Any, selected: tuple[int, int] | None = None) -> dict[str, Any]:
    """One frame of the network view of a :class:`~kit.widgets.models.training.TrainingModel` (see the module)."""
    net = model.net
    X = np.asarray(model.X_train, dtype=np.float64).reshape(len(model.X_train), -1)
    Xt = np.asarray(model.X_test, dtype=np.float64).reshape(len(model.X_test), X.shape[1])
    dims = X.shape[1]
    classification = model.classification
    g = _geometry(model, X, Xt)
    extent = g["extent"]

    # the tiles: every unit over the plane (the features' tiles depend on the plane only)
    with np.errstate(all="ignore"):
        hidden = net.hidden(g["inputs"])
    acts = np.concatenate([np.asarray(a, dtype=np.float64) for a in hidden], axis=1)
    finite = np.isfinite(acts)
    acts[~finite] = 0.0  # an overflowed unit shows flat
    u_scale = np.abs(acts).max(axis=0) if acts.size else np.zeros(0)
    unit_tiles = quantize(acts, u_scale).T

    # the output
    if classification:
        with np.errstate(all="ignore"):
            p = np.asarray(net.predict(g["out_inputs"], loss=model.trainer.loss.name), dtype=np.float64)
        p = p.reshape(len(p), -1)[:, -1]
        p[~np.isfinite(p)] = 0.5
        output = np.clip(np.rint(p * 255), 0, 255).astype(np.uint8).tobytes()
        out_y = None
    else:
        with np.errstate(all="ignore"):
            out = np.asarray(net.predict(g["out_inputs"], loss=model.trainer.loss.name), dtype=np.float64)
        output = _f32(out.reshape(len(out), -1)[:, 0])
        out_y = g["out_y"]

    # per unit: dead, saturated, kink hits, on the training inputs
    zs = net.pre_activations(model.F_train)
    dead, sat, hits = [], [], []
    measures = _measures(model)
    for (deriv, share, counter), z in zip(measures, zs, strict=True):
        dead += dead_units(deriv, z).astype(np.uint8).tolist()
        for j in range(z.shape[1]):
            col = np.ascontiguousarray(z[:, j])
            sat.append(share.fraction(col))
            hits.append(counter.count(col))

    with np.errstate(over="ignore", invalid="ignore"):  # a diverged float64 network: inf in float32
        weights = [np.asarray(W, dtype=np.float32) for W in net.W]
        biases = [np.asarray(b, dtype=np.float32).tobytes() for b in net.b]
    finite_w = [np.abs(W[np.isfinite(W)]) for W in weights]
    wmax = max((float(a.max()) for a in finite_w if a.size), default=1.0)
    wmax = wmax if math.isfinite(wmax) and wmax > 0 else 1.0

    def pts(A: np.ndarray, y: np.ndarray) -> tuple[bytes, bytes]:
        if dims == 2:
            return A.astype(np.float32).tobytes(), np.asarray(y).astype(np.uint8).tobytes()
        xy = np.column_stack([A[:, 0], np.ravel(y).astype(np.float64)])
        return xy.astype(np.float32).tobytes(), b""

    train_pts, train_lab = pts(X, model.y_train)
    test_pts, test_lab = pts(Xt, model.y_test) if len(Xt) else (b"", b"")
    c = model.curves
    h = model.history
    acc = h.accuracy[-1] if h.accuracy else math.nan
    test_acc = model.test_accuracy[-1] if model.test_accuracy else math.nan
    s = model.settings
    hist = None
    if selected is not None:
        try:
            hist = unit_histogram(model, *selected)
        except ValueError:
            hist = None
    return {
        "task": "classification" if classification else "regression",
        "dims": dims,
        "extent": list(extent),
        "grid": GRID,
        "out_grid": OUT_GRID if classification else CURVE_POINTS,
        "out_y": out_y,
        "features": g["features"],
        "feature_labels": [_features.LABELS[f] for f in g["features"]],
        "inputs": list(model.inputs),
        "feature_tiles": g["feature_tiles"],
        "feature_scale": g["feature_scale"],
        "hidden": list(net.sizes[1:-1]),
        "activations": [a.name for a in net.activations],
        "unit_tiles": unit_tiles.tobytes(),
        "unit_scale": _f32(u_scale),
        "output": output,
        "weights": [W.tobytes() for W in weights],
        "bias": biases,
        "wmax": wmax,
        "dead": bytes(dead),
        "saturated": np.asarray(sat, dtype=np.float32).tobytes(),
        "kink_hits": np.asarray(hits, dtype=np.int32).tobytes(),
        "saturated_unit": SATURATED_UNIT,
        "points": train_pts,
        "labels": train_lab,
        "test_points": test_pts,
        "test_labels": test_lab,
        "loss_steps": _f32(c.steps),
        "loss": _f32(c.column(0)),
        "test_steps": _f32(model.test_steps),
        "test_loss": _f32(model.test_loss),
        "stats": {
            "step": int(model.steps_done),
            "loss": _num(h.loss[-1]) if h.loss else None,
            "test_loss": _num(model.test_loss[-1]) if model.test_loss else None,
            "accuracy": _num(acc),
            "test_accuracy": _num(test_acc),
        },
        "flags": {"show_test": bool(s.get("show_test", True)), "discretize": bool(s.get("discretize", False)),
                  "stopped": bool(model.stopped)},
        "selected": list(selected) if hist is not None and selected is not None else None,
        "histogram": hist,
        "lut": LUT,
        "colors": {"positive": ORANGE, "negative": BLUE, "dead": DEAD, "saturated": SATURATED, "selected": BLACK},
    }


def _f32(values: Any) -> bytes:
    """float32 bytes; numbers beyond float32's range become ±inf, quietly (a diverging run has some)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(values, dtype=np.float64).astype(np.float32).tobytes()


def _num(v: float) -> float | None:
    """A JSON number, or None for NaN and infinities."""
    v = float(v)
    return v if math.isfinite(v) else None
