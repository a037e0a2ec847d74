"""The lip: when does a backwards start cross w = 0?

Contract
--------
For the no-bias problem ``relu(w x)`` (any piecewise-linear student, either
input family) the loss left of 0 is a quadrature ``h w^2 / 2 + const``, so
SGD, heavy-ball momentum and Nesterov are *linear* maps of ``(w, trace)``
there, until the first step that takes ``w`` above 0. :func:`analytic_crossing`
solves that linear recurrence in closed form (eigenvalues of the 2 x 2 map:
the first crossing step of an oscillating solution is an angle divided by
the rotation per step), so the population-gradient crossing step is known
exactly (for real eigenvalues the scalar recurrence of the characteristic
polynomial is iterated exactly). :func:`simulate_crossing` runs the optimizer itself (Optax, any
method, population or minibatch gradients, one start per grid cell and seed)
and records the first step with ``w > 0``. :func:`phase_diagram` puts both
on a grid and measures where they disagree.

Infinite-horizon boundaries (crossing eventually happens iff):
  SGD: ``eta h > 1``; heavy ball: ``eta h > (1 - sqrt(beta))^2`` (the map
  gets complex eigenvalues, or negative ones); Nesterov: the onset of complex
  eigenvalues of its map, found numerically. :func:`heavy_ball_lr` and its
  inverse :func:`heavy_ball_momentum` are the one home of the heavy-ball
  boundary; :func:`boundary` (step size against momentum) and
  :func:`momentum_threshold` (momentum against step size) solve the same
  crossing predicate, at a finite horizon by bisection on the exact recursion.
  Simulations train through ``landscape.train`` with a crossing probe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L

from .stats import wilson

__all__ = [
    "LINEAR_METHODS",
    "PHASE_AXES",
    "PhaseDiagram",
    "analytic_crossing",
    "applies",
    "boundary",
    "crossing_probability",
    "heavy_ball_lr",
    "heavy_ball_momentum",
    "left_curvature",
    "linear_map",
    "momentum_threshold",
    "phase_axes",
    "phase_diagram",
    "simulate_crossing",
]

LINEAR_METHODS = ("sgd", "momentum", "nesterov")
MAX_CELLS = 1 << 24  # about 1.7e7 optimizer runs in one sweep
O = L.ORIGINAL
# the axes of the phase diagram (step size log-spaced, momentum linear): the report, its figure and the explorer
PHASE_AXES = {"lr_min": 1e-3, "lr_max": 3.0, "beta_min": 0.0, "beta_max": 0.99}


def phase_axes(n: int, n_betas: int | None = None):
    """``(lrs, betas)``: the phase diagram's axes with ``n`` step sizes and ``n_betas`` (default ``n``) momenta."""
    a = PHASE_AXES
    return (
        np.geomspace(a["lr_min"], a["lr_max"], n),
        np.linspace(a["beta_min"], a["beta_max"], n if n_betas is None else n_betas),
    )


def applies(method: str) -> bool:
    """Whether the closed-form crossing analysis applies to an optimizer: SGD, heavy ball and Nesterov are
    linear maps left of the kink; adaptive methods (Adam, AMSGrad, ...) are not, and are only simulated."""
    return method in LINEAR_METHODS


def _check_problem(problem, analytic=True):
    problem = L.neuron.require(problem, "the crossing analysis")
    if tuple(problem.coordinates()) != ("w",):
        raise ValueError(
            f"the crossing analysis is for the no-bias problem (trained=('w',)), got {problem.coordinates()}"
        )
    if analytic and not problem.student.piecewise_linear:
        raise ValueError(
            f"the closed-form crossing analysis needs a piecewise-linear student, got {problem.student.label}"
        )


