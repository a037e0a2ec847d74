"""Spreading sweeps over devices, streaming them in chunks, and resuming them.

Contract
--------
* :func:`starts_sharding` is a ``NamedSharding`` that splits a leading
  "starts" (or "points") axis over every device JAX sees (``None`` on one
  device); :func:`padded` rounds a chunk size up to a multiple of the device
  count. Results never depend on the number of devices: every start's work
  depends only on its own index.
* :class:`ChunkStore` keeps each finished chunk of a long sweep as an ``.npz``
  in a folder, under a manifest naming the sweep's settings; a sweep
  restarted with the same settings loads the chunks it finds and computes
  only the rest, so an interrupted sweep resumes with the same result.
  Each chunk file is written atomically.

Multi-host: launch one process per host and call
``jax.distributed.initialize(coordinator_address, num_processes, process_id)``
(or with no arguments on a managed cluster) before anything else; ``jax.devices()``
then lists every device of every host and the same code runs unchanged.
"""
from __future__ import annotations

import hashlib
import io
import json
import os

import jax
import numpy as np

from ._io import write_atomic

__all__ = ["starts_sharding", "padded", "ChunkStore"]


def starts_sharding(axis_name: str = "starts"):
    """Sharding of a leading axis over all devices, or None with one device."""
    devices = jax.devices()
    if len(devices) == 1:
        return None
    mesh = jax.sharding.Mesh(np.asarray(devices), (axis_name,))
    return jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec(axis_name))


def padded(size: int) -> int:
    """``size`` rounded up to a multiple of the device count."""
    d = len(jax.devices())
    return -(-size // d) * d


class ChunkStore:
    """A folder of finished chunks of one sweep.

    Args:
      folder: where to keep them (created if missing).
      settings: JSON-able description of the sweep; a folder holding another
        sweep's chunks raises ``ValueError`` rather than mixing results.
    """

    def __init__(self, folder: str, settings: dict):
        self.folder = folder
        self.key = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()
        os.makedirs(folder, exist_ok=True)
        manifest = os.path.join(folder, "manifest.json")
        if os.path.exists(manifest):
            with open(manifest) as fh:
                old = json.load(fh)
            if old.get("key") != self.key:
                raise ValueError(
                    f"checkpoint folder {folder!r} holds chunks of another sweep; use an empty folder or the same settings"
                )
        else:
            write_atomic(manifest, json.dumps({"key": self.key, "settings": settings}, default=str, indent=1))

    def _path(self, i):
        return os.path.join(self.folder, f"chunk-{i:06d}.npz")

    def load(self, i):
        """The leaves of chunk ``i`` (a list of arrays), or None if not yet done."""
        p = self._path(i)
        if not os.path.exists(p):
            return None
        with np.load(p) as z:
            return [z[f"a{j}"] for j in range(len(z.files))]

    def save(self, i, leaves):
        buf = io.BytesIO()
        np.savez(buf, **{f"a{j}": np.asarray(x) for j, x in enumerate(leaves)})
        write_atomic(self._path(i), buf.getvalue())
