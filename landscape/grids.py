"""Exact loss, gradient and Hessian over a grid of one or two coordinates or directions.

Contract
--------
* :func:`plane` evaluates a problem's population loss (and on request its
  gradient, gradient norm, Hessian and Hessian eigenvalues) at every point
  ``centre + a_i d1 [+ b_j d2]`` of the outer product of one or two 1-D
  axes of coefficients, for any problem of the protocol and any pytree of
  parameters. :func:`grid` is the named special case: one or two of the
  problem's coordinates (``"w"``, ``"b"`` for the single neuron;
  ``"[0]['W'][1, 0]"`` for an element of a network's weight) vary, the
  others are held at ``fixed`` values.
* One compiled function per (problem, quantities, chunk, shapes, dtype): a
  second call with the same shapes does not recompile.
* Memory is bounded by ``chunk``: points are generated and evaluated chunk by
  chunk inside one ``lax.map``, so a 4096 x 4096 grid needs little more than
  its outputs; the chunk is halved until the compiled program's working
  memory (XLA's memory analysis) fits :func:`working_budget` (a user's model
  on a large Monte Carlo sample). Results do not depend on ``chunk``.
* With several devices the chunks are spread over all of them
  (``jax.shard_map`` over a "points" mesh axis); results are the same.
* Arrays are shaped by the axes in the order given (``axes={"w": W, "b": B}``
  gives ``(len(W), len(B))``); the dtype follows the axes.
* The dense Hessian is computed only for problems with at most
  ``MAX_HESSIAN_PARAMS`` parameters (use ``analysis.instruments`` for the
  spectra of larger models).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .hessian import eigenvalues, hessian
from .io import memory_limit
from .protocol import AbstractProblem, as_float_tree

__all__ = [
    "MAX_HESSIAN_PARAMS",
    "MAX_POINTS",
    "QUANTITIES",
    "GridResult",
    "fit_chunk",
    "grid",
    "plane",
    "working_budget",
]

QUANTITIES = ("loss", "grad", "grad_norm", "hessian", "eigvals")
TRACE_COUNT = {"grid": 0}  # incremented each time the grid kernel is traced
MAX_POINTS = 1 << 28  # about 2.7e8 points: 2 GiB of float64 losses
MAX_HESSIAN_PARAMS = 64


@dataclass(frozen=True)
class GridResult:
    """Values of the landscape on a grid.

    Attributes:
      axes: the axis names and 1-D arrays, in order.
      fixed: values of the coordinates not on an axis (named grids).
      trained: the problem's coordinate names (order of Hessian rows/columns).
      loss: shape ``(n1[, n2])`` or None if not requested.
      grad: the gradient as the parameter pytree with grid-shaped leading
        axes (for the single neuron: name -> array of the grid's shape), or None.
      grad_norm: shape ``(n1[, n2])``, or None.
      hessian: shape ``(n1[, n2], P, P)``, or None.
      eigvals: ascending Hessian eigenvalues, shape ``(n1[, n2], P)``, or None.
    """

    axes: dict
    fixed: dict
    trained: tuple
    loss: jax.Array | None = None
    grad: Any = None  # a pytree, or None
    hessian: jax.Array | None = None
    eigvals: jax.Array | None = None
    grad_norm: jax.Array | None = None
    extra: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.axes.values())

    def save(self, path: str) -> None:
        """Write the grid as a sealed ``.npz`` (axes, values, every array's checksum and a JSON header), atomically.

        The gradient is kept when it is a dict of arrays (named coordinates);
        other gradient pytrees are not saved (their norm is, when computed).
        """
        from .io import jsonable, write_sealed

        arrays: dict[str, Any] = {f"axis/{k}": np.asarray(v) for k, v in self.axes.items()}
        for name in ("loss", "hessian", "eigvals", "grad_norm"):
            if getattr(self, name) is not None:
                arrays[name] = np.asarray(getattr(self, name))
        if isinstance(self.grad, dict):
            arrays.update({f"grad/{k}": np.asarray(v) for k, v in self.grad.items()})
        meta = {"axes": list(self.axes), "fixed": jsonable(self.fixed), "trained": list(self.trained)}
        write_sealed(path, GRID_KIND, arrays, meta)

    @classmethod
    def load(cls, path: str) -> GridResult:
        """Read what :meth:`save` wrote, every array checked against its checksum and its shape against the axes.

        Raises:
          landscape.io.IntegrityError: (a ``ValueError``) a file that is not a saved grid, or one edited or
            inconsistent (the message names the file and the field).
        """
        from .io import IntegrityError, read_sealed

        data, meta = read_sealed(path, GRID_KIND)
        names, trained = meta.get("axes"), meta.get("trained")
        if not isinstance(names, list) or not 1 <= len(names) <= 2 or not all(isinstance(n, str) for n in names):
            raise IntegrityError(f"{path}: field 'axes' is missing or malformed")
        if not isinstance(trained, list) or not isinstance(meta.get("fixed"), dict):
            raise IntegrityError(f"{path}: field 'trained' or 'fixed' is missing or malformed")
        for n in names:
            if f"axis/{n}" not in data or data[f"axis/{n}"].ndim != 1:
                raise IntegrityError(f"{path}: field 'axis/{n}' is missing or not 1-D")
        shape = tuple(int(data[f"axis/{n}"].shape[0]) for n in names)
        P = len(trained)
        want = {"loss": shape, "grad_norm": shape, "eigvals": (*shape, P), "hessian": (*shape, P, P)}
        want.update({k: shape for k in data if k.startswith("grad/")})
        for k, s_ in want.items():
            if k in data and data[k].shape != s_:
                raise IntegrityError(
                    f"{path}: field {k!r} has shape {data[k].shape}; the axes {names} of sizes {shape} need {s_}"
                )
        grad = {k[5:]: jnp.asarray(v) for k, v in data.items() if k.startswith("grad/")} or None
        get = lambda k: jnp.asarray(data[k]) if k in data else None
        return cls(
            axes={k: jnp.asarray(data[f"axis/{k}"]) for k in names},
            fixed=meta["fixed"],
            trained=tuple(trained),
            loss=get("loss"),
            grad=grad,
            hessian=get("hessian"),
            eigvals=get("eigvals"),
            grad_norm=get("grad_norm"),
        )


GRID_KIND = "relu-landscape grid 2"


def _check_axes(axes, names_ok=None):
    if not isinstance(axes, Mapping) or not 1 <= len(axes) <= 2:
        raise ValueError(f"axes must map one or two names to 1-D arrays, got {axes!r:.120}")
    arrays = {}
    for name, values in axes.items():
        if names_ok is not None and name not in names_ok:
            shown = ", ".join(list(names_ok)[:8]) + (", ..." if len(names_ok) > 8 else "")
            raise ValueError(
                f"axis {name!r} is not a trained parameter (a coordinate) of the problem; coordinates: {shown}"
            )
        try:
            raw = np.asarray(values)
        except (ValueError, TypeError):
            raise TypeError(f"axis {name!r} must be a 1-D array of real numbers, got {type(values).__name__}") from None
        arr = as_float_tree(raw, f"axes[{name!r}]")
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"axis {name!r} must be a non-empty 1-D array, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"axis {name!r} must hold finite numbers")
        arrays[name] = values
    return arrays


def _check_quantities(quantities, chunk, total, n_params):
    if isinstance(quantities, str):
        quantities = (quantities,)
    quantities = tuple(quantities)
    bad = [q for q in quantities if q not in QUANTITIES]
    if bad or not quantities:
        raise ValueError(f"unknown quantities {bad or quantities!r}; allowed: {QUANTITIES}")
    if isinstance(chunk, (bool, np.bool_)) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"chunk must be a positive integer, got {chunk!r}")
    if total > MAX_POINTS:
        raise ValueError(
            f"the grid has {total:.3g} points, more than the limit {MAX_POINTS:.3g} "
            f"(about {total * 8 / 2**30:.3g} GiB for the losses alone); use coarser axes"
        )
    if ("hessian" in quantities or "eigvals" in quantities) and n_params > MAX_HESSIAN_PARAMS:
        raise ValueError(
            f"a dense Hessian of {n_params} parameters per point is refused (limit "
            f"{MAX_HESSIAN_PARAMS}); use analysis.instruments for Hessian spectra of large models"
        )
    per_point = 1 + (n_params if "grad" in quantities else 0) + (n_params * n_params if "hessian" in quantities else 0)
    return tuple(sorted(quantities)), per_point


@partial(jax.jit, static_argnums=(0, 1, 2, 3))
def _kernel(problem, quantities, chunk, n_dev, centre, directions, coefs):
    TRACE_COUNT["grid"] += 1
    sizes = [a.shape[0] for a in coefs]
    total = math.prod(sizes)
    n_chunks = -(-total // chunk)
    n_chunks = -(-n_chunks // n_dev) * n_dev  # every device gets the same number of chunks

    def points(idx):
        """Parameter vectors of the points ``idx`` (flat grid indices), shape ``(chunk, P)``."""
        vec = jnp.broadcast_to(centre, idx.shape + centre.shape)
        rem = idx
        for d, arr, size in reversed(list(zip(directions, coefs, sizes))):
            vec = vec + arr[rem % size][:, None] * d
            rem = rem // size
        return vec

    def one_chunk(k):
        idx = jnp.minimum(k * chunk + jnp.arange(chunk), total - 1)
        params = problem.unravel(points(idx))
        out = {}
        if "grad" in quantities or "grad_norm" in quantities:
            loss, grads = problem.population_batch(params)
            if "grad" in quantities:
                out["grad"] = grads
            if "grad_norm" in quantities:
                out["grad_norm"] = jnp.linalg.norm(problem.ravel(grads), axis=-1)
            if "loss" in quantities:
                out["loss"] = loss
        elif "loss" in quantities:
            out["loss"] = problem.population_loss_batch(params)
        if "hessian" in quantities or "eigvals" in quantities:
            h = jax.vmap(lambda v: hessian(problem, v))(points(idx))
            if "hessian" in quantities:
                out["hessian"] = h
            if "eigvals" in quantities:
                out["eigvals"] = eigenvalues(h)
        return out

    chunk_ids = jnp.arange(n_chunks)
    if n_dev == 1:
        stacked = jax.lax.map(one_chunk, chunk_ids)
    else:
        # each device evaluates its own run of chunks; points are generated where they are used
        mesh = jax.sharding.Mesh(np.asarray(jax.devices()), ("points",))
        spec = jax.sharding.PartitionSpec("points")
        chunk_ids = jax.lax.with_sharding_constraint(chunk_ids, jax.sharding.NamedSharding(mesh, spec))
        stacked = jax.shard_map(lambda ids: jax.lax.map(one_chunk, ids), mesh=mesh, in_specs=spec, out_specs=spec)(
            chunk_ids
        )

    def unchunk(a):
        a = a.reshape((n_chunks * chunk,) + a.shape[2:])[:total]
        return a.reshape(tuple(sizes) + a.shape[1:])

    return jax.tree_util.tree_map(unchunk, stacked)


def working_budget() -> int:
    """Bytes of working memory one compiled chunk may use: an eighth of the memory limit, at most 256 MiB (a
    chunk that size keeps both cores busy; larger ones only use more memory)."""
    return int(min(memory_limit() // 8, 256 << 20))


def fit_chunk(lower, chunk: int, budget: int | None = None, *, from_one: bool = False) -> int:
    """The largest chunk, at most ``chunk``, whose compiled program needs at most ``budget`` bytes of working
    memory, as XLA's memory analysis of the compiled program says (``lower(m)`` lowers the program for chunk
    ``m``). The compiled programs are cached, so the one kept is the one that then runs.

    The requested chunk is tried first and halved as needed; with ``from_one`` (programs whose full size would
    be costly even to compile, such as thousands of Hessian-vector products at once) the working memory of a
    chunk of one is measured first and the chunk that fits it is derived from it, then checked.

    A user's model evaluated on a large Monte Carlo sample at thousands of points at once would otherwise
    allocate gigabytes; results never depend on the chunk.
    """
    budget = working_budget() if budget is None else budget

    def temp(m):
        analysis = lower(m).compile().memory_analysis()
        return getattr(analysis, "temp_size_in_bytes", None) if analysis is not None else None

    if from_one and chunk > 1:
        one = temp(1)
        if one is None or one >= budget:
            return 1
        chunk = max(1, min(chunk, 1 << math.floor(math.log2(max(1.0, budget / max(one, 1))))))
    while True:
        used = temp(chunk)
        if used is None or used <= budget or chunk == 1:
            return chunk
        chunk = max(1, chunk // (1 << max(1, math.ceil(math.log2(used / budget)))))


def _dtype_of(arrays):
    dtype = jnp.result_type(*[jnp.asarray(a).dtype for a in arrays])
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.result_type(float)
    return dtype


def plane(problem: AbstractProblem, centre, directions, coefs, *, quantities=("loss",), chunk=1 << 16, names=None):
    """The landscape at ``centre + a d1 [+ b d2]`` for every coefficient pair.

    Args:
      problem: any problem of the protocol.
      centre: one parameter point (the problem's pytree).
      directions: one or two directions (pytrees like ``centre``).
      coefs: one or two 1-D arrays of coefficients (the grid's axes).
      quantities: any of ``"loss"``, ``"grad"``, ``"grad_norm"``,
        ``"hessian"``, ``"eigvals"``.
      chunk: points evaluated at once; bounds memory, never changes results.
      names: axis names for the result (default ``"alpha"``, ``"beta"``).

    Returns:
      A :class:`GridResult`.

    Raises:
      ValueError, TypeError: directions or centre not matching the problem's
        parameters, non-finite values, a zero direction, unknown quantities,
        a grid beyond ``MAX_POINTS``.
    """
    if not isinstance(problem, AbstractProblem):
        raise TypeError(f"problem must implement the problem protocol, got {type(problem).__name__}")
    centre_np = problem.check_point(centre, "centre")
    if not isinstance(directions, (list, tuple)) or not 1 <= len(directions) <= 2:
        raise ValueError("directions must be a list of one or two parameter pytrees")
    if not isinstance(coefs, (list, tuple)) or len(coefs) != len(directions):
        raise ValueError(f"coefs must give one 1-D array per direction ({len(directions)})")
    dirs_np = [problem.check_point(d, f"directions[{i}]") for i, d in enumerate(directions)]
    for i, d in enumerate(dirs_np):
        if not any(np.any(a != 0) for a in jax.tree_util.tree_leaves(d)):
            raise ValueError(f"directions[{i}] is zero everywhere")
    names = tuple(names) if names is not None else ("alpha", "beta")[: len(directions)]
    axes = _check_axes(dict(zip(names, coefs)))
    total = math.prod(np.asarray(a).shape[0] for a in axes.values())
    quantities, _ = _check_quantities(quantities, chunk, total, problem.n_params)
    dtype = _dtype_of(list(axes.values()))
    c = problem.ravel(jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype), centre_np))
    ds = tuple(problem.ravel(jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype), d)) for d in dirs_np)
    coef_arrays = tuple(jnp.asarray(axes[n], dtype) for n in names)
    size = fit_chunk(
        lambda m: _kernel.lower(problem, quantities, m, len(jax.devices()), c, ds, coef_arrays), int(min(chunk, total))
    )
    out = _kernel(problem, quantities, size, len(jax.devices()), c, ds, coef_arrays)
    return GridResult(
        axes=dict(zip(names, coef_arrays)),
        fixed={},
        trained=problem.coordinates(),
        loss=out.get("loss"),
        grad=out.get("grad"),
        hessian=out.get("hessian"),
        eigvals=out.get("eigvals"),
        grad_norm=out.get("grad_norm"),
    )


def grid(problem: AbstractProblem, axes, *, fixed=None, quantities=("loss", "grad"), chunk=1 << 16):
    """The landscape over the outer product of one or two of the problem's coordinates.

    Args:
      problem: any problem of the protocol.
      axes: ``{coordinate: 1-D array}`` for one or two coordinates (for the
        single neuron its trained names; otherwise names from
        ``problem.coordinates()``); the first is the leading output axis.
      fixed: the other coordinates: for the single neuron ``{name: scalar}``
        for every other trained name; for other problems a whole parameter
        point (its values on the axes' coordinates are ignored).
      quantities: any of ``"loss"``, ``"grad"``, ``"grad_norm"``,
        ``"hessian"``, ``"eigvals"``.
      chunk: points evaluated at once; bounds memory, never changes results.

    Returns:
      A :class:`GridResult`.

    Raises:
      ValueError, TypeError: unknown coordinates, empty or non-finite axes,
        missing or extra fixed values, unknown quantities, bad chunk, a grid
        beyond ``MAX_POINTS``.

    Example:
      >>> p = Problem(trained=("w", "b"))
      >>> r = grid(p, {"w": jnp.linspace(-2, 2, 5), "b": jnp.linspace(-1, 1, 3)})
      >>> r.loss.shape, sorted(r.grad)
      ((5, 3), ['b', 'w'])
    """
    if not isinstance(problem, AbstractProblem):
        raise TypeError(f"problem must implement the problem protocol, got {type(problem).__name__}")
    coords = problem.coordinates()
    arrays = _check_axes(axes, coords)
    names = tuple(arrays)
    if len(set(names)) != len(names):
        raise ValueError(f"axes must name different coordinates, got {names}")
    rest = [k for k in coords if k not in names]
    simple = all(s == () for s in problem.leaf_shapes()) and isinstance(problem.param_shapes(), dict)
    if simple:
        fixed = dict(fixed or {})
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
        vec = np.asarray([0.0 if k in names else float(fixed[k]) for k in coords])
        fixed_out = {k: float(v) for k, v in fixed.items()}
    else:
        if fixed is None:
            raise ValueError("fixed must be a whole parameter point of the problem (the centre of the grid)")
        point = problem.check_point(fixed, "fixed")
        vec = np.array(problem.ravel(jax.tree_util.tree_map(lambda a: np.asarray(a, np.float64), point)), np.float64)
        for n in names:
            vec[coords.index(n)] = 0.0
        fixed_out = {}
    dtype = _dtype_of(list(arrays.values()))
    total = math.prod(np.asarray(a).shape[0] for a in arrays.values())
    quantities, _ = _check_quantities(quantities, chunk, total, problem.n_params)
    dirs = []
    for n in names:
        d = np.zeros(len(coords))
        d[coords.index(n)] = 1.0
        dirs.append(jnp.asarray(d, dtype))
    coef_arrays = tuple(jnp.asarray(arrays[n], dtype) for n in names)
    centre = jnp.asarray(vec, dtype)
    n_dev = len(jax.devices())
    size = fit_chunk(
        lambda m: _kernel.lower(problem, quantities, m, n_dev, centre, tuple(dirs), coef_arrays), int(min(chunk, total))
    )
    out = _kernel(problem, quantities, size, n_dev, centre, tuple(dirs), coef_arrays)
    return GridResult(
        axes=dict(zip(names, coef_arrays)),
        fixed=fixed_out,
        trained=coords,
        loss=out.get("loss"),
        grad=out.get("grad"),
        hessian=out.get("hessian"),
        eigvals=out.get("eigvals"),
        grad_norm=out.get("grad_norm"),
    )
