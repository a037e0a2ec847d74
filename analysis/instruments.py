"""Landscape instruments for any problem of the protocol: interpolations, 2-D slices, trajectory planes,
and Hessian spectra by Hessian-vector products.

Contract
--------
Every instrument takes a problem (``landscape.Problem``, a network, a user's
``CustomProblem``) and parameter points as the problem's pytrees, and works
on the problem's *population* loss (exact where the problem has an exact
loss). Points are validated before any work (structure, shapes, finiteness);
random directions and probe vectors come from explicit keys and are returned
with the results, so a figure can be redrawn exactly.

* :func:`interpolate`: the loss and gradient norm along the straight path
  through two or more points, and the barrier (the highest loss on the path
  above the higher end point; unknown where the loss is not finite);
  :func:`path_to_nearest_minimum` ends the path at the global minimum
  nearest to a point (the problem's own search, over permutations of
  hidden units where they are the symmetry).
* :func:`directions` draws Gaussian directions, normalized per output unit
  of each weight matrix to the centre's norms (``"filter"``, Li et al.
  2018), per leaf (``"layer"``), or not at all; :func:`slice2d` evaluates the
  loss on ``centre + a d1 + b d2`` through the chunked, sharded grid of
  ``landscape.plane``.
* :func:`trajectory_plane`: the principal directions of a recorded
  trajectory relative to its end point, the share of variance each explains,
  and the trajectory's coordinates in their plane.
* Hessian instruments use Hessian-vector products only (forward over reverse
  mode, :func:`landscape.hessian.hvp`), never the dense matrix except where
  the Krylov space would be the whole space (then the one dense path,
  :func:`landscape.dense_spectrum`), and are vmapped over many points at once:
  :func:`hessian_top` (the top eigenvalues by block Lanczos with full
  reorthogonalization: repeated eigenvalues are found with their
  multiplicity up to the block size), :func:`hessian_trace` (Hutchinson's
  estimator with Rademacher probes and its standard error), and
  :func:`spectral_density` (stochastic Lanczos quadrature: Gaussian-broadened
  Ritz values, the broadening ``sigma`` stated in the result).

References:
  Li, Xu, Taylor, Studer & Goldstein, "Visualizing the Loss Landscape of Neural
  Nets", NeurIPS 2018 (filter normalization). Golub & Meurant, "Matrices,
  Moments and Quadrature with Applications" (2010), and Ghorbani, Krishnan &
  Xiao, "An Investigation into Neural Net Optimization via Hessian Eigenvalue
  Density", ICML 2019 (stochastic Lanczos quadrature). Hutchinson, "A
  stochastic estimator of the trace of the influence matrix", 1989.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L
from landscape.progress import CHANNELS

from .stats import CONFIDENCE, t_value

__all__ = [
    "MIN_PROBES_FOR_ERROR",
    "NORMALIZATIONS",
    "Interpolation",
    "barrier",
    "check_probe_memory",
    "default_tol",
    "directions",
    "hessian_top",
    "hessian_trace",
    "hvp",
    "interpolate",
    "path_to_nearest_minimum",
    "slice2d",
    "spectral_density",
    "trajectory_plane",
]

NORMALIZATIONS = ("filter", "layer", None)


def _problem(problem):
    if not isinstance(problem, L.AbstractProblem):
        raise TypeError(f"problem must implement the problem protocol, got {type(problem).__name__}")
    return problem


def _vector(problem, point, name):
    arrays = problem.check_point(point, name)
    return jnp.asarray(problem.ravel(jax.tree_util.tree_map(lambda a: np.asarray(a, np.float64), arrays)))


def _points(problem, points, name="points"):
    """A batch of points (leading axis) as ``(N, P)`` vectors, validated."""
    arrays, n = problem.check_starts(points, name)
    return jnp.asarray(problem.ravel(jax.tree_util.tree_map(lambda a: np.asarray(a, np.float64), arrays))), n


def _key(key):
    if key is None or isinstance(key, (int, np.integer)) or not isinstance(key, jax.Array):
        raise TypeError(f"key must be a jax.random key such as jax.random.key(0), got {key!r}")
    return key


# ------------------------------------------------------------------ interpolation
@dataclass(frozen=True)
class Interpolation:
    """The loss along a piecewise-straight path.

    Attributes:
      t: the path parameter, from 0 at the first point to ``len(points) - 1``
        at the last (integer at each point).
      loss, grad_norm: along the path.
      barrier: the highest loss on the path above the higher of its two end
        points (0 when the path never rises above them); None when the loss
        is not finite somewhere on the path (then it is unknown).
      argmax: the path parameter of the highest loss (None with the barrier).
      nonfinite: the path parameters where the loss is not finite (empty
        when it is finite everywhere).
      end, end_note: for :func:`path_to_nearest_minimum`, the global minimum
        the path ends at and how it was chosen.
    """

    t: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    barrier: float | None
    argmax: float | None
    nonfinite: tuple = ()
    end: Any = None  # a parameter point (pytree) for path_to_nearest_minimum, else None
    end_note: str = ""


def barrier(t, loss):
    """``(barrier, argmax)`` of losses along a path (see :class:`Interpolation`); ``(None, None)`` when a loss is
    not finite, since then the highest point is unknown."""
    loss = np.asarray(loss, np.float64)
    if not np.all(np.isfinite(loss)):
        return None, None
    top = int(np.argmax(loss))
    return float(max(0.0, loss[top] - max(loss[0], loss[-1]))), float(np.asarray(t)[top])


def interpolate(problem, *points, n=51, chunk=1 << 14) -> Interpolation:
    """The loss and gradient norm along the straight path through ``points`` (two or more).

    Args:
      problem: any problem of the protocol.
      *points: parameter points (the problem's pytrees), at least two.
      n: evaluations per segment (ends included).

    Raises:
      ValueError: fewer than two points, points not matching the problem, a
        segment of length zero or one whose length overflows, ``n < 2``.
    """
    _problem(problem)
    if len(points) < 2:
        raise ValueError(f"interpolate needs at least two points, got {len(points)}")
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    vecs = [_vector(problem, p, f"points[{i}]") for i, p in enumerate(points)]
    ts, losses, norms = [], [], []
    for i, (a, b) in enumerate(itertools.pairwise(vecs)):
        with np.errstate(over="ignore", invalid="ignore"):
            d = np.asarray(b, np.float64) - np.asarray(a, np.float64)
        if not np.all(np.isfinite(d)):
            raise ValueError(
                f"the segment from points[{i}] to points[{i + 1}] is too long to represent (their "
                "difference overflows); use points closer together"
            )
        if not np.any(d != 0):
            raise ValueError(f"points[{i}] and points[{i + 1}] are the same point")
        coef = np.linspace(0.0, 1.0, int(n))
        r = L.plane(
            problem,
            problem.unravel(a),
            [problem.unravel(jnp.asarray(d, a.dtype))],
            [coef],
            quantities=("loss", "grad_norm"),
            chunk=chunk,
        )
        keep = slice(0 if i == 0 else 1, None)  # each inner point once
        ts.append(i + coef[keep])
        losses.append(np.asarray(r.loss)[keep])
        norms.append(np.asarray(r.grad_norm)[keep])
    t, loss, gn = np.concatenate(ts), np.concatenate(losses), np.concatenate(norms)
    top, where = barrier(t, loss)
    return Interpolation(t, loss, gn, top, where, tuple(float(v) for v in t[~np.isfinite(loss)]))


def path_to_nearest_minimum(problem, point, *, n=51, chunk=1 << 14) -> Interpolation:
    """The straight path from ``point`` (t = 0) to the global minimum nearest to it (t = 1), and its barrier.

    The minimum comes from the problem (:meth:`~landscape.AbstractProblem.nearest_optimum`):
    for the teacher-student networks of Safran & Shamir, the nearest of the
    ``n!`` permutations of the teacher's units, found exactly by linear
    assignment; ``end_note`` says how it was chosen.

    Raises:
      ValueError: a problem that knows no global minimum, or a bad point.
    """
    _problem(problem)
    found = problem.nearest_optimum(point)
    if found is None:
        raise ValueError(f"{problem.label} knows no global minimum to go to; give the end point yourself")
    end, note = found
    r = interpolate(problem, point, end, n=n, chunk=chunk)
    return Interpolation(r.t, r.loss, r.grad_norm, r.barrier, r.argmax, r.nonfinite, end, note)


# --------------------------------------------------------------------- directions
def _normalize(leaf_c, leaf_d, normalization, unit_axis):
    if normalization is None:
        return leaf_d
    if normalization == "layer" or leaf_c.ndim <= 1:  # a scalar, one unit or a bias vector: the whole leaf
        nc, nd = jnp.linalg.norm(leaf_c), jnp.linalg.norm(leaf_d)
        return leaf_d * jnp.where(nd > 0, nc / jnp.where(nd > 0, nd, 1.0), 0.0)
    axis = unit_axis % leaf_c.ndim
    other = tuple(i for i in range(leaf_c.ndim) if i != axis)
    nc = jnp.sqrt(jnp.sum(leaf_c * leaf_c, axis=other, keepdims=True))
    nd = jnp.sqrt(jnp.sum(leaf_d * leaf_d, axis=other, keepdims=True))
    return leaf_d * jnp.where(nd > 0, nc / jnp.where(nd > 0, nd, 1.0), 0.0)


def directions(problem, centre, *, key, n=2, normalization: str | None = "filter", unit_axis=0, exclude=None):
    """``n`` random Gaussian directions through ``centre``, normalized.

    Args:
      problem: any problem of the protocol; centre: a parameter point.
      key: ``jax.random`` key (the same key gives the same directions).
      n: how many.
      normalization: ``"filter"``: each output unit of each weight matrix
        (the slices along ``unit_axis``: rows of a ``(out, in)`` matrix; use
        ``unit_axis=-1`` for ``(in, out)`` kernels) is scaled to the norm of
        the centre's unit; 1-D leaves and scalars count as one unit each.
        ``"layer"``: each leaf to the norm of the centre's leaf. ``None``:
        plain Gaussian.
      exclude: optional ``name -> bool`` over leaf names
        (``problem.param_names``); excluded leaves get a zero direction (Li et
        al. leave biases unperturbed: ``exclude=lambda n: "'b'" in n``).

    Returns:
      A list of ``n`` directions (the problem's pytrees).

    Raises:
      ValueError, TypeError: a bad centre, normalization, ``n`` or key.
    """
    _problem(problem)
    key = _key(key)
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if isinstance(unit_axis, (bool, np.bool_)) or not isinstance(unit_axis, (int, np.integer)):
        raise ValueError(f"unit_axis must be an integer (0: rows are units, -1: columns), got {unit_axis!r}")
    c = problem.check_point(centre, "centre")
    bad = [
        name
        for name, leaf in zip(problem.param_names, jax.tree_util.tree_leaves(c))
        if np.ndim(leaf) >= 2 and not -np.ndim(leaf) <= unit_axis < np.ndim(leaf)
    ]
    if bad:
        raise ValueError(f"unit_axis {unit_axis} is out of range for the leaves {', '.join(bad)}")
    leaves, treedef = jax.tree_util.tree_flatten(jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float64), c))
    names = problem.param_names
    out = []
    for i in range(int(n)):
        keys = jax.random.split(jax.random.fold_in(key, i), len(leaves))
        ds = []
        for name, leaf, k in zip(names, leaves, keys):
            d = L.draws.normal(k, leaf.shape, leaf.dtype)
            d = _normalize(leaf, d, normalization, unit_axis)
            if exclude is not None and exclude(name):
                d = jnp.zeros_like(d)
            ds.append(d)
        if not any(bool(jnp.any(d != 0)) for d in ds):
            raise ValueError("every leaf of the direction is zero (a zero centre with normalization, or all excluded)")
        out.append(jax.tree_util.tree_unflatten(treedef, ds))
    return out


def slice2d(problem, centre, dirs, alphas, betas=None, *, quantities=("loss",), chunk=1 << 14):
    """The landscape on ``centre + a d1 (+ b d2)`` (``landscape.plane``: chunked, sharded, exact where the
    problem is). Returns a ``landscape.GridResult`` with axes ``alpha`` (and ``beta``)."""
    _problem(problem)
    dirs = list(dirs)
    coefs = [alphas] if betas is None else [alphas, betas]
    if len(dirs) != len(coefs):
        raise ValueError(f"give one direction per axis: {len(coefs)} axes, {len(dirs)} directions")
    return L.plane(problem, centre, dirs, coefs, quantities=quantities, chunk=chunk)


# ---------------------------------------------------------------- trajectory plane
def trajectory_plane(problem, history, *, end=None, components=2):
    """The principal plane of a recorded trajectory.

    Args:
      problem: any problem of the protocol.
      history: the trajectory of one start: the problem's pytree with a
        leading record axis (``Trajectories.params`` sliced at one start).
      end: the point the trajectory is taken relative to (default: its last point).
      components: how many principal directions.

    Returns:
      dict with ``directions`` (unit-norm pytrees), ``explained`` (the share of
      the trajectory's variance about ``end`` that each direction explains,
      all components), ``coords`` ``(R + 1, components)`` and ``end``.

    Raises:
      ValueError: a history that does not match the problem, fewer than two
        records, or a trajectory that never moves.
    """
    _problem(problem)
    X, r = _points(problem, history, "history")
    if r < 2:
        raise ValueError("history needs at least two recorded points")
    e = X[-1] if end is None else _vector(problem, end, "end")
    D = np.asarray(X - e, np.float64)
    if not np.any(D):
        raise ValueError("the trajectory never moves")
    if (
        isinstance(components, (bool, np.bool_))
        or not isinstance(components, (int, np.integer))
        or not 1 <= components <= min(D.shape)
    ):
        raise ValueError(f"components must be an integer in [1, {min(D.shape)}], got {components!r}")
    _, s, vt = np.linalg.svd(D, full_matrices=False)
    var = s**2
    dirs = vt[:components]
    return {
        "directions": [problem.unravel(jnp.asarray(d)) for d in dirs],
        "explained": var / var.sum(),
        "coords": D @ dirs.T,
        "end": problem.unravel(jnp.asarray(e)),
    }


# ------------------------------------------------------------------------- Hessian
def hvp(problem, point, v):
    """The Hessian-vector product ``H(point) v`` (``v`` a pytree like ``point``; :func:`landscape.hessian.hvp`)."""
    _problem(problem)
    x, d = _vector(problem, point, "point"), _vector(problem, v, "v")
    return problem.unravel(L.hessian.hvp(problem, x, d))


def default_tol(dtype) -> float:
    """The default relative residual of a converged Ritz pair: ``sqrt(eps)`` of the dtype (1.5e-8 in
    float64, 3.5e-4 in float32: below that, rounding, not the method, sets the residual)."""
    return float(np.sqrt(np.finfo(np.dtype(dtype)).eps))


@partial(jax.jit, static_argnums=0)
def _products(problem, x, V):
    """``H(x) v`` for every row ``v`` of ``V`` (to measure what one batch of products needs)."""
    return jax.vmap(lambda v: L.hessian.hvp(problem, x, v))(V)


def product_memory(problem, x) -> int:
    """Bytes of working memory one Hessian-vector product at ``x`` needs (XLA's memory analysis)."""
    analysis = _products.lower(problem, x, x[None]).compile().memory_analysis()
    used = getattr(analysis, "temp_size_in_bytes", None) if analysis is not None else None
    return max(int(used or 0), 8 * int(x.shape[0]))


def product_time(problem, x, repeat: int = 3) -> float:
    """Seconds one Hessian-vector product at ``x`` takes, compiled (the best of ``repeat``): to estimate work."""
    import time

    V = x[None]
    jax.block_until_ready(_products(problem, x, V))
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        jax.block_until_ready(_products(problem, x, V))
        best = min(best, time.perf_counter() - t)
        if best > 0.5:  # a slow product is timed once: the estimate must not cost what it estimates
            break
    return best


def check_probe_memory(dim: int, probes: int, name: str = "probes") -> None:
    """Refuse, before any work, a Hutchinson trace whose probes (held at once with their products, 16 bytes per
    parameter each) need more than half the memory this process may use."""
    need = 2 * 8 * int(dim) * int(probes)
    limit = L.io.memory_limit() // 2
    if need > limit:
        raise ValueError(
            f"{name} {probes}: {probes} probes of {dim} parameters need about {need / 2**30:.3g} GiB at once, more "
            f"than {limit / 2**30:.3g} GiB; use at most {max(2, limit // (16 * int(dim)))} probes"
        )


def _plan(problem, X, products, extra=0):
    """``(points per call, products per batch)`` so that one call's working memory fits the budget: the
    products each point needs at once are batched, and points are taken a few at a time when even one batch
    each does not fit. ``extra``: bytes each point holds besides its products (a Lanczos basis)."""
    budget = L.grids.working_budget()
    per = product_memory(problem, jnp.asarray(X[0]))
    batch = int(max(1, min(products, budget // per)))
    points = int(max(1, min(X.shape[0], budget // (batch * per + extra + 1))))
    return points, batch


def _in_chunks(fn, n, points, progress=None, total=None):
    """``fn(lo, hi)`` over ``[0, n)`` in chunks of ``points``, outputs joined along axis 0; each chunk reported."""
    outs = []
    for lo in range(0, n, points):
        outs.append(fn(lo, min(n, lo + points)))
        if progress is not None:
            progress(min(n, lo + points), n if total is None else total)
    return jax.tree_util.tree_map(lambda *a: np.concatenate(a, axis=0), *outs)


@partial(jax.jit, static_argnums=(0, 3, 4))
def _lanczos(problem, x, start, steps, batch, channel=0):
    """The one Lanczos path: Rayleigh-Ritz on the block Krylov space of ``H(x)`` spanned by ``steps`` blocks
    from the orthonormal ``start`` ``(P, block)``.

    Each new block is orthogonalized twice against the whole basis (full
    reorthogonalization) and the Ritz values come from the exact projection
    ``Q^T H Q`` (the products ``H Q`` are kept), not from the three-term
    recurrence, so every value is bounded by the true ones (Cauchy
    interlacing). The block's products are evaluated ``batch`` at a time
    (static: working memory). Where the Krylov space runs out (breakdown: a new block
    whose norm is at rounding level relative to ``|H Q|``, as for ``H = 3 I``
    after one step, or at symmetric minima with few distinct eigenvalues),
    the recursion stops: later columns are zero and carry no weight.

    Returns:
      ``theta`` ``(m,)`` ascending Ritz values, ``S`` ``(m, m)`` their
      coordinates in the basis (``S[:block]`` are the start block's
      components: the quadrature weights of stochastic Lanczos quadrature),
      ``residual`` ``(m,)`` the norms ``|H y - theta y|``, and ``live``
      ``(m,)`` which columns of the basis exist (False after a breakdown).
    """
    dim, block = start.shape
    size = block * steps
    eps = jnp.finfo(x.dtype).eps

    def hv(Q):  # the block's products, ``batch`` at a time (memory)
        return jax.lax.map(lambda v: L.hessian.hvp(problem, x, v), Q.T, batch_size=batch).T

    basis = jnp.zeros((dim, size), x.dtype).at[:, :block].set(start)
    hbasis = jnp.zeros((dim, size), x.dtype)
    live = jnp.zeros((size,), bool).at[:block].set(True)

    def body(j, carry):  # not training: Lanczos iterations
        basis, hbasis, live = carry
        q = jax.lax.dynamic_slice_in_dim(basis, j * block, block, axis=1)
        w = hv(q)
        hbasis = jax.lax.dynamic_update_slice_in_dim(hbasis, w, j * block, axis=1)
        scale = jnp.maximum(jnp.max(jnp.linalg.norm(w, axis=0)), jnp.finfo(x.dtype).tiny)
        used = (jnp.arange(size) < (j + 1) * block)[None, :].astype(x.dtype)
        for _ in range(2):
            w = w - (basis * used) @ ((basis * used).T @ w)
        q_next, r = jnp.linalg.qr(w)
        # a direction whose norm is at rounding level is not in the Krylov space: it has run out there
        # (deflation); the other directions of the block go on
        new = jnp.abs(jnp.diagonal(r)) > 10 * math.sqrt(dim) * eps * scale
        keep = new & (j + 1 < steps)
        q_next = q_next * keep[None, :].astype(x.dtype)
        nxt = jnp.minimum((j + 1) * block, size - block)  # the last step writes nothing new
        last = j + 1 >= steps
        old_q = jax.lax.dynamic_slice_in_dim(basis, nxt, block, axis=1)
        old_live = jax.lax.dynamic_slice_in_dim(live, nxt, block, axis=0)
        basis = jax.lax.dynamic_update_slice_in_dim(basis, jnp.where(last, old_q, q_next), nxt, axis=1)
        live = jax.lax.dynamic_update_slice_in_dim(live, jnp.where(last, old_live, keep), nxt, axis=0)
        every = max(1, steps // 20)  # about twenty progress ticks per run (channel 0: none)
        jax.lax.cond(
            (channel > 0) & ((j + 1) % every == 0), lambda: jax.debug.callback(CHANNELS.tick, channel), lambda: None
        )
        return basis, hbasis, live

    basis, hbasis, live = jax.lax.fori_loop(0, steps, body, (basis, hbasis, live))  # not training: Lanczos
    T = basis.T @ hbasis
    T = 0.5 * (T + T.T)
    # columns that do not exist are decoupled far below the spectrum, then dropped by ``live``
    shift = 2 * jnp.max(jnp.abs(T)) + 1.0
    T = jnp.where(live[:, None] & live[None, :], T, jnp.where(jnp.eye(size, dtype=bool), -shift, 0.0))
    theta, S = jnp.linalg.eigh(T)
    residual = jnp.linalg.norm(hbasis @ S - (basis @ S) * theta[None, :], axis=0)
    valid = jnp.sum(S * S * live[:, None].astype(x.dtype), axis=0) > 0.5
    return theta, S, residual, valid


def _lanczos_rows(problem, X, starts, steps: int, batch: int, lo: int, hi: int):
    """Block Lanczos on the rows ``lo:hi`` of ``X``, as numpy arrays."""
    out = jax.vmap(lambda x, q: _lanczos(problem, x, q, steps, batch))(X[lo:hi], starts[lo:hi])
    return tuple(np.asarray(a) for a in out)


def hessian_top(problem, points, k, *, key, block=None, steps=None, tol=None, progress=None):
    """The ``k`` largest Hessian eigenvalues at each of a batch of points.

    Block Lanczos with full reorthogonalization on Hessian-vector products
    (the one Lanczos path): eigenvalues repeated up to ``block`` times
    (default ``k``) are found with their multiplicity. Each Ritz value comes
    with its residual norm ``|H y - theta y|``, a bound on its distance to an
    eigenvalue of the Hessian. With ``steps=None`` the Krylov space starts at
    about ``6 k + 40`` vectors and doubles until every wanted residual is at
    most ``tol * max(1, max |theta|)``; where the space would reach the
    dimension of the problem, the dense Hessian is diagonalized instead
    (:func:`landscape.dense_spectrum`: exact to rounding), so a small problem
    always gets its exact spectrum, whatever ``k`` and ``block``.

    Args:
      problem: any problem of the protocol.
      points: a batch of points (every leaf with a leading axis).
      k: how many eigenvalues; key: ``jax.random`` key (start blocks).
      block: vectors per block (the largest multiplicity found), default ``k``.
      steps: blocks per point (fixed; no convergence loop; ``block * steps``
        below the dimension).
      tol: relative residual of convergence; default :func:`default_tol` of
        the points' dtype (``sqrt(eps)``).
      progress: a callback ``(done, total)`` over points (or, on the dense
        path of a large model, over its Hessian-vector products).

    Memory is bounded: the products of a block are evaluated as many at a
    time, and the points as many at a time, as fit the working-memory budget
    (:func:`landscape.grids.working_budget`, from XLA's analysis of one product).

    Returns:
      dict with ``eigenvalues`` ``(N, k)`` (descending), ``residuals``
      ``(N, k)``, ``converged`` ``(N,)``, ``reason`` (why a point did not
      converge, or ""), ``method`` (``"lanczos"`` or ``"dense"``), ``tol``,
      ``dtype``, ``block``, ``steps``, ``krylov_dim`` and ``key`` (its data).

    Raises:
      ValueError: ``k`` larger than the dimension or below 1, a bad block,
        steps or tol, points not matching the problem.
    """
    _problem(problem)
    key = _key(key)
    X, n = _points(problem, points)
    dim = X.shape[1]
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or not 1 <= k <= dim:
        raise ValueError(f"k must be an integer in [1, {dim}] (the number of parameters), got {k!r}")
    if block is not None and (isinstance(block, (bool, np.bool_)) or not isinstance(block, (int, np.integer))):
        raise ValueError(f"block must be an integer in [1, {dim}], got {block!r}")
    block = int(k if block is None else block)
    if not 1 <= block <= dim:
        raise ValueError(f"block must be an integer in [1, {dim}], got {block!r}")
    dtype = np.dtype(X.dtype)
    tol = _positive(tol, "tol") if tol is not None else default_tol(dtype)
    max_steps = dim // block
    if steps is not None and (
        isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= max_steps
    ):
        raise ValueError(
            f"steps must be an integer in [1, {max_steps}] (steps x block <= the dimension), got {steps!r}"
        )
    if steps is not None and block * int(steps) < k:
        raise ValueError(f"steps={steps} blocks of {block} span {block * int(steps)} < k = {k} vectors")
    keys = jax.random.split(key, n)
    base = {"tol": tol, "dtype": dtype.name, "block": block, "key": np.asarray(jax.random.key_data(key)).tolist()}
    s = int(max(2, -(-(6 * k + 40) // block))) if steps is None else int(steps)
    while steps is not None or block * s < dim:
        per_call, batch = _plan(problem, X, block, extra=2 * 8 * dim * block * s)
        starts = jax.vmap(lambda kk: jnp.linalg.qr(jax.random.normal(kk, (dim, block), X.dtype))[0])(keys)

        some = partial(_lanczos_rows, problem, X, starts, s, batch)
        theta, _, res, valid = _in_chunks(some, n, per_call, progress)
        # the k largest valid Ritz values (invalid ones sit below the spectrum)
        theta, res, valid = theta[:, ::-1][:, :k], res[:, ::-1][:, :k], valid[:, ::-1][:, :k]
        scale = np.maximum(1.0, np.max(np.abs(np.where(valid, theta, 0.0)), axis=1, keepdims=True))
        ok = valid & (res <= tol * scale)
        converged = ok.all(axis=1)
        if steps is not None or converged.all():
            reason = [
                ""
                if c
                else (
                    f"{int((~ok[i]).sum())} of the {k} wanted residuals above tol {tol:.3g} x "
                    f"{float(scale[i, 0]):.3g} with a Krylov space of {block * s} (steps={s}); "
                    "give more steps"
                    if valid[i].all()
                    else f"the Krylov space from this start spans fewer than {k} directions"
                )
                for i, c in enumerate(converged)
            ]
            return {
                "eigenvalues": np.where(valid, theta, np.nan),
                "residuals": res,
                "converged": converged,
                "reason": reason,
                "method": "lanczos",
                "steps": s,
                "krylov_dim": block * s,
                **base,
            }
        s *= 2
    sp = L.dense_spectrum(problem, problem.unravel(X), residuals=True, progress=progress)
    eig, res = sp["eigvals"][:, ::-1][:, :k], sp["residuals"][:, ::-1][:, :k]
    return {
        "eigenvalues": eig,
        "residuals": res,
        "converged": np.ones(n, bool),
        "reason": [""] * n,
        "method": "dense",
        "steps": max_steps,
        "krylov_dim": dim,
        **base,
    }


def _positive(v, name):
    if (
        isinstance(v, (bool, np.bool_))
        or not isinstance(v, (int, float, np.integer, np.floating))
        or not (math.isfinite(float(v)) and float(v) > 0)
    ):
        raise ValueError(f"{name} must be a positive finite number, got {v!r}")
    return float(v)


MIN_PROBES_FOR_ERROR = 10  # below, a sample standard deviation says too little to state an error


@partial(jax.jit, static_argnums=(0, 3, 4))
def _hutchinson(problem, x, key, probes, batch):
    z = jax.random.rademacher(key, (probes, x.shape[0]), x.dtype)
    hz = jax.lax.map(lambda v: L.hessian.hvp(problem, x, v), z, batch_size=batch)
    return jnp.sum(z * hz, axis=1)


def hessian_trace(problem, points, *, key, probes=100, confidence=CONFIDENCE, progress=None):
    """Hutchinson's trace estimate ``mean_i z_i^T H z_i`` (Rademacher ``z_i``) at each of a batch of points.

    Its error is stated only from ``MIN_PROBES_FOR_ERROR`` probes on: the
    standard error (sample standard deviation over the probes divided by
    ``sqrt(probes)``) and a Student-t interval at ``confidence`` (the
    estimates of a few probes are too few to say how far the mean may be
    from the trace; with 2 probes a two-standard-error band misses it often).

    Memory is bounded: the probes' products are evaluated as many at a time
    as fit the working-memory budget; ``progress`` (a callback ``(done,
    total)``) hears of every chunk of points.

    Returns:
      dict with ``trace`` ``(N,)``, ``stderr`` and ``ci`` ``(N, 2)`` (None
      below ``MIN_PROBES_FOR_ERROR`` probes, with a ``note``), ``probes``,
      ``confidence`` and ``key``.
    """
    _problem(problem)
    key = _key(key)
    X, n = _points(problem, points)
    dim = X.shape[1]
    if isinstance(probes, (bool, np.bool_)) or not isinstance(probes, (int, np.integer)) or probes < 2:
        raise ValueError(f"probes must be an integer >= 2, got {probes!r}")
    check_probe_memory(dim, int(probes))
    per_call, batch = _plan(problem, X, int(probes), extra=2 * 8 * dim * int(probes))
    keys = jax.random.split(key, n)
    est = _in_chunks(
        lambda lo, hi: np.asarray(
            jax.vmap(lambda x, kk: _hutchinson(problem, x, kk, int(probes), batch))(X[lo:hi], keys[lo:hi])
        ),
        n,
        per_call,
        progress,
    )
    trace = est.mean(1)
    out = {
        "trace": trace,
        "probes": int(probes),
        "confidence": confidence,
        "key": np.asarray(jax.random.key_data(key)).tolist(),
        "stderr": None,
        "ci": None,
        "note": "",
    }
    if probes < MIN_PROBES_FOR_ERROR:
        out["note"] = f"no error stated below {MIN_PROBES_FOR_ERROR} probes"
        return out
    se = est.std(1, ddof=1) / math.sqrt(probes)
    t = t_value(confidence, int(probes) - 1)
    out.update(stderr=se, ci=np.stack([trace - t * se, trace + t * se], axis=1))
    return out


def spectral_density(problem, points, *, key, probes=10, steps=None, sigma=None, grid=None, progress=None):
    """The Hessian's eigenvalue density by stochastic Lanczos quadrature, at each of a batch of points.

    For each of ``probes`` Rademacher vectors, ``steps`` Lanczos steps (default
    30, or the dimension when it is smaller; the
    one Lanczos path with a block of one) give Ritz values ``theta`` and
    weights ``tau`` (a Gauss quadrature of the spectral measure seen from
    that vector; a breakdown, where the vector's Krylov space runs out,
    stops the recursion and its later nodes carry no weight); the density is
    their average, each node broadened by a Gaussian of standard deviation
    ``sigma`` (default: 1% of the spread of the nodes, or of their magnitude
    when they coincide).

    Memory is bounded: the (point, probe) pairs run as many at a time as fit
    the working-memory budget; ``progress`` (a callback ``(done, total)``)
    hears about twenty times from every pair's Lanczos run, as it goes.

    Returns:
      dict with ``grid`` ``(G,)``, ``density`` ``(N, G)``, the quadrature
      ``nodes`` and ``weights`` ``(N, probes, steps)`` (nodes of weight 0
      after a breakdown are NaN), ``sigma``, ``probes``, ``steps`` and
      ``key``. The discrete measure's moments estimate ``tr(H^j) / P``.
    """
    _problem(problem)
    key = _key(key)
    X, n = _points(problem, points)
    dim = X.shape[1]
    steps = min(30, dim) if steps is None else steps
    for name, v, hi in (("probes", probes, None), ("steps", steps, dim)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1 or (hi and v > hi):
            raise ValueError(f"{name} must be an integer in [1, {hi or 'inf'}], got {v!r}")
    if sigma is not None:
        sigma = _positive(sigma, "sigma")
    if grid is not None:
        g = np.asarray(grid)
        if g.ndim != 1 or g.size < 2 or not np.issubdtype(g.dtype, np.number) or not np.all(np.isfinite(g)):
            raise ValueError("grid must be a 1-D array of at least two finite numbers")
    keys = jax.random.split(key, n)
    zs = jax.vmap(lambda kk: jax.random.rademacher(kk, (int(probes), dim), X.dtype))(keys)

    def nodes_of(x, v, channel):
        q = (v / jnp.linalg.norm(v))[:, None]
        theta, S, _, valid = _lanczos(problem, x, q, int(steps), 1, channel)
        return jnp.where(valid, theta, jnp.nan), jnp.where(valid, S[0] ** 2, 0.0)

    # every (point, probe) pair runs its own Lanczos: as many pairs at a time as fit the budget
    pairs_x = np.repeat(np.arange(n), int(probes))
    flat_z = np.asarray(zs).reshape(n * int(probes), dim)
    per_call, _ = _plan(problem, X, 1, extra=2 * 8 * dim * int(steps))
    ticks = int(steps) // max(1, int(steps) // 20)
    with CHANNELS.open(progress, n * int(probes) * ticks) as channel:
        nodes, weights = _in_chunks(
            lambda lo, hi: tuple(
                np.asarray(a)
                for a in jax.vmap(nodes_of, in_axes=(0, 0, None))(X[pairs_x[lo:hi]], flat_z[lo:hi], channel)
            ),
            n * int(probes),
            per_call,
        )
    nodes, weights = nodes.reshape(n, int(probes), -1), weights.reshape(n, int(probes), -1)
    lo, hi = float(np.nanmin(nodes)), float(np.nanmax(nodes))
    spread = hi - lo
    if sigma is None:
        sigma = 0.01 * (spread if spread > 0 else max(abs(lo), abs(hi), 1e-12))
    grid = np.linspace(lo - 5 * sigma, hi + 5 * sigma, 512) if grid is None else np.asarray(grid, np.float64)
    g = grid[None, None, None, :]
    kernel = np.exp(-0.5 * ((g - np.nan_to_num(nodes)[..., None]) / sigma) ** 2)
    dens = np.sum(weights[..., None] * kernel, axis=2)
    dens = dens.mean(1) / (sigma * math.sqrt(2 * math.pi))
    return {
        "grid": grid,
        "density": dens,
        "nodes": nodes,
        "weights": weights,
        "sigma": sigma,
        "probes": int(probes),
        "steps": int(steps),
        "key": np.asarray(jax.random.key_data(key)).tolist(),
    }
