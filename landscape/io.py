"""Provenance and atomic file writes shared by every command.

Contract
--------
* :func:`provenance` describes the software, source tree and device a result
  came from: package versions, Python, platform, JAX backend and devices, the
  git commit of the source tree and whether it had uncommitted changes.
* :func:`write_atomic` writes a whole file or nothing (temporary file in the
  same folder, then ``os.replace``); :func:`write_json` does so for JSON
  (NumPy and JAX values converted, non-finite floats written as strings).
* :func:`check_writable` and :func:`check_output_file` check an output folder
  or file path before any long work, with one message naming the path.
"""

from __future__ import annotations

import functools
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from typing import Any

import jax

__all__ = [
    "IntegrityError",
    "array_digest",
    "check_output_file",
    "check_writable",
    "compilation_cache",
    "jsonable",
    "memory_limit",
    "package_version",
    "provenance",
    "read_sealed",
    "source_digest",
    "source_state",
    "write_atomic",
    "write_json",
    "write_sealed",
]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def memory_limit() -> int:
    """Bytes one computation may hold at once: half of this machine's physical memory.

    Requests estimated to need more are refused before any work, with the
    estimate and this limit.
    """
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2)
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def package_version() -> str:
    """The installed version of relu-landscape (``"unknown"`` when not installed)."""
    return _version("relu-landscape") or "unknown"


@functools.lru_cache(maxsize=1)
def source_state() -> dict:
    """The git commit of the package's source tree and whether it was dirty (None outside git)."""

    def git(*args):
        return subprocess.run(["git", "-C", _ROOT, *args], capture_output=True, text=True, timeout=10)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        status = git("status", "--porcelain", "--untracked-files=no")
        return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def provenance(**extra) -> dict:
    """Package versions, Python, platform, JAX backend and devices, git commit and dirtiness."""
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
        "x64": bool(jax.config.read("jax_enable_x64")),
        "source": source_state(),
        **extra,
    }


def check_writable(folder: str) -> None:
    """Raise ``OSError`` naming ``folder`` unless files can be created in it."""
    if not isinstance(folder, str) or not folder.strip():
        raise OSError(f"output folder must be a non-empty path, got {folder!r}")
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.close(fd)
        os.remove(tmp)
    except OSError as exc:
        raise OSError(f"cannot write to output folder {folder!r}: {exc.strerror or exc}") from None


def check_output_file(path: str, name: str = "output file") -> None:
    """Raise ``OSError`` unless ``path`` names a file that can be written (not a folder).

    Args:
      path: the file to be written later.
      name: how the message names it (an option such as ``--json``).
    """
    if not isinstance(path, str) or not path.strip():
        raise OSError(f"{name} must be a file path, got {path!r}")
    if os.path.isdir(path):
        raise OSError(f"{name} {path!r} is a folder; give a file path")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        check_writable(folder)
    except OSError as exc:
        raise OSError(f"{name} {path!r} cannot be written: {exc}") from None
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise OSError(f"{name} {path!r} exists and is not writable")


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


def jsonable(o: Any) -> Any:
    """``o`` with NumPy/JAX values as Python ones and non-finite floats as strings ("inf", "nan")."""
    import numpy as np

    if isinstance(o, dict):
        return {str(k): jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [jsonable(v) for v in o]
    if hasattr(o, "shape") and hasattr(o, "tolist") and not isinstance(o, (np.generic,)):
        return jsonable(np.asarray(o).tolist())
    if isinstance(o, (np.bool_, bool)):
        return bool(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating, float)):
        v = float(o)
        return v if math.isfinite(v) else repr(v)
    return o


def write_json(path: str, obj) -> None:
    """Atomically write ``obj`` as indented, strict JSON."""
    write_atomic(path, json.dumps(jsonable(obj), indent=2, allow_nan=False) + "\n")


