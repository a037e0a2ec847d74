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
  above the higher end point).
* :func:`directions` draws Gaussian directions, normalized per output unit
  of each weight matrix to the centre's norms (``"filter"``, Li et al.
  2018), per leaf (``"layer"``), or not at all; :func:`slice2d` evaluates the
  loss on ``centre + a d1 + b d2`` through the chunked, sharded grid of
  ``landscape.plane``.
* :func:`trajectory_plane`: the principal directions of a recorded
  trajectory relative to its end point, the share of variance each explains,
  and the trajectory's coordinates in their plane.
* Hessian instruments use Hessian-vector products only (forward over reverse
  mode), never the dense matrix, and are vmapped over many points at once:
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

import math
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L

__all__ = ["Interpolation", "interpolate", "directions", "slice2d", "trajectory_plane", "hvp", "hessian_top",
           "hessian_trace", "spectral_density", "NORMALIZATIONS"]

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
        points (0 when the path never rises above them).
      argmax: the path parameter of the highest loss.
    """

    t: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    barrier: float
    argmax: float


def interpolate(problem, *points, n=51, chunk=1 << 14) -> Interpolation:
    """The loss and gradient norm along the straight path through ``points`` (two or more).

    Args:
      problem: any problem of the protocol.
      *points: parameter points (the problem's pytrees), at least two.
      n: evaluations per segment (ends included).

    Raises:
      ValueError: fewer than two points, points not matching the problem, a
        segment of length zero, ``n < 2``.
    """
    _problem(problem)
    if len(points) < 2:
        raise ValueError(f"interpolate needs at least two points, got {len(points)}")
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    vecs = [_vector(problem, p, f"points[{i}]") for i, p in enumerate(points)]
    ts, losses, norms = [], [], []
    for i, (a, b) in enumerate(zip(vecs[:-1], vecs[1:])):
        d = b - a
        if not bool(jnp.any(d != 0)):
            raise ValueError(f"points[{i}] and points[{i + 1}] are the same point")
        coef = np.linspace(0.0, 1.0, int(n))
        r = L.plane(problem, problem.unravel(a), [problem.unravel(d)], [coef], quantities=("loss", "grad_norm"),
                    chunk=chunk)
        keep = slice(0 if i == 0 else 1, None)  # each inner point once
        ts.append(i + coef[keep])
        losses.append(np.asarray(r.loss)[keep])
        norms.append(np.asarray(r.grad_norm)[keep])
    t, loss, gn = np.concatenate(ts), np.concatenate(losses), np.concatenate(norms)
    top = int(np.argmax(loss))
    return Interpolation(t, loss, gn, float(max(0.0, loss[top] - max(loss[0], loss[-1]))), float(t[top]))


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


def directions(problem, centre, *, key, n=2, normalization="filter", unit_axis=0, exclude=None):
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
    bad = [name for name, leaf in zip(problem.param_names, jax.tree_util.tree_leaves(c))
           if np.ndim(leaf) >= 2 and not -np.ndim(leaf) <= unit_axis < np.ndim(leaf)]
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
    if isinstance(components, (bool, np.bool_)) or not isinstance(components, (int, np.integer)) \
            or not 1 <= components <= min(D.shape):
        raise ValueError(f"components must be an integer in [1, {min(D.shape)}], got {components!r}")
    _, s, vt = np.linalg.svd(D, full_matrices=False)
    var = s**2
    dirs = vt[:components]
    return {"directions": [problem.unravel(jnp.asarray(d)) for d in dirs], "explained": var / var.sum(),
            "coords": D @ dirs.T, "end": problem.unravel(jnp.asarray(e))}


# ------------------------------------------------------------------------- Hessian
def _flat_loss(problem):
    return lambda x: problem.population_loss(problem.unravel(x))


def _hvp(problem, x, v):
    """``H(x) v`` by forward-over-reverse mode (one gradient's cost times a small constant)."""
    return jax.jvp(jax.grad(_flat_loss(problem)), (x,), (v,))[1]


def hvp(problem, point, v):
    """The Hessian-vector product ``H(point) v`` (``v`` a pytree like ``point``)."""
    _problem(problem)
    x, d = _vector(problem, point, "point"), _vector(problem, v, "v")
    return problem.unravel(_hvp(problem, x, d))


@partial(jax.jit, static_argnums=(0, 3, 4))
def _block_lanczos(problem, x, key, block, steps):
    """Ritz values of the Hessian at ``x`` on the block Krylov space of ``steps`` blocks of ``block`` vectors.

    Each new block is orthogonalized twice against the whole basis (full
    reorthogonalization) and the Ritz values come from the exact projection
    ``Q^T H Q`` (the products ``H Q`` are kept), not from the three-term
    recurrence: where the Krylov space runs out (a Hessian with fewer distinct
    eigenvalues than the space's dimension, as at symmetric minima) the new
    directions are arbitrary, and the projection stays a true Rayleigh-Ritz
    step, so every value is bounded by the true ones (Cauchy interlacing).
    """
    dim = x.shape[0]
    size = block * steps
    hv = jax.vmap(lambda v: _hvp(problem, x, v), in_axes=1, out_axes=1)
    q0, _ = jnp.linalg.qr(jax.random.normal(key, (dim, block), x.dtype))
    basis = jnp.zeros((dim, size), x.dtype).at[:, :block].set(q0)
    hbasis = jnp.zeros((dim, size), x.dtype)

    def body(j, carry):  # not training: Lanczos iterations
        basis, hbasis = carry
        q = jax.lax.dynamic_slice_in_dim(basis, j * block, block, axis=1)
        w = hv(q)
        hbasis = jax.lax.dynamic_update_slice_in_dim(hbasis, w, j * block, axis=1)
        used = (jnp.arange(size) < (j + 1) * block)[None, :].astype(x.dtype)
        for _ in range(2):
            w = w - (basis * used) @ ((basis * used).T @ w)
        q_next, _ = jnp.linalg.qr(w)
        for _ in range(2):  # directions from an exhausted Krylov space: orthogonal to the basis all the same
            q_next = q_next - (basis * used) @ ((basis * used).T @ q_next)
            q_next, _ = jnp.linalg.qr(q_next)
        nxt = ((j + 1) * block) % size
        basis = jnp.where(j == steps - 1, basis, jax.lax.dynamic_update_slice_in_dim(basis, q_next, nxt, axis=1))
        return basis, hbasis

    basis, hbasis = jax.lax.fori_loop(0, steps, body, (basis, hbasis))  # not training: Lanczos
    T = basis.T @ hbasis
    theta, s = jnp.linalg.eigh(0.5 * (T + T.T))
    # residual norms |H y - theta y| of the Ritz pairs y = Q s: an eigenvalue of H lies within each
    residual = jnp.linalg.norm(hbasis @ s - (basis @ s) * theta[None, :], axis=0)
    return theta, residual


def hessian_top(problem, points, k, *, key, block=None, steps=None, tol=1e-8):
    """The ``k`` largest Hessian eigenvalues at each of a batch of points.

    Block Lanczos with full reorthogonalization on Hessian-vector products:
    eigenvalues repeated up to ``block`` times (default ``k``) are found with
    their multiplicity. Each Ritz value comes with its residual norm
    ``|H y - theta y|``, a bound on its distance to an eigenvalue of the
    Hessian. With ``steps=None`` the Krylov space starts at about ``6 k + 40``
    vectors and doubles until every wanted residual is at most
    ``tol * max(1, |theta_1|)`` (or the space is the whole parameter space),
    so a cluster of eigenvalues cut by ``k`` is not reported unconverged.

    Args:
      problem: any problem of the protocol.
      points: a batch of points (every leaf with a leading axis).
      k: how many eigenvalues; key: ``jax.random`` key (start blocks).
      block: vectors per block (the largest multiplicity found), default ``k``.
      steps: blocks per point (fixed; no convergence loop).
      tol: relative residual of convergence.

    Returns:
      dict with ``eigenvalues`` ``(N, k)`` (descending), ``residuals``
      ``(N, k)``, ``converged`` ``(N,)``, ``block``, ``steps``, ``krylov_dim``
      and ``key`` (its data).

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
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive finite number, got {tol!r}")
    max_steps = dim // block
    if steps is not None and (isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer))
                              or not 1 <= steps <= max_steps):
        raise ValueError(f"steps must be an integer in [1, {max_steps}] (steps x block <= the dimension), got {steps!r}")
    if block * max_steps < k:
        raise ValueError(f"block {block} leaves a Krylov space of {block * max_steps} < k = {k} vectors; use a "
                         "block that divides the dimension more evenly")
    keys = jax.random.split(key, n)
    s = int(min(max_steps, max(2, -(-(6 * k + 40) // block)))) if steps is None else int(steps)
    while True:
        theta, res = jax.vmap(lambda x, kk: _block_lanczos(problem, x, kk, block, s))(X, keys)
        theta, res = np.asarray(theta)[:, ::-1][:, :k], np.asarray(res)[:, ::-1][:, :k]
        scale = np.maximum(1.0, np.abs(theta[:, :1]))
        converged = np.all(res <= tol * scale, axis=1)
        if steps is not None or converged.all() or s == max_steps:
            break
        s = min(max_steps, 2 * s)
    return {"eigenvalues": theta, "residuals": res, "converged": converged, "block": block, "steps": s,
            "krylov_dim": block * s, "key": np.asarray(jax.random.key_data(key)).tolist()}


@partial(jax.jit, static_argnums=(0, 3))
def _hutchinson(problem, x, key, probes):
    z = jax.random.rademacher(key, (probes, x.shape[0]), x.dtype)
    hz = jax.vmap(lambda v: _hvp(problem, x, v))(z)
    return jnp.sum(z * hz, axis=1)


def hessian_trace(problem, points, *, key, probes=100):
    """Hutchinson's trace estimate ``mean_i z_i^T H z_i`` (Rademacher ``z_i``) at each of a batch of points.

    Returns:
      dict with ``trace`` ``(N,)``, its ``stderr`` (the sample standard
      deviation over probes divided by ``sqrt(probes)``), ``probes`` and ``key``.
    """
    _problem(problem)
    key = _key(key)
    X, n = _points(problem, points)
    if isinstance(probes, (bool, np.bool_)) or not isinstance(probes, (int, np.integer)) or probes < 2:
        raise ValueError(f"probes must be an integer >= 2, got {probes!r}")
    est = np.asarray(jax.vmap(lambda x, kk: _hutchinson(problem, x, kk, int(probes)))(X, jax.random.split(key, n)))
    return {"trace": est.mean(1), "stderr": est.std(1, ddof=1) / math.sqrt(probes), "probes": int(probes),
            "key": np.asarray(jax.random.key_data(key)).tolist()}


@partial(jax.jit, static_argnums=(0, 3))
def _lanczos_nodes(problem, x, v, steps):
    """Ritz values and their weights (squared first components) from ``steps`` Lanczos steps started at ``v``."""
    dim = x.shape[0]
    q = v / jnp.linalg.norm(v)
    basis = jnp.zeros((dim, steps), x.dtype).at[:, 0].set(q)
    alpha = jnp.zeros((steps,), x.dtype)
    beta = jnp.zeros((steps,), x.dtype)

    def body(j, carry):  # not training: Lanczos iterations
        basis, alpha, beta = carry
        q = basis[:, j]
        w = _hvp(problem, x, q)
        a = q @ w
        used = (jnp.arange(steps) <= j)[None, :].astype(x.dtype)
        for _ in range(2):
            w = w - (basis * used) @ ((basis * used).T @ w)
        b = jnp.linalg.norm(w)
        nxt = jnp.where(b > 0, w / jnp.where(b > 0, b, 1.0), jnp.zeros_like(w))
        basis = jnp.where(j + 1 < steps, basis.at[:, (j + 1) % steps].set(nxt), basis)
        return basis, alpha.at[j].set(a), beta.at[j].set(b)

    _, alpha, beta = jax.lax.fori_loop(0, steps, body, (basis, alpha, beta))  # not training: Lanczos
    T = jnp.diag(alpha) + jnp.diag(beta[:-1], 1) + jnp.diag(beta[:-1], -1)
    theta, vecs = jnp.linalg.eigh(T)
    return theta, vecs[0] ** 2


def spectral_density(problem, points, *, key, probes=10, steps=30, sigma=None, grid=None):
    """The Hessian's eigenvalue density by stochastic Lanczos quadrature, at each of a batch of points.

    For each of ``probes`` Rademacher vectors, ``steps`` Lanczos steps give
    Ritz values ``theta`` and weights ``tau`` (a Gauss quadrature of the
    spectral measure seen from that vector); the density is their average,
    each node broadened by a Gaussian of standard deviation ``sigma``
    (default: 1% of the spread of the nodes).

    Returns:
      dict with ``grid`` ``(G,)``, ``density`` ``(N, G)``, the quadrature
      ``nodes`` and ``weights`` ``(N, probes, steps)``, ``sigma``, ``probes``,
      ``steps`` and ``key``. The discrete measure's moments estimate
      ``tr(H^j) / P``.
    """
    _problem(problem)
    key = _key(key)
    X, n = _points(problem, points)
    dim = X.shape[1]
    for name, v, hi in (("probes", probes, None), ("steps", steps, dim)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1 or (hi and v > hi):
            raise ValueError(f"{name} must be an integer in [1, {hi or 'inf'}], got {v!r}")
    if sigma is not None and (isinstance(sigma, (bool, np.bool_)) or not isinstance(sigma, (int, float, np.floating))
                              or not (math.isfinite(sigma) and sigma > 0)):
        raise ValueError(f"sigma must be a positive finite number, got {sigma!r}")
    if grid is not None:
        g = np.asarray(grid)
        if g.ndim != 1 or g.size < 2 or not np.issubdtype(g.dtype, np.number) or not np.all(np.isfinite(g)):
            raise ValueError("grid must be a 1-D array of at least two finite numbers")
    keys = jax.random.split(key, n)
    zs = jax.vmap(lambda kk: jax.random.rademacher(kk, (int(probes), dim), X.dtype))(keys)
    nodes, weights = jax.vmap(lambda x, z: jax.vmap(lambda v: _lanczos_nodes(problem, x, v, int(steps)))(z))(X, zs)
    nodes, weights = np.asarray(nodes), np.asarray(weights)
    spread = float(nodes.max() - nodes.min())
    sigma = float(sigma) if sigma is not None else max(spread, 1e-12) * 0.01
    grid = np.linspace(nodes.min() - 5 * sigma, nodes.max() + 5 * sigma, 512) if grid is None else \
        np.asarray(grid, np.float64)
    g = grid[None, None, None, :]
    dens = np.sum(weights[..., None] * np.exp(-0.5 * ((g - nodes[..., None]) / sigma) ** 2), axis=2)
    dens = dens.mean(1) / (sigma * math.sqrt(2 * math.pi))
    return {"grid": grid, "density": dens, "nodes": nodes, "weights": weights, "sigma": sigma, "probes": int(probes),
            "steps": int(steps), "key": np.asarray(jax.random.key_data(key)).tolist()}