def left_curvature(problem) -> float:
    """``h = L''(w)`` for ``w < 0`` (constant there: the loss is quadratic)."""
    _check_problem(problem)
    f = lambda w: L.population_loss(problem, {"w": w})
    h1 = float(jax.grad(jax.grad(f))(jnp.asarray(-1.0, jnp.float64)))
    h2 = float(jax.grad(jax.grad(f))(jnp.asarray(-7.0, jnp.float64)))
    if not math.isclose(h1, h2, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(f"the loss is not quadratic left of 0 (L'' = {h1} at -1, {h2} at -7)")
    return h1


def linear_map(method, eta, beta, h=1.0):
    """The 2 x 2 map of ``(w_k, t_{k-1})`` on the left quadratic, arrays broadcast.

    Optax's conventions: momentum ``t = g + beta t; w -= eta t``; Nesterov
    ``t = g + beta t; w -= eta (g + beta t)``; SGD is momentum with beta = 0.
    Returns ``(m00, m01, m10, m11)``.
    """
    eta, beta = np.broadcast_arrays(np.asarray(eta, np.float64), np.asarray(beta, np.float64))
    if method == "sgd":
        beta = np.zeros_like(beta)
        method = "momentum"
    if method == "momentum":
        return 1 - eta * h, -eta * beta, np.full_like(eta, h), beta
    if method == "nesterov":
        return 1 - eta * h * (1 + beta), -eta * beta**2, np.full_like(eta, h), beta
    raise ValueError(f"analytic crossing is defined for {LINEAR_METHODS}, got {method!r}")


def analytic_crossing(method, eta, beta, steps, h=1.0):
    """First step ``k <= steps`` at which ``w_k > 0`` from any ``w_0 < 0``; -1 if none.

    Exact for population gradients on the no-bias problem: before the first
    crossing every iterate is ``<= 0``, where the dynamics are linear. The
    answer does not depend on ``w_0`` (the map is linear).
    """
    m00, m01, m10, m11 = (np.ravel(m) for m in linear_map(method, eta, beta, h))
    shape = np.broadcast(np.asarray(eta), np.asarray(beta)).shape
    tr = m00 + m11
    det = m00 * m11 - m01 * m10
    disc = tr * tr - 4 * det
    w0 = -1.0
    w1 = m00 * w0
    out = np.full(tr.shape, -1, np.int64)
    # complex eigenvalues: w_k = R rho^k cos(k theta + phi), R < 0
    cplx = disc < 0
    if np.any(cplx):
        rho = np.sqrt(det[cplx])
        theta = np.arccos(np.clip(tr[cplx] / (2 * rho), -1, 1))
        phi = np.arctan2(rho * np.cos(theta) - w1[cplx] / w0, rho * np.sin(theta))
        k = np.floor((np.pi / 2 - phi) / theta).astype(np.int64) + 1
        out[cplx] = np.where(k <= steps, k, -1)
    # real eigenvalues: the recurrence w_{k+1} = tr w_k - det w_{k-1} (the
    # characteristic polynomial of the map), iterated exactly in float64
    real = np.flatnonzero(~cplx)
    if real.size:
        a, b = tr[real], det[real]
        prev, cur = np.full(real.size, w0), w1[real].copy()
        first = np.where(cur > 0, 1, -1)
        with np.errstate(over="ignore", invalid="ignore"):  # diverging cells cross early or never
            for k in range(2, steps + 1):
                if np.all(first > 0):
                    break
                prev, cur = cur, a * cur - b * prev
                first = np.where((first < 0) & (cur > 0), k, first)
        out[real] = first
    return out.reshape(shape)


def heavy_ball_lr(beta, h=1.0):
    """Smallest step size with which heavy-ball momentum ``beta`` eventually crosses: ``(1 - sqrt(beta))^2 / h``."""
    return (1 - np.sqrt(np.asarray(beta, np.float64))) ** 2 / h


def heavy_ball_momentum(lr, h=1.0):
    """Smallest momentum with which step size ``lr`` eventually crosses: the inverse of
    :func:`heavy_ball_lr`, ``(1 - sqrt(lr h))^2`` for ``lr h < 1`` (0 from ``lr h >= 1``, where SGD itself crosses)."""
    x = np.asarray(lr, np.float64) * h
    return np.where(x < 1, (1 - np.sqrt(np.minimum(x, 1.0))) ** 2, 0.0)


def _crosses(method, eta, beta, steps, h):
    """Whether the map crosses (infinite horizon when ``steps`` is None)."""
    if steps is None:
        m00, m01, m10, m11 = linear_map(method, eta, beta, h)
        tr, det = m00 + m11, m00 * m11 - m01 * m10
        return (tr * tr - 4 * det < 0) | (m00 < 0)
    return analytic_crossing(method, eta, beta, steps, h) > 0


def boundary(method, betas, steps=None, h=1.0, eta_max=10.0):
    """Smallest step size that crosses, for each beta (infinite horizon if ``steps`` is None).

    Infinite horizon: SGD ``1/h``; heavy ball :func:`heavy_ball_lr`;
    Nesterov by bisection on the onset of complex eigenvalues. Finite
    horizon: bisection on :func:`analytic_crossing` (monotone in eta).
    """
    betas = np.atleast_1d(np.asarray(betas, np.float64))
    if steps is None and method == "sgd":
        return np.full(betas.shape, 1.0 / h)
    if steps is None and method == "momentum":
        return heavy_ball_lr(betas, h)
    lo = np.full(betas.shape, 1e-12)
    hi = np.full(betas.shape, eta_max)
    for _ in range(80):
        mid = np.sqrt(lo * hi)
        c = _crosses(method, mid, betas, steps, h)
        hi = np.where(c, mid, hi)
        lo = np.where(c, lo, mid)
    return hi


def momentum_threshold(method, lr, steps=None, h=1.0, tol=1e-12):
    """Smallest momentum that crosses at step size ``lr`` (infinite horizon if ``steps`` is None).

    The same crossing predicate as :func:`boundary`, solved for the momentum
    by bisection to ``tol`` (the predicate is monotone in the momentum for
    heavy ball and Nesterov). Returns NaN-free results: 1.0 when no momentum
    below 1 crosses.

    Returns:
      ``(threshold, tolerance)``: the smallest crossing momentum, and the
      width of the final bracket.
    """
    if method not in ("momentum", "nesterov"):
        raise ValueError(f"momentum_threshold is for 'momentum' or 'nesterov', got {method!r}")
    lr = np.atleast_1d(np.asarray(lr, np.float64))
    if steps is None and method == "momentum":
        return heavy_ball_momentum(lr, h), 0.0
    lo = np.zeros(lr.shape)
    hi = np.full(lr.shape, 1.0 - 1e-15)
    base = _crosses(method, lr, lo, steps, h)
    top = _crosses(method, lr, hi, steps, h)
    while np.any(hi - lo > tol):
        mid = 0.5 * (lo + hi)
        c = _crosses(method, lr, mid, steps, h)
        hi = np.where(c, mid, hi)
        lo = np.where(c, lo, mid)
    out = np.where(base, 0.0, np.where(top, hi, 1.0))
    return out, float(np.max(hi - lo))


def simulate_crossing(
    problem,
    optimizer,
    hyper,
    *,
    w0=O.w0,
    steps=O.steps,
    gradient="population",
    seeds=1,
    batch_size=O.batch_size,
    key=None,
    dtype=None,
):
    """Run the optimizer from ``w0`` for every combination of hyperparameters.

    Args:
      problem: the no-bias problem.
      optimizer: a name for :func:`landscape.optimizer`.
      hyper: ``{name: 1-D array}`` (one or two names), their outer product is
        the grid.
      w0: the backwards start.
      steps: the budget.
      gradient: ``"population"`` or ``"minibatch"`` (independent batches per
        cell and seed).
      seeds: runs per cell (minibatch).
      key: ``jax.random`` key (minibatch).

    Returns:
      ``first`` int array of shape grid (+ ``(seeds,)`` when seeds > 1): the
      first step with ``w > 0``, or -1.
    """
    _check_problem(problem, analytic=False)
    if not (isinstance(w0, (int, float)) and w0 < 0 and math.isfinite(w0)):
        raise ValueError(f"w0 must be a finite negative number (a backwards start), got {w0!r}")
    if not isinstance(hyper, dict) or not 1 <= len(hyper) <= 2:
        raise ValueError(f"hyper must map one or two hyperparameter names to 1-D arrays, got {hyper!r}")
    if gradient not in ("population", "minibatch"):
        raise ValueError(f"gradient must be 'population' or 'minibatch', got {gradient!r}")
    if not (isinstance(steps, int) and steps >= 1 and isinstance(seeds, int) and seeds >= 1):
        raise ValueError(f"steps and seeds must be positive integers, got {steps!r}, {seeds!r}")
    opt = L.optimizer(optimizer)
    known = getattr(opt.init({"w": jnp.zeros(())}), "hyperparams", None)
    if known is None:
        raise TypeError(f"optimizer {optimizer!r} has no injectable hyperparameters")
    for k, v in hyper.items():
        if k not in known:
            raise ValueError(f"optimizer {optimizer!r} has no hyperparameter {k!r}; it has {sorted(known)}")
        a = np.asarray(v, np.float64)
        if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
            raise ValueError(f"hyper[{k!r}] must be a non-empty 1-D array of finite values")
    cells = math.prod(np.asarray(v).size for v in hyper.values()) * seeds
    if cells > MAX_CELLS:
        raise ValueError(
            f"the sweep has {cells:.3g} cells x seeds, more than the limit {MAX_CELLS:.3g}; use a coarser grid"
        )
    dtype = dtype or jnp.result_type(float)
    names = list(hyper)
    mesh = np.meshgrid(*[np.asarray(hyper[k], np.float64) for k in names], indexing="ij")
    shape = mesh[0].shape + ((seeds,) if seeds > 1 else ())
    flat = {k: np.repeat(m.ravel(), seeds) for k, m in zip(names, mesh)}
    n = flat[names[0]].size
    t = L.train(
        problem,
        {"w": np.full(n, w0, dtype)},
        optimizer=opt,
        steps=steps,
        batch_size=batch_size,
        gradient=gradient,
        record_every=steps,
        streams="independent",
        hyperparams=flat,
        probes={"crossed": CROSSED},
        key=key if key is not None else jax.random.key(0),
    )
    return np.asarray(t.probes["crossed"]).reshape(shape)


CROSSED = L.Crossing("w", 0.0)  # the probe: w above 0


@dataclass(frozen=True)
class PhaseDiagram:
    """Crossing over (learning rate, momentum): simulated and analytic.

    Attributes:
      method: optimizer name.
      lrs, betas: the axes (rows: learning rate, columns: momentum).
      simulated, analytic: first crossing steps (-1: none), shape (len(lrs), len(betas)).
      boundary_simulated, boundary_analytic: for each beta the smallest lr of
        the grid that crosses (nan if none).
      boundary_infinite: the infinite-horizon boundary (continuous).
      boundary_finite: the finite-horizon boundary (continuous, bisection).
      disagreement_cells: cells where simulation and analysis disagree.
      max_boundary_gap: largest |simulated - analytic| boundary, in grid rows.
    """

    method: str
    lrs: np.ndarray
    betas: np.ndarray
    steps: int
    simulated: np.ndarray
    analytic: np.ndarray | None
    boundary_simulated: np.ndarray
    boundary_analytic: np.ndarray | None
    boundary_infinite: np.ndarray | None
    boundary_finite: np.ndarray | None
    disagreement_cells: int
    max_boundary_gap: float
    settings: dict = field(default_factory=dict)


def _grid_boundary(crossed, lrs):
    out = np.full(crossed.shape[1], np.nan)
    for j in range(crossed.shape[1]):
        idx = np.flatnonzero(crossed[:, j])
        if idx.size:
            out[j] = idx[0]
    return out


def phase_diagram(problem=None, method="momentum", *, lrs=None, betas=None, steps=O.steps, w0=O.w0, second="momentum"):
    """Crossing phase diagram over step size and a second hyperparameter.

    Args:
      problem: the no-bias problem (default ``Problem()``).
      method: ``sgd``, ``momentum``, ``nesterov`` (analytic boundary drawn), or
        any other optimizer name (``adam``, ``amsgrad``: simulation only).
      lrs: learning rates (rows); betas: values of ``second`` (columns).
      second: the second hyperparameter's name (``momentum`` or ``b1``).

    Returns:
      :class:`PhaseDiagram`.
    """
    problem = problem or L.Problem()
    _check_problem(problem, analytic=applies(method))
    default_lrs, default_betas = phase_axes(64)
    lrs = default_lrs if lrs is None else np.asarray(lrs, np.float64)
    betas = default_betas if betas is None else np.asarray(betas, np.float64)
    if method == "sgd":
        hyper = {"learning_rate": lrs}
        sim = simulate_crossing(problem, "sgd", hyper, w0=w0, steps=steps)[:, None] * np.ones((1, betas.size), int)
    else:
        sim = simulate_crossing(problem, method, {"learning_rate": lrs, second: betas}, w0=w0, steps=steps)
    crossed = sim > 0
    b_sim = _grid_boundary(crossed, lrs)
    ana = b_ana = b_inf = b_fin = None
    dis, gap = 0, float("nan")
    if method in LINEAR_METHODS:
        h = left_curvature(problem)
        E, Bm = np.meshgrid(lrs, betas, indexing="ij")
        ana = analytic_crossing(method, E, Bm, steps, h)
        b_ana = _grid_boundary(ana > 0, lrs)
        b_inf = boundary(method, betas, None, h)
        b_fin = boundary(method, betas, steps, h)
        dis = int(np.sum(crossed != (ana > 0)))
        both = ~np.isnan(b_sim) & ~np.isnan(b_ana)
        gap = float(np.max(np.abs(b_sim[both] - b_ana[both]))) if both.any() else float("nan")
        if np.any(np.isnan(b_sim) != np.isnan(b_ana)):
            gap = float("inf")
    return PhaseDiagram(
        method,
        lrs,
        betas,
        steps,
        sim,
        ana,
        b_sim,
        b_ana,
        b_inf,
        b_fin,
        dis,
        gap,
        settings={"w0": w0, "steps": steps, "second": second, "problem": problem.config()},
    )


def crossing_probability(
    problem=None,
    *,
    lrs=None,
    seeds=64,
    steps=O.steps,
    w0=O.w0,
    batch_size=O.batch_size,
    key=None,
    optimizer=O.optimizer,
):
    """Minibatch crossing probability against step size, with 95% Wilson intervals.

    Returns:
      dict with ``lrs``, ``probability``, ``ci`` (lo, hi arrays), ``seeds``, and
      the noiseless (population) first crossing for each lr.
    """
    problem = problem or L.Problem()
    lrs = np.geomspace(0.3, 3.0, 24) if lrs is None else np.asarray(lrs, np.float64)
    first = simulate_crossing(
        problem,
        optimizer,
        {"learning_rate": lrs},
        w0=w0,
        steps=steps,
        gradient="minibatch",
        seeds=seeds,
        batch_size=batch_size,
        key=key if key is not None else jax.random.key(0),
    )
    if seeds == 1:
        first = first[:, None]
    k = np.sum(first > 0, axis=1)
    ci = np.asarray([wilson(int(c), seeds) for c in k])
    pop = simulate_crossing(problem, optimizer, {"learning_rate": lrs}, w0=w0, steps=steps)
    return {
        "lrs": lrs,
        "probability": k / seeds,
        "ci": (ci[:, 0], ci[:, 1]),
        "seeds": seeds,
        "population_first_crossing": pop,
        "settings": {"w0": w0, "steps": steps, "batch_size": batch_size, "optimizer": optimizer},
    }
