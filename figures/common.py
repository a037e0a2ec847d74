"""Shared plumbing of the figure scripts: the data from the registry, saving, sidecars.

Contract: :func:`data` runs (or loads from the cache folder ``out/.cache``)
an experiment of :mod:`analysis.registry`, so a figure draws the same run
its claims read; :func:`save` writes PNG (and SVG for line art) and a JSON
sidecar with the settings, the numbers the figure shows, and the provenance
(versions, device, git commit), each file atomically. Figures never save
from ``plot``: ``plot(data, ax=None) -> (fig, axes)`` only draws.
"""

from __future__ import annotations

import io
import os

from analysis import registry
from landscape.io import provenance, write_atomic, write_json


def use_cache(out: str) -> None:
    """Keep experiment results in ``out/.cache`` (shared with ``python -m analysis verify --out out``)."""
    d = os.path.join(out, ".cache")
    os.makedirs(d, exist_ok=True)
    registry.set_cache_dir(d)


def data(name, quick=False, **overrides):
    """The experiment ``name`` (a :class:`analysis.registry.Result`)."""
    return registry.run(name, quick=quick, **overrides)


def save(fig, out, name, settings, *, shown=None, svg=True):
    """Write ``name``.png (+ .svg) and ``name``.json (settings, the numbers shown, provenance); return the paths."""
    import matplotlib.pyplot as plt

    paths = []
    problems = layout_problems(fig)
    for ext in ("png", "svg") if svg else ("png",):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, metadata={"Date": None} if ext == "svg" else None)
        p = os.path.join(out, f"{name}.{ext}")
        write_atomic(p, buf.getvalue())
        paths.append(p)
    plt.close(fig)
    side = os.path.join(out, f"{name}.json")
    write_json(
        side,
        {"figure": name, "settings": settings, "shown": shown or {}, "layout": problems, "provenance": provenance()},
    )
    return paths + [side]


def layout_problems(fig, slack: float = 1.0) -> list[str]:
    """What a reader would see as broken in ``fig``, as sentences (empty when none).

    Two checks on the drawn figure: every visible text (titles, labels, tick labels, legends,
    annotations) lies inside the canvas (``slack`` pixels allowed), and no axis, colour bars
    included, repeats a tick label within its view limits (a repeated label such as ``2e+01,
    2e+01`` means the format hides the ticks' values).
    """
    from matplotlib.axes import Axes
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    W, H = fig.bbox.width, fig.bbox.height
    found = []
    every = fig.findobj(Axes)  # insets included
    unseen = set()  # tick labels of ticks outside the view limits are never drawn
    for ax in every:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not min(lim) <= tick.get_loc() <= max(lim):
                    unseen.update((id(tick.label1), id(tick.label2)))
    for t in fig.findobj(Text):
        if id(t) in unseen or not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        box = t.get_window_extent(renderer)
        if box.x0 < -slack or box.y0 < -slack or box.x1 > W + slack or box.y1 > H + slack:
            found.append(
                f"text {t.get_text()!r} reaches outside the canvas "
                f"([{box.x0:.0f}, {box.x1:.0f}] x [{box.y0:.0f}, {box.y1:.0f}] px on {W:.0f} x {H:.0f})"
            )
    for ax in every:
        if not ax.get_visible():
            continue
        for which, axis, lim in (("x", ax.xaxis, ax.get_xlim()), ("y", ax.yaxis, ax.get_ylim())):
            lo, hi = min(lim), max(lim)
            ticks = [tick for tick in axis.get_major_ticks() if lo <= tick.get_loc() <= hi]
            for side in ("label1", "label2"):  # colour bars label on the right (label2)
                labels = [
                    getattr(tick, side).get_text()
                    for tick in ticks
                    if getattr(tick, side).get_visible() and getattr(tick, side).get_text().strip()
                ]
                repeated = sorted({s for s in labels if labels.count(s) > 1})
                if repeated:
                    title = ax.get_title() or ax.get_ylabel() or ax.get_xlabel() or "an axis"
                    found.append(f"{which}-axis of {title!r} repeats tick labels {repeated} (of {labels})")
    return found
