"""Proofs that a point lies next to a strict local minimum of a teacher-student network, in ball arithmetic.

Contract
--------
The problem is Safran & Shamir's (:func:`analysis.deep.safran_shamir`): ``n``
student units ``sum_i relu(w_i . x)`` fitted to ``k`` orthonormal teacher units
``v_j = e_j`` on Gaussian inputs in ``d = k`` dimensions, whose loss is, by the
arc-cosine kernel ``K(u, v) = E[relu(u.x) relu(v.x)] = (|u| |v| sin t + (pi - t)
u.v) / (2 pi)`` (``t`` the angle between ``u`` and ``v``),

    L(W) = sum_i |w_i|^2 / 2 + sum_{i != l} K(w_i, w_l) - 2 sum_{i,j} K(w_i, v_j) + sum_{j,m} K(v_j, v_m).

Away from zero units and from parallel or antiparallel pairs (``0 < t < pi``) every
term is analytic, with closed-form derivatives: ``grad_u K = ((pi - t) v + |v| sin t
u/|u|) / (2 pi)``; with ``a = v^ - cos t u^`` and ``b = u^ - cos t v^`` (hats:
unit vectors), ``d2K/du2 = |v| / (2 pi |u|) (a a^T / sin t + sin t (I - u^ u^T))``
and ``d2K/du dv = ((pi - t) I + a b^T / sin t + sin t u^ v^T) / (2 pi)``.

:func:`certify_minimum` evaluates these with python-flint's ``arb`` balls (rigorous
error bounds at every operation, 128-bit midpoints by default):

* the gradient at the given point ``W0`` (exact binary64 numbers), bounded by
  ``|grad L(W0)| <= g``;
* the Hessian over the box ``W0 +- r`` in every coordinate (which contains the
  Euclidean ball ``B(W0, r)``), as a matrix of balls enclosing ``H(W)`` for every
  ``W`` in it, the box first checked to hold no zero unit and no parallel or
  antiparallel pair (then ``L`` is analytic on it);
* ``H(W) - mu I`` positive definite for every enclosed ``H``: with ``Q`` the
  float eigenvectors of the midpoint matrix, every Gershgorin disc of the ball
  matrix ``Q^T (H - mu I) Q`` lies right of 0, so by Sylvester's law of inertia
  (``Q`` is nonsingular: ``Q^T Q`` is checked near ``I`` in the same arithmetic)
  ``H(W) >= mu I`` on the ball;
* the loss at ``W0`` from below.

Theorem (the certificate's argument; e.g. Nesterov, *Lectures on Convex
Optimization*, 2018, Thm. 2.1.10 and 2.1.11 for the strongly convex inequalities).
Let ``L`` be twice continuously differentiable on the closed ball ``B = B(W0, r)``
with ``H(W) >= mu I`` on ``B`` (``mu > 0``) and ``|grad L(W0)| <= g < mu r``. Then
``L`` has exactly one stationary point ``W*`` in ``B``; it is a strict local
minimum, ``|W* - W0| <= g / mu``, and ``L(W*) >= L(W0) - g^2 / (2 mu)``. *Proof.*
``L`` is ``mu``-strongly convex on ``B``, so it has one minimizer ``W*`` over ``B``.
Were ``W*`` on the boundary, the optimality condition ``grad L(W*) = -lam (W* - W0)``
(``lam >= 0``) and strong monotonicity ``(grad L(W*) - grad L(W0)) . (W* - W0) >=
mu r^2`` would give ``g r >= (mu + lam) r^2 >= mu r^2``, against ``g < mu r``; so
``W*`` is interior, stationary, and a strict local minimum of ``L`` (``H >= mu I``
there). Strong monotonicity between ``W*`` and ``W0`` gives ``mu |W* - W0|^2 <=
g |W* - W0|``; any other stationary point in ``B`` would be another minimizer.
Strong convexity gives ``L(W*) >= L(W0) + grad L(W0) . d + mu |d|^2 / 2 >= L(W0) -
g^2 / (2 mu)`` (minimizing over ``d``). When that bound is above 0, the global
minimum value, the minimum is spurious. QED.

A point that is no minimum (a saddle, a point far from any stationary point, a
ball too wide for the Hessian to stay positive definite) gets no certificate:
the result says ``proven: False`` and why. Nothing here is floating point
except the choice of ``Q``, ``mu`` and ``r``, which only decide whether the proof
goes through, never its truth.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import asdict, dataclass

import numpy as np

__all__ = [
    "Certificate",
    "LevelCertificate",
    "certify_minimum",
    "enclosures",
    "polish",
    "prove_line_level",
    "prove_points",
]


@dataclass(frozen=True)
class Certificate:
    """The outcome of :func:`certify_minimum`.

    Attributes:
      proven: whether the theorem's conditions were verified in ball arithmetic.
      reason: why not, or what was proven, in words.
      k, n: teacher and student units.
      radius: ``r``, the ball's radius (Euclidean, in the student weights).
      mu: the proven lower bound on the Hessian's eigenvalues over the ball (or 0).
      grad_norm: ``g``, the proven upper bound on ``|grad L(W0)|``.
      distance: ``g / mu``, how far the minimum can be from the given point.
      loss_lower, loss_upper: the proven enclosure of ``L(W0)``.
      minimum_loss_lower: the proven lower bound ``L(W0) - g^2 / (2 mu)`` on the
        minimum's loss; ``spurious`` when it is above 0.
      spurious: proven to be a strict local minimum with a loss above the global minimum's (0).
      float_min_eig: the smallest eigenvalue of the float64 midpoint Hessian at ``W0`` (a reference, not a proof).
      seconds: the time the proof took.
    """

    proven: bool
    reason: str
    k: int
    n: int
    radius: float
    mu: float
    grad_norm: float
    distance: float
    loss_lower: float
    loss_upper: float
    minimum_loss_lower: float
    spurious: bool
    float_min_eig: float
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


def _flint():
    try:
        import flint
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ImportError("proofs need python-flint (pip install python-flint)") from exc
    return flint


def _check_point(W, k):
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != k or W.shape[0] < 1:
        raise ValueError(f"W must be the student weights of shape (n, {k}) (k = {k} teacher units), got {W.shape}")
    if not np.all(np.isfinite(W)):
        raise ValueError("W must hold finite numbers")
    return W


class _Ball:
    """The ball arithmetic of one proof: vectors and matrices of ``arb`` at a set precision."""

    def __init__(self, prec: int):
        self.f = _flint()
        self.prec = prec

    def __enter__(self):
        self.old = self.f.ctx.prec
        self.f.ctx.prec = self.prec
        self.pi = self.f.arb.pi()
        return self

    def __exit__(self, *exc):
        self.f.ctx.prec = self.old

    def num(self, x, rad=0.0):
        return self.f.arb(float(x), float(rad)) if rad else self.f.arb(float(x))

    def col(self, values):
        return self.f.arb_mat([[v] for v in values])

    def pair(self, u, v, nu, nv):
        """``(K, grad_u, H_uu, H_uv, ok)`` of the kernel for columns ``u``, ``v`` with norms ``nu``, ``nv``."""
        arb, mat = self.f.arb, self.f.arb_mat
        d = u.nrows()
        dot = (u.transpose() * v)[0, 0]
        c = dot / (nu * nv)
        t = c.acos()
        s = t.sin()
        if not (s > 0):  # parallel or antiparallel somewhere in the box: K is not analytic there
            return None
        uh, vh = u * (1 / nu), v * (1 / nv)
        k = (nu * nv * s + (self.pi - t) * dot) / (2 * self.pi)
        g = (v * (self.pi - t) + uh * (nv * s)) * (1 / (2 * self.pi))
        a = vh - uh * c
        b = uh - vh * c
        eye = mat(d, d)
        for i in range(d):
            eye[i, i] = arb(1)
        huu = (a * a.transpose() * (1 / s) + (eye - uh * uh.transpose()) * s) * (nv / (2 * self.pi * nu))
        huv = (eye * (self.pi - t) + a * b.transpose() * (1 / s) + uh * vh.transpose() * s) * (1 / (2 * self.pi))
        return k, g, huu, huv


def _norm(col):
    return (col.transpose() * col)[0, 0].sqrt()


def enclosures(W, k, *, radius=0.0, prec=128):
    """Ball enclosures of the loss, gradient and Hessian of the Safran-Shamir problem over the box ``W +- radius``.

    Args:
      W: student weights ``(n, k)`` (the box's centre, exact binary64 numbers).
      k: teacher units (``d = k``, teacher ``e_1 .. e_k``).
      radius: half-width of the box in every coordinate (0: the point itself).
      prec: bits of the balls' midpoints.

    Returns:
      ``(loss, grad, hessian)`` as ``arb``, an ``arb_mat`` column of ``n k`` entries
      (row-major in ``W``) and an ``n k x n k`` ``arb_mat``; or None when the box
      holds a zero unit or a parallel or antiparallel pair (no closed form there).
    """
    W = _check_point(W, k)
    n, d = W.shape
    with _Ball(prec) as B:
        arb, mat = B.f.arb, B.f.arb_mat
        units = [B.col([B.num(x, radius) for x in row]) for row in W]
        teach = [B.col([B.num(1.0 if j == i else 0.0) for j in range(d)]) for i in range(k)]
        norms = [_norm(u) for u in units]
        if not all(nu > 0 for nu in norms):
            return None
        P = n * d
        loss = arb(k) / 2 + arb(k * (k - 1)) / (2 * B.pi)  # the teacher's own terms: K(e_j, e_m) = 1/(2 pi), m != j
        grad = mat(P, 1)
        hess = mat(P, P)
        blocks = {}
        for i in range(n):
            gi = units[i]  # d |w_i|^2/2 = w_i, its Hessian I
            hii = mat(d, d)
            for a_ in range(d):
                hii[a_, a_] = arb(1)
            loss += (units[i].transpose() * units[i])[0, 0] / 2
            for other, sign in [(m, 2) for m in range(n) if m != i] + [(j, -2) for j in range(k)]:
                if sign == 2:
                    v, nv = units[other], norms[other]
                else:
                    v, nv = teach[other], arb(1)
                terms = B.pair(units[i], v, norms[i], nv)
                if terms is None:
                    return None
                kv, g, huu, huv = terms
                loss += kv if sign == 2 else -2 * kv  # each student pair appears twice, once from each side
                gi = gi + g * sign
                hii = hii + huu * sign
                if sign == 2:
                    blocks[(i, other)] = huv * 2
            for a_ in range(d):
                grad[i * d + a_, 0] = gi[a_, 0]
            blocks[(i, i)] = hii
        for (i, m), blk in blocks.items():
            for a_ in range(d):
                for b_ in range(d):
                    hess[i * d + a_, m * d + b_] = blk[a_, b_]
        return loss, grad, hess


def _mid(m):
    return np.asarray([[float(m[i, j].mid()) for j in range(m.ncols())] for i in range(m.nrows())])


def _positive_definite(B, hess, mu, Q):
    """Whether ``Q^T (H - mu I) Q`` has every Gershgorin disc right of 0 for every ``H`` enclosed (and ``Q`` is
    nonsingular, ``|Q^T Q - I|`` small enough in the same arithmetic)."""
    mat = B.f.arb_mat
    P = hess.nrows()
    q = mat([[float(x) for x in row] for row in Q])
    eye = mat(P, P)
    for i in range(P):
        eye[i, i] = B.num(1.0)
    M = q.transpose() * (hess - eye * B.num(mu)) * q
    for i in range(P):
        off = B.num(0.0)
        for j in range(P):
            if j != i:
                off += abs(M[i, j])
        if not (M[i, i] - off > 0):
            return False
    G = q.transpose() * q  # Q nonsingular: Q^T Q within a Gershgorin distance < 1 of I
    for i in range(P):
        off = B.num(0.0)
        for j in range(P):
            if j != i:
                off += abs(G[i, j])
        if not (G[i, i] - off > 0):
            return False
    return True


def certify_minimum(W, k=None, *, radius=None, prec=128) -> Certificate:
    """Prove (or fail to prove) that a strict local minimum of the Safran-Shamir loss lies within ``g / mu`` of
    ``W`` (see the module docstring for the theorem and how each of its conditions is checked).

    Args:
      W: student weights ``(n, k)`` (float64; the proof is about these exact numbers).
      k: teacher units (default: ``W``'s number of columns).
      radius: the ball's radius ``r``; default ``4 g / mu`` from float estimates
        (the proof needs ``g < mu r`` with the *proven* ``g`` and ``mu``).
      prec: bits of the balls' midpoints.

    Returns:
      :class:`Certificate` (``proven`` False with the reason when a condition fails).

    Raises:
      ValueError: ``W`` of the wrong shape or not finite, a radius that is not a positive finite number.
    """
    t0 = time.perf_counter()
    W = np.asarray(W, np.float64)
    k = int(W.shape[-1]) if k is None else int(k)
    W = _check_point(W, k)
    n = W.shape[0]
    at_point = enclosures(W, k, prec=prec)
    base = dict(
        k=k,
        n=n,
        radius=float("nan"),
        mu=0.0,
        grad_norm=float("nan"),
        distance=float("inf"),
        loss_lower=float("nan"),
        loss_upper=float("nan"),
        minimum_loss_lower=float("-inf"),
        spurious=False,
        float_min_eig=float("nan"),
    )

    def out(proven, reason, **kw):
        return Certificate(proven=proven, reason=reason, seconds=time.perf_counter() - t0, **{**base, **kw})

    if at_point is None:
        return out(
            False,
            "not proven: a unit is zero, or two units are parallel or antiparallel, at the point "
            "(the loss has no closed-form Hessian there)",
        )
    loss, grad, hess = at_point
    with _Ball(prec) as B:
        g_ball = _norm(grad).upper()  # |grad L(W0)| <= g, exactly
        g = float(g_ball)
        H0 = _mid(hess)
        lam, Q = np.linalg.eigh(0.5 * (H0 + H0.T))
        base.update(
            grad_norm=g, loss_lower=float(loss.lower()), loss_upper=float(loss.upper()), float_min_eig=float(lam[0])
        )
        if not lam[0] > 0:
            return out(
                False,
                f"not proven: the Hessian has a non-positive eigenvalue ({lam[0]:.3g}): a saddle or a "
                "degenerate point, not a strict minimum",
            )
        if radius is None:
            radius = max(4.0 * g / lam[0], 1e-300)
        elif isinstance(radius, bool) or not (
            isinstance(radius, (int, float)) and math.isfinite(radius) and radius > 0
        ):
            raise ValueError(f"radius must be a positive finite number, got {radius!r}")
        radius = float(radius)
        base["radius"] = radius
        box = enclosures(W, k, radius=radius, prec=prec)  # the box W0 +- r contains the ball B(W0, r)
        if box is None:
            return out(
                False,
                f"not proven: the ball of radius {radius:.3g} reaches a zero unit or a parallel or antiparallel pair",
            )
        _, _, hess_box = box
        mu = None
        for frac in (0.9, 0.7, 0.5, 0.25):
            if _positive_definite(B, hess_box, frac * lam[0], Q):
                mu = frac * lam[0]
                break
        if mu is None:
            return out(
                False,
                f"not proven: over the ball of radius {radius:.3g} the Hessian enclosure is not "
                f"positive definite down to {0.25 * lam[0]:.3g} (the float value at the point is "
                f"{lam[0]:.3g}); the point may not be near a minimum, or the ball is too wide",
            )
        base["mu"] = float(mu)
        if not (g_ball < B.num(mu) * B.num(radius)):
            return out(
                False,
                f"not proven: the gradient bound {g:.3g} is not below mu r = {mu * radius:.3g}: the "
                "point is not close enough to a stationary point for this ball",
            )
        low = (loss.lower() - g_ball**2 / (2 * B.num(mu))).lower()
        spurious = bool(low > 0)
        minimum_low = float(low)
        reason = (
            f"proven: a strict local minimum within {g / mu:.3g} of the point (Hessian >= {mu:.4g} on the ball of "
            f"radius {radius:.3g}; |grad| <= {g:.3g}); its loss is at least {minimum_low:.6g}"
            + (" > 0, so it is spurious" if spurious else "")
        )
        return out(True, reason, distance=float(g / mu), minimum_loss_lower=minimum_low, spurious=spurious)


def polish(W, k=None, *, steps=6):
    """Newton steps on the float64 loss from ``W`` (student weights ``(n, k)``): the iterate with the smallest
    gradient norm, and that norm.

    A descent run stops at a gradient of about its ``gtol``; a few Newton steps take a point next to a strict
    minimum to a gradient near rounding, which lets :func:`certify_minimum` use a small ball. Polishing only
    chooses the point: the proof is about the returned numbers, whatever they are.
    """
    import jax
    import jax.numpy as jnp

    from .deep import safran_shamir

    W = np.asarray(W, np.float64)
    k = int(W.shape[-1]) if k is None else int(k)
    W = _check_point(W, k)
    n = W.shape[0]
    problem = safran_shamir(k, n)
    if not jax.config.read("jax_enable_x64"):
        raise RuntimeError("polish needs float64: call jax.config.update('jax_enable_x64', True) first")
    f = lambda v: problem.population_loss([{"W": v.reshape(n, k)}])
    grad, hess = jax.jit(jax.grad(f)), jax.jit(jax.hessian(f))
    x = jnp.asarray(W.ravel(), jnp.float64)
    best, best_g = W, float(jnp.linalg.norm(grad(x)))
    for _ in range(steps):
        x = x - jnp.linalg.solve(hess(x), grad(x))
        gn = float(jnp.linalg.norm(grad(x)))
        if not np.isfinite(gn):  # a singular Hessian on the way: keep the best point
            break
        if gn < best_g:
            best, best_g = np.asarray(x).reshape(n, k), gn
    return best, best_g


def prove_points(points, k=None, *, prec=128, progress=None) -> list[dict]:
    """Polish each point (:func:`polish`) and try to prove it a spurious strict local minimum
    (:func:`certify_minimum`): one dict per point with the polished ``W``, how far polishing moved it
    (``moved``), and the certificate's fields."""
    out = []
    for i, W in enumerate(points):
        W0 = np.asarray(W, np.float64)
        P, _ = polish(W0, k)
        c = certify_minimum(P, k, prec=prec)
        out.append({"W": P, "moved": float(np.linalg.norm(P - W0)), **c.as_dict()})
        if progress is not None:
            progress(i + 1, len(points))
    return out


# ------------------------------------------------------------------ the level at infinity of the single neuron
@dataclass(frozen=True)
class LevelCertificate:
    """The outcome of :func:`prove_line_level`.

    Attributes:
      proven: whether every step of the argument was verified.
      reason: what was proven, or why not, in words.
      slopes: the student's slopes ``(l, r)`` left and right of its kink.
      level: the best linear fit's loss ``1/4 - 1/(2 pi)`` (as a float; the proof uses its exact value).
      k1: the split point of the compact part ``[-k1, k1]`` and the two tails.
      balls: how many balls of ``kappa`` the compact part took.
      min_gap: the smallest proven lower bound of ``D(kappa)`` over the balls (a margin, not used by the proof).
      seconds: the time the proof took.
    """

    proven: bool
    reason: str
    slopes: tuple[float, float]
    level: float
    k1: float
    balls: int
    min_gap: float
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


def _gap(B, k, l, r, side):
    """``D(kappa) = Var(h) / 4 - Cov(y, h)^2`` for ``h = l (kappa - x) + (r - l) relu(kappa - x)``, ``y = relu(x)``,
    ``x ~ N(0, 1)``, over a ball ``k`` of ``|kappa|`` (``side``: "right" for ``kappa >= 0``, "left" for ``kappa <= 0``),
    in the exact forms whose terms are all of the size of the Gaussian tail (no cancellation)."""
    g = r - l
    root2pi = (2 * B.pi).sqrt()
    phi = (-(k * k) / 2).exp() / root2pi
    Q = (k / B.f.arb(2).sqrt()).erfc() / 2  # P(x > |kappa|)
    m = phi - k * Q  # the tail's mean
    var = (k * k + 1) * Q - k * phi - m * m  # the tail's variance
    if side == "right":  # h = r (kappa - x) + g relu(x - kappa)
        return r * g * (Q / 2 - m / root2pi) + g * g * (var / 4 - (Q - m / root2pi) ** 2)
    # kappa <= 0: h = l (kappa - x) + g relu(kappa - x), and y relu(kappa - x) = 0
    return l * g * (Q / 2 - m / root2pi) + g * g * (var / 4 - m * m / (2 * B.pi))


def gap_enclosure(slopes, lo, hi, *, prec=128) -> tuple[float, float]:
    """A proven enclosure ``(lower, upper)`` of ``D(kappa)`` (see :func:`prove_line_level`) over ``kappa`` in
    ``[lo, hi]`` (both on one side of 0) for a student of slopes ``(l, r)``."""
    l, r = (float(s) for s in slopes)
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi) or (lo < 0 < hi):
        raise ValueError(f"[lo, hi] must be a finite interval on one side of 0, got [{lo!r}, {hi!r}]")
    side, a_, b_ = ("right", lo, hi) if lo >= 0 else ("left", -hi, -lo)
    with _Ball(prec) as B:
        arb = B.f.arb
        d = _gap(B, arb(a_).union(arb(b_)), B.num(l), B.num(r), side)
        return float(d.lower()), float(d.upper())


def prove_line_level(problem, *, k1=3.0, width=1e-3, prec=128) -> LevelCertificate:
    """Prove that no point of the single neuron with ``w < 0`` reaches the best linear fit's loss.

    The problem: ``f(x) = a s(w x + b) + c`` with a piecewise-linear student
    ``s`` of slopes ``0 <= l < r`` (relu, leaky relu), teacher ``y = relu(x)``,
    ``x ~ N(0, 1)``, loss ``E (f - y)^2``, all of ``w, b, a, c`` trained.

    Statement. For ``w < 0`` write ``kappa = -b / w`` (the kink) and ``h(x) =
    s(kappa - x)``; by positive homogeneity ``f = c + a |w| h``. For fixed
    ``kappa`` the loss is a quadratic in ``(A, c) = (a |w|, c)`` whose minimum is
    ``Var(y) - Cov(y, h)^2 / Var(h)``; the best linear fit's is ``level = Var(y)
    - Cov(y, x)^2 = 1/4 - 1/(2 pi)``. So at every point with ``w < 0``,

        L >= level + D(kappa) / Var(h),  D(kappa) = Var(h) / 4 - Cov(y, h)^2,

    and the theorem is ``D(kappa) > 0`` for every real ``kappa``: no finite point
    with ``w < 0`` has a loss at or below the level, which is approached only as
    ``|kappa| -> infinity`` (where ``h`` becomes linear on the bulk of the mass).

    Proof. With ``g = r - l``, ``Q = P(x > |kappa|)``, ``phi`` the density at
    ``kappa``, ``m = phi - |kappa| Q`` and ``T`` the tail ``relu(x - kappa)``
    (``kappa >= 0``) or ``relu(kappa - x)`` (``kappa < 0``), Stein's identity
    ``E x u(x) = E u'(x)`` gives the exact forms
    ``D = r g (Q/2 - m/sqrt(2 pi)) + g^2 (Var T / 4 - (Q - m/sqrt(2 pi))^2)``
    for ``kappa >= 0`` and ``D = l g (Q/2 - m/sqrt(2 pi)) + g^2 (Var T / 4 -
    m^2/(2 pi))`` for ``kappa < 0``. (i) On ``[-k1, k1]``: ``D`` is enclosed in
    ball arithmetic on balls of ``kappa`` (bisected until every lower bound is
    positive). (ii) ``kappa >= k1 >= 3``: Gordon's bounds ``phi k/(k^2+1) <= Q <=
    phi/k`` (Ann. Math. Stat. 12, 1941) give ``m <= phi/(k^2+1)``, ``Q/2 -
    m/sqrt(2 pi) >= phi/(4k)`` and ``0 <= Q - m/sqrt(2 pi) <= phi/k``; with ``Var T
    >= 0``, ``D >= (phi/k)(r g / 4 - g^2 phi / k) > 0`` once ``r k > 4 g phi(k)``,
    which holds for every ``k >= k1`` when it holds at ``k1`` (the left side
    grows, the right one falls). (iii) ``kappa <= -k1``: for ``l > 0`` the same
    bounds give ``D >= (phi/k)(l g/4 - g^2 phi/(2 pi k^3)) > 0`` once ``l k^3 > 2 g
    phi(k) / pi``, checked at ``k1``; for ``l = 0`` (relu), for every ``kappa <=
    0``, ``m^2 <= E T^2 P(T > 0)`` (Cauchy-Schwarz) with ``P(T > 0) <= 1/2`` gives
    ``m^2 <= Var T`` and ``D >= g^2 Var T (1/4 - 1/(2 pi)) > 0``. QED.

    What is not proven here: that a run stays at ``w < 0`` (measured; on the
    drift's valley floor ``w^2`` stays positive, :mod:`analysis.escape`).

    Returns:
      :class:`LevelCertificate` (``proven`` False, with the reason, for a problem the argument does not cover).
    """
    t0 = time.perf_counter()
    neuron = problem.as_neuron()
    cfg = neuron.config() if neuron is not None else {}
    slopes: list[float] = (
        [float(s) for s in neuron.student.slopes] if neuron is not None and neuron.student.piecewise_linear else []
    )
    level = 0.25 - 1.0 / (2.0 * math.pi)

    def out(proven, reason, balls=0, gap=float("nan")):
        return LevelCertificate(
            proven=proven,
            reason=reason,
            slopes=(slopes[0], slopes[1]) if len(slopes) == 2 else (float("nan"), float("nan")),
            level=level,
            k1=float(k1),
            balls=balls,
            min_gap=gap,
            seconds=time.perf_counter() - t0,
        )

    if neuron is None:
        return out(False, "not proven: the argument is about the single neuron a s(w x + b) + c")
    why = []
    if cfg["teacher"]["name"] != "relu":
        why.append(f"teacher {cfg['teacher']['name']} (the argument needs relu)")
    if cfg["inputs"].get("kind") != "gaussian":
        why.append(f"inputs {cfg['inputs']} (the argument needs N(0, 1))")
    if set(neuron.trained) != {"w", "b", "a", "c"}:
        why.append(f"trained {neuron.trained} (the argument needs w, b, a and c)")
    if len(slopes) != 2 or not (0 <= slopes[0] < slopes[1]):
        why.append(f"student {neuron.student.label} (the argument needs a piecewise-linear student with 0 <= l < r)")
    if isinstance(k1, bool) or not isinstance(k1, (int, float)) or not 3 <= k1 <= 40:
        raise ValueError(f"k1 must be a number in [3, 40], got {k1!r}")
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not 1e-6 <= width <= 1:
        raise ValueError(f"width must be a number in [1e-6, 1], got {width!r}")
    if why:
        return out(False, "not proven: " + "; ".join(why))
    l, r = slopes[0], slopes[1]
    with _Ball(prec) as B:
        arb = B.f.arb
        L_, R_, G = B.num(l), B.num(r), B.num(r - l)
        root2pi = (2 * B.pi).sqrt()
        K = B.num(k1)
        phiK = (-(K * K) / 2).exp() / root2pi
        if not (4 * G * phiK < R_ * K):
            return out(False, f"not proven: the right tail's condition r k1 > 4 g phi(k1) fails at k1 = {k1}")
        if l > 0 and not (2 * G * phiK / B.pi < L_ * K**3):
            return out(False, f"not proven: the left tail's condition l k1^3 > 2 g phi(k1)/pi fails at k1 = {k1}")
        # (i) the compact part, by bisection: each ball of |kappa| contains its claimed interval [lo, hi]
        regions = [(0.0, float(k1), "right")] + ([] if l == 0 else [(0.0, float(k1), "left")])
        balls, gap = 0, math.inf
        for lo, hi, side in regions:
            n0 = max(1, math.ceil((hi - lo) / width))
            ends = [lo + (hi - lo) * i / n0 for i in range(n0)] + [hi]
            stack = list(itertools.pairwise(ends))
            while stack:
                a_, b_ = stack.pop()
                d = _gap(B, arb(a_).union(arb(b_)), L_, R_, side)
                balls += 1
                if d > 0:
                    gap = min(gap, float(d.lower()))
                    continue
                if b_ - a_ < 1e-9 or balls > 2_000_000:
                    where = f"[{a_:.6g}, {b_:.6g}]" if side == "right" else f"[{-b_:.6g}, {-a_:.6g}]"
                    return out(False, f"not proven: D(kappa) is not proven positive on {where} (enclosure {d})", balls)
                mid = (a_ + b_) / 2
                stack += [(a_, mid), (mid, b_)]
        lo_end = 0.0 if l == 0 else -float(k1)
    tails = "relu's left side by Cauchy-Schwarz" if l == 0 else f"kappa <= -{k1:g} by Gordon's bounds"
    return out(
        True,
        f"proven: with student slopes ({l:g}, {r:g}), every point with w < 0 has loss > the best linear fit's "
        f"{level:.7f} (D(kappa) > 0 on {balls} balls of [{lo_end:g}, {k1:g}]; kappa >= {k1:g} by Gordon's bounds; "
        f"{tails}); the level is approached only as |kappa| -> infinity",
        balls,
        gap,
    )
