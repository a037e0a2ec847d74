"""Training from many starts at once: validation, the engine, the sweep, and named results.

Contract
--------
* :func:`train` runs any Optax optimizer from every start in ``init`` (a
  parameter pytree of the problem with a leading "starts" axis; for the
  single neuron a dict of 1-D arrays) and returns :class:`Trajectories`.
  Validation (the problem's :meth:`check_starts`, the optimizer, every
  setting) happens before any tracing; the loop itself is
  :func:`landscape.engine.run` and the chunking, sharding and checkpoints
  are :func:`landscape.sweep.map_chunks`.
* ``gradient="minibatch"``: a fresh batch of ``batch_size`` inputs at every
  step (see :mod:`landscape.engine` for the streams); ``"population"``: the
  exact gradient of the population loss.
* ``stop=Stop(...)`` runs until every start is stationary or at a target
  (each start frozen when it gets there), at most ``steps``; ``probes=``
  records per start the first step at which a predicate held.
* Results do not depend on how starts are chunked or spread over devices.
* One compiled program per (problem, optimizer, steps, batch size, path,
  streams, record interval, stopping rule, probes, chunk shape, dtype):
  hyperparameters injected per start (``hyperparams=``) are traced, so
  sweeps over them do not recompile. With ``traced_steps=True`` the step
  count and the record interval are traced too: one program per number of
  records ``steps // record_every`` (the same numbers).
* ``checkpoint=DIR`` keeps each finished chunk, keyed by a digest of the
  problem's full configuration, the optimizer's hyperparameters, the starts,
  the key and every setting; a problem or optimizer that cannot be
  fingerprinted is refused there, with the reason.
* :meth:`Trajectories.save` / :meth:`Trajectories.load` write and read an
  ``.npz`` with the settings as JSON.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from . import engine as _engine
from . import optimizers as _opt
from .engine import GRADIENTS, STREAMS, Crossing, Stop
from .io import IntegrityError, jsonable, memory_limit, package_version, read_sealed, source_digest, write_sealed
from .original import ORIGINAL
from .progress import CHANNELS
from .progress import resolve as resolve_progress
from .protocol import AbstractProblem, tree_describe
from .sweep import CheckpointError, ChunkStore, bucket, map_chunks

__all__ = ["GRADIENTS", "STREAMS", "Crossing", "Stop", "Trajectories", "train"]

TRACE_COUNT = _engine.TRACE_COUNT
MAX_STEPS = 2**31 - 1


@dataclass(frozen=True)
class Trajectories:
    """Recorded training runs, one column per start.

    Attributes:
      steps: step counts at which states were recorded, ``(R + 1,)``, from 0.
      params: the parameter pytree with leaves ``(R + 1, S, ...)`` (for the
        single neuron, name -> ``(R + 1, S)``).
      population_loss: ``(R + 1, S)`` exact loss of the recorded parameters
        (closed form, quadrature or a fixed Monte Carlo sample, as the
        problem's ``exactness`` says).
      batch_loss: ``(R, S)`` mean loss seen by the optimizer over each
        recording interval (Keras' epoch loss); the exact loss in population
        mode.
      final: parameters at the end, leaves ``(S, ...)``.
      diverged: ``(S,)`` True where an update turned non-finite.
      diverged_at: ``(S,)`` step of the first non-finite update, or -1.
      stopped_at: ``(S,)`` step at which the stopping rule froze the start, or -1.
      steps_run: ``(S,)`` steps each start actually ran.
      probes: name -> ``(S,)`` first step at which the probe held, or -1.
      settings: what was run (JSON-ready).
    """

    steps: np.ndarray
    params: Any  # a pytree
    population_loss: jax.Array
    batch_loss: jax.Array
    final: Any  # a pytree
    diverged: jax.Array
    diverged_at: jax.Array
    settings: dict = field(default_factory=dict)
    stopped_at: jax.Array | None = None
    steps_run: jax.Array | None = None
    probes: dict = field(default_factory=dict)

    @property
    def n_starts(self) -> int:
        return int(self.diverged.shape[0])

    def save(self, path: str) -> None:
        """Write the arrays as a sealed ``.npz`` (every array's and the settings' checksums inside), atomically."""
        arrays: dict[str, Any] = {
            "steps": np.asarray(self.steps),
            "population_loss": np.asarray(self.population_loss),
            "batch_loss": np.asarray(self.batch_loss),
            "diverged": np.asarray(self.diverged),
            "diverged_at": np.asarray(self.diverged_at),
        }
        for name in ("stopped_at", "steps_run"):
            if getattr(self, name) is not None:
                arrays[name] = np.asarray(getattr(self, name))
        for k, v in self.probes.items():
            arrays[f"probe/{k}"] = np.asarray(v)
        for prefix, tree in (("params", self.params), ("final", self.final)):
            for p, a in jax.tree_util.tree_flatten_with_path(tree)[0]:
                arrays[prefix + jax.tree_util.keystr(p)] = np.asarray(a)
        meta = {"settings": jsonable(self.settings), "params_structure": _structure(self.final)}
        write_sealed(path, TRAJECTORIES_KIND, arrays, meta)

    @classmethod
    def load(cls, path: str) -> Trajectories:
        """Read what :meth:`save` wrote, checked: every array against its checksum, the settings against
        theirs, and every shape against the settings (records, starts, parameter leaves).

        Raises:
          landscape.io.IntegrityError: (a ``ValueError``) a file that is not a saved :class:`Trajectories`, or
            one whose settings or arrays were edited, cut or swapped (the message names the file and the field).
        """
        data, meta = read_sealed(path, TRAJECTORIES_KIND)
        structure = meta.get("params_structure")
        settings = meta.get("settings")
        if not isinstance(settings, dict):
            raise IntegrityError(f"{path}: field 'settings' is missing or not an object")
        if not _valid_structure(structure):
            raise IntegrityError(f"{path}: field 'params_structure' is missing or malformed")
        try:
            R, S = int(settings["steps"]) // int(settings["record_every"]), int(settings["n_starts"])
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            raise IntegrityError(f"{path}: the settings lack steps, record_every or n_starts") from None
        want = {
            "steps": (R + 1,),
            "population_loss": (R + 1, S),
            "batch_loss": (R, S),
            "diverged": (S,),
            "diverged_at": (S,),
            "stopped_at": (S,),
            "steps_run": (S,),
        }
        for name, shape in want.items():
            if name in ("stopped_at", "steps_run") and name not in data:
                continue
            if name not in data:
                raise IntegrityError(f"{path}: field {name!r} is missing")
            if data[name].shape != shape:
                raise IntegrityError(
                    f"{path}: field {name!r} has shape {data[name].shape}; the settings "
                    f"({settings['steps']} steps recorded every {settings['record_every']}, "
                    f"{S} starts) need {shape}"
                )
        final = _rebuild(structure, "final", data, path=path)
        params = _rebuild(structure, "params", data, path=path)
        for p, a in jax.tree_util.tree_flatten_with_path(final)[0]:
            if a.shape[:1] != (S,):
                raise IntegrityError(
                    f"{path}: field 'final{jax.tree_util.keystr(p)}' has {a.shape[0] if a.ndim else 0} "
                    f"starts; the settings say {S}"
                )
        for (p, a), (_, f) in zip(
            jax.tree_util.tree_flatten_with_path(params)[0], jax.tree_util.tree_leaves_with_path(final)
        ):
            if a.shape != (R + 1, *f.shape):
                raise IntegrityError(
                    f"{path}: field 'params{jax.tree_util.keystr(p)}' has shape {a.shape}; it needs {(R + 1, *f.shape)}"
                )
        probes = {k[len("probe/") :]: jnp.asarray(v) for k, v in data.items() if k.startswith("probe/")}
        opt = lambda k: jnp.asarray(data[k]) if k in data else None
        return cls(
            steps=data["steps"],
            params=params,
            population_loss=jnp.asarray(data["population_loss"]),
            batch_loss=jnp.asarray(data["batch_loss"]),
            final=final,
            diverged=jnp.asarray(data["diverged"]),
            diverged_at=jnp.asarray(data["diverged_at"]),
            settings=settings,
            stopped_at=opt("stopped_at"),
            steps_run=opt("steps_run"),
            probes=probes,
        )


TRAJECTORIES_KIND = "relu-landscape trajectories 2"


def _valid_structure(structure) -> bool:
    if structure == "leaf":
        return True
    if isinstance(structure, dict) and len(structure) == 1:
        ((kind, inner),) = structure.items()
        if kind == "dict" and isinstance(inner, dict):
            return all(_valid_structure(v) for v in inner.values())
        if kind == "list" and isinstance(inner, list):
            return all(_valid_structure(v) for v in inner)
    return False


def _structure(tree):
    """A JSON description of a pytree of dicts and lists (for :meth:`Trajectories.load`)."""
    if isinstance(tree, dict):
        return {"dict": {k: _structure(v) for k, v in tree.items()}}
    if isinstance(tree, (list, tuple)):
        return {"list": [_structure(v) for v in tree]}
    return "leaf"


def _rebuild(structure, prefix, data, where="", path="the file"):
    if structure == "leaf":
        name = prefix + where
        if name not in data:
            raise IntegrityError(f"{path}: field {name!r} is missing")
        return jnp.asarray(data[name])
    if "dict" in structure:
        return {k: _rebuild(v, prefix, data, where + f"[{k!r}]", path) for k, v in structure["dict"].items()}
    return [_rebuild(v, prefix, data, where + f"[{i}]", path) for i, v in enumerate(structure["list"])]


def _int(name, value, lo):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    return int(value)


def _check_key(key):
    if key is None or isinstance(key, (int, np.integer)) or not isinstance(key, jax.Array):
        raise TypeError(f"key must be a jax.random key such as jax.random.key(0), got {key!r}")
    if not jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape != (2,) or key.dtype != jnp.uint32:
            raise TypeError(
                f"key must be a jax.random key such as jax.random.key(0), got an array of shape {key.shape}"
            )
        key = jax.random.wrap_key_data(key)
    if key.shape != ():
        raise TypeError(f"key must be a single jax.random key, got shape {key.shape}")
    return key


def _check_probes(probes):
    if probes is None:
        return ()
    if not isinstance(probes, Mapping):
        raise TypeError(f"probes must be a dict of name -> predicate, got {type(probes).__name__}")
    out = []
    for name, fn in probes.items():
        if not isinstance(name, str) or not callable(fn):
            raise TypeError(f"probes maps names to functions params -> (S,) bool, got {name!r}: {fn!r}")
        try:
            hash(fn)
        except TypeError:
            raise TypeError(f"probe {name!r} must be hashable (a function or a landscape.Crossing)") from None
        out.append((name, fn))
    return tuple(out)


def _check_memory(problem, n, records, batch_size, gradient, streams, chunk):
    """Refuse, with the estimate and the limit, a sweep whose results or one chunk cannot fit in memory."""
    itemsize = 8
    per_start = (records + 1) * (problem.n_params + 2) * itemsize
    results = n * per_start
    limit = memory_limit()
    if results > limit:
        raise ValueError(
            f"the recorded results need about {results / 2**30:.3g} GiB ({n} starts x {records + 1} records "
            f"x {problem.n_params} parameters), more than the limit {limit / 2**30:.3g} GiB; record less "
            "often (record_every) or run fewer starts per call"
        )
    size = min(chunk or n, n)
    events = int(np.prod(problem.event_shape)) if problem.event_shape else 1
    batch = batch_size * events * itemsize * (size if streams == "independent" and gradient == "minibatch" else 1)
    working = size * per_start * 3 + batch
    if working > limit:
        raise ValueError(
            f"one chunk of {size} starts needs about {working / 2**30:.3g} GiB, more than the limit "
            f"{limit / 2**30:.3g} GiB; pass chunk= (for example chunk={max(1, int(size * limit / working / 2))})"
        )


def _check(problem, init, optimizer, steps, batch_size, gradient, record_every, streams, chunk, hyperparams, stop):
    if not isinstance(problem, AbstractProblem):
        raise TypeError(
            f"problem must implement the problem protocol (landscape.Problem, networks.NetProblem, "
            f"landscape.CustomProblem), got {type(problem).__name__}"
        )
    arrays, n = problem.check_starts(init)
    if isinstance(optimizer, str):
        optimizer = _opt.optimizer(optimizer)
    if not isinstance(optimizer, optax.GradientTransformation):
        raise TypeError(
            f"optimizer must be an optax.GradientTransformation or a name from {list(_opt.OPTIMIZERS)}, got {optimizer!r}"
        )
    steps = _int("steps", steps, 1)
    if steps > MAX_STEPS:
        raise ValueError(f"steps={steps} is out of range; allowed: 1 <= steps <= {MAX_STEPS} (step counters are int32)")
    batch_size = _int("batch_size", batch_size, 1)
    record_every = _int("record_every", record_every, 1)
    if steps % record_every:
        raise ValueError(f"record_every={record_every} must divide steps={steps} (records at every multiple)")
    if gradient not in GRADIENTS:
        raise ValueError(f"gradient must be one of {GRADIENTS}, got {gradient!r}")
    if streams not in STREAMS:
        raise ValueError(f"streams must be one of {STREAMS}, got {streams!r}")
    if chunk is not None:
        chunk = _int("chunk", chunk, 1)
    if stop is not None:
        if not isinstance(stop, Stop):
            raise TypeError(f"stop must be a landscape.Stop, got {stop!r}")
        if record_every % stop.every:
            raise ValueError(f"stop.every={stop.every} must divide record_every={record_every}")
        if stop.dead:
            shapes = jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), arrays)
            if jax.eval_shape(problem.dead, shapes) is None:
                raise ValueError(
                    f"Stop(dead=True) needs a problem that can tell when it is dead; {problem.label} "
                    "cannot (it gives no outputs to measure)"
                )
    _check_memory(problem, n, steps // record_every, batch_size, gradient, streams, chunk)
    probe = optimizer.init(jax.tree_util.tree_map(lambda a: jnp.zeros(a.shape[1:]), arrays))
    known = getattr(probe, "hyperparams", None)
    if hyperparams and known is None:
        raise ValueError(
            "hyperparams= needs an optimizer with injectable hyperparameters (landscape.optimizer or optax.inject_hyperparams)"
        )
    if hyperparams is not None and not isinstance(hyperparams, Mapping):
        raise TypeError(f"hyperparams must be a dict of name -> value(s), got {type(hyperparams).__name__}")
    # every injectable hyperparameter travels as a per-start array, so that the
    # compiled program is the same whichever of them the caller overrides
    injectable = known or {}
    hp = {k: np.full((n,), float(np.asarray(v))) for k, v in injectable.items()}
    for k, v in (hyperparams or {}).items():
        if k not in injectable:
            raise ValueError(f"optimizer has no hyperparameter {k!r}; it has {sorted(injectable)}")
        a = np.asarray(v)
        if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)) or a.dtype == np.bool_:
            raise TypeError(f"hyperparams[{k!r}] must hold real numbers, got dtype {a.dtype}")
        a = a.astype(np.float64)
        if a.ndim == 0:
            a = np.full((n,), a)
        if a.shape != (n,):
            raise ValueError(
                f"hyperparams[{k!r}] must be a scalar or have one value per start ({n}), got shape {a.shape}"
            )
        for value in np.unique(a):
            _opt.check_hyperparam(k, float(value))
        hp[k] = a
    return arrays, optimizer, n, hp, steps, batch_size, record_every, chunk


def train(
    problem,
    init,
    *,
    optimizer,
    steps: int,
    batch_size: int = ORIGINAL.batch_size,
    key,
    gradient: str = "minibatch",
    record_every: int = ORIGINAL.steps_per_epoch,
    streams: str = "shared",
    hyperparams: Mapping | None = None,
    chunk: int | None = None,
    path: str = "auto",
    stop: Stop | None = None,
    probes: Mapping | None = None,
    checkpoint: str | None = None,
    progress=False,
    should_stop=None,
    traced_steps: bool = False,
) -> Trajectories:
    """Train from every start in ``init`` at once.

    Args:
      problem: any problem of the protocol.
      init: the starts: the problem's parameter pytree with a leading starts
        axis on every leaf (single neuron: ``{name: (S,) array}``, a scalar
        is one start; networks: ``networks.init_many``). Its dtype is the
        run's dtype.
      optimizer: an ``optax.GradientTransformation`` or a name for
        :func:`landscape.optimizer` (with its default hyperparameters).
      steps: number of optimizer steps (the cap, with ``stop``).
      batch_size: samples per minibatch (ignored for population gradients).
      key: ``jax.random`` key (keyword-only).
      gradient: ``"minibatch"`` or ``"population"``.
      record_every: record the state every this many steps (must divide
        ``steps``).
      streams: ``"shared"`` (all starts see the same batches) or
        ``"independent"``.
      hyperparams: per-start values ``{name: scalar or (S,)}`` for the
        optimizer's injectable hyperparameters, e.g. a learning rate per start.
      chunk: run the starts in chunks of this many (memory); results do not
        depend on it.
      path: how minibatch gradients are computed: ``"auto"`` (default: the
        problem's fastest exact path), ``"sorted"`` (single neuron,
        piecewise linear, shared streams: O(log B) per start) or ``"direct"``
        (``jax.grad`` of the batch loss per start). ``settings["path"]`` says
        which ran (``"exact"`` for population gradients).
      stop: a :class:`Stop`: run until every start is stationary or at a
        target, at most ``steps`` (``stop.every`` must divide ``record_every``).
      probes: ``{name: predicate}`` with ``predicate(params) -> (S,) bool``
        (hashable: a function or a :class:`Crossing`); ``probes[name]`` of the
        result is the first step at which it held, or -1.
      checkpoint: a folder in which each finished chunk is kept; a run with
        the same settings resumes from the chunks it finds there.
      should_stop: a callable asked between chunks; answering True ends the
        run with ``landscape.sweep.Cancelled`` (a server whose client left).
      progress: ``True`` for a progress bar, or a callback ``(done, total)``
        called as the recording intervals of every chunk finish
        (:mod:`landscape.progress`).
      traced_steps: ``True``: ``steps`` and ``record_every`` enter the
        compiled program as values, so every step count with the same number
        of records ``steps // record_every`` shares one program (a page that
        offers several step counts compiles once); the numbers are those of
        the default loop. Not with ``stop``.

    Returns:
      :class:`Trajectories`.

    Raises:
      ValueError, TypeError: on bad input, before any compilation.
      landscape.sweep.CheckpointError: a checkpoint folder of another sweep, or
        a problem or optimizer that cannot be fingerprinted for one.

    Example:
      >>> p = Problem()
      >>> t = train(p, {"w": jnp.array([2.0, -10.0])}, optimizer=optimizer("sgd", learning_rate=0.01),
      ...           steps=2000, key=jax.random.key(0))
      >>> t.final["w"]  # ~[1.0, -0.0]
    """
    key = _check_key(key)
    arrays, opt, n, hp, steps, batch_size, record_every, chunk = _check(
        problem, init, optimizer, steps, batch_size, gradient, record_every, streams, chunk, hyperparams, stop
    )
    probe_items = _check_probes(probes)
    if not isinstance(traced_steps, (bool, np.bool_)):
        raise TypeError(f"traced_steps must be True or False, got {traced_steps!r}")
    if traced_steps and stop is not None:
        raise ValueError("traced_steps=True does not combine with stop= (a stopping rule checks at static blocks)")
    run_path = _engine.choose_path(problem, gradient, streams, path)
    dtype = jnp.result_type(*[a.dtype for a in jax.tree_util.tree_leaves(arrays)])
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.result_type(float)
    if run_path == "sorted" and dtype == jnp.float16:
        raise ValueError(
            "float16 starts are not supported on the sorted minibatch path (its prefix sums need "
            "float32 or float64); use float32 starts or path='direct'"
        )
    arrays = jax.tree_util.tree_map(lambda a: a.astype(dtype), arrays)
    hp_arrays = {k: v.astype(dtype) for k, v in hp.items()}
    callback = resolve_progress(progress)
    static = dict(
        problem=problem,
        optimizer=opt,
        steps=steps,
        batch_size=batch_size,
        path=run_path,
        streams=streams,
        record_every=record_every,
        stop=stop,
        probes=probe_items,
    )
    settings = {
        "problem": problem.describe(),
        "optimizer": _opt.describe(opt),
        "hyperparams": {
            k: (float(v[0]) if np.all(v == v[0]) else "per-start")
            for k, v in hp.items()
            if hyperparams and k in hyperparams
        },
        "steps": steps,
        "batch_size": batch_size,
        "gradient": gradient,
        "streams": streams,
        "path": run_path,
        "record_every": record_every,
        "stop": stop.describe() if stop is not None else None,
        "probes": {
            k: (fn.describe() if hasattr(fn, "describe") else getattr(fn, "__name__", "function"))
            for k, fn in probe_items
        },
        "n_starts": n,
        "dtype": jnp.dtype(dtype).name,
        "devices": len(jax.devices()),
    }
    store = None
    if checkpoint is not None:
        store = _store(checkpoint, problem, opt, arrays, hp_arrays, key, settings, chunk)

    if traced_steps:  # the loop's length as data: steps and record_every leave the static arguments
        static.update(steps=1, record_every=1, records=steps // record_every)
        every = np.int32(record_every)
    else:
        every = None

    def fn(sub, ids, channel=0):
        return _engine.run(
            problem,
            opt,
            sub["init"],
            sub["hp"],
            key,
            ids,
            channel,
            every=every,
            **{k: v for k, v in static.items() if k not in ("problem", "optimizer")},
        )

    inputs = {"init": arrays, "hp": hp_arrays}
    template = None
    if store is not None:
        size = bucket(min(chunk or n, n))
        template = jax.eval_shape(
            fn,
            jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct((size,) + a.shape[1:], a.dtype), inputs),
            jax.ShapeDtypeStruct((size,), jnp.int32),
        )
    records = steps // record_every
    ticks = -(-records // _engine.ticks_every(records))
    n_chunks = -(-n // bucket(min(chunk or n, n)))
    with CHANNELS.open(callback, n_chunks * ticks) as channel:
        out = map_chunks(
            functools.partial(fn, channel=channel),
            inputs,
            n,
            chunk=chunk,
            axis=_engine.starts_axis,
            store=store,
            template=template,
            should_stop=should_stop,
        )
    full = jax.tree_util.tree_map(
        lambda a, h: jnp.concatenate([jnp.asarray(a)[None], jnp.asarray(h)], 0), arrays, out["history"]
    )
    bad_at = jnp.asarray(out["bad_at"])
    return Trajectories(
        steps=np.arange(0, steps + 1, record_every),
        params=full,
        population_loss=jnp.asarray(out["exact"]),
        batch_loss=jnp.asarray(out["seen"]),
        final=jax.tree_util.tree_map(jnp.asarray, out["final"]),
        diverged=bad_at >= 0,
        diverged_at=bad_at,
        settings=settings,
        stopped_at=jnp.asarray(out["done_at"]),
        steps_run=jnp.asarray(out["steps_run"]),
        probes={k: jnp.asarray(v) for k, v in out["probes"].items()},
    )


def _store(folder, problem, opt, arrays, hp, key, settings, chunk):
    """The chunk store of this sweep, keyed by everything that determines its numbers."""
    fp = problem.fingerprint()
    if fp is None:
        raise CheckpointError(f"checkpoint= refused: this problem cannot be fingerprinted ({problem.fingerprint_note})")
    desc = _opt.describe(opt)
    if desc.get("name") == "custom":
        raise CheckpointError(
            "checkpoint= refused: a custom Optax transformation cannot be fingerprinted (its code "
            "and hyperparameters cannot be read back); build it with landscape.optimizer(name, ...)"
        )
    from .sweep import bucket

    return ChunkStore(
        folder,
        {
            "problem": fp,
            "optimizer": desc,
            "settings": {
                k: v for k, v in settings.items() if k not in ("problem", "optimizer", "devices", "hyperparams")
            },
            "chunk": bucket(min(chunk or settings["n_starts"], settings["n_starts"])),
            "key": np.asarray(jax.random.key_data(key)).tolist(),
            "init": tree_describe(arrays),
            "hyperparams": tree_describe(hp),
            "version": package_version(),
            "code": source_digest(("landscape",)),
            "x64": bool(jax.config.read("jax_enable_x64")),
        },
    )
