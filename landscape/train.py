"""Training from many starts at once: a ``lax.scan`` over steps, vmapped over starts.

Contract
--------
* :func:`train` runs any Optax optimizer from every start in ``init`` (a dict
  of arrays with a leading "starts" axis) and returns :class:`Trajectories`.
* ``gradient="minibatch"``: a fresh batch of ``batch_size`` inputs at every
  step, drawn from the problem's distribution with the key
  ``fold_in(key, step)``; by default every start sees the same batches
  (common random numbers), with ``streams="independent"`` start ``i`` uses
  ``fold_in(fold_in(key, step), i)``. ``gradient="population"``: the exact
  gradient of the population loss.
* Results do not depend on how starts are chunked or spread over devices:
  each start's batches depend only on the key, the step and its own index.
* One compiled program per (problem, optimizer, steps, batch size, gradient,
  streams, record interval, chunk shape, dtype): hyperparameters injected per
  start (``hyperparams=``) are traced, so sweeps over them do not recompile.
* A start whose update turns non-finite is frozen at its last finite values
  and reported in ``diverged`` / ``diverged_at``; the others are unaffected.
* Validation happens before any tracing.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import partial
from typing import Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax

from . import fastpath as _fast
from . import sharding as _shard
from . import optimizers as _opt
from .population import population_loss_and_grad
from .problem import Problem, batch_loss, check_params, sample_inputs

__all__ = ["train", "Trajectories", "GRADIENTS", "STREAMS"]

GRADIENTS = ("minibatch", "population")
STREAMS = ("shared", "independent")
PATHS = ("auto", "sorted", "direct")
TRACE_COUNT = {"train": 0}


@dataclass(frozen=True)
class Trajectories:
    """Recorded training runs, one column per start.

    Attributes:
      steps: step counts at which states were recorded, ``(R + 1,)``, from 0.
      params: name -> ``(R + 1, S)`` parameter history (for a network
        problem, the parameter pytree with leaves ``(R + 1, S, ...)``).
      population_loss: ``(R + 1, S)`` exact loss of the recorded parameters
        (for networks ``NetProblem.loss``: closed form, quadrature or a
        fixed Monte Carlo sample, as its ``method`` says).
      batch_loss: ``(R, S)`` mean loss seen by the optimizer over each
        recording interval (Keras' epoch loss); the exact loss in population
        mode.
      final: name -> ``(S,)`` final parameters.
      diverged: ``(S,)`` True where an update turned non-finite.
      diverged_at: ``(S,)`` step of the first non-finite update, or -1.
      settings: what was run (JSON-ready).
    """

    steps: np.ndarray
    params: dict
    population_loss: jax.Array
    batch_loss: jax.Array
    final: dict
    diverged: jax.Array
    diverged_at: jax.Array
    settings: dict = field(default_factory=dict)

    @property
    def n_starts(self) -> int:
        return int(self.diverged.shape[0])


def _choose_path(problem, gradient, streams, path):
    """Which minibatch gradient runs: "sorted" (O(log B) per start), "direct", or "exact"."""
    if path not in PATHS:
        raise ValueError(f"path must be one of {PATHS}, got {path!r}")
    from .networks import NetProblem

    if isinstance(problem, NetProblem):
        if path == "sorted":
            raise ValueError("path='sorted' is for single-neuron piecewise-linear problems, not networks")
        return "exact" if gradient == "population" else "direct"
    if gradient == "population":
        if path == "sorted":
            raise ValueError("path='sorted' applies to minibatch gradients only")
        return "exact"
    ok = _fast.eligible(problem) and streams == "shared"
    if path == "sorted" and not ok:
        raise ValueError(
            "path='sorted' needs piecewise-linear student and teacher (relu, leaky_relu, identity) and "
            f"streams='shared'; got student {problem.student.label}, teacher {problem.teacher.label}, streams {streams!r}"
        )
    if path == "auto":
        return "sorted" if ok else "direct"
    return path


def _check(problem, init, optimizer, steps, batch_size, gradient, record_every, streams, chunk, hyperparams):
    from .networks import NetProblem

    if isinstance(problem, NetProblem):
        leaves = jax.tree_util.tree_leaves(init)
        if not leaves:
            raise ValueError("init must be a pytree of network parameters with a leading starts axis")
        arrays = jax.tree_util.tree_map(np.asarray, init)
        lengths = {a.shape[0] if a.ndim else 0 for a in jax.tree_util.tree_leaves(arrays)}
        if len(lengths) != 1 or 0 in lengths:
            raise ValueError(f"every leaf of init needs the same leading (starts) length, got {sorted(lengths)}")
        for a in jax.tree_util.tree_leaves(arrays):
            if not np.all(np.isfinite(a)):
                raise ValueError("init must hold finite numbers")
        if gradient == "population" and not problem.exact:
            raise ValueError(
                f"population gradients need an exact loss; this {problem.in_dim}-dimensional problem's loss is "
                f"{problem.method} (closed forms: Gaussian inputs, one hidden layer, no biases, piecewise-linear "
                "activations); use gradient='minibatch'")
        n_starts = lengths.pop()
    elif not isinstance(problem, Problem):
        raise TypeError(f"problem must be a landscape.Problem or networks.NetProblem, got {type(problem).__name__}")
    else:
        check_params(problem, init)
        arrays = {}
        for k, v in init.items():
            a = np.asarray(v)
            if a.ndim == 0:
                a = a[None]
            if a.ndim != 1:
                raise ValueError(f"init[{k!r}] must be 1-D (one value per start), got shape {a.shape}")
            if not np.issubdtype(a.dtype, np.number) or not np.all(np.isfinite(a)):
                raise ValueError(f"init[{k!r}] must hold finite numbers")
            arrays[k] = a
        lengths = {k: a.shape[0] for k, a in arrays.items()}
        if len(set(lengths.values())) != 1 or 0 in lengths.values():
            raise ValueError(f"init arrays must share one non-zero length (the number of starts), got {lengths}")
        n_starts = next(iter(lengths.values()))
    if isinstance(optimizer, str):
        optimizer = _opt.optimizer(optimizer)
    if not isinstance(optimizer, optax.GradientTransformation):
        raise TypeError(
            f"optimizer must be an optax.GradientTransformation or a name from {list(_opt.OPTIMIZERS)}, got {optimizer!r}"
        )
    for name, value, lo in (("steps", steps, 1), ("batch_size", batch_size, 1), ("record_every", record_every, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    if steps % record_every:
        raise ValueError(f"record_every={record_every} must divide steps={steps} (records at every multiple)")
    if gradient not in GRADIENTS:
        raise ValueError(f"gradient must be one of {GRADIENTS}, got {gradient!r}")
    if streams not in STREAMS:
        raise ValueError(f"streams must be one of {STREAMS}, got {streams!r}")
    if chunk is not None and (isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1):
        raise ValueError(f"chunk must be a positive integer or None, got {chunk!r}")
    n = n_starts
    probe = optimizer.init(jax.tree_util.tree_map(lambda a: jnp.zeros(a.shape[1:]), arrays))
    known = getattr(probe, "hyperparams", None)
    if hyperparams and known is None:
        raise ValueError("hyperparams= needs an optimizer with injectable hyperparameters (landscape.optimizer or optax.inject_hyperparams)")
    # every injectable hyperparameter travels as a per-start array, so that the
    # compiled program is the same whichever of them the caller overrides
    hp = {k: np.full((n,), float(v)) for k, v in (known or {}).items()}
    for k, v in (hyperparams or {}).items():
        if k not in known:
            raise ValueError(f"optimizer has no hyperparameter {k!r}; it has {sorted(known)}")
        a = np.asarray(v, dtype=np.float64)
        if a.ndim == 0:
            a = np.full((n,), a)
        if a.shape != (n,):
            raise ValueError(f"hyperparams[{k!r}] must be a scalar or have one value per start ({n}), got shape {a.shape}")
        for value in np.unique(a):
            if k in _opt._RANGES:
                _opt.check_hyperparam(k, float(value))
            elif not np.isfinite(value):
                raise ValueError(f"hyperparams[{k!r}] must be finite, got {value!r}")
        hp[k] = a
    return arrays, optimizer, n, hp


def make_step(problem, opt, batch_size, path, streams, dtype, key, start_ids):
    """One optimizer step for every start: ``step(state, t) -> (state, loss)``.

    ``state = (params, opt_state, bad_at)``; ``t`` is the global step index
    (it picks the batch). The loss returned is the one the optimizer saw.
    A start whose update turns non-finite is frozen and ``bad_at`` records
    the step. Building block of :func:`train` and of the phase-diagram sweeps.
    """

    from .networks import NetProblem

    loss_fn = problem.batch_loss if isinstance(problem, NetProblem) else partial(batch_loss, problem)

    def grad_fn(params, x):
        return jax.value_and_grad(lambda p: loss_fn(p, x))(params)

    def step(state_, t):
        params, state, bad_at = state_
        k = jax.random.fold_in(key, t)
        if path == "exact" and isinstance(problem, NetProblem):
            loss, g = jax.vmap(jax.value_and_grad(problem.loss))(params)
        elif path == "exact":
            loss, g = population_loss_and_grad(problem, params)
        elif path == "sorted":
            x = sample_inputs(problem, k, (batch_size,), dtype)
            loss, g = _fast.loss_and_grad(problem, params, _fast.prepare(x))
        elif streams == "shared":
            x = sample_inputs(problem, k, (batch_size,), dtype)
            loss, g = jax.vmap(grad_fn, in_axes=(0, None))(params, x)
        else:
            keys = jax.vmap(lambda j: jax.random.fold_in(k, j))(start_ids)
            x = jax.vmap(lambda kk: sample_inputs(problem, kk, (batch_size,), dtype))(keys)
            loss, g = jax.vmap(grad_fn)(params, x)
        with jax.numpy_dtype_promotion("standard"):  # Optax mixes int counts and float decays
            updates, new_state = jax.vmap(opt.update)(g, state, params)
        new_params = optax.apply_updates(params, updates)
        ok = bad_at < 0
        for v in jax.tree_util.tree_leaves(new_params):
            ok = ok & jnp.all(jnp.isfinite(v).reshape(v.shape[0], -1), axis=1)
        ok = ok & jnp.isfinite(loss)

        def keep(new, old):
            mask = ok.reshape(ok.shape + (1,) * (new.ndim - 1))
            return jnp.where(mask, new, old)

        new_params = jax.tree_util.tree_map(keep, new_params, params)
        new_state = jax.tree_util.tree_map(keep, new_state, state)
        bad_at = jnp.where((bad_at < 0) & ~ok, t.astype(bad_at.dtype), bad_at)
        loss = jnp.where(jnp.isfinite(loss), loss, jnp.nan)
        return (new_params, new_state, bad_at), loss

    return step


def init_state(opt, init, hp, n, dtype):
    """Optimizer state per start, with per-start injected hyperparameters."""
    with jax.numpy_dtype_promotion("standard"):
        state = jax.vmap(opt.init)(init)
    if hasattr(state, "hyperparams"):
        merged = {k: jnp.broadcast_to(v.astype(dtype), (n,)) for k, v in state.hyperparams.items()}
        merged.update({k: v.astype(dtype) for k, v in hp.items()})
        state = state._replace(hyperparams=merged)
    return (init, state, jnp.full((n,), -1, jnp.int32))


@partial(jax.jit, static_argnums=(0, 1, 2, 3, 4, 5, 6))
def _run(problem, opt, steps, batch_size, path, streams, record_every, init, hp, key, start_ids):
    TRACE_COUNT["train"] += 1
    dtype = jax.tree_util.tree_leaves(init)[0].dtype
    n = start_ids.shape[0]
    step = make_step(problem, opt, batch_size, path, streams, dtype, key, start_ids)

    def interval(carry, r):
        def inner(c, i):
            st, loss_sum = c
            st, loss = step(st, r * record_every + i)
            # a running sum, not a stacked history: memory stays O(starts)
            return (st, loss_sum + loss), None

        (carry, loss_sum), _ = jax.lax.scan(inner, (carry, jnp.zeros((n,), dtype)), jnp.arange(record_every))
        return carry, (carry[0], loss_sum / record_every)

    state0 = init_state(opt, init, hp, n, dtype)
    (final, _, bad_at), (hist, seen) = jax.lax.scan(interval, state0, jnp.arange(steps // record_every))
    return final, hist, seen, bad_at


def _cut(a, m, recorded):
    """Keep the first ``m`` starts of a chunk output (starts lead, after the record axis if any)."""
    return a[:, :m] if recorded else a[:m]


def _exact_loss(problem, params):
    """Loss of every recorded state: exact for single neurons, quadrature for networks.

    ``params`` leaves are ``(records, starts, ...)``."""
    from .networks import NetProblem

    if isinstance(problem, NetProblem):
        return jax.vmap(jax.vmap(problem.loss))(params)
    return population_loss_and_grad(problem, params)[0]


def train(
    problem,
    init,
    *,
    optimizer,
    steps: int,
    batch_size: int = 1000,
    key,
    gradient: str = "minibatch",
    record_every: int = 100,
    streams: str = "shared",
    hyperparams: Mapping | None = None,
    chunk: int | None = None,
    path: str = "auto",
    checkpoint: str | None = None,
    progress: bool = False,
) -> Trajectories:
    """Train the student from every start in ``init`` at once.

    Args:
      problem: the problem.
      init: ``{name: (S,) array}`` of starting values for every trained
        parameter (a scalar is one start), or for a
        :class:`landscape.networks.NetProblem` a parameter pytree whose
        leaves have a leading starts axis (``networks.init_many``). Its dtype
        is the run's dtype.
      optimizer: an ``optax.GradientTransformation`` or a name for
        :func:`landscape.optimizer` (with its default hyperparameters).
      steps: number of optimizer steps.
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
      path: how minibatch gradients are computed. ``"sorted"``: sort the
        shared batch once per step and use prefix sums, O(log B) per start
        (piecewise-linear problems with shared streams); ``"direct"``:
        ``jax.grad`` of the batch loss per start, O(B); ``"auto"`` (default)
        takes ``"sorted"`` where it applies. Both give the same numbers to
        rounding; ``settings["path"]`` says which ran (``"exact"`` for
        population gradients).
      checkpoint: a folder in which each finished chunk is kept; a run with
        the same settings resumes from the chunks it finds there.
      progress: show a progress bar over chunks.

    Returns:
      :class:`Trajectories`.

    Raises:
      ValueError, TypeError: on bad input, before any compilation.

    Example:
      >>> p = Problem()
      >>> t = train(p, {"w": jnp.array([2.0, -10.0])}, optimizer=optimizer("sgd", learning_rate=0.01),
      ...           steps=2000, key=jax.random.key(0))
      >>> t.final["w"]  # ~[1.0, -0.0]
    """
    arrays, opt, n, hp = _check(
        problem, init, optimizer, steps, batch_size, gradient, record_every, streams, chunk, hyperparams
    )
    run_path = _choose_path(problem, gradient, streams, path)
    dtype = jnp.result_type(*[a.dtype for a in jax.tree_util.tree_leaves(arrays)])
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.result_type(float)
    size = _shard.padded(n if chunk is None else min(chunk, n))
    devices = jax.devices()
    sharding = _shard.starts_sharding()
    n_chunks = -(-n // size)
    store = None
    if checkpoint is not None:
        store = _shard.ChunkStore(checkpoint, {
            "problem": problem.config(), "optimizer": _opt.describe(opt), "steps": steps, "batch_size": batch_size,
            "path": run_path, "streams": streams, "record_every": record_every, "chunk": size, "dtype": jnp.dtype(dtype).name,
            "key": np.asarray(jax.random.key_data(key)).tolist(),
            "init": hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes() for a in jax.tree_util.tree_leaves(arrays))).hexdigest(),
            "hyperparams": hashlib.sha256(b"".join(np.ascontiguousarray(hp[k]).tobytes() for k in sorted(hp))).hexdigest(),
        })
    outs = []
    chunks = range(n_chunks)
    if progress:
        from tqdm import tqdm

        chunks = tqdm(chunks, desc="starts", unit="chunk")
    treedef = None
    for ci in chunks:
        lo, hi = ci * size, min((ci + 1) * size, n)
        leaves = store.load(ci) if store is not None else None
        if leaves is None:
            idx = np.arange(lo, lo + size)
            take = np.minimum(idx, n - 1)  # pad the last chunk by repeating its last start
            sub = jax.tree_util.tree_map(lambda a: jnp.asarray(a[take], dtype), arrays)
            sub_hp = {k: jnp.asarray(v[take], dtype) for k, v in hp.items()}
            ids = jnp.asarray(idx, jnp.int32)
            if sharding is not None:
                sub, sub_hp, ids = jax.device_put((sub, sub_hp, ids), sharding)
            out = _run(problem, opt, steps, batch_size, run_path, streams, record_every, sub, sub_hp, key, ids)
            leaves, treedef = jax.tree_util.tree_flatten(out)
            # every output has the starts on its leading axis after the record axis
            n_state = len(jax.tree_util.tree_leaves(out[0]))
            leaves = [np.asarray(a)[..., : hi - lo] if i >= 2 * n_state else _cut(np.asarray(a), hi - lo, i >= n_state)
                      for i, a in enumerate(leaves)]
            if store is not None:
                store.save(ci, leaves)
        if treedef is None:  # this chunk came from the checkpoint: rebuild the structure
            treedef = jax.tree_util.tree_structure((arrays, arrays, 0, 0))
        # the exact loss of the recorded states, chunk by chunk (memory stays O(chunk))
        hist_c = jax.tree_util.tree_unflatten(treedef, leaves)[1]
        full_c = jax.tree_util.tree_map(lambda a, h: np.concatenate([a[None, lo:hi].astype(dtype), h], axis=0), arrays, hist_c)
        pop_c = np.asarray(_exact_loss(problem, jax.tree_util.tree_map(jnp.asarray, full_c)))
        outs.append(leaves + [pop_c])
    n_state = len(jax.tree_util.tree_leaves(arrays))
    joined = [np.concatenate(parts, axis=-1 if i >= 2 * n_state else (1 if i >= n_state else 0))
              for i, parts in enumerate(zip(*[o[:-1] for o in outs]))]
    final, hist, seen, bad_at = jax.tree_util.tree_unflatten(treedef, joined)
    pop = jnp.asarray(np.concatenate([o[-1] for o in outs], axis=-1))
    final = jax.tree_util.tree_map(jnp.asarray, final)
    hist = jax.tree_util.tree_map(jnp.asarray, hist)
    seen, bad_at = jnp.asarray(seen), jnp.asarray(bad_at)
    params_hist = jax.tree_util.tree_map(lambda a, h: jnp.concatenate([jnp.asarray(a, dtype)[None], h], axis=0), arrays, hist)
    settings = {
        "problem": problem.config(),
        "optimizer": _opt.describe(opt),
        "hyperparams": {k: (float(v[0]) if np.all(v == v[0]) else "per-start") for k, v in hp.items()
                        if hyperparams and k in hyperparams},
        "steps": int(steps),
        "batch_size": int(batch_size),
        "gradient": gradient,
        "streams": streams,
        "path": run_path,
        "record_every": int(record_every),
        "n_starts": int(n),
        "dtype": jnp.dtype(dtype).name,
        "devices": len(devices),
    }
    return Trajectories(
        steps=np.arange(0, steps + 1, record_every),
        params=params_hist,
        population_loss=pop,
        batch_loss=seen,
        final=final,
        diverged=bad_at >= 0,
        diverged_at=bad_at,
        settings=settings,
    )