def compilation_cache(folder: str, min_compile_seconds: float = 0.2) -> None:
    """Keep JAX's compiled programs in ``folder`` (created if missing) across processes and runs.

    Programs are stored by JAX, keyed by the program itself, the compiler
    options and the versions: a stored program is reused only for an
    identical computation, and no result is ever cached here.
    """
    import jax

    os.makedirs(folder, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", os.path.abspath(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_compile_seconds))


# ------------------------------------------------------------------------------------------ sealed files
class IntegrityError(ValueError):
    """A stored file that is not what was written: unreadable, edited, cut short or inconsistent.

    The message names the file and the field.
    """


def array_digest(a) -> str:
    """SHA-256 of an array's dtype, shape and bytes."""
    import hashlib

    import numpy as np

    a = np.ascontiguousarray(np.asarray(a))
    h = hashlib.sha256(a.dtype.str.encode() + str(a.shape).encode())
    h.update(a.tobytes())
    return h.hexdigest()


def _seal_digest(kind: str, meta, checks: dict) -> str:
    import hashlib

    text = json.dumps({"kind": kind, "meta": meta, "arrays": checks}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def write_sealed(path: str, kind: str, arrays: dict, meta: dict, *, compress: bool = False) -> None:
    """Write ``arrays`` and ``meta`` as an ``.npz`` (``compress``: deflated) sealed by the SHA-256 of every array
    and of the metadata, atomically. :func:`read_sealed` refuses a file whose arrays or metadata no longer match
    their seal."""
    import io as _io

    import numpy as np

    arrays = {name: np.asarray(a) for name, a in arrays.items()}
    checks = {name: array_digest(a) for name, a in arrays.items()}
    seal = {"kind": kind, "meta": meta, "arrays": checks, "digest": _seal_digest(kind, meta, checks)}
    buf = _io.BytesIO()
    save = np.savez_compressed if compress else np.savez
    save(buf, __seal__=np.asarray(json.dumps(seal, default=str)), **arrays)  # type: ignore[arg-type]
    write_atomic(path, buf.getvalue())


def read_sealed(path: str, kind: str) -> tuple[dict, dict]:
    """The arrays and metadata :func:`write_sealed` wrote to ``path``, checked against their seal.

    Returns:
      ``(arrays, meta)``: NumPy arrays by name, and the JSON metadata.

    Raises:
      IntegrityError: a file that cannot be read, is of another kind, has no
        seal, or whose metadata or any array no longer matches its checksum
        (the message names the file and the field).
    """
    import zipfile

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as z:
            if "__seal__" not in z.files:
                raise IntegrityError(f"{path}: no seal (not a {kind} file written by this package, or an old one)")
            seal = json.loads(str(z["__seal__"]))
            arrays = {name: z[name] for name in z.files if name != "__seal__"}
    except IntegrityError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise IntegrityError(
            f"{path}: not a readable {kind} file ({str(exc).splitlines()[0] if str(exc) else exc})"
        ) from None
    if not isinstance(seal, dict) or not all(key in seal for key in ("kind", "meta", "arrays", "digest")):
        raise IntegrityError(f"{path}: its seal is malformed (field __seal__)")
    if seal["kind"] != kind:
        raise IntegrityError(f"{path}: a {seal['kind']!r} file, not a {kind} file")
    checks = seal["arrays"]
    if not isinstance(checks, dict) or not isinstance(seal["meta"], dict):
        raise IntegrityError(f"{path}: its seal is malformed (field __seal__)")
    if _seal_digest(kind, seal["meta"], checks) != seal["digest"]:
        raise IntegrityError(f"{path}: its metadata (settings) no longer match their checksum: edited or corrupt")
    for name in checks:
        if name not in arrays:
            raise IntegrityError(f"{path}: field {name!r} is missing")
    for name, a in arrays.items():
        if name not in checks:
            raise IntegrityError(f"{path}: field {name!r} is not part of the sealed file")
        if array_digest(a) != checks[name]:
            raise IntegrityError(f"{path}: field {name!r} no longer matches its checksum: edited or corrupt")
    return arrays, seal["meta"]


def source_digest(packages=("landscape",)) -> str:
    """SHA-256 of the Python sources of ``packages`` (the code that determines the numbers), read now."""
    import hashlib

    h = hashlib.sha256()
    for pkg in packages:
        for dirpath, dirnames, files in os.walk(os.path.join(_ROOT, pkg)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
            for f in sorted(files):
                if f.endswith(".py"):
                    with open(os.path.join(dirpath, f), "rb") as fh:
                        h.update(os.path.relpath(os.path.join(dirpath, f), _ROOT).encode() + b"\0" + fh.read())
    return h.hexdigest()
