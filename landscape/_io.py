"""Provenance and atomic file writes shared by every command.

Contract: :func:`provenance` describes the software and device a result came
from; :func:`write_atomic` writes a whole file or nothing (temporary file in
the same folder, then ``os.replace``).
"""
from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from importlib import metadata

import jax

__all__ = ["provenance", "write_atomic", "write_json", "check_writable"]


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def provenance(**extra) -> dict:
    """Package versions, Python, platform, JAX backend and devices."""
    devices = jax.devices()
    return {
        "versions": {
            n: _version(n) for n in ("relu-landscape", "jax", "jaxlib", "optax", "numpy", "matplotlib", "scipy")
        },
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "backend": jax.default_backend(),
        "devices": [str(d.device_kind) for d in devices],
        "device_count": len(devices),
        "x64": bool(jax.config.jax_enable_x64),
        **extra,
    }


def check_writable(folder: str) -> None:
    """Raise ``OSError`` naming ``folder`` unless files can be created in it."""
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.remove(tmp)
    except OSError as exc:
        raise OSError(f"cannot write to output folder {folder!r}: {exc.strerror or exc}") from None


def write_atomic(path: str, data: bytes | str) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _default(o):
    import numpy as np

    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.bool_,)):
        return bool(o)
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def write_json(path: str, obj) -> None:
    """Atomically write ``obj`` as indented JSON (NumPy/JAX values converted)."""
    write_atomic(path, json.dumps(obj, indent=2, default=_default, allow_nan=True) + "\n")
