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
    for ext in ("png", "svg") if svg else ("png",):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, metadata={"Date": None} if ext == "svg" else None)
        p = os.path.join(out, f"{name}.{ext}")
        write_atomic(p, buf.getvalue())
        paths.append(p)
    plt.close(fig)
    side = os.path.join(out, f"{name}.json")
    write_json(side, {"figure": name, "settings": settings, "shown": shown or {}, "provenance": provenance()})
    return paths + [side]
