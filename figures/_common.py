"""Shared plumbing of the figure scripts: caching, saving, sidecars.

Contract: :func:`cached` computes data once per (figure, settings, code) and
keeps it as an ``.npz`` named by a hash of the settings and of the sources
(an edit to ``landscape``, ``analysis`` or the figure's module recomputes it); :func:`save` writes PNG
(and SVG for line art) and a JSON sidecar with the settings, seed, versions
and device, each file atomically (temporary name, then rename).
"""
from __future__ import annotations

import hashlib
import io
import json
import os

import numpy as np

from landscape.io import provenance, write_atomic, write_json


def cache_dir(out):
    d = os.path.join(out, ".cache")
    os.makedirs(d, exist_ok=True)
    return d


def code_hash(module_file=None) -> str:
    """Hash of the sources a figure's numbers come from: the ``landscape`` and
    ``analysis`` packages and the figure's own module."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = []
    for pkg in ("landscape", "analysis"):
        for dirpath, dirnames, files in os.walk(os.path.join(root, pkg)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
            paths += [os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".py")]
    if module_file:
        paths.append(os.path.abspath(module_file))
    h = hashlib.sha256()
    for p in paths:
        h.update(os.path.relpath(p, root).encode())
        with open(p, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


def cached(out, name, settings, compute):
    """Load ``name``'s data for ``settings`` and this code from the cache, or compute and store it.

    The key hashes the settings and :func:`code_hash` of the module that
    defines ``compute``: editing the packages or that figure recomputes it.
    """
    text = json.dumps({"settings": settings, "code": code_hash(compute.__code__.co_filename)}, sort_keys=True, default=str)
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = os.path.join(cache_dir(out), f"{name}-{key}.npz")
    if os.path.exists(path):
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    data = compute()
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: np.asarray(v) for k, v in data.items()})
    write_atomic(path, buf.getvalue())
    return data


def save(fig, out, name, settings, *, svg=True):
    """Write ``name``.png (+ .svg) and ``name``.json; return the paths."""
    import matplotlib.pyplot as plt

    paths = []
    for ext in (("png", "svg") if svg else ("png",)):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, metadata={"Date": None} if ext == "svg" else None)
        p = os.path.join(out, f"{name}.{ext}")
        write_atomic(p, buf.getvalue())
        paths.append(p)
    plt.close(fig)
    side = os.path.join(out, f"{name}.json")
    write_json(side, {"figure": name, "settings": settings, "provenance": provenance()})
    return paths + [side]
