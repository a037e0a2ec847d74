"""The training engine: one step builder, stopping rules and per-step probes.

Contract
--------
* :func:`make_step` builds one optimizer step for every start of any problem
  of the protocol: ``step(state, t, key, start_ids) -> (state, loss)``.
  ``gradient="population"`` uses the problem's exact population gradient
  (refused for Monte Carlo losses); ``gradient="minibatch"`` draws a fresh
  batch at step ``t`` with the key ``fold_in(key, t)``: one batch shared by
  every start (``streams="shared"``) or one per start
  (``streams="independent"``: ``fold_in(fold_in(key, t), start_id)``), so a
  start's batches depend only on the key, the step and its own index.
* :func:`init_state` builds the optimizer state of every start, with every
  injectable hyperparameter as a per-start array (sweeps over them do not
  recompile).
* A start whose update turns non-finite is frozen at its last finite values
  and its step recorded (``bad_at``); a start that meets the stopping rule
  (:class:`Stop`) is frozen too (``done_at``). Frozen starts never affect the
  others, so results do not depend on chunking or devices.
* :class:`Crossing` is a probe: the first step at which a parameter exceeds
  a level (for example a backwards start crossing ``w = 0``). Any hashable
  callable ``params -> (S,) bool`` is a probe.
* :func:`run` is the jitted loop over steps (``lax.scan`` over recording
  intervals, or a ``lax.while_loop`` over check blocks with a stopping rule)
  that :func:`landscape.train` runs chunk by chunk; it returns its outputs
  by name. No other training loop exists in the package. With ``records=R``
  the record interval ``every`` is a traced value (a ``fori_loop`` inside
  each of the ``R`` intervals): one program serves every step count
  ``R * every``, with the same numbers as the static loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .original import ORIGINAL
from .progress import CHANNELS

__all__ = [
    "GRADIENTS",
    "PATHS",
    "STREAMS",
    "TRACE_COUNT",
    "Crossing",
    "Stop",
    "TrainState",
    "choose_path",
    "init_state",
    "make_step",
    "run",
    "starts_axis",
    "ticks_every",
]

GRADIENTS = ("minibatch", "population")
STREAMS = ("shared", "independent")
PATHS = ("auto", "sorted", "direct")
TRACE_COUNT = {"train": 0}  # incremented each time the training loop is traced


@dataclass(frozen=True)
class Stop:
    """Run until every start is stationary or at a target, at most the step budget.

    A start is done, and frozen, at the first check (every ``every`` steps)
    at which its exact population gradient norm is below ``grad_norm``, its
    exact population loss is at most ``loss``, or (with ``dead=True``) the
    problem's dead rule holds (``problem.dead`` with its default tolerances:
    the classifier's own criteria).

    Raises:
      ValueError: neither threshold given, a threshold that is not a
        positive finite number, or ``every`` below 1.
    """

    grad_norm: float | None = None
    loss: float | None = None
    dead: bool = False
    every: int = 100

    def __post_init__(self):
        if self.grad_norm is None and self.loss is None and not self.dead:
            raise ValueError("Stop needs grad_norm=, loss= or dead=True")
        if not isinstance(self.dead, (bool, np.bool_)):
            raise TypeError(f"Stop.dead must be True or False, got {self.dead!r}")
        object.__setattr__(self, "dead", bool(self.dead))
        for name in ("grad_norm", "loss"):
            v = getattr(self, name)
            if v is None:
                continue
            if (
                isinstance(v, (bool, np.bool_))
                or not isinstance(v, (int, float, np.integer, np.floating))
                or not math.isfinite(v)
                or v < 0
            ):
                raise ValueError(f"Stop.{name} must be a finite number >= 0, got {v!r}")
            object.__setattr__(self, name, float(v))
        if isinstance(self.every, (bool, np.bool_)) or not isinstance(self.every, (int, np.integer)) or self.every < 1:
            raise ValueError(f"Stop.every must be an integer >= 1, got {self.every!r}")
        object.__setattr__(self, "every", int(self.every))

    def done(self, loss, grads, dead=None):
        """Per start: whether the rule holds for these exact losses, gradients and dead flags."""
        out = jnp.zeros(loss.shape, bool) if dead is None else dead
        if self.loss is not None:
            out = out | (loss <= self.loss)
        if self.grad_norm is not None:
            sq = sum(jnp.sum(g.reshape(g.shape[0], -1) ** 2, axis=1) for g in jax.tree_util.tree_leaves(grads))
            out = out | (jnp.sqrt(sq) < self.grad_norm)
        return out

    def describe(self) -> dict:
        return {"grad_norm": self.grad_norm, "loss": self.loss, "dead": self.dead, "every": self.every}


@dataclass(frozen=True)
class Crossing:
    """Probe: whether the parameter ``name`` (a key of a dict of parameters) is above ``level``."""

    name: str = "w"
    level: float = 0.0

    def __call__(self, params):
        return params[self.name] > self.level

    def describe(self) -> dict:
        return {"probe": "crossing", "name": self.name, "level": self.level}


class TrainState(NamedTuple):
    """State of every start: parameters, optimizer state, step of divergence and of stopping (-1: none)."""

    params: Any  # a pytree, leaves (S, ...)
    opt_state: Any  # an Optax state (a pytree)
    bad_at: jax.Array
    done_at: jax.Array


def choose_path(problem, gradient: str, streams: str, path: str) -> str:
    """Which gradient computation runs: ``"exact"``, or a minibatch path of the problem.

    Raises:
      ValueError: an unknown path, a path the problem or the streams do not
        allow, or population gradients of a Monte Carlo loss.
    """
    if path not in PATHS:
        raise ValueError(f"path must be one of {PATHS}, got {path!r}")
    if gradient == "population":
        if path == "sorted":
            raise ValueError("path='sorted' applies to minibatch gradients only")
        if not problem.exact:
            raise ValueError(
                f"population gradients need an exact loss; this problem's loss is {problem.exactness} "
                "(closed forms: Gaussian inputs, one hidden layer, no biases, piecewise-linear activations; "
                "quadrature: 1-D inputs); use gradient='minibatch'"
            )
        return "exact"
    paths = problem.minibatch_paths
    if not paths:
        raise ValueError(f"{problem.label} has no minibatch loss; use gradient='population'")
    if streams == "independent":
        paths = tuple(p for p in paths if p == "direct")
    if path == "auto":
        return paths[0]
    if path not in paths:
        raise ValueError(
            f"path={path!r} is not available here; available: {paths} (path='sorted' needs piecewise-linear "
            f"student and teacher (relu, leaky_relu, identity) and streams='shared'; problem: {problem.label}, "
            f"streams {streams!r})"
        )
    return path


def make_step(
    problem,
    optimizer,
    *,
    gradient: str = "minibatch",
    batch_size: int = ORIGINAL.batch_size,
    path: str = "auto",
    streams: str = "shared",
) -> Callable:
    """One optimizer step for every start: ``step(state, t, key, start_ids) -> (state, loss)``.

    ``state`` is a :class:`TrainState` (from :func:`init_state`); ``t`` is
    the global step index (it picks the batch). The loss returned is the one
    the optimizer saw. Validate arguments first (``landscape.train`` does).
    """
    run_path = path if path == "exact" else choose_path(problem, gradient, streams, path)

    def grad_fn(params, x):
        return jax.value_and_grad(problem.batch_loss)(params, x)

    def step(state: TrainState, t, key, start_ids):
        params, opt_state, bad_at, done_at = state
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        k = jax.random.fold_in(key, t)
        if run_path == "exact":
            loss, g = problem.population_batch(params)
        elif streams == "shared":
            x = problem.sample(k, (batch_size,), dtype)
            loss, g = problem.minibatch_batch(params, x, run_path)
        else:
            keys = jax.vmap(lambda j: jax.random.fold_in(k, j))(start_ids)
            x = jax.vmap(lambda kk: problem.sample(kk, (batch_size,), dtype))(keys)
            loss, g = jax.vmap(grad_fn)(params, x)
        with jax.numpy_dtype_promotion("standard"):  # Optax mixes int counts and float decays
            updates, new_state = jax.vmap(optimizer.update)(g, opt_state, params)
        new_params = optax.apply_updates(params, updates)
        live = (bad_at < 0) & (done_at < 0)
        ok = jnp.isfinite(loss)
        for v in jax.tree_util.tree_leaves(new_params):
            ok = ok & jnp.all(jnp.isfinite(v).reshape(v.shape[0], -1), axis=1)
        move = live & ok

        def keep(new, old):
            mask = move.reshape(move.shape + (1,) * (new.ndim - 1))
            return jnp.where(mask, new, old)

        new_params = jax.tree_util.tree_map(keep, new_params, params)
        new_state = jax.tree_util.tree_map(keep, new_state, opt_state)
        bad_at = jnp.where(live & ~ok, t.astype(bad_at.dtype), bad_at)
        loss = jnp.where(jnp.isfinite(loss), loss, jnp.nan)
        return TrainState(new_params, new_state, bad_at, done_at), loss

    return step


def init_state(optimizer, params, hyperparams, n: int, dtype) -> TrainState:
    """Optimizer state per start, with per-start injected hyperparameters."""
    with jax.numpy_dtype_promotion("standard"):
        state = jax.vmap(optimizer.init)(params)
    if hasattr(state, "hyperparams"):
        merged = {k: jnp.broadcast_to(jnp.asarray(v).astype(dtype), (n,)) for k, v in state.hyperparams.items()}
        merged.update({k: v.astype(dtype) for k, v in hyperparams.items()})
        state = state._replace(hyperparams=merged)
    minus = jnp.full((n,), -1, jnp.int32)
    return TrainState(params, state, minus, minus)


# ------------------------------------------------------------------- progress
def _maybe_tick(channel, r, every=1):
    """A host callback to the progress ``channel`` each ``every`` records (a bounded number of ticks);
    channel 0 reports nothing. The channel is data, so a new callback never recompiles."""
    jax.lax.cond((channel > 0) & (r % every == 0), lambda: jax.debug.callback(CHANNELS.tick, channel), lambda: None)


# ----------------------------------------------------------------------- run
@partial(
    jax.jit,
    static_argnames=(
        "problem",
        "optimizer",
        "steps",
        "batch_size",
        "path",
        "streams",
        "record_every",
        "stop",
        "probes",
        "records",
    ),
)
def run(
    problem,
    optimizer,
    init,
    hyperparams,
    key,
    start_ids,
    channel=0,
    *,
    steps,
    batch_size,
    path,
    streams,
    record_every,
    stop=None,
    probes=(),
    records=None,
    every=None,
):
    """Train every start of one chunk; outputs by name.

    Args:
      problem, optimizer: the problem and an Optax transformation (static).
      init: parameter pytree with a leading starts axis; hyperparams: dict of
        ``(S,)`` arrays; key: the run's key; start_ids: ``(S,)`` global indices.
      steps, batch_size, path, streams, record_every: as :func:`landscape.train`.
      channel: the progress channel (:mod:`landscape.progress`; 0: none), data.
      stop: a :class:`Stop` or None; probes: tuple of ``(name, probe)``.
      records: None (``steps`` and ``record_every`` are static), or the
        number of records ``R`` (static) with ``every``, the record interval,
        a traced int32 scalar: ``steps`` and ``record_every`` are then ignored
        and the run takes ``R * every`` steps (not with ``stop``).

    Returns:
      dict with ``final`` (parameters), ``history`` (parameters after each
      recording interval, leading axis ``R = steps / record_every``), ``seen``
      ``(R, S)`` mean loss the optimizer saw per interval, ``exact`` ``(R + 1,
      S)`` exact loss of the start and every record, ``bad_at``, ``done_at``
      and ``steps_run`` ``(S,)``, and ``probes`` (first step each probe held, -1).
    """
    TRACE_COUNT["train"] += 1
    dtype = jax.tree_util.tree_leaves(init)[0].dtype
    n = start_ids.shape[0]
    step = make_step(
        problem,
        optimizer,
        gradient="population" if path == "exact" else "minibatch",
        batch_size=batch_size,
        path=path,
        streams=streams,
    )
    if records is not None:
        if stop is not None:
            raise ValueError("records= (a traced record interval) does not combine with a stopping rule")
        R, record_every = records, jnp.asarray(every, jnp.int32)
        steps = R * record_every
    else:
        R = steps // record_every
    block = stop.every if stop is not None else record_every
    per_record = record_every // block

    def run_block(carry, b):
        """``block`` steps from block index ``b``; probes and the loss sum are carried."""

        def inner(c, i):
            st, lsum, pr = c
            t = b.astype(jnp.int32) * block + i
            st, loss = step(st, t, key, start_ids)
            pr = {
                name: jnp.where((pr[name] < 0) & fn(st.params), (t + 1).astype(jnp.int32), pr[name])
                for name, fn in probes
            }
            return (st, lsum + loss, pr), None

        if records is not None:  # a traced number of steps: the same step, in a loop of traced length
            return jax.lax.fori_loop(0, block, lambda i, c: inner(c, i)[0], carry)
        carry, _ = jax.lax.scan(inner, carry, jnp.arange(block, dtype=jnp.int32))
        return carry

    state0 = init_state(optimizer, init, hyperparams, n, dtype)
    probes0 = {name: jnp.where(fn(init), 0, -1).astype(jnp.int32) for name, fn in probes}
    zeros = jnp.zeros((n,), dtype)

    if stop is None:

        def interval(carry, r):
            st, pr = carry
            st, lsum, pr = run_block((st, zeros, pr), r)
            _maybe_tick(channel, r, ticks_every(R))
            return (st, pr), (st.params, lsum / (record_every if records is None else record_every.astype(dtype)))

        (state, probes_out), (history, seen) = jax.lax.scan(interval, (state0, probes0), jnp.arange(R, dtype=jnp.int32))
        steps_run = jnp.full((n,), steps, jnp.int32)  # traced with records=
    else:
        n_blocks = steps // block
        hist0 = jax.tree_util.tree_map(lambda a: jnp.zeros((R,) + a.shape, a.dtype), init)
        seen0 = jnp.zeros((R, n), dtype)

        def cond(c):
            st, b = c[0], c[1]
            live = (st.bad_at < 0) & (st.done_at < 0)
            return (b < n_blocks) & jnp.any(live)

        def body(c):
            st, b, hist, seen, lsum, pr = c
            st, lsum, pr = run_block((st, lsum, pr), b)
            b = b + 1
            live = (st.bad_at < 0) & (st.done_at < 0)
            loss, grads = problem.population_batch(st.params)
            dead = problem.dead(st.params) if stop.dead else None
            finished = live & stop.done(loss, grads, dead)
            st = st._replace(done_at=jnp.where(finished, (b * block).astype(jnp.int32), st.done_at))
            rec = (b % per_record) == 0
            r = jnp.maximum(b // per_record - 1, 0)

            def write(args):
                hist, seen, lsum = args
                hist = jax.tree_util.tree_map(
                    lambda h, p: jax.lax.dynamic_update_index_in_dim(h, p, r, 0), hist, st.params
                )
                seen = jax.lax.dynamic_update_index_in_dim(seen, lsum / record_every, r, 0)
                _maybe_tick(channel, r, ticks_every(R))
                return hist, seen, jnp.zeros_like(lsum)

            hist, seen, lsum = jax.lax.cond(rec, write, lambda a: a, (hist, seen, lsum))
            return st, b, hist, seen, lsum, pr

        state, b_end, history, seen, _, probes_out = jax.lax.while_loop(
            cond, body, (state0, jnp.zeros((), jnp.int32), hist0, seen0, zeros, probes0)
        )
        # records after every start stopped repeat the final state and its exact loss
        written = b_end // per_record
        rows = jnp.arange(R, dtype=jnp.int32)
        final_loss = problem.population_loss_batch(state.params)

        def fill(h, p):
            mask = (rows >= written).reshape((R,) + (1,) * p.ndim)
            return jnp.where(mask, p[None], h)

        history = jax.tree_util.tree_map(fill, history, state.params)
        seen = jnp.where((rows >= written)[:, None], final_loss[None], seen)
        steps_run = jnp.where(state.done_at >= 0, state.done_at, b_end * block).astype(jnp.int32)

    full = jax.tree_util.tree_map(lambda a, h: jnp.concatenate([a[None], h], 0), init, history)
    exact = jax.lax.map(problem.population_loss_batch, full)
    return {
        "final": state.params,
        "history": history,
        "seen": seen,
        "exact": exact,
        "bad_at": state.bad_at,
        "done_at": state.done_at,
        "steps_run": steps_run,
        "probes": probes_out,
    }


def ticks_every(records: int) -> int:
    """Records between two progress ticks (about 200 ticks per chunk)."""
    return max(1, records // 200)


def starts_axis(path) -> int:
    """Axis of the starts in an output of :func:`run`, by its top-level name."""
    top = path[0].key if hasattr(path[0], "key") else str(path[0])
    return 1 if top in ("history", "seen", "exact") else 0
