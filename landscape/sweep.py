"""Sweeps: padding, spreading over devices, chunking and checkpoints, in one place.

Contract
--------
* :func:`starts_sharding` is a ``NamedSharding`` that splits a leading
  "starts" (or "points") axis over every device JAX sees (``None`` on one
  device); :func:`padded` rounds a size up to a multiple of the device count;
  :func:`spread` takes rows of a pytree (padding by repeating the last) and
  places them over the devices. Results never depend on the number of
  devices: every start's work depends only on its own index.
* :func:`map_chunks` runs a function over a batch of starts chunk by chunk
  (memory stays O(chunk)), each chunk padded to a :func:`bucket` size (so
  that sweeps of similar sizes share one compiled program) and spread over
  the devices, and joins the outputs by name along each output's starts axis; with a :class:`ChunkStore`
  every finished chunk is kept and a restarted sweep computes only the rest.
* :class:`ChunkStore` keys a folder by a digest of everything that
  determines the numbers. A folder holding another sweep's chunks is refused;
  every chunk file records the key and its start range, and is verified on
  load (names, shapes, dtypes); a corrupt chunk is named in a warning and
  recomputed. Each file is written atomically.

Several hosts: launch one process per host and call
``jax.distributed.initialize(coordinator_address, num_processes, process_id)``
before anything else; ``jax.devices()`` then lists every device of every
host. :func:`spread` builds global arrays from each process's own rows
(``jax.make_array_from_process_local_data``) and :func:`gather` brings
results back to every process, so the same code runs unchanged.
"""

from __future__ import annotations

import json
import os
from typing import Any

import jax
import numpy as np

from .io import IntegrityError, read_sealed, write_atomic, write_sealed
from .protocol import digest

__all__ = [
    "Cancelled",
    "CheckpointError",
    "ChunkStore",
    "bucket",
    "gather",
    "map_chunks",
    "padded",
    "spread",
    "starts_sharding",
]


class Cancelled(RuntimeError):
    """A sweep stopped between chunks because its caller asked (``should_stop``)."""


class CheckpointError(ValueError):
    """A checkpoint folder that cannot be used for this sweep (the message says why)."""


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


