"""Geometry of the exact landscape: convexity, kinks, the dead zone, critical points.

Contract
--------
Every function evaluates the *exact* population loss of a problem of the
protocol through its named coordinates (``problem.coordinates()``: ``w, b,
a, c`` for the single neuron), and returns plain dataclasses of floats and
arrays. The dead set, the dead zone and the Hessian's non-smooth set are
about the single neuron's (w, b) plane and use its student and inputs. Witnesses
(chord witnesses, one-sided derivatives, critical points) are re-evaluated in
float64 before they are returned, so that a reported witness is never a
rounding artefact. Bad input raises ``ValueError`` before any computation.

* :func:`nonconvexity_witness` looks for a chord below the graph (Jensen
  violation) along a line or in a 2-D box; :func:`line_crossings` finds a
  straight line that crosses the graph of a 1-D loss many times.
* :func:`hessian_sign_map` gives the smallest Hessian eigenvalue on a grid and
  marks the cells where the loss is not twice differentiable.
* :func:`one_sided_derivatives` at a kink, and :func:`gradient_decay` of the
  gradient as the kink is approached.
* :func:`dead_zone` maps the exact dead set and the near-flat region.
* :func:`critical_points` finds and classifies stationary points in a box.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax

import landscape as L

__all__ = [
    "NEAR_FLAT",
    "ChordWitness",
    "CriticalPoint",
    "DeadZone",
    "critical_points",
    "dead_zone",
    "exact_gradient",
    "gradient_decay",
    "gradient_jumps",
    "hessian_sign_map",
    "line_crossings",
    "near_flat",
    "nonconvexity_witness",
    "one_sided_derivatives",
]

F64 = jnp.float64


def _x64():
    if not jax.config.read("jax_enable_x64"):
        raise RuntimeError("analysis.geometry needs float64: call jax.config.update('jax_enable_x64', True) first")


def _vectors(problem, params):
    """``{coordinate: values}`` over every coordinate -> ``(N, P)`` float64 vectors and the broadcast shape."""
    names = problem.coordinates()
    vals = np.broadcast_arrays(*[np.asarray(params[k], np.float64) for k in names])
    shape = vals[0].shape
    return jnp.asarray(np.stack([v.ravel() for v in vals], axis=-1), F64), shape


@partial(jax.jit, static_argnums=(0,))
def _loss_vec(problem, vec):
    return problem.population_loss_batch(problem.unravel(vec))


@partial(jax.jit, static_argnums=(0,))
def _grad_vec(problem, vec):
    loss, g = problem.population_batch(problem.unravel(vec))
    return loss, problem.ravel(g)


def _loss64(problem, params):
    """Exact loss at ``{coordinate: values}`` (values broadcast), float64, in the values' shape."""
    vec, shape = _vectors(problem, params)
    return np.asarray(_loss_vec(problem, vec), np.float64).reshape(shape)


def exact_gradient(problem, params):
    """Exact loss and gradient ``{coordinate: array}`` at ``{coordinate: values}`` (values broadcast), float64.

    Raises:
      RuntimeError: float64 is off.
    """
    _x64()
    vec, shape = _vectors(problem, params)
    loss, gv = _grad_vec(problem, vec)
    gv = np.asarray(gv, np.float64)
    return (
        np.asarray(loss, np.float64).reshape(shape),
        {k: gv[:, i].reshape(shape) for i, k in enumerate(problem.coordinates())},
    )


