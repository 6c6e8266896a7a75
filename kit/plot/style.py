"""Colours, sizes and small helpers shared by every kit picture.

The palette is Okabe & Ito's (2008), distinguishable with the common forms of
colour blindness; lines are thick and fonts large enough for a projector, and
meaning is never carried by colour alone (line styles and marker shapes
differ too).
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

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
    "new_figure",
    "nice_ceil",
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


def rc() -> dict[str, Any]:
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
    """The figure drawn by Agg and encoded as PNG bytes."""
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
        ax.legend(handles=handles, **kwargs)
        ax._kit_legend_key = key
    return ax.get_legend()


def nice_ceil(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is >= x (x > 0), for axis limits that change rarely."""
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
            ax.get_visible(), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(),
            None if ax.title.get_animated() else ax.get_title(),
            ax.get_xlabel(), ax.get_ylabel(), tuple(getattr(fmt, "seq", ()) or ()),
            tuple(t.get_text() for t in legend.get_texts()) if legend is not None and not legend.get_animated()
            else None,
            static,
        ))
    return tuple(parts)


class FrameCache:
    """Redraw a figure fast: static parts once, then only the moving artists (blitting on Agg).

    ``artists`` (a callable returning the moving artists) are marked animated;
    a full draw happens only when something static changed (axis limits,
    titles, legends, tick labels, static artists added or removed), and
    otherwise the saved background is restored and the moving artists drawn
    over it in z-order.  :attr:`full_draws` counts the full draws.  An
    animated axes title counts as moving.  With ``freeze_layout`` the
    figure's layout engine runs at the first draw only.
    """

    def __init__(self, fig: Figure, artists: Any, *, freeze_layout: bool = True) -> None:
        self.fig = fig
        self.freeze_layout = freeze_layout
        self.artists = artists
        self.key: Any = None
        self.background: Any = None
        self.full_draws = 0
        self.frames = 0

    def render(self) -> bytes:
        """Draw and return PNG bytes (fast zlib level: these images live for one frame)."""
        fig = self.fig
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        moving = [a for a in self.artists() if a is not None]
        for a in moving:
            a.set_animated(True)
        key = _static_key(fig)
        if key != self.key or self.background is None:
            canvas.draw()
            if self.freeze_layout and self.full_draws == 0:
                # the layout engine costs half of a draw; positions found once are kept
                fig.set_layout_engine("none")
            self.background = canvas.copy_from_bbox(fig.bbox)
            self.key = _static_key(fig)
            self.full_draws += 1
        else:
            canvas.restore_region(self.background)
        for a in sorted(moving, key=lambda a: a.get_zorder()):
            if a.get_visible() and a.axes is not None and a.axes.get_visible():
                fig.draw_artist(a)
        self.frames += 1
        data = encode_png(canvas)
        for a in moving:  # the figure stays whole for anyone else who draws it (savefig, display)
            a.set_animated(False)
        return data


def encode_png(canvas: FigureCanvasAgg, compress_level: int = 1) -> bytes:
    """The canvas's current pixels as PNG bytes."""
    import numpy as np
    from matplotlib.image import imsave

    rgba = np.asarray(canvas.buffer_rgba())
    out = io.BytesIO()
    imsave(out, rgba, format="png", pil_kwargs={"compress_level": compress_level})
    return out.getvalue()
