"""Paths between minima: a minimum-energy path by a nudged elastic band, and a quadratic Bezier curve trained as
in mode-connectivity work, each reported beside the straight line between the same two points.

Contract
--------
Every function takes a problem of the protocol and two parameter points
``a`` and ``b`` (typically two minima), and works on the problem's
population loss: exact over the data set for a
:class:`landscape.DatasetProblem`, exact (closed form or quadrature) for
the built-in problems; the result says which (``exactness``). Points and
settings are validated before any work.

* :func:`neb`: the nudged elastic band (Henkelman & Jonsson 2000): a chain of
  ``images`` points between the fixed ends, each moved by the loss's force
  perpendicular to the path (the tangent from the higher neighbour) and by
  springs along it, relaxed by FIRE (Bitzek et al. 2006); after
  ``climb`` of the steps the highest image climbs (Henkelman, Uberuaga &
  Jonsson 2000): it feels the force along the path reversed and no springs,
  and converges to the saddle point, the path's highest point. The
  images' losses and gradients are one ``jax.vmap`` over the images. The
  path is the polyline through the converged images.
* :func:`bezier`: the quadratic Bezier curve ``phi(t) = (1 - t)^2 a + 2 t (1 - t) theta + t^2 b``
  whose bend ``theta`` minimizes the mean loss along the curve (Garipov et
  al. 2018): a problem of the protocol, :class:`BezierProblem`, trained by
  :func:`landscape.train` (uniform ``t`` per step, each a minibatch
  "example", the losses at the ``t`` of a batch vmapped), from several bends
  at once; the best curve is kept.
* Both return a :class:`Path`: the loss sampled along the path, its barrier
  (the highest loss on the path above the higher end,
  :func:`analysis.instruments.barrier`) with the highest point located (the
  largest sample, refined by golden-section search between its neighbours),
  and ``straight``: the same for the straight line (the samples of
  :func:`analysis.instruments.interpolate`). Any path's barrier bounds the
  minimum-energy path's from above; the climbing image's loss estimates it
  (the saddle), reported as ``extra["saddle"]``.

References:
  Henkelman & Jonsson, "Improved tangent estimate in the nudged elastic band
  method", J. Chem. Phys. 113, 9978 (2000); Henkelman, Uberuaga & Jonsson, "A
  climbing image nudged elastic band method", J. Chem. Phys. 113, 9901
  (2000); Bitzek, Koskinen, Gahler, Moseler & Gumbsch, "Structural relaxation
  made simple", PRL 97, 170201 (2006) (FIRE); Garipov, Izmailov, Podoprikhin,
  Vetrov & Wilson, "Loss Surfaces, Mode Connectivity, and Fast Ensembling of
  DNNs", NeurIPS 2018; Draxler, Veschgini, Salmhofer & Hamprecht,
  "Essentially No Barriers in Neural Network Energy Landscape", ICML 2018.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L
from landscape.engine import GRADIENTS

from . import instruments as I

__all__ = ["GOLDEN_STEPS", "POWER_STEPS", "BezierProblem", "Path", "bezier", "neb"]

GOLDEN_STEPS = 48  # golden-section steps locating the highest point: the bracket shrinks by 0.618^48 ~ 1e-10
_PHI = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class Path:
    """A path between two points and the loss along it.

    Attributes:
      method: ``"neb"``, ``"bezier"`` or ``"straight"``.
      t: ``(T,)`` the path parameter of the samples, from 0 at ``a`` to 1 at
        ``b`` (for a band, the arc length travelled as a fraction of the
        whole; for a curve, its parameter).
      loss: ``(T,)`` the loss at the samples.
      barrier: the highest loss on the path above the higher end (0 when it
        never rises above them); None where a loss is not finite.
      argmax: the path parameter of the highest point (refined between samples).
      top: the highest point (the problem's pytree); top_loss: its loss.
      end_loss: ``(2,)`` the losses at ``a`` and ``b``.
      straight: the straight line's :class:`Path` between the same points
        (None for the straight line itself).
      exactness: how the loss is computed (the problem's ``exactness``).
      converged: whether the path finder met its tolerance; note: what
        it reached (or why not).
      extra: what the method adds (a band: ``images``, ``image_t``,
        ``image_loss``, ``saddle``, ``force``; a curve: ``bend``, ``control``,
        ``mean_loss``, ``starts``).
      settings: what was run (JSON-ready).
    """

    method: str
    t: np.ndarray
    loss: np.ndarray
    barrier: float | None
    argmax: float | None
    top: Any
    top_loss: float | None
    end_loss: np.ndarray
    straight: Path | None
    exactness: str
    converged: bool = True
    note: str = ""
    extra: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def summary(self) -> str:
        """One line: the barrier beside the straight line's, and where the highest point lies."""
        fmt = lambda v: "unknown" if v is None else f"{v:.6g}"
        out = f"{self.method}: barrier {fmt(self.barrier)} at t = {fmt(self.argmax)}"
        if self.straight is not None:
            out += f"; straight line {fmt(self.straight.barrier)} at t = {fmt(self.straight.argmax)}"
        return out


# ---------------------------------------------------------------------------------------- shared
def _ends(problem, a, b):
    if not isinstance(problem, L.AbstractProblem):
        raise TypeError(f"problem must implement the problem protocol, got {type(problem).__name__}")
    va = np.asarray(problem.ravel(_np(problem.check_point(a, "a"))), np.float64)
    vb = np.asarray(problem.ravel(_np(problem.check_point(b, "b"))), np.float64)
    if not np.any(va != vb):
        raise ValueError("a and b are the same point: there is no path to find")
    with np.errstate(over="ignore", invalid="ignore"):
        d = vb - va
    if not np.all(np.isfinite(d)):
        raise ValueError("a and b are too far apart to represent the segment between them (it overflows)")
    return va, vb


def _np(arrays):
    return jax.tree_util.tree_map(lambda x: np.asarray(x, np.float64), arrays)


def _int(name, v, lo):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    return int(v)


def _number(name, v, lo=0.0, hi=math.inf, strict=False):
    if (
        isinstance(v, (bool, np.bool_))
        or not isinstance(v, (int, float, np.integer, np.floating))
        or not math.isfinite(float(v))
        or float(v) < lo
        or (strict and float(v) == lo)
        or float(v) > hi
    ):
        rel = ">" if strict else ">="
        rng = f"{rel} {lo}" + ("" if hi == math.inf else f" and <= {hi}")
        raise ValueError(f"{name} must be a finite number {rng}, got {v!r}")
    return float(v)


def _key(key):
    if key is None or isinstance(key, (int, np.integer)) or not isinstance(key, jax.Array):
        raise TypeError(f"key must be a jax.random key such as jax.random.key(0), got {key!r}")
    return key


@partial(jax.jit, static_argnums=0)
def _loss(problem, x):
    """The population loss at one vector ``x`` ``(P,)``."""
    return L.hessian.flat_loss(problem)(x)


@partial(jax.jit, static_argnums=0)
def _grad_norm_at(problem, x):
    """The population gradient's norm at one vector ``x``."""
    return jnp.linalg.norm(jax.grad(L.hessian.flat_loss(problem))(x))


@partial(jax.jit, static_argnums=0)
def _losses(problem, X):
    """The population loss at every row of ``X`` ``(m, P)``."""
    return jax.vmap(L.hessian.flat_loss(problem))(X)


def _evaluate(problem, X, chunk=256):
    """The losses at the rows of ``X`` (float64 vectors), in chunks whose compiled program fits the memory budget."""
    X = jnp.asarray(X)
    m = X.shape[0]
    size = L.grids.fit_chunk(lambda k: _losses.lower(problem, X[:k]), min(chunk, m))
    out = []
    for lo in range(0, m, size):
        part = X[lo : lo + size]
        if part.shape[0] < size:  # the same compiled shape for the last chunk
            part = jnp.concatenate([part, jnp.repeat(part[-1:], size - part.shape[0], axis=0)])
        out.append(np.asarray(_losses(problem, part))[: min(size, m - lo)])
    return np.concatenate(out).astype(np.float64)


def _highest(problem, point_at, t, loss, bracket=None):
    """``(barrier, argmax, top vector, top loss)``: the largest sample refined by golden-section search between
    its neighbours (or in ``bracket(i)``); never below the largest sample."""
    t = np.asarray(t, np.float64)
    loss = np.asarray(loss, np.float64)
    top, where = I.barrier(t, loss)
    if top is None:
        return None, None, None, None
    i = int(np.argmax(loss))
    best_t, best_loss = float(t[i]), float(loss[i])
    lo, hi = bracket(i) if bracket is not None else (t[max(i - 1, 0)], t[min(i + 1, t.size - 1)])
    if hi > lo and 0 < i < t.size - 1:
        f = lambda s: float(_loss(problem, jnp.asarray(point_at(np.asarray([s]))[0])))
        c, d = hi - _PHI * (hi - lo), lo + _PHI * (hi - lo)
        fc, fd = f(c), f(d)
        for _ in range(GOLDEN_STEPS):
            if not (math.isfinite(fc) and math.isfinite(fd)):
                return None, None, None, None
            if fc > best_loss:
                best_t, best_loss = c, fc
            if fd > best_loss:
                best_t, best_loss = d, fd
            if fc >= fd:
                hi, d, fd = d, c, fc
                c = hi - _PHI * (hi - lo)
                fc = f(c)
            else:
                lo, c, fc = c, d, fd
                d = lo + _PHI * (hi - lo)
                fd = f(d)
    del where  # the sample's; the refined point is at least as high
    barrier = max(0.0, best_loss - max(float(loss[0]), float(loss[-1])))
    return barrier, best_t, point_at(np.asarray([best_t]))[0], best_loss


def _straight(problem, va, vb, n):
    """The straight line's :class:`Path` from the samples of :func:`analysis.instruments.interpolate`."""
    r = I.interpolate(problem, problem.unravel(jnp.asarray(va)), problem.unravel(jnp.asarray(vb)), n=n)
    point_at = lambda s: va[None, :] + np.asarray(s)[:, None] * (vb - va)[None, :]
    barrier, where, top, top_loss = _highest(problem, point_at, r.t, r.loss)
    return Path(
        method="straight",
        t=np.asarray(r.t),
        loss=np.asarray(r.loss, np.float64),
        barrier=barrier,
        argmax=where,
        top=None if top is None else problem.unravel(jnp.asarray(top)),
        top_loss=top_loss,
        end_loss=np.asarray([r.loss[0], r.loss[-1]], np.float64),
        straight=None,
        exactness=problem.exactness,
        settings={"n": int(n)},
    )


# ------------------------------------------------------------------------------------ the band
def _tangents(R, E):
    """Henkelman & Jonsson's tangent at each inner image (from the higher neighbour; an energy-weighted mix at
    extrema), unit length. ``R`` ``(M + 2, P)`` the band with its ends, ``E`` ``(M + 2,)`` the losses."""
    tp, tm = R[2:] - R[1:-1], R[1:-1] - R[:-2]
    e, ep, em = E[1:-1], E[2:], E[:-2]
    up = (ep > e) & (e > em)
    down = (ep < e) & (e < em)
    dmax = jnp.maximum(jnp.abs(ep - e), jnp.abs(em - e))[:, None]
    dmin = jnp.minimum(jnp.abs(ep - e), jnp.abs(em - e))[:, None]
    mixed = jnp.where((ep > em)[:, None], tp * dmax + tm * dmin, tp * dmin + tm * dmax)
    tau = jnp.where(up[:, None], tp, jnp.where(down[:, None], tm, mixed))
    norm = jnp.linalg.norm(tau, axis=1, keepdims=True)
    return tau / jnp.where(norm > 0, norm, 1.0)


def _forces(problem, R, spring, climbing):
    """The band's force on its inner images ``(M, P)``, their losses, and the index of the climbing image."""
    vg = jax.vmap(jax.value_and_grad(L.hessian.flat_loss(problem)))
    e, g = vg(R[1:-1])
    ends = jax.vmap(L.hessian.flat_loss(problem))(R[jnp.asarray([0, R.shape[0] - 1])])
    E = jnp.concatenate([ends[:1], e, ends[1:]])
    tau = _tangents(R, E)
    along = jnp.sum(g * tau, axis=1, keepdims=True)
    perp = -(g - along * tau)
    lengths = jnp.linalg.norm(R[1:] - R[:-1], axis=1)
    springs = spring * (lengths[1:] - lengths[:-1])[:, None] * tau
    top = jnp.argmax(e)
    climb = -g + 2.0 * along * tau
    is_top = (jnp.arange(e.shape[0]) == top)[:, None] & climbing
    return jnp.where(is_top, climb, perp + springs), E, top


POWER_STEPS = 30  # power iterations estimating the largest Hessian eigenvalue at the ends (the step's bound)


def _curvature(problem, x, v):
    """``|H v|`` after ``POWER_STEPS`` power iterations from ``v`` at ``x``: the largest |eigenvalue| of the
    Hessian there, approached from below."""

    def power(_, u):  # not training: power iteration
        w = L.hessian.hvp(problem, x, u)
        n = jnp.linalg.norm(w)
        return jnp.where(n > 0, w / jnp.where(n > 0, n, 1.0), u)

    u = jax.lax.fori_loop(0, POWER_STEPS, power, v / jnp.linalg.norm(v))  # not training: power iteration
    return jnp.linalg.norm(L.hessian.hvp(problem, x, u))


@partial(jax.jit, static_argnums=(0, 2, 3))
def _relax(problem, R0, steps, climb_from, spring, v0, max_move):
    """FIRE on the band's inner images (Bitzek et al. 2006), with the springs' constant (``spring <= 0``: a
    tenth of the curvature at the ends) and the largest step from the curvature at the ends; no image moves
    more than ``max_move`` in one step (the curvature between the ends can be far larger than at them);
    returns the band, its losses, the largest force on an image at the end, the spring constant and the
    largest step."""
    dtype = R0.dtype
    inner0 = R0[1:-1]
    curvature = jnp.maximum(
        jnp.maximum(_curvature(problem, R0[0], v0), _curvature(problem, R0[-1], v0)), jnp.asarray(1e-3, dtype)
    )
    spring = jnp.where(spring > 0, spring, 0.1 * curvature)
    dt_max = 1.0 / jnp.sqrt(1.5 * curvature + 4.0 * spring)

    def band(inner):
        return jnp.concatenate([R0[:1], inner, R0[-1:]])

    def step(carry, k):  # not training: relaxing a band of points (FIRE), no model is trained here
        inner, v, dt, alpha, since = carry
        F, _, _ = _forces(problem, band(inner), spring, k >= climb_from)
        power = jnp.sum(F * v)
        fn, vn = jnp.linalg.norm(F), jnp.linalg.norm(v)
        mixed = (1.0 - alpha) * v + alpha * vn * F / jnp.where(fn > 0, fn, 1.0)
        uphill = power <= 0
        v = jnp.where(uphill, jnp.zeros_like(v), mixed)
        grow = (~uphill) & (since > 5)
        dt = jnp.where(uphill, 0.5 * dt, jnp.where(grow, jnp.minimum(1.1 * dt, dt_max), dt))
        alpha = jnp.where(uphill, 0.1, jnp.where(grow, 0.99 * alpha, alpha)).astype(dtype)
        since = jnp.where(uphill, 0, since + 1)
        v = v + dt * F
        move = dt * v
        norm = jnp.linalg.norm(move, axis=1, keepdims=True)
        move = move * jnp.minimum(1.0, max_move / jnp.where(norm > 0, norm, 1.0))
        return (inner + move, v, dt, alpha, since), None

    init = (inner0, jnp.zeros_like(inner0), 0.1 * dt_max, jnp.asarray(0.1, dtype), jnp.zeros((), jnp.int32))
    (inner, _, _, _, _), _ = jax.lax.scan(step, init, jnp.arange(steps))  # not training: the band's relaxation
    F, E, _ = _forces(problem, band(inner), spring, steps >= climb_from)
    return band(inner), E, jnp.max(jnp.linalg.norm(F, axis=1)), spring, dt_max


def neb(
    problem,
    a,
    b,
    *,
    key,
    images=15,
    steps=1000,
    climb=0.5,
    spring=None,
    jitter=0.02,
    tol=1e-4,
    n=21,
) -> Path:
    """The minimum-energy path from ``a`` to ``b`` by a climbing-image nudged elastic band.

    Args:
      problem: any problem of the protocol; a, b: the end points (pytrees).
      key: ``jax.random`` key of the start's jitter.
      images: inner points of the band (``>= 1``).
      steps: FIRE steps.
      climb: the fraction of the steps after which the highest image climbs
        (1: never).
      spring: the springs' constant (default: a tenth of the largest Hessian
        eigenvalue at the ends by power iteration, at least 1e-4); the largest
        step comes from the same curvature.
      jitter: the start: the straight line with every inner image moved by
        Gaussian noise of this size relative to ``|b - a| / (images + 1)``,
        so a band started on a symmetric ridge leaves it.
      tol: the largest force on an image, relative to ``max(1, |grad|)`` at
        the straight line's highest sample, below which the band is
        ``converged``.
      n: samples per segment of the polyline through the images, and for the
        straight line ``n * (images + 1)``.

    Returns:
      :class:`Path` with ``extra``: ``images`` (pytree, leading axis
      ``images + 2``, the ends included), ``image_t`` and ``image_loss``
      ``(images + 2,)``, ``saddle`` (the climbing image's loss above the
      higher end: the estimate of the minimum-energy path's barrier),
      ``force`` (the largest force at the end), ``spring`` and ``dt_max``.

    Raises:
      TypeError: a problem outside the protocol, a key that is not a ``jax.random`` key.
      ValueError: points that do not match the problem or coincide, bad settings.
    """
    va, vb = _ends(problem, a, b)
    key = _key(key)
    images = _int("images", images, 1)
    steps = _int("steps", steps, 1)
    climb = _number("climb", climb, 0.0, 1.0)
    jitter = _number("jitter", jitter)
    tol = _number("tol", tol, strict=True)
    n = _int("n", n, 2)
    if spring is not None:
        spring = _number("spring", spring, strict=True)
    straight = _straight(problem, va, vb, n * (images + 1))
    s = np.linspace(0.0, 1.0, images + 2)
    R0 = va[None, :] + s[:, None] * (vb - va)[None, :]
    noise = np.asarray(L.draws.normal(key, (images, va.size), jnp.result_type(float)))
    R0[1:-1] += jitter * np.linalg.norm(vb - va) / (images + 1) * noise / math.sqrt(va.size)
    climb_from = math.ceil(climb * steps) if climb < 1.0 else steps + 1
    v0 = L.draws.normal(jax.random.fold_in(key, 1), (va.size,), jnp.result_type(float))
    max_move = 0.1 * float(np.linalg.norm(vb - va)) / (images + 1)  # a tenth of the images' first spacing
    R, E, force, spring, dt_max = _relax(
        problem, jnp.asarray(R0), steps, climb_from, 0.0 if spring is None else spring, v0, max_move
    )
    R, E, force = np.asarray(R, np.float64), np.asarray(E, np.float64), float(force)
    spring, dt_max = float(spring), float(dt_max)
    seg = np.linalg.norm(np.diff(R, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)]) / max(float(np.sum(seg)), np.finfo(np.float64).tiny)
    poly = I.interpolate(problem, *[problem.unravel(jnp.asarray(r)) for r in R], n=n)
    # the polyline's parameter: segment index -> arc-length fraction
    idx = np.minimum(np.floor(poly.t).astype(int), images)
    t = arc[idx] + (poly.t - idx) * (arc[idx + 1] - arc[idx])

    def point_at(u):
        u = np.asarray(u, np.float64)
        j = np.clip(np.searchsorted(arc, u, side="right") - 1, 0, images)
        frac = (u - arc[j]) / np.where(arc[j + 1] > arc[j], arc[j + 1] - arc[j], 1.0)
        return R[j] + frac[:, None] * (R[j + 1] - R[j])

    barrier, where, top, top_loss = _highest(problem, point_at, t, poly.loss)
    gscale = max(1.0, _grad_norm(problem, straight))
    converged = bool(np.isfinite(force) and force <= tol * gscale)
    saddle = float(np.max(E) - max(E[0], E[-1])) if np.all(np.isfinite(E)) else None
    note = (
        f"largest force on an image {force:.3g} (tolerance {tol:.3g} x {gscale:.3g})"
        if np.isfinite(force)
        else "the band left the finite region (a non-finite loss or force); give fewer steps or a smaller jitter"
    )
    return Path(
        method="neb",
        t=t,
        loss=np.asarray(poly.loss, np.float64),
        barrier=barrier,
        argmax=where,
        top=None if top is None else problem.unravel(jnp.asarray(top)),
        top_loss=top_loss,
        end_loss=np.asarray([E[0], E[-1]]),
        straight=straight,
        exactness=problem.exactness,
        converged=converged,
        note=note,
        extra={
            "images": problem.unravel(jnp.asarray(R)),
            "image_t": arc,
            "image_loss": E,
            "saddle": None if saddle is None else max(0.0, saddle),
            "force": force,
            "spring": spring,
            "dt_max": dt_max,
        },
        settings={
            "images": images,
            "steps": steps,
            "climb": climb,
            "spring": spring,
            "jitter": jitter,
            "tol": tol,
            "n": n,
            "key": np.asarray(jax.random.key_data(key)).tolist(),
        },
    )


def _grad_norm(problem, path):
    """The gradient norm at the straight line's highest point (the scale of the forces; 1 where it is unknown)."""
    if path.top is None:
        return 1.0
    v = float(_grad_norm_at(problem, problem.ravel(jax.tree_util.tree_map(jnp.asarray, path.top))))
    return v if math.isfinite(v) else 1.0


# ---------------------------------------------------------------------------------- the curve
@dataclass(frozen=True, eq=False)
class BezierProblem(L.AbstractProblem):
    """The mean loss of ``base`` along the quadratic Bezier curve from ``a`` to ``b`` as a function of its bend.

    Its parameters are the bend ``theta`` (the base problem's pytree); its
    "data" are path parameters ``t`` uniform on ``[0, 1]`` and its minibatch
    loss the mean of the base's population loss at ``phi(t)`` over a batch
    of them (Garipov et al. 2018); its population loss is the integral over
    ``t`` by Gauss-Legendre quadrature with ``nodes`` nodes (exactness
    ``"quadrature"``, or ``"monte carlo"`` over a Monte Carlo base).

    Raises:
      TypeError: a base outside the protocol.
      ValueError: ends that do not match the base or coincide, ``nodes < 2``.
    """

    base: L.AbstractProblem
    a: np.ndarray
    b: np.ndarray
    nodes: int = 32

    def __post_init__(self):
        va, vb = _ends(self.base, self.base.unravel(jnp.asarray(self.a)), self.base.unravel(jnp.asarray(self.b)))
        object.__setattr__(self, "a", _frozen(va))
        object.__setattr__(self, "b", _frozen(vb))
        object.__setattr__(self, "nodes", _int("nodes", self.nodes, 2))

    def _id(self):
        digest = hashlib.sha256(self.a.tobytes() + self.b.tobytes()).hexdigest()
        return (self.base, digest, self.nodes)

    def __hash__(self):
        return hash(self._id())

    def __eq__(self, other):
        return type(other) is type(self) and self._id() == other._id()

    def param_shapes(self):
        return self.base.param_shapes()

    def param_treedef(self):
        return self.base.param_treedef()

    def leaf_shapes(self) -> list:
        return self.base.leaf_shapes()

    @property
    def exactness(self) -> str:
        return "quadrature" if self.base.exact else "monte carlo"

    def curve(self, theta, t):
        """``phi(t)`` as vectors ``t.shape + (P,)`` for a bend vector ``theta`` ``(P,)``."""
        t = t[..., None]
        a, b = jnp.asarray(self.a, theta.dtype), jnp.asarray(self.b, theta.dtype)
        return (1 - t) ** 2 * a + 2 * t * (1 - t) * theta + t**2 * b

    def _along(self, params, t) -> jax.Array:
        """The base's population loss at ``phi(t)`` for every ``t`` of a 1-D array."""
        theta = self.base.ravel(params)
        return jnp.asarray(jax.vmap(L.hessian.flat_loss(self.base))(self.curve(theta, t)))

    def population_loss(self, params):
        dtype = jax.tree_util.tree_leaves(params)[0].dtype
        x, w = np.polynomial.legendre.leggauss(self.nodes)
        t, w = jnp.asarray(0.5 * (x + 1.0), dtype), jnp.asarray(0.5 * w, dtype)
        return jnp.sum(w * self._along(params, t))

    def sample(self, key, shape, dtype=None):
        return L.draws.uniform(key, shape, dtype or jnp.result_type(float))

    def batch_loss(self, params, x):
        return jnp.mean(self._along(params, x))

    def config(self) -> dict:
        return {"base": self.base.describe(), "nodes": self.nodes, "ends_sha256": self._id()[1]}

    @property
    def fingerprintable(self) -> bool:
        return self.base.fingerprintable

    @property
    def fingerprint_note(self) -> str:
        return self.base.fingerprint_note

    @property
    def label(self) -> str:
        return f"the mean loss along a quadratic Bezier curve of {self.base.label}"


def _frozen(v):
    v = np.array(v, np.float64)
    v.setflags(write=False)
    return v


def bezier(
    problem,
    a,
    b,
    *,
    key,
    starts=8,
    steps=1000,
    batch_size=8,
    learning_rate=None,
    gradient="minibatch",
    jitter=0.5,
    nodes=32,
    n=201,
) -> Path:
    """The quadratic Bezier curve from ``a`` to ``b`` whose bend minimizes the mean loss along it (Garipov et
    al. 2018), trained by :func:`landscape.train` from ``starts`` bends at once; the best is kept.

    Args:
      problem: any problem of the protocol; a, b: the end points (pytrees).
      key: ``jax.random`` key (the starting bends and the training's ``t``).
      starts: bends trained at once: the midpoint, and the midpoint moved by
        Gaussian noise of size ``jitter * |b - a| / 2``.
      steps: Adam steps; batch_size: values of ``t`` per step.
      learning_rate: Adam's step (default ``|b - a| / (20 sqrt(P))``, ``P`` parameters).
      gradient: ``"minibatch"`` (uniform ``t`` per step, as Garipov et al.)
        or ``"population"`` (the exact gradient of the quadrature over ``t``).
      nodes: Gauss-Legendre nodes of the mean loss along the curve.
      n: samples along the curve.

    Returns:
      :class:`Path` with ``extra``: ``bend`` (the kept bend, a pytree),
      ``control`` (the three control points, leading axis 3), ``mean_loss``
      ``(starts,)`` (each trained curve's mean loss), ``kept`` (its index) and
      ``diverged`` (how many runs diverged).

    Raises:
      TypeError: a problem outside the protocol, a key that is not a ``jax.random`` key.
      ValueError: points that do not match the problem or coincide, bad settings.
    """
    va, vb = _ends(problem, a, b)
    key = _key(key)
    starts = _int("starts", starts, 1)
    steps = _int("steps", steps, 1)
    batch_size = _int("batch_size", batch_size, 1)
    jitter = _number("jitter", jitter)
    n = _int("n", n, 3)
    if gradient not in GRADIENTS:
        raise ValueError(f"gradient must be one of {GRADIENTS}, got {gradient!r}")
    dist = float(np.linalg.norm(vb - va))
    lr = dist / (20.0 * math.sqrt(va.size)) if learning_rate is None else None
    if learning_rate is not None:
        lr = _number("learning_rate", learning_rate, strict=True)
    curve = BezierProblem(problem, va, vb, nodes=nodes)
    straight = _straight(problem, va, vb, n)
    k_start, k_train = jax.random.split(key)
    mid = 0.5 * (va + vb)
    noise = np.asarray(L.draws.normal(k_start, (starts, va.size), jnp.result_type(float))) / math.sqrt(va.size)
    noise[0] = 0.0
    bends = mid[None, :] + jitter * 0.5 * dist * noise
    t = L.train(
        curve,
        problem.unravel(jnp.asarray(bends)),
        optimizer=L.optimizer("adam"),
        hyperparams={"learning_rate": lr},
        steps=steps,
        batch_size=batch_size,
        gradient=gradient,
        record_every=steps,
        key=k_train,
    )
    mean = np.where(np.asarray(t.diverged), np.inf, np.asarray(t.population_loss[-1], np.float64))
    kept = int(np.argmin(mean))
    theta = np.asarray(problem.ravel(jax.tree_util.tree_map(lambda x: np.asarray(x[kept], np.float64), t.final)))
    u = np.linspace(0.0, 1.0, n)
    point_at = lambda s: np.asarray(curve.curve(jnp.asarray(theta), jnp.asarray(s, jnp.float64)))
    loss = _evaluate(problem, point_at(u))
    barrier, where, top, top_loss = _highest(problem, point_at, u, loss)
    ok = bool(np.isfinite(mean[kept]))
    return Path(
        method="bezier",
        t=u,
        loss=loss,
        barrier=barrier,
        argmax=where,
        top=None if top is None else problem.unravel(jnp.asarray(top)),
        top_loss=top_loss,
        end_loss=np.asarray([loss[0], loss[-1]]),
        straight=straight,
        exactness=problem.exactness,
        converged=ok,
        note=(
            f"mean loss along the kept curve {mean[kept]:.6g} ({curve.exactness} over t, {nodes} nodes)"
            if ok
            else "every run diverged"
        ),
        extra={
            "bend": problem.unravel(jnp.asarray(theta)),
            "control": problem.unravel(jnp.asarray(np.stack([va, theta, vb]))),
            "mean_loss": mean,
            "kept": kept,
            "diverged": int(np.sum(np.asarray(t.diverged))),
        },
        settings={
            "starts": starts,
            "steps": steps,
            "batch_size": batch_size,
            "learning_rate": lr,
            "gradient": gradient,
            "jitter": jitter,
            "nodes": int(nodes),
            "n": n,
            "key": np.asarray(jax.random.key_data(key)).tolist(),
        },
    )
