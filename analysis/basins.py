"""Basin classification of where trajectories end, for any problem of the protocol.

Contract
--------
:func:`classify` labels each end state, in this order of precedence:

* ``diverged``: the run produced non-finite values (``Trajectories.diverged``)
  or the parameters are not finite;
* ``global_min``: population loss within ``tol_loss`` of the global minimum
  (the problem's ``min_loss`` when it is known, else ``min_loss=``, else the
  value :func:`global_minimum` finds);
* ``dead``: the problem's own dead rule (``problem.dead`` with ``tol_dead``
  and ``tol_active``): for the single neuron, a unit that can die (relu) at
  its dead set within tolerance (active on less than ``tol_active`` of the
  input mass, or its own output numerically zero); for other problems the
  output (numerically) constant on the inputs; never for a problem that
  cannot tell;
* ``escaping``: drifting toward an infimum at infinity that no finite point
  attains (:mod:`analysis.escape`: the single neuron from ``w < 0``, whose kink
  walks out of the data while the loss falls to the best linear fit's
  level, proven unreachable at finite points); decided only where that
  analysis applies, and before ``stationary``: such a run's gradient falls
  below any tolerance without a stationary point nearby;
* ``stationary``: the population gradient norm is below ``tol_grad`` (another
  stationary point);
* ``moving``: none of the above (the step budget ran out while the gradient
  was not small).

``TOLERANCES`` is the one home of the default thresholds: the explorer, the
experiments and the stopping rules read them from here. One labelling
pipeline for every problem. Counts come with 95% Wilson intervals.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L

from .stats import wilson

__all__ = ["BASINS", "STUCK", "TOLERANCES", "Basins", "classify", "global_minimum", "stop_rule", "summarize"]

BASINS = ("global_min", "dead", "stationary", "moving", "diverged", "escaping")
STUCK = ("dead", "stationary")  # converged away from the global minimum
# the classifier's thresholds: loss above the global minimum still counted as reaching it, gradient norm of a
# stationary point, and the tolerances of "dead" (landscape.DEAD)
TOLERANCES = {"tol_loss": 1e-6, "tol_grad": 1e-6, **L.DEAD}


def stop_rule(
    problem, every: int, *, tol_grad: float = TOLERANCES["tol_grad"], tol_loss: float = TOLERANCES["tol_loss"]
) -> L.Stop:
    """The classifier's own criteria as a stopping rule: at the global minimum (when the problem knows
    it), dead, or stationary; checked every ``every`` steps."""
    target = problem.min_loss
    return L.Stop(grad_norm=tol_grad, loss=None if target is None else target + tol_loss, dead=True, every=every)


@dataclass(frozen=True)
class Basins:
    """Labels and counts of end states.

    Attributes:
      labels: ``(S,)`` int codes into ``BASINS``.
      counts, fractions: per basin name.
      intervals: per basin, the Wilson interval of its fraction.
      thresholds: the tolerances used and the global minimum value (and where it came from).
      loss, grad_norm: ``(S,)`` population loss and gradient norm of each end state.
      escape: the escape analysis's evidence per start (:func:`analysis.escape.escaping`), or None where it
        does not apply.
    """

    labels: np.ndarray
    counts: dict
    fractions: dict
    intervals: dict
    thresholds: dict
    loss: np.ndarray | None = None
    grad_norm: np.ndarray | None = None
    escape: dict | None = None

    @property
    def n(self) -> int:
        return int(self.labels.size)

    def names(self) -> np.ndarray:
        return np.asarray(BASINS)[self.labels]

    def mask(self, *names) -> np.ndarray:
        """Bool ``(S,)``: the starts whose label is one of ``names``."""
        return np.isin(self.labels, [BASINS.index(n) for n in names])

    def summary(self) -> str:
        parts = []
        for b in BASINS:
            if self.counts[b]:
                lo, hi = self.intervals[b]
                parts.append(f"{b} {self.fractions[b]:.3f} [{lo:.3f}, {hi:.3f}]")
        return f"n={self.n}: " + ", ".join(parts)


def global_minimum(problem) -> tuple[float, dict | None]:
    """The global minimum of the population loss and where it is attained.

    The problem's ``min_loss`` when it is known (0 when the student can equal
    the teacher). With one scalar coordinate it is found on a grid of 4001
    points over [-10, 10] refined by bisection on the sign of the exact
    derivative. Otherwise it is searched for through the training engine:
    2000 steps of Adam from 64 of the problem's random starts (exact
    gradients where the loss is exact, minibatches of 4096 otherwise), the
    best end refined by 2000 smaller steps. Runs in the default float dtype (float64 when x64 is on).

    Returns:
      ``(loss, params)`` (params None when the value is known but not the point).

    Raises:
      ValueError: a problem that can neither tell its minimum nor draw
        random starts (give ``min_loss=`` to :func:`classify`).
    """
    known = problem.min_loss
    if known is not None:
        opt = problem.optimum()
        return float(known), opt
    return _searched_minimum(problem, jnp.dtype(jnp.result_type(float)).name)


@functools.lru_cache(maxsize=64)
def _searched_minimum(problem, dtype_name: str) -> tuple[float, dict | None]:
    dtype = jnp.dtype(dtype_name)
    coords = problem.coordinates()
    if len(coords) == 1 and isinstance(problem.param_shapes(), dict) and problem.exact:
        (name,) = coords
        ws = np.linspace(-10.0, 10.0, 4001)
        losses = np.asarray(problem.population_loss_batch({name: jnp.asarray(ws, dtype)}))
        i = int(np.argmin(losses))
        lo, hi = ws[max(i - 1, 0)], ws[min(i + 1, ws.size - 1)]
        grad = lambda v: float(problem.population_batch({name: jnp.asarray([v], dtype)})[1][name][0])
        for _ in range(60):  # the minimum lies where the derivative changes sign
            mid = 0.5 * (lo + hi)
            if grad(mid) > 0:
                hi = mid
            else:
                lo = mid
        w = 0.5 * (lo + hi)
        cand = [(float(problem.population_loss_batch({name: jnp.asarray([v], dtype)})[0]), v) for v in (w, ws[i])]
        loss, w = min(cand)
        return loss, {name: float(w)}
    init = problem.draw_starts(jax.random.key(0), 64, dtype)
    if init is None:
        raise ValueError(
            f"the global minimum of {problem.label} is neither known nor searchable (the problem "
            "cannot draw random starts); give min_loss= or a problem with init="
        )
    gradient = "population" if problem.exact else "minibatch"
    kw: dict[str, Any] = dict(gradient=gradient, batch_size=4096, record_every=2000, key=jax.random.key(0))
    t = L.train(problem, init, optimizer=L.optimizer("adam", learning_rate=0.01), steps=2000, **kw)
    final_loss = np.where(np.asarray(t.diverged), np.inf, np.asarray(t.population_loss[-1]))
    best = int(np.argmin(final_loss))
    start = jax.tree_util.tree_map(lambda a: a[best : best + 1], t.final)
    t2 = L.train(problem, start, optimizer=L.optimizer("adam", learning_rate=1e-4), steps=2000, **kw)
    loss = float(min(final_loss[best], float(t2.population_loss[-1, 0])))
    params = jax.tree_util.tree_map(lambda a: np.asarray(a[0]).tolist(), t2.final)
    return loss, params


@partial(jax.jit, static_argnums=(0,))
def _evaluate(problem, params, tol_dead, tol_active):
    loss, grads = problem.population_batch(params)
    gnorm = jnp.linalg.norm(problem.ravel(grads), axis=-1)
    dead = problem.dead(params, tol_dead=tol_dead, tol_active=tol_active)
    if dead is None:  # a problem that cannot tell is never labelled dead
        dead = jnp.zeros(loss.shape, bool)
    return loss, gnorm, dead


def _finite_rows(problem, final):
    """Validate a batch of end states (structure and shapes); the finite mask per start."""
    arrays, n = problem.check_starts(final, "final", finite=False)
    finite = np.ones(n, bool)
    for a in jax.tree_util.tree_leaves(arrays):
        finite &= np.all(np.isfinite(a).reshape(n, -1), axis=1)
    return arrays, finite, n


def classify(
    problem,
    final,
    *,
    diverged=None,
    tol_loss=TOLERANCES["tol_loss"],
    tol_dead=TOLERANCES["tol_dead"],
    tol_active=TOLERANCES["tol_active"],
    tol_grad=TOLERANCES["tol_grad"],
    min_loss=None,
    confidence=0.95,
    escape: bool = True,
) -> Basins:
    """Label end states by basin (see the module docstring).

    Args:
      problem: any problem of the protocol.
      final: end parameters with a leading starts axis (``Trajectories.final``).
      diverged: optional ``(S,)`` bool mask (``Trajectories.diverged``).
      tol_loss: loss above the global minimum still counted as reaching it.
      tol_dead: relative output variance below which the model is dead.
      tol_active: active input mass below which a unit that can die is dead.
      tol_grad: gradient norm below which a point is stationary.
      min_loss: the global minimum value (the problem's when known, else
        searched for when None).
      confidence: level of the Wilson intervals.
      escape: tell escaping runs apart where :mod:`analysis.escape` applies (else they are moving or
        stationary).

    Returns:
      :class:`Basins`.

    Raises:
      ValueError: non-positive tolerances or params not matching the problem.

    Example:
      >>> t = L.train(L.Problem(), {"w": jnp.array([2.0, -10.0])}, optimizer="sgd",
      ...             steps=2000, key=jax.random.key(0))
      >>> classify(L.Problem(), t.final, diverged=t.diverged).names().tolist()
      ['global_min', 'dead']
    """
    for name, v in (("tol_loss", tol_loss), ("tol_dead", tol_dead), ("tol_active", tol_active), ("tol_grad", tol_grad)):
        if (
            isinstance(v, (bool, np.bool_))
            or not isinstance(v, (int, float, np.integer, np.floating))
            or not (v > 0 and np.isfinite(v))
        ):
            raise ValueError(f"{name} must be a positive finite number, got {v!r}")
    if not isinstance(problem, L.AbstractProblem):
        raise TypeError(f"problem must implement the problem protocol, got {type(problem).__name__}")
    arrays, finite, n = _finite_rows(problem, final)
    if diverged is not None:
        d = np.asarray(diverged, bool)
        if d.shape != (n,):
            raise ValueError(f"diverged must have shape ({n},), got {d.shape}")
        finite &= ~d
    source = "given"
    if min_loss is None:
        if problem.min_loss is not None:
            min_loss, source = problem.min_loss, "known"
        else:
            min_loss, source = global_minimum(problem)[0], "searched"
    safe = jax.tree_util.tree_map(
        lambda a: jnp.asarray(np.where(finite.reshape((n,) + (1,) * (a.ndim - 1)), a, 0.0)), arrays
    )
    dtype = jax.tree_util.tree_leaves(safe)[0].dtype
    loss, gnorm, dead = (
        np.asarray(v) for v in _evaluate(problem, safe, jnp.asarray(tol_dead, dtype), jnp.asarray(tol_active, dtype))
    )
    loss = loss.astype(np.float64)
    gnorm = gnorm.astype(np.float64)
    labels = np.full(n, BASINS.index("moving"), np.int32)
    labels[gnorm < tol_grad] = BASINS.index("stationary")
    evidence = None
    if escape:
        from . import escape as E

        if E.applies(problem) is None:
            evidence = E.escaping(problem, safe)
            labels[evidence["mask"]] = BASINS.index("escaping")
    labels[dead] = BASINS.index("dead")
    labels[loss - min_loss <= tol_loss] = BASINS.index("global_min")
    labels[~finite] = BASINS.index("diverged")
    out = summarize(
        labels,
        {
            "tol_loss": tol_loss,
            "tol_dead": tol_dead,
            "tol_active": tol_active,
            "tol_grad": tol_grad,
            "min_loss": float(min_loss),
            "min_loss_source": source,
            "confidence": confidence,
        },
        confidence,
    )
    return Basins(
        out.labels,
        out.counts,
        out.fractions,
        out.intervals,
        out.thresholds,
        np.where(finite, loss, np.inf),
        np.where(finite, gnorm, np.inf),
        evidence,
    )


def summarize(labels, thresholds, confidence) -> Basins:
    """Counts, fractions and Wilson intervals of ``labels`` (codes into ``BASINS``)."""
    n = labels.size
    counts = {b: int(np.sum(labels == i)) for i, b in enumerate(BASINS)}
    return Basins(
        labels=labels,
        counts=counts,
        fractions={b: c / n for b, c in counts.items()},
        intervals={b: wilson(c, n, confidence) for b, c in counts.items()},
        thresholds=thresholds,
    )
