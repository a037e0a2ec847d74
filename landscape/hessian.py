"""The dense Hessian of a problem's population loss: the one dense path.

Contract
--------
* :func:`flat_loss` is the population loss of a problem as a function of
  one parameter vector in :meth:`~landscape.AbstractProblem.ravel` order;
  :func:`hvp` is its Hessian-vector product (forward over reverse mode, one
  gradient's cost times a small constant), the building block of the
  matrix-free spectra of :mod:`analysis.instruments`.
* :func:`dense_spectrum` is the one place where a dense Hessian is formed
  and diagonalized for a batch of points: the loss, the gradient norm and
  the ascending eigenvalues (``jnp.linalg.eigh`` of the symmetrized matrix,
  the same call whether or not the eigenvectors' residuals are wanted, so
  the eigenvalues are bit for bit the same) at each point, jitted
  once per problem and chunk shape, evaluated chunk by chunk so that memory
  stays bounded. Grids (:func:`landscape.grid`), critical points, spurious
  minima and the spectra figures all call it, so one point gets one
  spectrum wherever it is asked for.
* The dtype follows the points (float64 when they are float64).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from .protocol import AbstractProblem

__all__ = ["MAX_DENSE_PARAMS", "dense_spectrum", "eigenvalues", "flat_loss", "hessian", "hvp"]

MAX_DENSE_PARAMS = 4096  # a 4096 x 4096 float64 Hessian is 128 MiB per point
DIRECT_HESSIAN_PARAMS = 256  # above, the Hessian is built from chunks of Hessian-vector products


def flat_loss(problem):
    """The population loss of ``problem`` as a function of one parameter vector ``(P,)``."""
    return lambda v: problem.population_loss(problem.unravel(v))


def hvp(problem, x, v):
    """``H(x) v`` for one point ``x`` and one direction ``v`` (vectors ``(P,)``), forward over reverse mode."""
    return jax.jvp(jax.grad(flat_loss(problem)), (x,), (v,))[1]


def hessian(problem, x):
    """The dense Hessian ``(P, P)`` of the population loss at one vector ``x`` (traceable)."""
    return jax.hessian(flat_loss(problem))(x)


@partial(jax.jit, static_argnums=0)
def _products(problem, x, V):
    """``H(x) v`` for every row ``v`` of ``V``, and the loss and gradient norm at ``x``."""
    f = flat_loss(problem)
    loss, g = jax.value_and_grad(f)(x)
    return jax.vmap(lambda v: hvp(problem, x, v))(V), loss, jnp.linalg.norm(g)


@partial(jax.jit, static_argnums=1)
def _spectrum_of(h, residuals):
    h = 0.5 * (h + h.T)
    lam, V = jnp.linalg.eigh(h)
    return lam, (jnp.linalg.norm(h @ V - V * lam[None, :], axis=0) if residuals else jnp.zeros_like(lam))


def _large_spectrum(problem, x, residuals, progress, done, total):
    """One point of a large model: its Hessian from chunks of Hessian-vector products (as many at once as fit
    the working-memory budget, the chunk's compiled program measured by XLA), each chunk reported to
    ``progress``; then one ``eigh``."""
    from .grids import fit_chunk

    P = x.shape[0]
    eye = np.eye(P, dtype=np.dtype(x.dtype))
    size = fit_chunk(lambda m: _products.lower(problem, x, jnp.asarray(eye[:m])), P, from_one=True)
    cols = []
    for start in range(0, P, size):
        V = eye[start : start + size]
        if V.shape[0] < size:  # the same compiled shape for the last chunk
            V = np.concatenate([V, np.zeros((size - V.shape[0], P), V.dtype)])
        hv, loss, gn = _products(problem, x, jnp.asarray(V))
        cols.append(np.asarray(hv)[: min(size, P - start)])
        done[0] += min(size, P - start)
        if progress is not None:
            progress(done[0], total)
    h = np.concatenate(cols).T
    lam, res = _spectrum_of(jnp.asarray(h), bool(residuals))
    return loss, gn, lam, res


def eigenvalues(h):
    """Ascending eigenvalues of a (batch of) symmetric Hessian(s), symmetrized first (traceable)."""
    return jnp.linalg.eigh(0.5 * (h + jnp.swapaxes(h, -1, -2)))[0]


@partial(jax.jit, static_argnums=(0, 2))
def _chunk_spectrum(problem, X, residuals):
    f = flat_loss(problem)

    def one(x):
        loss, g = jax.value_and_grad(f)(x)
        h = hessian(problem, x)
        if not residuals:
            return loss, jnp.linalg.norm(g), eigenvalues(h), jnp.zeros((x.shape[0],), x.dtype)
        h = 0.5 * (h + h.T)
        lam, V = jnp.linalg.eigh(h)
        return loss, jnp.linalg.norm(g), lam, jnp.linalg.norm(h @ V - V * lam[None, :], axis=0)

    return jax.vmap(one)(X)


def dense_spectrum(problem, points, *, chunk: int = 64, residuals: bool = False, progress=None) -> dict:
    """Loss, gradient norm and the dense Hessian's eigenvalues at a batch of points.

    Args:
      problem: any problem of the protocol with a differentiable population loss.
      points: a batch of points (every leaf with a leading axis).
      chunk: points diagonalized at once (bounds memory; results do not depend on it).
      residuals: also the residual norms ``|H v - lambda v|`` of the eigenpairs
        (from ``eigh``; about the rounding of the dtype times ``|H|``).
      progress: a callback ``(done, total)`` over the Hessian-vector products
        of models above ``DIRECT_HESSIAN_PARAMS`` parameters, whose Hessians
        are built column chunk by column chunk (their memory bounded by the
        working-memory budget of :func:`landscape.grids.working_budget`).

    Returns:
      dict with ``loss`` ``(N,)``, ``grad_norm`` ``(N,)`` and ``eigvals``
      ``(N, P)`` ascending (and ``residuals`` ``(N, P)``), as float64 NumPy
      arrays (computed in the points' dtype).

    Raises:
      ValueError, TypeError: points not matching the problem, a bad chunk, or
        more than ``MAX_DENSE_PARAMS`` parameters (use the matrix-free spectra of
        :mod:`analysis.instruments`).
    """
    if not isinstance(problem, AbstractProblem):
        raise TypeError(f"problem must implement the problem protocol, got {type(problem).__name__}")
    if isinstance(chunk, (bool, np.bool_)) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"chunk must be an integer >= 1, got {chunk!r}")
    if problem.n_params > MAX_DENSE_PARAMS:
        raise ValueError(
            f"a dense Hessian of {problem.n_params} parameters is refused (limit {MAX_DENSE_PARAMS}); "
            "use analysis.instruments.hessian_top for the spectra of large models"
        )
    arrays, n = problem.check_starts(points, "points")
    dtype = jnp.result_type(*[a.dtype for a in jax.tree_util.tree_leaves(arrays)])
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.result_type(float)
    X = np.asarray(problem.ravel(jax.tree_util.tree_map(lambda a: np.asarray(a, dtype), arrays)))
    P = problem.n_params
    outs = []
    if P > DIRECT_HESSIAN_PARAMS:  # one point at a time, its Hessian built from chunks of products
        done = [0]
        for i in range(n):
            parts = _large_spectrum(problem, jnp.asarray(X[i], dtype), residuals, progress, done, n * P)
            outs.append([np.asarray(a)[None] for a in parts])
    else:
        size = int(min(chunk, n))
        for start in range(0, n, size):
            block = X[start : start + size]
            pad = size - block.shape[0]
            if pad:  # the same compiled shape for the last chunk
                block = np.concatenate([block, np.repeat(block[-1:], pad, 0)])
            parts = _chunk_spectrum(problem, jnp.asarray(block, dtype), bool(residuals))
            outs.append([np.asarray(a)[: size - pad] for a in parts])
    loss, gn, eig, res = (np.concatenate([o[i] for o in outs]).astype(np.float64) for i in range(4))
    out = {"loss": loss, "grad_norm": gn, "eigvals": eig.reshape(n, problem.n_params)}
    if residuals:
        out["residuals"] = res.reshape(n, problem.n_params)
    return out
