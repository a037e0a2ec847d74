"""Basin classification of where trajectories end.

Contract
--------
:func:`classify` labels each end state, in this order of precedence:

* ``diverged``: the run produced non-finite values (``Trajectories.diverged``)
  or the parameters are not finite;
* ``global_min``: exact population loss within ``tol_loss`` of the global
  minimum (0 when the student can equal the teacher, otherwise the value
  :func:`global_minimum` finds);
* ``dead``: the student is (numerically) constant on the input support, its
  exact output variance below ``tol_dead`` times ``max(1, E f^2)``, or, for
  students whose activation is flat left of its kink (relu), the unit is
  active on less than ``tol_active`` of the input mass: it sits on the dead
  plateau, where every gradient through the unit is proportional to that
  mass and vanishes;
* ``stationary``: the exact gradient norm is below ``tol_grad`` (another
  stationary point);
* ``moving``: none of the above (the step budget ran out while the gradient
  was not small).

Counts come with 95% Wilson intervals.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L

from .stats import wilson

__all__ = ["BASINS", "Basins", "classify", "global_minimum"]

BASINS = ("global_min", "dead", "stationary", "moving", "diverged")


@dataclass(frozen=True)
class Basins:
    """Labels and counts of end states.

    Attributes:
      labels: ``(S,)`` int codes into ``BASINS``.
      counts, fractions: per basin name.
      intervals: per basin, the 95% Wilson interval of its fraction.
      thresholds: the tolerances used and the global minimum value.
    """

    labels: np.ndarray
    counts: dict
    fractions: dict
    intervals: dict
    thresholds: dict

    @property
    def n(self) -> int:
        return int(self.labels.size)

    def names(self) -> np.ndarray:
        return np.asarray(BASINS)[self.labels]

    def summary(self) -> str:
        parts = []
        for b in BASINS:
            if self.counts[b]:
                lo, hi = self.intervals[b]
                parts.append(f"{b} {self.fractions[b]:.3f} [{lo:.3f}, {hi:.3f}]")
        return f"n={self.n}: " + ", ".join(parts)


@functools.lru_cache(maxsize=64)
def global_minimum(problem: L.Problem) -> tuple[float, dict]:
    """The global minimum of the exact loss and where it is attained.

    When the student can equal the teacher it is 0 at ``problem.optimum()``.
    With one trained parameter it is found on a grid of 4001 points over
    [-10, 10] and refined by bisection on the sign of the exact derivative.
    Otherwise it is searched for: exact-gradient Adam from 128 random starts,
    the best end refined by further small steps. Runs in the default float
    dtype (float64 when x64 is enabled).

    Returns:
      ``(loss, params)``.
    """
    opt = problem.optimum()
    if opt is not None:
        return 0.0, opt
    dtype = jnp.result_type(float)
    if len(problem.trained) == 1:
        (name,) = problem.trained
        ws = np.linspace(-10.0, 10.0, 4001)
        losses = np.asarray(L.population_loss(problem, {name: jnp.asarray(ws, dtype)}))
        i = int(np.argmin(losses))
        lo, hi = ws[max(i - 1, 0)], ws[min(i + 1, ws.size - 1)]
        grad = lambda v: float(L.population_loss_and_grad(problem, {name: jnp.asarray(v, dtype)})[1][name])
        for _ in range(60):  # the minimum lies where the derivative changes sign
            mid = 0.5 * (lo + hi)
            if grad(mid) > 0:
                hi = mid
            else:
                lo = mid
        w = 0.5 * (lo + hi)
        cand = [(float(L.population_loss(problem, {name: jnp.asarray(v, dtype)})), v) for v in (w, ws[i])]
        loss, w = min(cand)
        return loss, {name: float(w)}
    rng = np.random.default_rng(0)
    n = 128
    init = {k: rng.uniform(-3, 3, n) for k in problem.trained}
    if "a" in init:
        init["a"] = rng.uniform(-2, 2, n)
    init = {k: jnp.asarray(v, dtype) for k, v in init.items()}
    t = L.train(problem, init, optimizer=L.optimizer("adam", learning_rate=0.01), steps=3000,
                gradient="population", record_every=3000, key=jax.random.key(0))
    final_loss = np.asarray(t.population_loss[-1])
    final_loss = np.where(np.asarray(t.diverged), np.inf, final_loss)
    best = int(np.argmin(final_loss))
    start = {k: jnp.asarray(t.final[k][best : best + 1]) for k in problem.trained}
    t2 = L.train(problem, start, optimizer=L.optimizer("adam", learning_rate=1e-4), steps=3000,
                 gradient="population", record_every=3000, key=jax.random.key(0))
    loss = float(min(final_loss[best], float(t2.population_loss[-1, 0])))
    params = {k: float(t2.final[k][0]) for k in problem.trained}
    return loss, params


def classify(problem: L.Problem, final, *, diverged=None, tol_loss=1e-6, tol_dead=1e-8, tol_active=1e-3, tol_grad=1e-6,
             min_loss=None, confidence=0.95) -> Basins:
    """Label end states by basin.

    Args:
      problem: the problem.
      final: ``{name: (S,) array}`` end parameters (``Trajectories.final``).
      diverged: optional ``(S,)`` bool mask (``Trajectories.diverged``).
      tol_loss: loss above the global minimum still counted as reaching it.
      tol_dead: relative output variance below which the student is dead.
      tol_active: active input mass below which a relu-like unit is dead.
      tol_grad: gradient norm below which a point is stationary.
      min_loss: the global minimum value (computed when None).
      confidence: level of the Wilson intervals.

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
        if not (isinstance(v, (int, float)) and v > 0 and np.isfinite(v)):
            raise ValueError(f"{name} must be a positive finite number, got {v!r}")
    from landscape.networks import NetProblem

    if isinstance(problem, NetProblem):
        return _classify_networks(problem, final, diverged, tol_loss, tol_dead, tol_grad,
                                  0.0 if min_loss is None else min_loss, confidence)
    L.problem.check_params(problem, final)
    if min_loss is None:
        min_loss = global_minimum(problem)[0]
    params = {k: jnp.asarray(v) for k, v in final.items()}
    finite = np.ones(np.shape(params[problem.trained[0]]), bool)
    for v in params.values():
        finite &= np.isfinite(np.asarray(v))
    if diverged is not None:
        finite &= ~np.asarray(diverged, bool)
    safe = {k: jnp.where(jnp.asarray(finite), v, jnp.zeros_like(v)) for k, v in params.items()}
    loss, grads = L.population_loss_and_grad(problem, safe)
    _, var = L.student_moments(problem, safe)
    mean_sq = L.population_loss(L.Problem(problem.student, "zero", problem.inputs, problem.trained), safe)
    gnorm = np.sqrt(sum(np.asarray(g, np.float64) ** 2 for g in grads.values()))
    loss = np.asarray(loss, np.float64)
    var = np.asarray(var, np.float64)
    labels = np.full(finite.shape, BASINS.index("moving"), np.int32)
    labels[gnorm < tol_grad] = BASINS.index("stationary")
    dead = var <= tol_dead * np.maximum(1.0, np.asarray(mean_sq, np.float64))
    if problem.student.piecewise_linear and problem.student.slopes[0] == 0.0:
        dead |= np.asarray(L.active_fraction(problem, safe), np.float64) < tol_active
    labels[dead] = BASINS.index("dead")
    labels[loss - min_loss <= tol_loss] = BASINS.index("global_min")
    labels[~finite] = BASINS.index("diverged")
    return _summarize(labels, {"tol_loss": tol_loss, "tol_dead": tol_dead, "tol_active": tol_active, "tol_grad": tol_grad,
                               "min_loss": float(min_loss), "confidence": confidence}, confidence)