def gradient_jumps(problem, points, *, h=1e-9):
    """How much the exact gradient jumps across each point, along each coordinate axis.

    Args:
      problem: any problem with an exact loss; points: ``{coordinate: (N,) values}``.
      h: the offset of the one-sided evaluations.

    Returns:
      ``(N,)``: the largest norm of ``grad L(p + h e_i) - grad L(p - h e_i)`` over the axes ``e_i``; about
      ``h`` times the Hessian where the loss is twice differentiable, the jump itself at a kink.
    """
    names = problem.coordinates()
    pts = {k: np.asarray(points[k], np.float64) for k in names}
    out = np.zeros(np.broadcast(*pts.values()).shape)
    for axis in names:
        _, gp = exact_gradient(problem, {k: v + (h if k == axis else 0.0) for k, v in pts.items()})
        _, gm = exact_gradient(problem, {k: v - (h if k == axis else 0.0) for k, v in pts.items()})
        out = np.maximum(out, np.sqrt(sum((gp[k] - gm[k]) ** 2 for k in names)))
    return out


def _check_box(problem, box, names=None):
    if not isinstance(box, dict) or not box:
        raise ValueError(f"box must map trained parameter names to (lo, hi), got {box!r}")
    for k, v in box.items():
        if k not in problem.coordinates():
            raise ValueError(f"box names {k!r}, which the problem does not train; trained: {problem.coordinates()}")
        try:
            lo, hi = (float(u) for u in v)
        except (TypeError, ValueError):
            raise ValueError(f"box[{k!r}] must be a pair (lo, hi), got {v!r}") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"box[{k!r}] must be finite with lo < hi, got {v!r}")
    if names is not None and set(box) != set(names):
        raise ValueError(f"box must give exactly {sorted(names)}, got {sorted(box)}")


Box = Mapping[str, tuple[float, float]]  # parameter name -> (lo, hi)

MAX_POINTS = 1 << 26  # about 6.7e7: a few GiB of float64 working arrays


