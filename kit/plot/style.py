"""Colours, sizes and small helpers shared by every kit picture.

The palette is Okabe & Ito's (2008), distinguishable with the common forms of
colour blindness; lines are thick and fonts large enough for a projector, and
meaning is never carried by colour alone (line styles and marker shapes
differ too).
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Bbox

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = [
    "BLACK",
    "BLUE",
    "CYCLE",
    "DEAD",
    "DIVERGING",
    "GREEN",
    "ORANGE",
    "PURPLE",
    "SATURATED",
    "SKY",
    "VERMILLION",
    "YELLOW",
    "FrameCache",
    "encode_png",
    "legend_above",
    "new_figure",
    "nice_ceil",
    "overflows",
    "plain_log_ticks",
    "png",
    "rc",
    "set_legend",
    "sticky_range",
]

BLACK = "#000000"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"

CYCLE: tuple[str, ...] = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, BLACK, YELLOW)
"""Colours for series (layers, activations), in order."""

SATURATED = "#BDBDBD"
"""Shade of a saturation region (|f'| <= tol)."""
DEAD = "#707070"
"""Stronger shade of the dead region (f' = 0 exactly)."""

DIVERGING = LinearSegmentedColormap.from_list("kit_blue_orange", [BLUE, "#FFFFFF", ORANGE])
"""Blue (class 0) to white to orange (class 1), for decision boundaries."""

LINE_WIDTH = 2.5
FONT_SIZE = 12.0


def rc() -> dict[RcKeyType, Any]:
    """Matplotlib rc settings of kit pictures (used with ``matplotlib.rc_context``)."""
    return {
        "font.size": FONT_SIZE,
        "axes.titlesize": FONT_SIZE + 1,
        "axes.labelsize": FONT_SIZE,
        "legend.fontsize": FONT_SIZE - 2,
        "lines.linewidth": LINE_WIDTH,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (8.0, 4.5), dpi: float = 100,
               **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure with an Agg canvas and its axes, made without pyplot.

    No global pyplot state is touched, so a figure is never shown twice in a
    notebook and is freed when it is no longer referenced.  Returns
    ``(figure, axes)`` as :meth:`Figure.subplots` does.
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    kwargs.setdefault("squeeze", True)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def png(fig: Figure) -> bytes:
    """The figure drawn by Agg and encoded as PNG bytes.

    Examples
    --------
    >>> import kit.plot
    >>> kit.plot.png(kit.plot.activation("relu"))[:4]
    b'\\x89PNG'
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    buf = io.BytesIO()
    canvas.print_png(buf)
    return buf.getvalue()


def set_legend(ax: Any, handles: list[Any], **kwargs: Any) -> Any:
    """``ax.legend(handles=..., **kwargs)``, remade only when the handles, labels or options change.

    A legend is text-heavy to lay out; keeping it between frames lets a
    redraw skip it (and lets :class:`FrameCache` reuse the background).
    """
    key = (tuple(type(h).__name__ for h in handles), tuple(h.get_label() for h in handles),
           tuple(sorted(kwargs.items())))
    if getattr(ax, "_kit_legend_key", None) != key or ax.get_legend() is None:
        legend = ax.legend(handles=handles, **kwargs)
        legend._kit_best = kwargs.get("loc", "best") == "best"  # see FrameCache: placed once per full draw
        ax._kit_legend_key = key
    return ax.get_legend()


def legend_above(ax: Any, handles: list[Any], *, ncols: int = 4, fontsize: float = 9.0) -> Any:
    """A frameless legend in a row between the title and the axes, where no data line can cross it.

    Used by the training pictures, whose curves go anywhere in the axes.  The
    title is lifted to make room (one row per ``ncols`` entries); the legend
    is remade only when its entries change (see :func:`set_legend`).
    """
    ncols = max(1, min(ncols, len(handles)))
    rows = -(-len(handles) // ncols)
    ax.title.set_position((0.5, 1.0))
    ax.set_title(ax.get_title(), pad=6 + rows * 1.45 * fontsize + 4)
    return set_legend(ax, handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=ncols, frameon=False,
                      borderaxespad=0.2, fontsize=fontsize, handlelength=2.2, columnspacing=1.2)


def plain_log_ticks(axis: Any) -> None:
    """Label a log axis 0.01, 0.1, 1, 10 (not 10⁻²… with 2×10⁻¹ minor labels, hard to read from afar)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10, numticks=8))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def nice_ceil(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is >= x (x > 0), for axis limits that change rarely.

    Examples
    --------
    >>> nice_ceil(0.3), nice_ceil(7.0), nice_ceil(120.0), nice_ceil(0.0)
    (0.5, 10.0, 200.0, 1.0)
    """
    import math

    if not x > 0 or not math.isfinite(x):
        return 1.0
    k = math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        v = m * 10.0**k
        if v >= x * (1 - 1e-12):
            return v
    return 10.0 ** (k + 1)


def sticky_range(lo: float, hi: float, current: tuple[float, float] | None, pad: float = 0.15) -> tuple[float, float]:
    """Axis limits showing [lo, hi]: the ``current`` ones if they still fit well, else new padded ones.

    Keeping limits while they fit lets a redraw reuse the static picture.

    Examples
    --------
    >>> sticky_range(0.0, 1.0, None)
    (-0.15, 1.15)
    >>> sticky_range(0.1, 0.9, (-0.15, 1.15))  # still fits well: kept
    (-0.15, 1.15)
    """
    if current is not None:
        a, b = current
        if a <= lo and hi <= b and (hi - lo) >= 0.4 * (b - a):
            return current
    width = hi - lo or max(1.0, abs(hi))
    return lo - pad * width, hi + pad * width


def _static_key(fig: Figure) -> tuple[Any, ...]:
    """What the non-animated part of a figure depends on (limits, texts, static artists).

    Static artists count by identity: plots remake them (spans, legends) only
    when they change, and keep the moving artists animated.
    """
    parts: list[Any] = [tuple(fig.get_size_inches())]
    for ax in fig.axes:
        legend = ax.get_legend()
        fmt = ax.xaxis.get_major_formatter()
        static = tuple(id(c) for c in ax.get_children() if c.get_visible() and not c.get_animated())
        parts.append((
            ax.get_visible(), tuple(ax.get_position().bounds), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(),
            ax.get_yscale(),
            None if ax.title.get_animated() else ax.get_title(),
            ax.get_xlabel(), ax.get_ylabel(), tuple(getattr(fmt, "seq", ()) or ()),
            tuple(t.get_text() for t in legend.get_texts()) if legend is not None and not legend.get_animated()
            else None,
            static,
        ))
    return tuple(parts)


class FrameCache:
    """Redraw a figure fast: static parts once, then only what changed (blitting on Agg).

    Three layers, each drawn over the one below and the first two saved:

    1. the static figure: everything not listed below; drawn in full only when
       something in it changed (axis limits, titles, tick labels, static
       artists added or removed).  The last ``keep`` static pictures are kept
       by what they show, so going back to one (the previous activation, the
       previous range) costs no full draw.  With ``freeze_layout`` the
       figure's layout engine runs at the first full draw only.
    2. ``overlay`` (a callable returning artists, e.g. shaded spans and a
       legend whose text follows a control): redrawn over the saved static
       layer when these artists change (new artists, or new legend texts).
    3. ``artists`` (a callable returning the moving artists): drawn every
       frame, in z-order.  A legend that a moving artist crosses is drawn
       again on top, so lines never run over a legend.

    A legend asked for at ``loc="best"`` (by :func:`set_legend`) is placed
    when its layer is drawn and pinned there, so drawing it again puts it in
    the same place.  :attr:`full_draws` counts the full draws of layer 1,
    :attr:`frames` the frames.
    """

    def __init__(self, fig: Figure, artists: Any, *, overlay: Any = None, freeze_layout: bool = True,
                 keep: int = 4) -> None:
        self.fig = fig
        self.freeze_layout = freeze_layout
        self.artists = artists
        self.overlay: Callable[[], list[Any]] = overlay or (lambda: [])
        self.keep = int(keep)
        self.key: Any = None
        self.overlay_key: Any = None
        self.background: Any = None
        self.overlay_background: Any = None
        self.backgrounds: OrderedDict[Any, tuple[Any, list[tuple[Any, Any]]]] = OrderedDict()
        """Static pictures by key: (pixels, [(legend, pinned location)])."""
        self.legend_boxes: list[tuple[Any, Bbox]] = []
        self.full_draws = 0
        self.relayouts = 0
        self.frames = 0
        self._engine: Any = None

    def render(self) -> bytes:
        """Draw and return PNG bytes (fast zlib level: these images live for one frame)."""
        fig = self.fig
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        moving = [a for a in self.artists() if a is not None]
        overlay = [a for a in self.overlay() if a is not None]
        for a in moving + overlay:
            a.set_animated(True)
        legends = [lg for ax in fig.axes if (lg := ax.get_legend()) is not None]
        static_legends = [lg for lg in legends if lg not in overlay]
        key = _static_key(fig)
        changed = key != self.key or self.background is None
        if changed:
            self.overlay_background = None
            if key in self.backgrounds:
                self.backgrounds.move_to_end(key)
                self.background, pins = self.backgrounds[key]
                for legend, loc in pins:
                    legend.set_loc(loc)
            else:
                _unpin(static_legends)
                canvas.draw()
                if self.freeze_layout and self.full_draws == 0:
                    # the layout engine costs half of a draw; positions found once are kept ...
                    self._engine = fig.get_layout_engine()
                    fig.set_layout_engine("none")
                elif self.freeze_layout and self._engine is not None and overflows(fig, canvas.get_renderer()):
                    # ... until wider tick labels or a longer title no longer fit: lay out again
                    fig.set_layout_engine(self._engine)
                    canvas.draw()
                    fig.set_layout_engine("none")
                    self.relayouts += 1  # the kept pictures of the old layout no longer match the key
                self.full_draws += 1
                self.background = canvas.copy_from_bbox(fig.bbox)
                pins = _pin(static_legends, canvas.get_renderer())
                key = _static_key(fig)
                self.backgrounds[key] = (self.background, pins)
                while len(self.backgrounds) > self.keep:
                    self.backgrounds.popitem(last=False)
            self.key = key
        overlay_key = tuple((id(a), _legend_texts(a)) for a in overlay if a.get_visible())
        if changed or overlay_key != self.overlay_key or self.overlay_background is None:
            canvas.restore_region(self.background)
            overlay_legends = [lg for lg in legends if lg in overlay]
            _unpin(overlay_legends)
            _pin(overlay_legends, canvas.get_renderer())
            _draw_in_order(fig, overlay)
            self.overlay_background = canvas.copy_from_bbox(fig.bbox)
            self.overlay_key = overlay_key
            renderer = canvas.get_renderer()
            self.legend_boxes = [(lg, lg.get_window_extent(renderer)) for lg in legends if lg.get_visible()]
        else:
            canvas.restore_region(self.overlay_background)
        _draw_in_order(fig, moving)
        for legend, box in self.legend_boxes:
            if _crosses(moving, legend.axes, box, canvas.get_renderer()):
                fig.draw_artist(legend)
        self.frames += 1
        data = encode_png(canvas)
        for a in moving + overlay:  # the figure stays whole for anyone else who draws it (savefig, display)
            a.set_animated(False)
        return data


def overflows(fig: Figure, renderer: Any, slack: float = 1.0) -> bool:
    """True if some axes' labels, ticks or title leave the figure or run into another axes' data area.

    The check of :class:`FrameCache`: with a frozen layout, a y axis whose tick
    labels grew wider (``0.5`` to ``-10.0``) would otherwise be clipped.
    """
    box = fig.bbox
    axes = [ax for ax in fig.axes if ax.get_visible()]
    tight = [ax.get_tightbbox(renderer) for ax in axes]
    for i, tb in enumerate(tight):
        if tb is None:
            continue
        if tb.x0 < box.x0 - slack or tb.y0 < box.y0 - slack or tb.x1 > box.x1 + slack or tb.y1 > box.y1 + slack:
            return True
        for j, other in enumerate(axes):
            if i != j and Bbox.intersection(tb, other.bbox.padded(-slack)) is not None:
                return True
    return False


def _unpin(legends: list[Any]) -> None:
    """Legends asked for at "best" look for the best place again at their next draw."""
    for legend in legends:
        if getattr(legend, "_kit_best", False):
            legend.set_loc("best")


def _pin(legends: list[Any], renderer: Any) -> list[tuple[Any, Any]]:
    """Fix each "best" legend where it is now (in axes coordinates); returns (legend, location) pairs."""
    pins = []
    for legend in legends:
        if getattr(legend, "_kit_best", False):
            box = legend.get_window_extent(renderer)
            loc = tuple(float(v) for v in legend.axes.transAxes.inverted().transform(box.p0))
            legend.set_loc(loc)
            pins.append((legend, loc))
    return pins


def _legend_texts(artist: Any) -> tuple[str, ...] | None:
    texts = getattr(artist, "get_texts", None)
    return tuple(t.get_text() for t in texts()) if texts is not None else None


def _draw_in_order(fig: Figure, artists: list[Any]) -> None:
    for a in sorted(artists, key=lambda a: a.get_zorder()):
        if a.get_visible() and (a.axes is None or a.axes.get_visible()):
            fig.draw_artist(a)


def _crosses(moving: list[Any], ax: Any, box: Bbox, renderer: Any) -> bool:
    """True if a moving artist of ``ax`` draws anything inside ``box`` (a legend's, in pixels)."""
    for a in moving:
        if a.axes is not ax or not a.get_visible() or isinstance(a, Text):
            continue  # a title or label lies outside the data area
        if isinstance(a, Line2D):
            xy = a.get_transform().transform(a.get_xydata()) if len(np.asarray(a.get_xdata())) else np.empty((0, 2))
            xy = xy[np.isfinite(xy).all(axis=1)]
            if len(xy) and (box.count_contains(xy) or (len(xy) > 1 and Path(xy).intersects_bbox(box, False))):
                return True
        elif isinstance(a, Patch):
            if a.get_transform().transform_path(a.get_path()).intersects_bbox(box, filled=a.get_fill()):
                return True
        elif isinstance(a, Collection):
            offsets = np.asarray(a.get_offsets(), dtype=np.float64).reshape(-1, 2)
            if len(offsets):
                sizes = a.get_sizes()  # type: ignore[attr-defined]  # the stubs put it on the collections with sizes only (scatters' PathCollection)
                r = (np.sqrt(sizes.max()) / 2 * renderer.points_to_pixels(1.0)) if len(sizes) else 0.0
                xy = a.get_offset_transform().transform(offsets)
                if box.padded(r).count_contains(xy[np.isfinite(xy).all(axis=1)]):
                    return True
        else:
            extent = a.get_window_extent(renderer)
            if np.isfinite(extent.get_points()).all() and extent.overlaps(box):
                return True
    return False


def encode_png(canvas: FigureCanvasAgg, compress_level: int = 1) -> bytes:
    """The canvas's current pixels as PNG bytes."""
    from matplotlib.image import imsave

    rgba = np.asarray(canvas.buffer_rgba())
    out = io.BytesIO()
    imsave(out, rgba, format="png", pil_kwargs={"compress_level": compress_level})
    return out.getvalue()