def _classify_networks(problem, final, diverged, tol_loss, tol_dead, tol_grad, min_loss, confidence):
    """Networks: global minimum by loss, dead when the output is (numerically) constant on the inputs."""
    leaves = jax.tree_util.tree_leaves(final)
    n = leaves[0].shape[0]
    finite = np.ones(n, bool)
    for a in leaves:
        finite &= np.all(np.isfinite(np.asarray(a)).reshape(n, -1), axis=1)
    if diverged is not None:
        finite &= ~np.asarray(diverged, bool)
    safe = jax.tree_util.tree_map(lambda a: jnp.where(finite.reshape((n,) + (1,) * (a.ndim - 1)), a, 0.0), final)
    loss = np.asarray(jax.vmap(problem.loss)(safe))
    gn = np.asarray(jax.vmap(lambda p: jnp.sqrt(sum(jnp.sum(g * g) for g in jax.tree_util.tree_leaves(jax.grad(problem.loss)(p)))))(safe))
    mean, var = (np.asarray(v) for v in jax.vmap(problem.output_moments)(safe))
    labels = np.full(n, BASINS.index("moving"), np.int32)
    labels[gn < tol_grad] = BASINS.index("stationary")
    labels[var <= tol_dead * np.maximum(1.0, mean**2 + var)] = BASINS.index("dead")
    labels[loss - min_loss <= tol_loss] = BASINS.index("global_min")
    labels[~finite] = BASINS.index("diverged")
    return _summarize(labels, {"tol_loss": tol_loss, "tol_dead": tol_dead, "tol_grad": tol_grad, "min_loss": float(min_loss),
                               "confidence": confidence}, confidence)


def _summarize(labels, thresholds, confidence):
    n = labels.size
    counts = {b: int(np.sum(labels == i)) for i, b in enumerate(BASINS)}
    return Basins(
        labels=labels,
        counts=counts,
        fractions={b: c / n for b, c in counts.items()},
        intervals={b: wilson(c, n, confidence) for b, c in counts.items()},
        thresholds=thresholds,
    )
