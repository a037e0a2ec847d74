"""The experiment registry: named, cached, pure functions from settings to results.

Contract
--------
* An experiment is registered with :func:`experiment` under a name, with its
  default settings and the overrides of quick mode. :func:`run` calls it with
  the defaults, the quick overrides when ``quick=True``, and the caller's
  overrides, and returns a :class:`Result`: the full settings used and the
  data (NumPy arrays, numbers and nested dicts of them).
* The claims and the figures both read their numbers from here, so the number
  printed under a verdict and the number drawn in its figure come from the
  same run. Figures are named after the experiment they draw.
* Results are cached in memory and, when a cache folder is set
  (:func:`set_cache_dir`), on disk as ``.npz`` keyed by a digest of the
  experiment's name, its full settings, the source code of ``landscape`` and
  ``analysis``, the versions of the numerical packages and the float64 flag.
  A cached result is reused only when all of these match and every stored
  array matches its checksum (the files are sealed, :func:`landscape.io.write_sealed`);
  a corrupt or edited cache file is named in a warning and recomputed. Each
  file is written atomically.
* Experiments are pure: the same settings give the same data (keys are
  explicit settings).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import jax
import numpy as np

from landscape.io import IntegrityError, jsonable, read_sealed, source_digest, write_sealed

__all__ = [
    "REGISTRY",
    "Experiment",
    "Result",
    "cache_dir",
    "clear_memory",
    "code_digest",
    "experiment",
    "run",
    "set_cache_dir",
    "settings_of",
]


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: its function, default settings and quick overrides."""

    name: str
    fn: Callable[..., dict]
    defaults: dict
    quick: dict
    doc: str = ""


@dataclass(frozen=True)
class Result:
    """What an experiment computed: its name, full settings and data."""

    name: str
    settings: dict
    data: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.data[key]

    def __contains__(self, key):
        return key in self.data

    def get(self, key, default=None):
        return self.data.get(key, default)


REGISTRY: dict[str, Experiment] = {}
_MEMORY: dict[str, Result] = {}
_CACHE = {"dir": os.environ.get("RELU_LANDSCAPE_CACHE") or None}
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def experiment(name: str, *, quick: dict | None = None, **defaults):
    """Register ``fn(**settings) -> dict`` as the experiment ``name`` with its default settings."""

    def deco(fn):
        if name in REGISTRY:
            raise ValueError(f"experiment {name!r} is registered twice")
        REGISTRY[name] = Experiment(name, fn, dict(defaults), dict(quick or {}), (fn.__doc__ or "").strip())
        return fn

    return deco


def settings_of(name: str, quick: bool = False, **overrides) -> dict:
    """The full settings :func:`run` would use.

    Raises:
      ValueError: an unknown experiment or setting (the message lists the known ones).
    """
    if name not in REGISTRY:
        raise ValueError(f"unknown experiment {name!r}; known: {', '.join(sorted(REGISTRY))}")
    exp = REGISTRY[name]
    unknown = sorted(set(overrides) - set(exp.defaults))
    if unknown:
        raise ValueError(f"experiment {name!r} has no setting {unknown}; settings: {', '.join(exp.defaults)}")
    out = dict(exp.defaults)
    if quick:
        out.update(exp.quick)
    out.update(overrides)
    out["quick"] = bool(quick)
    return out


def set_cache_dir(path: str | None) -> None:
    """Keep results on disk in ``path`` (None: memory only)."""
    _CACHE["dir"] = path


def cache_dir() -> str | None:
    return _CACHE["dir"]


def clear_memory() -> None:
    """Forget the results kept in memory (the disk cache stays)."""
    _MEMORY.clear()


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Digest of the sources the numbers come from: the ``landscape`` and ``analysis`` packages, as loaded
    (read once per process: the code that runs is the code imported)."""
    return source_digest(("landscape", "analysis"))


def _versions() -> dict:
    from importlib import metadata

    out = {}
    for n in ("jax", "jaxlib", "numpy", "optax"):
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = None
    return out


def _key(name: str, settings: dict) -> tuple[str, dict]:
    meta = {
        "experiment": name,
        "settings": jsonable(settings),
        "code": code_digest(),
        "versions": _versions(),
        "x64": bool(jax.config.read("jax_enable_x64")),
    }
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:24], meta


def _flatten(data, prefix=""):
    out = {}
    for k, v in data.items():
        if not isinstance(k, str) or "/" in k:
            raise ValueError(f"experiment data keys must be strings without '/', got {k!r}")
        if isinstance(v, dict):
            out.update(_flatten(v, prefix + k + "/"))
        else:
            a = np.asarray(v)
            if a.dtype == object:
                raise TypeError(f"experiment data {prefix + k!r} is not numeric or text")
            out[prefix + k] = a
    return out


def _unflatten(flat):
    out = {}
    for k, v in flat.items():
        parts = k.split("/")
        d = out
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = (
            v.item()
            if v.ndim == 0 and v.dtype.kind in "fiub"
            else (str(v) if v.dtype.kind == "U" and v.ndim == 0 else v)
        )
    return out


CACHE_KIND = "relu-landscape experiment cache 2"


def _load(path, meta):
    """The cached data at ``path`` when it was computed with these very settings, code and versions and is intact
    (every array against its checksum); else None, with a warning naming the file and why it is recomputed."""
    try:
        flat, stored = read_sealed(path, CACHE_KIND)
        if stored != json.loads(json.dumps(meta, sort_keys=True)):
            raise IntegrityError(f"{path}: it was computed with other settings, code or versions")
        return _unflatten(flat)
    except IntegrityError as exc:
        warnings.warn(f"cache file unusable ({exc}); recomputing it", stacklevel=3)
        return None


def run(name: str, *, quick: bool = False, **overrides) -> Result:
    """Run (or load) the experiment ``name`` with its settings.

    Args:
      name: a registered experiment.
      quick: use the quick overrides (small sweeps, same logic).
      **overrides: settings that differ from the defaults.

    Returns:
      :class:`Result`.

    Raises:
      ValueError: an unknown experiment or setting.
    """
    settings = settings_of(name, quick, **overrides)
    key, meta = _key(name, settings)
    if key in _MEMORY:
        return _MEMORY[key]
    data = None
    folder = _CACHE["dir"]
    path = os.path.join(folder, f"{name}-{key}.npz") if folder else None
    if path and os.path.exists(path):
        data = _load(path, meta)
    if data is None:
        fn_settings = {k: v for k, v in settings.items() if k != "quick"}
        data = REGISTRY[name].fn(**fn_settings)
        flat = _flatten(data)
        if path:
            write_sealed(path, CACHE_KIND, flat, json.loads(json.dumps(meta, sort_keys=True)), compress=True)
        data = _unflatten(flat)
    result = Result(name, settings, data)
    _MEMORY[key] = result
    return result