def bucket(size: int) -> int:
    """``size`` rounded up to a power of two (up to 4096) or a multiple of 4096, then of the device count.

    Chunks are padded to these sizes so that sweeps of similar sizes share one
    compiled program (at most twice the work for small sweeps, a few percent
    for large ones).
    """
    b = 1 << max(int(size - 1).bit_length(), 0) if size <= 4096 else -(-size // 4096) * 4096
    return padded(b)


def spread(tree, take):
    """Rows ``take`` of every leaf (NumPy), placed over all devices along the leading axis.

    With one device the rows are plain device arrays. With several processes
    each process contributes the rows of its own devices and the result is one
    global array.
    """
    sharding = starts_sharding()
    take = np.asarray(take)
    if sharding is None:

        def rows1(a):
            if a.shape[0] == take.size and np.array_equal(take, np.arange(take.size)):
                return jax.numpy.asarray(a)
            return jax.numpy.asarray(a)[take] if isinstance(a, jax.Array) else jax.numpy.asarray(np.asarray(a)[take])

        return jax.tree_util.tree_map(rows1, tree)
    rows = jax.tree_util.tree_map(lambda a: np.asarray(a)[take], tree)
    if jax.process_count() == 1:
        return jax.device_put(rows, sharding)

    def local(a):
        # the rows this process's devices hold, in the global order of the mesh
        index_map = sharding.addressable_devices_indices_map(a.shape)
        firsts = set()
        for device, idx in index_map.items():
            if idx is None:
                raise RuntimeError(f"the starts' sharding gives device {device} no index into the rows")
            firsts.add(idx[0].start or 0)
        starts = sorted(firsts)
        per = a.shape[0] // len(jax.devices())
        chunks = [a[s : s + per] for s in starts]
        return jax.make_array_from_process_local_data(sharding, np.concatenate(chunks, 0), a.shape)

    return jax.tree_util.tree_map(local, rows)


def gather(tree):
    """Every leaf as a NumPy array holding all rows, on every process (a no-op copy on one process)."""
    if jax.process_count() == 1:
        return jax.tree_util.tree_map(np.asarray, tree)
    from jax.experimental import multihost_utils

    return jax.tree_util.tree_map(
        lambda a: (
            np.asarray(multihost_utils.process_allgather(a, tiled=True))
            if isinstance(a, jax.Array) and not a.is_fully_addressable
            else np.asarray(a)
        ),
        tree,
    )


def _cut(a, m, axis):
    return a[(slice(None),) * axis + (slice(0, m),)]


def map_chunks(
    fn,
    inputs,
    n: int,
    *,
    chunk: int | None = None,
    axis=lambda path: 0,
    store: ChunkStore | None = None,
    template=None,
    progress: bool = False,
    desc: str = "starts",
    should_stop=None,
):
    """Run ``fn(sub_inputs, start_ids)`` over ``n`` starts chunk by chunk and join the outputs.

    Args:
      fn: maps a chunk of the inputs (every leaf with a leading axis of the
        chunk's padded size) and the chunk's global start indices to a pytree
        of outputs.
      inputs: pytree of NumPy arrays with ``n`` rows each.
      n: the number of starts; chunk: starts per chunk (None: one chunk).
      axis: the starts axis of an output leaf, from its key path.
      store: a :class:`ChunkStore` to keep and reuse finished chunks.
      template: the output structure (``jax.eval_shape`` of ``fn``), needed to
        rebuild chunks loaded from the store.
      progress: a progress bar over chunks.
      should_stop: a callable asked before each chunk; when it answers True
        the sweep ends with :class:`Cancelled` (a server whose client left).

    Returns:
      The joined outputs (NumPy leaves), each with ``n`` starts along its axis.

    Raises:
      Cancelled: ``should_stop()`` answered True.
    """
    size = bucket(n if chunk is None else min(chunk, n))
    n_chunks = -(-n // size)
    order = range(n_chunks)
    if progress and n_chunks > 1:
        from tqdm import tqdm

        order = tqdm(order, desc=desc, unit="chunk")
    parts = []
    for ci in order:
        if should_stop is not None and should_stop():
            raise Cancelled(f"stopped before chunk {ci + 1} of {n_chunks}")
        lo, hi = ci * size, min((ci + 1) * size, n)
        out = store.load(ci, template, hi - lo, axis) if store is not None else None
        if out is None:
            idx = np.arange(lo, lo + size)
            take = np.minimum(idx, n - 1)  # pad the last chunk by repeating its last start
            sub = spread(inputs, take)
            ids = spread(idx.astype(np.int32), np.arange(size))
            out = gather(fn(sub, ids))
            out = jax.tree_util.tree_map_with_path(lambda p, a: _cut(np.asarray(a), hi - lo, axis(p)), out)
            if store is not None:
                store.save(ci, out, (lo, hi))
        parts.append(out)
    if len(parts) == 1:
        return parts[0]
    return jax.tree_util.tree_map_with_path(lambda p, *xs: np.concatenate(xs, axis=axis(p)), *parts)


class ChunkStore:
    """A folder of finished chunks of one sweep.

    Args:
      folder: where to keep them (created if missing).
      settings: JSON-ready description of everything that determines the
        sweep's numbers (the training code's digest included); its digest is
        the sweep's key.

    Every chunk is a sealed ``.npz`` (:func:`landscape.io.write_sealed`): a chunk
    whose values were edited, or one of another sweep, is refused with a
    :class:`CheckpointError` naming the file and the field; so is a folder whose
    chunks were written by other code (the digest of ``landscape``'s sources is
    part of the key), rather than resumed with numbers the code would not give.

    Raises:
      CheckpointError: the folder holds another sweep's chunks, or chunks of
        this sweep written by other code, or its manifest cannot be read (the
        message names the file).
      OSError: the folder cannot be created or written.
    """

    def __init__(self, folder: str, settings: dict):
        self.folder = folder
        self.key = digest(settings)
        os.makedirs(folder, exist_ok=True)
        manifest = os.path.join(folder, "manifest.json")
        if os.path.exists(manifest):
            try:
                with open(manifest) as fh:
                    old = json.load(fh)
                old_key, old_settings = old["key"], old["settings"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CheckpointError(
                    f"checkpoint manifest {manifest!r} cannot be read ({exc}); use an empty folder or delete it"
                ) from None
            if old_key != self.key:
                same = {k: v for k, v in settings.items() if k != "code"}
                if isinstance(old_settings, dict) and digest(same) == digest(
                    {k: v for k, v in old_settings.items() if k != "code"}
                ):
                    raise CheckpointError(
                        f"checkpoint folder {folder!r} holds chunks of this sweep computed by other code (the "
                        "package's sources changed since); its numbers may differ: use an empty folder"
                    )
                raise CheckpointError(
                    f"checkpoint folder {folder!r} holds chunks of another sweep (its settings differ); "
                    "use an empty folder or the same settings"
                )
        else:
            write_atomic(manifest, json.dumps({"key": self.key, "settings": settings}, indent=1, default=str))

    def _path(self, i):
        return os.path.join(self.folder, f"chunk-{i:06d}.npz")

    def load(self, i, template, m, axis):
        """Chunk ``i`` (``m`` starts) shaped like ``template``, or None when absent.

        Raises:
          CheckpointError: the chunk file exists but is not this sweep's chunk as written (edited, cut,
            of another sweep or chunk, or unreadable), naming the file and the field.
        """
        p = self._path(i)
        if not os.path.exists(p):
            return None
        want, _treedef = jax.tree_util.tree_flatten_with_path(template)
        try:
            z, meta = read_sealed(p, CHUNK_KIND)
        except IntegrityError as exc:
            raise CheckpointError(f"checkpoint chunk refused: {exc}; delete it to recompute it") from None
        if meta.get("key") != self.key or meta.get("chunk") != i:
            raise CheckpointError(f"checkpoint chunk refused: {p}: it belongs to another sweep or chunk (field 'key')")
        leaves = []
        for path, spec in want:
            name = jax.tree_util.keystr(path)
            if name not in z:
                raise CheckpointError(f"checkpoint chunk refused: {p}: field {name!r} is missing")
            a = z[name]
            shape = list(spec.shape)
            shape[axis(path)] = m
            if tuple(a.shape) != tuple(shape) or a.dtype != spec.dtype:
                raise CheckpointError(
                    f"checkpoint chunk refused: {p}: field {name!r} has shape {a.shape} and dtype {a.dtype}, "
                    f"expected {tuple(shape)}, {spec.dtype}"
                )
            leaves.append(a)
        return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(template), leaves)

    def save(self, i, out, rows):
        named: dict[str, Any] = {
            jax.tree_util.keystr(p): np.asarray(a) for p, a in jax.tree_util.tree_flatten_with_path(out)[0]
        }
        write_sealed(self._path(i), CHUNK_KIND, named, {"key": self.key, "chunk": i, "rows": list(rows)})


CHUNK_KIND = "relu-landscape checkpoint chunk 2"
