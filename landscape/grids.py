"""Exact loss, gradient and Hessian over a grid of one or two parameters.

Contract
--------
* :func:`grid` evaluates the exact population loss (and on request its
  gradient, Hessian and Hessian eigenvalues) at every point of the outer
  product of one or two 1-D axes, the other trained parameters held at
  ``fixed`` values.
* One compiled function per (problem, axis names, quantities, chunk, shapes,
  dtype): a second call with the same shapes does not recompile.
* Memory is bounded by ``chunk``: points are generated and evaluated chunk by
  chunk inside one ``lax.map``, so a 4096 x 4096 grid needs little more than
  its outputs. Results do not depend on ``chunk``.
* With several devices the chunks are spread over all of them
  (``jax.shard_map`` over a "points" mesh axis); results are the same.
* Arrays are shaped by the axes in the order given (``axes={"w": W, "b": B}``
  gives ``(len(W), len(B))``); the dtype follows the axes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from .population import _loss, _loss_and_grad_full
from .problem import DEFAULTS, PARAM_NAMES, Problem

__all__ = ["grid", "GridResult", "QUANTITIES"]

QUANTITIES = ("loss", "grad", "hessian", "eigvals")
TRACE_COUNT = {"grid": 0}  # incremented each time the grid kernel is traced


@dataclass(frozen=True)
class GridResult:
    """Values of the exact landscape on a grid.

    Attributes:
      axes: the axis names and 1-D arrays, in order.
      fixed: values of the trained parameters not on an axis.
      trained: the problem's trained names (order of Hessian rows/columns).
      loss: shape ``(n1[, n2])`` or None if not requested.
      grad: dict name -> array of the grid's shape, for every trained name.
      hessian: shape ``(n1[, n2], P, P)`` with P = len(trained), or None.
      eigvals: ascending Hessian eigenvalues, shape ``(n1[, n2], P)``, or None.
    """

    axes: dict
    fixed: dict
    trained: tuple
    loss: jax.Array | None = None
    grad: dict | None = None
    hessian: jax.Array | None = None
    eigvals: jax.Array | None = None
    extra: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.axes.values())


def _check(problem, axes, fixed, quantities, chunk):
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a landscape.Problem, got {type(problem).__name__}")
    if not isinstance(axes, Mapping) or not 1 <= len(axes) <= 2:
        raise ValueError(f"axes must map one or two trained parameter names to 1-D arrays, got {axes!r}")
    arrays = {}
    for name, values in axes.items():
        if name not in problem.trained:
            raise ValueError(f"axis {name!r} is not a trained parameter; trained: {problem.trained}")
        arr = np.asarray(values)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"axis {name!r} must be a non-empty 1-D array, got shape {arr.shape}")
        if not np.issubdtype(arr.dtype, np.number) or not np.all(np.isfinite(arr)):
            raise ValueError(f"axis {name!r} must hold finite numbers")
        arrays[name] = values
    fixed = dict(fixed or {})
    rest = [k for k in problem.trained if k not in axes]
    missing = [k for k in rest if k not in fixed]
    extra = [k for k in fixed if k not in rest]
    if missing or extra:
        raise ValueError(
            f"fixed must give exactly the trained parameters off the axes {rest}; "
            f"missing {missing}, unexpected {extra}"
        )
    for k, v in fixed.items():
        if np.ndim(v) != 0 or not np.isfinite(v):
            raise ValueError(f"fixed value of {k!r} must be a finite scalar, got {v!r}")
    if isinstance(quantities, str):
        quantities = (quantities,)
    quantities = tuple(quantities)
    bad = [q for q in quantities if q not in QUANTITIES]
    if bad or not quantities:
        raise ValueError(f"unknown quantities {bad or quantities!r}; allowed: {QUANTITIES}")
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"chunk must be a positive integer, got {chunk!r}")
    return arrays, fixed, quantities


@partial(jax.jit, static_argnums=(0, 1, 2, 3, 4, 5))
def _kernel(problem, names, quantities, chunk, trained, n_dev, axis_arrays, fixed_values):
    TRACE_COUNT["grid"] += 1
    sizes = [a.shape[0] for a in axis_arrays]
    total = math.prod(sizes)
    n_chunks = -(-total // chunk)
    n_chunks = -(-n_chunks // n_dev) * n_dev  # every device gets the same number of chunks
    dtype = axis_arrays[0].dtype

    def point(idx):
        coords = {}
        rem = idx
        for name, arr, size in reversed(list(zip(names, axis_arrays, sizes))):
            coords[name] = arr[rem % size]
            rem = rem // size
        coords.update(fixed_values)
        return [coords[k] if k in coords else jnp.asarray(DEFAULTS[k], dtype) for k in PARAM_NAMES]

    t_index = [PARAM_NAMES.index(k) for k in trained]

    def hess(theta_full):
        def f(theta_t):
            th = list(theta_full)
            for j, i in enumerate(t_index):
                th[i] = theta_t[j]
            return _loss(problem, *th)

        return jax.hessian(f)(jnp.stack([theta_full[i] for i in t_index]))

    def one_chunk(k):
        idx = jnp.minimum(k * chunk + jnp.arange(chunk), total - 1)
        theta = jnp.broadcast_arrays(*point(idx))
        out = {}
        if "loss" in quantities or "grad" in quantities:
            loss, grads = _loss_and_grad_full(problem, *theta)
            if "loss" in quantities:
                out["loss"] = loss
            if "grad" in quantities:
                out["grad"] = {k: grads[PARAM_NAMES.index(k)] for k in trained}
        if "hessian" in quantities or "eigvals" in quantities:
            h = jax.vmap(hess)(theta)
            if "hessian" in quantities:
                out["hessian"] = h
            if "eigvals" in quantities:
                out["eigvals"] = jnp.linalg.eigvalsh(h)
        return out

    chunk_ids = jnp.arange(n_chunks)
    if n_dev == 1:
        stacked = jax.lax.map(one_chunk, chunk_ids)
    else:
        # each device evaluates its own run of chunks; points are generated where they are used
        mesh = jax.sharding.Mesh(np.asarray(jax.devices()), ("points",))
        spec = jax.sharding.PartitionSpec("points")
        chunk_ids = jax.lax.with_sharding_constraint(chunk_ids, jax.sharding.NamedSharding(mesh, spec))
        stacked = jax.shard_map(lambda ids: jax.lax.map(one_chunk, ids), mesh=mesh, in_specs=spec, out_specs=spec)(chunk_ids)

    def unchunk(a):
        a = a.reshape((n_chunks * chunk,) + a.shape[2:])[:total]
        return a.reshape(tuple(sizes) + a.shape[1:])

    return jax.tree_util.tree_map(unchunk, stacked)


def grid(problem: Problem, axes, *, fixed=None, quantities=("loss", "grad"), chunk=1 << 16):
    """Evaluate the exact landscape over the outer product of one or two axes.

    Args:
      problem: the problem.
      axes: ``{name: 1-D array}`` for one or two trained parameters; the first
        is the leading output axis.
      fixed: ``{name: scalar}`` for every other trained parameter.
      quantities: any of ``"loss"``, ``"grad"``, ``"hessian"``, ``"eigvals"``.
      chunk: points evaluated at once; bounds memory, never changes results.

    Returns:
      A :class:`GridResult`.

    Raises:
      ValueError, TypeError: unknown or untrained names, empty or non-finite
        axes, missing or extra fixed values, unknown quantities, bad chunk.

    Example:
      >>> p = Problem(trained=("w", "b"))
      >>> r = grid(p, {"w": jnp.linspace(-2, 2, 5), "b": jnp.linspace(-1, 1, 3)})
      >>> r.loss.shape, sorted(r.grad)
      ((5, 3), ['b', 'w'])
    """
    arrays, fixed, quantities = _check(problem, axes, fixed, quantities, chunk)
    names = tuple(arrays)
    dtype = jnp.result_type(*[jnp.asarray(a).dtype for a in arrays.values()])
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.result_type(float)
    axis_arrays = tuple(jnp.asarray(arrays[n], dtype) for n in names)
    fixed_values = {k: jnp.asarray(v, dtype) for k, v in fixed.items()}
    total = math.prod(a.shape[0] for a in axis_arrays)
    chunk = int(min(chunk, total))
    n_dev = len(jax.devices())
    out = _kernel(problem, names, tuple(sorted(quantities)), chunk, problem.trained, n_dev, axis_arrays, fixed_values)
    return GridResult(
        axes={n: a for n, a in zip(names, axis_arrays)},
        fixed={k: float(v) for k, v in fixed.items()},
        trained=problem.trained,
        loss=out.get("loss"),
        grad=out.get("grad"),
        hessian=out.get("hessian"),
        eigvals=out.get("eigvals"),
    )