def _check_size(name, value, count, what):
    """Refuse, before any allocation, a request whose working arrays cannot fit."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if count > MAX_POINTS:
        raise ValueError(
            f"{name}={value} asks for {count:.3g} {what}, more than the limit {MAX_POINTS:.3g} "
            f"(about {count * 8 * 8 / 2**30:.3g} GiB of working arrays); use a smaller {name}"
        )


def _check_named(problem, params, name):
    names = problem.coordinates()
    if not isinstance(params, dict) or set(params) != set(names):
        raise ValueError(f"{name} must map every coordinate {names} to a number, got {params!r:.120}")
    for k, v in params.items():
        if np.ndim(v) != 0 or not np.isfinite(float(v)):
            raise ValueError(f"{name}[{k!r}] must be a finite number, got {v!r}")


def _check_fixed(problem, names, fixed):
    fixed = dict(fixed or {})
    rest = [k for k in problem.coordinates() if k not in names]
    missing = [k for k in rest if k not in fixed]
    extra = [k for k in fixed if k not in rest]
    if missing or extra:
        raise ValueError(f"fixed must give exactly {rest}; missing {missing}, unexpected {extra}")
    return {k: float(v) for k, v in fixed.items()}


@dataclass(frozen=True)
class ChordWitness:
    """A Jensen violation: ``L(lam a + (1 - lam) b) > lam L(a) + (1 - lam) L(b)``.

    Attributes:
      a, b: the two end points (dicts of floats).
      lam: interpolation weight of ``a``.
      mid: the interpolated point.
      gap: ``L(mid) - (lam L(a) + (1 - lam) L(b)) > 0``, in float64.
      loss_a, loss_b, loss_mid: the three exact losses.
    """

    a: dict
    b: dict
    lam: float
    mid: dict
    gap: float
    loss_a: float
    loss_b: float
    loss_mid: float

    def as_dict(self):
        return dict(self.__dict__)


def nonconvexity_witness(problem, box: Box, *, fixed=None, n=65, lams=(0.5, 0.25, 0.75), samples=20000, seed=0):
    """Search for a chord that lies below the graph of the exact loss.

    Args:
      problem: the problem.
      box: ``{name: (lo, hi)}`` for one parameter (a segment: every pair of
        ``n`` grid points is tried) or two (``samples`` random pairs).
      fixed: values of the other trained parameters.
      n: grid points along a segment.
      lams: interpolation weights tried for each pair.
      samples: random pairs in a 2-D box.
      seed: for the random pairs.

    Returns:
      The :class:`ChordWitness` with the largest gap, or None if no pair
      violates convexity by more than 1e-12 (the loss looks convex there).

    Raises:
      ValueError: empty box, untrained names, missing fixed values.

    Example:
      >>> c = nonconvexity_witness(L.Problem(), {"w": (-1.0, 1.0)})
      >>> c.gap > 0   # the chord from w=-a to w=+a passes below L(0) = 1/2
      True
    """
    _x64()
    _check_box(problem, box)
    if len(box) > 2:
        raise ValueError(f"box must name one or two parameters, got {sorted(box)}")
    lams = tuple(np.atleast_1d(np.asarray(lams, np.float64)))
    if not lams or not all(0.0 < lam < 1.0 for lam in lams):
        raise ValueError(f"lams must be interpolation weights strictly between 0 and 1, at least one; got {lams}")
    names = list(box)
    fixed = _check_fixed(problem, names, fixed)
    lams = np.asarray(lams, np.float64)
    if np.any((lams <= 0) | (lams >= 1)):
        raise ValueError(f"lams must lie strictly between 0 and 1, got {lams.tolist()}")
    if len(names) == 1:
        lo, hi = box[names[0]]
        t = np.linspace(lo, hi, n)
        i, j = np.triu_indices(n, 1)
        pa = {names[0]: t[i]}
        pb = {names[0]: t[j]}
    else:
        rng = np.random.default_rng(seed)
        pa = {k: rng.uniform(*box[k], samples) for k in names}
        pb = {k: rng.uniform(*box[k], samples) for k in names}
    m = len(next(iter(pa.values())))
    full = lambda p: {**{k: np.full(m, v) for k, v in fixed.items()}, **p}
    la, lb = _loss64(problem, full(pa)), _loss64(problem, full(pb))
    best = None
    for lam in lams:
        mid = {k: lam * pa[k] + (1 - lam) * pb[k] for k in names}
        lm = _loss64(problem, full(mid))
        gap = lm - (lam * la + (1 - lam) * lb)
        idx = int(np.argmax(gap))
        if best is None or gap[idx] > best[0]:
            best = (gap[idx], lam, idx)
    if best is None:
        raise ValueError("lams must hold at least one interpolation weight")
    gap, lam, idx = best
    if not gap > 1e-12:
        return None
    a = {**fixed, **{k: float(pa[k][idx]) for k in names}}
    b = {**fixed, **{k: float(pb[k][idx]) for k in names}}
    mid = {k: float(lam * a[k] + (1 - lam) * b[k]) for k in a}
    # re-evaluate the witness on its own, in float64
    la1, lb1, lm1 = (float(_loss64(problem, {k: np.float64(v) for k, v in p.items()})) for p in (a, b, mid))
    gap1 = lm1 - (lam * la1 + (1 - lam) * lb1)
    if not gap1 > 1e-12:
        return None
    return ChordWitness(a, b, float(lam), mid, gap1, la1, lb1, lm1)


def _refine_root(f, lo, hi, iters=200):
    flo = f(lo)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if fm == 0:
            return mid
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi - lo <= 1e-15 * max(1.0, abs(lo)):
            break
    return 0.5 * (lo + hi)


def line_crossings(problem, box: Box, *, fixed=None, n=4001, slopes=None, offsets=None):
    """Find a straight line ``y = m t + c`` that crosses the 1-D graph most often.

    Crossings are sign changes of ``L(t) - (m t + c)`` on a fine grid, each
    confirmed by bisection in float64.

    Args:
      problem, box, fixed: as for :func:`nonconvexity_witness`; one parameter.
      n: grid points.
      slopes, offsets: candidate ``m`` and ``c`` (defaults span the graph).

    Returns:
      dict with ``slope``, ``offset``, ``crossings`` (the roots, sorted) and
      ``count``.
    """
    _x64()
    _check_box(problem, box)
    if len(box) != 1:
        raise ValueError(f"line_crossings takes one parameter, got {sorted(box)}")
    ((name, (lo, hi)),) = box.items()
    fixed = _check_fixed(problem, [name], fixed)
    t = np.linspace(lo, hi, n)
    lt = _loss64(problem, {name: t, **{k: np.full(n, v) for k, v in fixed.items()}})
    span = float(lt.max() - lt.min()) or 1.0
    d = np.gradient(lt, t)
    slopes = np.linspace(d.min(), d.max(), 61) if slopes is None else np.asarray(slopes, np.float64)
    best = (0, 0.0, 0.0)
    for m in slopes:
        resid = lt - m * t
        cs = (
            np.linspace(resid.min() - 0.01 * span, resid.max() + 0.01 * span, 201)
            if offsets is None
            else np.asarray(offsets)
        )
        signs = np.sign(resid[None, :] - cs[:, None])
        counts = np.sum(signs[:, 1:] * signs[:, :-1] < 0, axis=1)
        i = int(np.argmax(counts))
        if counts[i] > best[0]:
            best = (int(counts[i]), float(m), float(cs[i]))
    _count, m, c = best
    f = lambda v: float(_loss64(problem, {name: np.float64(v), **fixed})) - (m * v + c)
    resid = lt - (m * t + c)
    idx = np.nonzero(np.sign(resid[1:]) * np.sign(resid[:-1]) < 0)[0]
    roots = sorted(_refine_root(f, t[i], t[i + 1]) for i in idx)
    return {"slope": m, "offset": c, "crossings": roots, "count": len(roots)}


def hessian_sign_map(problem, axes, *, fixed=None):
    """Smallest Hessian eigenvalue over a grid and where it is not defined.

    Args:
      problem: the problem; axes: two trained names -> 1-D arrays; fixed: others.

    Returns:
      dict with ``min_eig`` (grid shaped), ``nonsmooth`` (bool mask of cells
      whose closed neighbourhood meets a non-twice-differentiable point),
      ``negative_fraction`` among smooth cells, and ``axes``.
    """
    _x64()
    names = list(axes)
    r = L.grid(problem, axes, fixed=fixed, quantities=("eigvals",))
    if r.eigvals is None:
        raise RuntimeError("the grid returned no Hessian eigenvalues")
    min_eig = np.asarray(r.eigvals[..., 0])
    neuron = problem.as_neuron()
    if neuron is not None and set(names) == {"w", "b"}:
        wv, bv = np.asarray(axes["w"], np.float64), np.asarray(axes["b"], np.float64)
        dw = np.min(np.diff(wv)) if wv.size > 1 else 1.0
        db = np.min(np.diff(bv)) if bv.size > 1 else 1.0
        Wg, Bg = np.meshgrid(wv, bv, indexing="ij")
        at = {"w": jnp.asarray(Wg, F64), "b": jnp.asarray(Bg, F64), **{k: float(v) for k, v in (fixed or {}).items()}}
        # cells within one grid step of the non-smooth set
        mask = np.asarray(neuron.nonsmooth(at, tol_w=dw, tol_b=db))
        if names[0] != "w":
            mask = mask.T
    else:
        mask = np.zeros(min_eig.shape, bool)
    smooth = ~mask
    neg = float(np.mean(min_eig[smooth] < -1e-10)) if smooth.any() else float("nan")
    return {
        "min_eig": min_eig,
        "nonsmooth": mask,
        "negative_fraction": neg,
        "axes": {k: np.asarray(v) for k, v in axes.items()},
    }


def _check_kinked(problem):
    problem = L.neuron.require(problem, "one-sided derivatives at the kink")
    if not problem.student.kinked:
        raise ValueError(
            f"student {problem.student.label} has no kink (its derivative is continuous): one-sided derivatives coincide"
        )


def one_sided_derivatives(problem, params, direction, *, h=1e-6):
    """Left and right derivatives of the exact loss along ``direction`` (see
    :func:`landscape.neuron.one_sided_derivatives`, their one home)."""
    _x64()
    _check_named(problem, params, "params")
    _check_named(problem, direction, "direction")
    return L.neuron.one_sided_derivatives(problem, params, direction, h=h)


def gradient_decay(problem, params, direction, *, distances=None):
    """The gradient along ``direction`` as the kink is approached from the left.

    Evaluates the exact directional derivative at ``params - s * direction``
    for ``s`` in ``distances`` and fits ``|g| ~ C s^p`` on a log-log scale.

    Returns:
      dict with ``distance``, ``gradient`` (arrays), ``exponent`` ``p`` and
      ``prefactor`` ``C``.
    """
    _x64()
    _check_kinked(problem)
    s = np.logspace(-6, 1, 29) if distances is None else np.asarray(distances, np.float64)
    if np.any(s <= 0):
        raise ValueError("distances must be positive")
    names = problem.coordinates()
    pts = {k: np.float64(params[k]) - s * np.float64(direction[k]) for k in names}
    _, g = exact_gradient(problem, pts)
    gd = np.asarray(sum(g[k] * direction[k] for k in names))
    ok = np.abs(gd) > 0
    if ok.sum() >= 2:
        pfit = np.polyfit(np.log(s[ok]), np.log(np.abs(gd[ok])), 1)
        expo, pref = float(pfit[0]), float(np.exp(pfit[1]))
    else:  # the gradient vanishes identically: no power law to fit
        expo, pref = None, 0.0
    return {"distance": s, "gradient": gd, "exponent": expo, "prefactor": pref}


@dataclass(frozen=True)
class DeadZone:
    """The dead set and the near-flat region on a (w, b) grid.

    Attributes:
      axes: ``{"w": W, "b": B}``.
      dead: bool mask of the exact dead set (the unit's derivative vanishes on
        the whole input support), on the grid points.
      dead_area_fraction: its area fraction of the box (exact for the region;
        0 for a half-line).
      near_flat: dict ``eps -> bool mask`` of :func:`near_flat`: ``|grad| < eps``
        and the loss more than ``delta`` above the minimum (the dead set included).
      near_flat_fraction: dict ``eps -> fraction of grid points``.
      delta, min_loss: the thresholds used.
    """

    axes: dict
    dead: np.ndarray
    dead_area_fraction: float
    near_flat: dict
    near_flat_fraction: dict
    delta: float
    min_loss: float


def _dead_area(problem, box: Box):
    """Exact area fraction of the dead region in a (w, b) box (uniform inputs)."""
    problem = L.neuron.require(problem, "the dead area")
    if not problem.inputs.bounded or not problem.student.can_die:
        return 0.0
    (w0, w1), (b0, b1) = box["w"], box["b"]
    lo, hi = problem.inputs.support()
    # for fixed w the dead b are b <= -max(w lo, w hi): integrate that length in w (piecewise linear)
    ws = np.unique(np.concatenate([[w0, w1], [0.0] if w0 < 0 < w1 else []]))
    area = 0.0
    g = lambda w: np.clip(-max(w * lo, w * hi), b0, b1) - b0
    for a, b in itertools.pairwise(ws):
        # g is linear on each side of w = 0 except where clipping kinks it: integrate finely
        xs = np.linspace(a, b, 20001)
        area += np.trapezoid([g(x) for x in xs], xs)
    return float(area / ((w1 - w0) * (b1 - b0)))


# The near-flat region (the one definition; the explorer and the report read it): where the exact gradient norm is
# below ``eps`` while the loss is more than ``delta`` above the global minimum. It includes the dead set, the
# flattest part of it.
NEAR_FLAT = {"eps": 1e-3, "delta": 1e-2}


def near_flat(loss, grad_norm, min_loss, *, eps=NEAR_FLAT["eps"], delta=NEAR_FLAT["delta"]):
    """Bool mask of the near-flat region: ``|grad L| < eps`` and ``L - min_loss > delta`` (the dead set included)."""
    return (np.asarray(grad_norm) < eps) & (np.asarray(loss) - min_loss > delta)


def dead_zone(
    problem, box: Box, *, n=401, eps=(1e-1, 1e-2, NEAR_FLAT["eps"], 1e-4), delta=NEAR_FLAT["delta"], fixed=None
):
    """The dead set and the near-flat region of the (w, b) landscape.

    Args:
      problem: a problem training ``w`` and ``b``.
      box: ``{"w": (lo, hi), "b": (lo, hi)}``.
      n: grid points per axis.
      eps: gradient-norm thresholds for the near-flat region.
      delta: the loss must exceed the global minimum by more than this.
      fixed: values of other trained parameters (``a``, ``c``).

    Returns:
      :class:`DeadZone`.

    Raises:
      ValueError: box not over (w, b), non-positive eps or delta.
    """
    _x64()
    neuron = L.neuron.require(problem, "dead_zone")
    if not {"w", "b"} <= set(problem.coordinates()):
        raise ValueError(f"dead_zone needs a single-neuron problem that trains w and b, got {problem.coordinates()}")
    _check_box(problem, box, names=("w", "b"))
    _check_size("n", n, n * n, "grid points")
    eps = tuple(float(e) for e in np.atleast_1d(eps))
    if not eps or any(not (e > 0 and math.isfinite(e)) for e in eps):
        raise ValueError(f"eps must be positive finite numbers, got {eps}")
    if not (delta > 0 and math.isfinite(delta)):
        raise ValueError(f"delta must be a positive finite number, got {delta!r}")
    from .basins import global_minimum

    wv = np.linspace(*box["w"], n)
    bv = np.linspace(*box["b"], n)
    r = L.grid(problem, {"w": jnp.asarray(wv, F64), "b": jnp.asarray(bv, F64)}, fixed=fixed)
    gnorm = np.sqrt(sum(np.asarray(g) ** 2 for g in r.grad.values()))
    min_loss = global_minimum(problem)[0]
    W, B = np.meshgrid(wv, bv, indexing="ij")
    near = {e: near_flat(np.asarray(r.loss), gnorm, min_loss, eps=e, delta=delta) for e in eps}
    at = {"w": jnp.asarray(W, F64), "b": jnp.asarray(B, F64), **{k: float(v) for k, v in (fixed or {}).items()}}
    return DeadZone(
        axes={"w": wv, "b": bv},
        dead=np.asarray(neuron.dead_set(at)),
        dead_area_fraction=_dead_area(problem, box),
        near_flat=near,
        near_flat_fraction={e: float(m.mean()) for e, m in near.items()},
        delta=float(delta),
        min_loss=float(min_loss),
    )


@dataclass(frozen=True)
class CriticalPoint:
    """A stationary point of the exact loss (gradient 0 under the package's convention).

    Attributes:
      params: the point.
      loss: exact loss there.
      grad_norm: exact gradient norm.
      kind: ``global_min``, ``local_min``, ``saddle``, ``local_max``,
        ``degenerate`` (a zero Hessian eigenvalue), ``dead_manifold`` (the dead
        set and its numerically flat neighbourhood, merged into one entry
        with its extent) or ``nondifferentiable`` (a kink: one-sided
        derivatives differ).
      eigvals: Hessian eigenvalues (None where not twice differentiable).
      evidence: the numbers behind ``kind``.
      count: how many of the searched starts ended here.
    """

    params: dict
    loss: float
    grad_norm: float
    kind: str
    eigvals: list | None
    evidence: dict = field(default_factory=dict)
    count: int = 1


def critical_points(problem, box: Box, *, starts=4096, steps=3000, tol=1e-7, merge=1e-3, seed=0, fixed=None):
    """Find and classify the stationary points of the exact loss in a box.

    Every start in the box descends ``|grad L|^2`` (which has minima at every
    stationary point: minima, saddles and maxima alike) with Adam, then the
    ends whose exact gradient norm is below ``tol`` are merged (distance below
    ``merge``) and classified by their Hessian eigenvalues or, at kinks, by
    one-sided derivatives.

    Args:
      problem: the problem; box: ``{name: (lo, hi)}`` over every trained name.
      starts: number of uniformly drawn starts; steps: Adam steps.
      tol: gradient-norm threshold; merge: clustering distance.

    Returns:
      list of :class:`CriticalPoint`, most visited first.

    Raises:
      ValueError: a box that misses a trained parameter, non-positive tol.
    """
    _x64()
    neuron = L.neuron.require(problem, "critical_points")
    names = problem.coordinates()
    _check_box(problem, box, names=names)
    if not (tol > 0 and merge > 0):
        raise ValueError(f"tol and merge must be positive, got {tol!r}, {merge!r}")
    for nm, v in (("starts", starts), ("steps", steps)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{nm} must be an integer >= 1, got {v!r}")
    _check_size("starts", starts, starts * len(names) * 4, "numbers")
    from .basins import global_minimum

    rng = np.random.default_rng(seed)
    x0 = {k: np.asarray(rng.uniform(*box[k], starts), np.float64) for k in names}
    lo = tuple(float(box[k][0]) for k in names)
    hi = tuple(float(box[k][1]) for k in names)
    # descend |grad L|^2 by projected Adam, through the training engine
    sp = L.derived.StationarityProblem(problem)
    opt = optax.chain(L.optimizer("adam", learning_rate=1e-2), L.optimizers.project_box(*_leaf_bounds(problem, lo, hi)))
    init = problem.unravel(jnp.asarray(np.stack([x0[k] for k in names], axis=-1), F64))
    t = L.train(
        sp, init, optimizer=opt, steps=steps, gradient="population", record_every=steps, key=jax.random.key(seed)
    )
    ends = np.asarray(problem.ravel(t.final), np.float64)
    _, g = exact_gradient(problem, {k: ends[:, i] for i, k in enumerate(names)})
    gn = np.sqrt(sum(g[k] ** 2 for k in names))
    keep = ends[gn < tol]
    min_loss = global_minimum(problem)[0]
    clusters = []
    # the kink at w = b = 0 is a point of measure zero that no start lands on
    # exactly: it is a candidate of its own when it is in the box and
    # stationary there, and ends near it are counted to it
    cand = {k: 0.0 for k in names if k in ("w", "b")}
    if neuron.student.kinked and "w" in names and len(names) <= 2 and all(box[k][0] <= 0.0 <= box[k][1] for k in cand):
        g0 = exact_gradient(problem, {**dict.fromkeys(names, 0.0), **cand})[1] if set(cand) == set(names) else None
        if g0 is not None and max(abs(float(v)) for v in g0.values()) < tol:
            clusters.append({"sum": np.asarray([cand[k] for k in names]), "n": 0, "fixed": True})
    for p in keep:
        for c in clusters:
            centre = c["sum"] if c.get("fixed") else c["sum"] / c["n"]
            if np.max(np.abs(centre - p)) < merge:
                c["n"] += 1
                if not c.get("fixed"):
                    c["sum"] += p
                break
        else:
            clusters.append({"sum": p.copy(), "n": 1})
    if not clusters:
        return []
    centres = np.stack([c["sum"] if c.get("fixed") else c["sum"] / c["n"] for c in clusters])
    cparams = {k: jnp.asarray(centres[:, i], F64) for i, k in enumerate(names)}
    dead = np.asarray(neuron.dead(cparams))
    active = np.asarray(neuron_active(neuron, cparams))
    points = []
    for i, c in enumerate(clusters):
        params = {k: float(centres[i, j]) for j, k in enumerate(names)}
        if dead[i] and not c.get("fixed"):
            # the dead plateau (the classifier's dead rule): every gradient through the unit ~ 0, no Hessian needed
            loss = float(_loss64(problem, params))
            points.append(
                CriticalPoint(params, loss, 0.0, "dead_manifold", None, {"active_fraction": float(active[i])}, c["n"])
            )
        else:
            points.append(_classify_point(problem, params, min_loss, count=c["n"]))
    return _merge_manifolds(points)


def _leaf_bounds(problem, lo, hi):
    """Per-coordinate bounds as one bound per parameter leaf (scalar coordinates only)."""
    if any(s != () for s in problem.leaf_shapes()):
        raise ValueError(
            "critical_points needs a problem whose parameters are named scalars (such as the single neuron)"
        )
    # leaves in tree order, coordinates in the problem's order: map through the names
    order = list(problem.param_names)
    names = problem.coordinates()
    pos = [names.index(n.strip("[]'\"")) if n.strip("[]'\"") in names else names.index(n) for n in order]
    return tuple(lo[i] for i in pos), tuple(hi[i] for i in pos)


def _merge_manifolds(points):
    """One entry per manifold: points of the same kind and loss (global minima
    under the scaling symmetry of relu, the dead plateau, flat saddle families)
    are merged into one that reports their extent in every coordinate."""
    groups = {}
    singles = []
    for p in points:
        if p.kind in ("global_min", "dead_manifold", "degenerate"):
            groups.setdefault((p.kind, round(p.loss, 8)), []).append(p)
        else:
            singles.append(p)
    merged = []
    for (kind, _), ps in groups.items():
        rep = min(ps, key=lambda p: p.grad_norm)
        if len(ps) == 1:
            merged.append(rep)
            continue
        keys = list(rep.params)
        extent = {k: (min(p.params[k] for p in ps), max(p.params[k] for p in ps)) for k in keys}
        ev = dict(rep.evidence)
        ev.update(
            {"extent": extent, "clusters": len(ps), "loss_range": (min(p.loss for p in ps), max(p.loss for p in ps))}
        )
        merged.append(
            CriticalPoint(rep.params, rep.loss, rep.grad_norm, kind, rep.eigvals, ev, sum(p.count for p in ps))
        )
    return sorted(merged + singles, key=lambda p: -p.count)


def neuron_active(neuron, params):
    """The unit's active input mass, or 1 for a unit that cannot die."""
    if not neuron.student.can_die:
        return np.ones(np.shape(next(iter(params.values()))))
    return L.neuron.active_fraction(neuron, params)


def _classify_point(problem, params, min_loss, count=1, tol_eig=1e-8):
    names = problem.coordinates()
    th = jnp.asarray([params[k] for k in names], F64)
    sp = L.dense_spectrum(problem, problem.unravel(th[None]))
    loss, gn = float(sp["loss"][0]), float(sp["grad_norm"][0])
    evidence = {}
    kink = False
    # at w = 0 with the whole mass on the kink (b = 0), the loss is not differentiable in w
    if problem.student.kinked and "w" in params and params["w"] == 0.0 and params.get("b", 0.0) == 0.0:
        d = one_sided_derivatives(problem, params, {k: float(k == "w") for k in names})
        evidence.update({"left_w": d["left"], "right_w": d["right"]})
        kink = abs(d["jump"]) > 1e-9
    eig = None
    if kink:
        kind = "nondifferentiable"
    else:
        eig = sp["eigvals"][0]
        evidence["eigvals"] = eig.tolist()
        if loss - min_loss <= 1e-9:
            kind = "global_min"
        elif np.any(np.abs(eig) <= tol_eig * max(1.0, np.max(np.abs(eig)))):
            kind = "degenerate"
        elif np.all(eig > 0):
            kind = "local_min"
        elif np.all(eig < 0):
            kind = "local_max"
        else:
            kind = "saddle"
    if "w" in params and problem.student.can_die:
        evidence["active_fraction"] = float(neuron_active(problem, {k: jnp.asarray(v, F64) for k, v in params.items()}))
    return CriticalPoint(params, loss, gn, kind, None if eig is None else eig.tolist(), evidence, count)
