"""Exact population loss ``L = E[(f(x) - y(x))^2]`` and its gradient.

Contract
--------
* :func:`population_loss` and :func:`population_loss_and_grad` are elementwise
  in the parameters: each parameter may be an array, shapes broadcast, and the
  result has the broadcast shape and the parameters' floating dtype.
* The loss is exact. For piecewise-linear students and teachers (relu,
  leaky_relu, identity) it is a closed form built from truncated moments
  ``M_k = E[x^k 1{u < x < v}]`` of the input distribution over the (at most
  four) intervals on which both ``f`` and ``y`` are linear: truncated-normal
  moments for Gaussian inputs, polynomial integrals for uniform inputs. For
  any other activation it is composite Gauss-Legendre quadrature split at the
  two kinks ``x = -b/w`` (student) and ``x = 0`` (teacher), where each piece
  is analytic, accurate to about 1e-13 in float64.
* The gradient is *defined* as the expectation of the per-sample gradient of
  ``(f - y)^2`` with the package's derivative convention at a kink (the left
  slope: relu'(0) = 0). It is exact everywhere, including on kinks: at
  ``w = 0`` of the no-bias ReLU problem it is exactly 0, as every minibatch
  gradient there is, although the loss has one-sided slopes 0 and -1 there.
  ``jax.grad`` of :func:`population_loss` returns this gradient (custom JVP);
  second derivatives (``jax.hessian``) are exact wherever the loss is twice
  differentiable.
"""
from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from .problem import PARAM_NAMES, Gaussian, Problem, full_params

__all__ = ["population_loss", "population_loss_and_grad", "student_moments", "active_fraction", "QUADRATURE"]

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)
# Beyond |x| = 40 the standard normal density underflows in float64 and float32:
# clipping interval ends there is exact for the closed form.
_GAUSS_CLIP = 40.0
# Quadrature truncates Gaussian inputs at |x| = 12: the neglected mass times any
# polynomial of moderate size is below 1e-30.
_QUAD_CLIP = 12.0

# Composite Gauss-Legendre rule used for non-piecewise-linear activations.
QUADRATURE = {"panels": 8, "nodes": 24}
_GL_X, _GL_W = np.polynomial.legendre.leggauss(QUADRATURE["nodes"])


def _intervals(w, b, lo, hi):
    """The student's active and inactive intervals, clipped to [lo, hi].

    Active: ``w x + b > 0``; inactive: ``w x + b <= 0`` (the kink belongs to
    the inactive side, matching the left-slope derivative convention).
    Returns ``((ua, va), (ui, vi))``; an empty interval has ``u == v``.
    """
    safe_w = jnp.where(w == 0, jnp.ones_like(w), w)
    xs = jnp.clip(-b / safe_w, lo, hi)
    pos, neg = w > 0, w < 0
    lo_ = jnp.full_like(xs, lo)
    hi_ = jnp.full_like(xs, hi)
    on = b > 0  # w == 0: active everywhere iff b > 0
    ua = jnp.where(pos, xs, jnp.where(neg, lo_, jnp.where(on, lo_, hi_)))
    va = jnp.where(pos, hi_, jnp.where(neg, xs, hi_))
    ui = jnp.where(pos, lo_, jnp.where(neg, xs, lo_))
    vi = jnp.where(pos, xs, jnp.where(neg, hi_, jnp.where(on, lo_, hi_)))
    return (ua, va), (ui, vi), xs


def _split(interval, cut):
    """Split [u, v] at ``cut`` into its parts left and right of it."""
    u, v = interval
    return (jnp.minimum(u, cut), jnp.minimum(v, cut)), (jnp.maximum(u, cut), jnp.maximum(v, cut))


def _gauss_cum(x):
    """Cumulative moments G_k(x) = E[X^k 1{X < x}], k = 0, 1, 2, for X ~ N(0, 1)."""
    phi = jnp.exp(-0.5 * x * x) * _INV_SQRT2PI
    cdf = 0.5 * jax.lax.erfc(-x * _INV_SQRT2)
    return cdf, -phi, cdf - x * phi


def _uniform_cum(x, lo, hi):
    """Cumulative moments G_k(x) = E[X^k 1{X < x}] for X ~ U(lo, hi), x in [lo, hi]."""
    inv = 1.0 / (hi - lo)
    return (
        (x - lo) * inv,
        (x * x - lo * lo) * (0.5 * inv),
        (x * x * x - lo**3) * (inv / 3.0),
    )


def _cum_const(x, gaussian, lo, hi):
    """G_k at a constant point, in Python floats (no tracing)."""
    if gaussian:
        phi = math.exp(-0.5 * x * x) * _INV_SQRT2PI
        cdf = 0.5 * math.erfc(-x * _INV_SQRT2)
        return cdf, -phi, cdf - x * phi
    x = min(max(x, lo), hi)
    inv = 1.0 / (hi - lo)
    return (x - lo) * inv, (x * x - lo * lo) * 0.5 * inv, (x**3 - lo**3) * inv / 3.0


def _closed_form(problem: Problem, w, b, a, c):
    """Loss and gradient for piecewise-linear student and teacher.

    Every interval end is one of ``lo``, ``0``, ``hi`` or the student's kink
    ``xs = -b/w`` (clipped to [lo, hi]), so the cumulative moments are computed
    once at ``xs`` (one erfc, one exp) and selected for each end.
    """
    sl, sr = problem.student.slopes
    tl, tr = problem.teacher.slopes
    gaussian = isinstance(problem.inputs, Gaussian)
    lo, hi = (-_GAUSS_CLIP, _GAUSS_CLIP) if gaussian else problem.inputs.support()
    cum = _gauss_cum if gaussian else partial(_uniform_cum, lo=lo, hi=hi)
    active, inactive, xs = _intervals(w, b, lo, hi)
    at_xs = cum(xs)
    consts = {v: _cum_const(v, gaussian, lo, hi) for v in (lo, 0.0, hi)}

    def cum_at(e):
        # e is always exactly one of lo, 0, hi, xs (min/max/where keep values).
        out = []
        for k in range(3):
            g = jnp.where(e == xs, at_xs[k], consts[hi][k])
            g = jnp.where((e == 0.0) & (xs != 0.0), consts[0.0][k], g)
            g = jnp.where((e == lo) & (xs != lo), consts[lo][k], g)
            out.append(g)
        return out

    pieces = []
    for s, interval in ((sr, active), (sl, inactive)):
        for t, (u, v) in zip((tl, tr), _split(interval, 0.0)):
            m0, m1, m2 = (gv - gu for gu, gv in zip(cum_at(u), cum_at(v)))
            pieces.append((s, t, m0, m1, m2))
    return accumulate(pieces, w, b, a, c)


def accumulate(pieces, w, b, a, c):
    """Loss and gradient from the moments of the pieces where f - y is linear.

    Args:
      pieces: ``(s, t, m0, m1, m2)`` per piece: the student's slope ``s`` and
        the teacher's slope ``t`` there, and the moments ``E[x^k 1{piece}]``
        (expectations, or batch sums divided by the batch size).
      w, b, a, c: the student's parameters (arrays of one shape).

    Returns:
      ``(loss, (dL/dw, dL/db, dL/da, dL/dc))`` with ``f - y = p + q x`` on a
      piece, ``p = a s b + c``, ``q = a s w - t``.
    """
    loss = jnp.zeros_like(w)
    gw, gb, ga, gc = (jnp.zeros_like(w) for _ in range(4))
    for s, t, m0, m1, m2 in pieces:
        p = a * s * b + c
        q = a * s * w - t
        e0 = p * m0 + q * m1  # E[(f - y) 1]
        e1 = p * m1 + q * m2  # E[(f - y) x]
        loss = loss + p * p * m0 + 2.0 * p * q * m1 + q * q * m2
        gw = gw + 2.0 * a * s * e1
        gb = gb + 2.0 * a * s * e0
        ga = ga + 2.0 * s * (b * e0 + w * e1)
        gc = gc + 2.0 * e0
    return loss, (gw, gb, ga, gc)


def _quadrature(problem: Problem, w, b, a, c):
    """Loss and gradient by composite Gauss-Legendre split at the kinks."""
    dtype = w.dtype
    gaussian = isinstance(problem.inputs, Gaussian)
    lo, hi = (-_QUAD_CLIP, _QUAD_CLIP) if gaussian else problem.inputs.support()
    safe_w = jnp.where(w == 0, jnp.ones_like(w), w)
    xs = jnp.where(w == 0, jnp.full_like(w, lo), jnp.clip(-b / safe_w, lo, hi))
    k1, k2 = jnp.minimum(xs, 0.0), jnp.maximum(xs, 0.0)
    k1, k2 = jnp.clip(k1, lo, hi), jnp.clip(k2, lo, hi)
    ends = [jnp.full_like(w, lo), k1, k2, jnp.full_like(w, hi)]
    panels = QUADRATURE["panels"]
    frac = jnp.asarray(np.arange(panels + 1) / panels, dtype)
    gx = jnp.asarray(_GL_X, dtype)
    gwts = jnp.asarray(_GL_W, dtype)
    # nodes: (..., segments, panels, nodes)
    us = jnp.stack(ends[:-1], -1)[..., None]
    vs = jnp.stack(ends[1:], -1)[..., None]
    edges = us + (vs - us) * frac  # (..., 3, panels + 1)
    left, right = edges[..., :-1, None], edges[..., 1:, None]
    half = 0.5 * (right - left)
    x = left + half * (gx + 1.0)
    wts = half * gwts
    if gaussian:
        wts = wts * jnp.exp(-0.5 * x * x) * _INV_SQRT2PI
    else:
        wts = wts / (hi - lo)
    ex = (Ellipsis,) + (None,) * 3
    wb, bb, ab, cb = w[ex], b[ex], a[ex], c[ex]
    z = wb * x + bb
    act, dact = jax.jvp(problem.student, (z,), (jnp.ones_like(z),))
    r = ab * act + cb - problem.teacher(x)
    axes = (-3, -2, -1)
    loss = jnp.sum(wts * r * r, axes)
    gw = jnp.sum(wts * 2.0 * r * ab * dact * x, axes)
    gb = jnp.sum(wts * 2.0 * r * ab * dact, axes)
    ga = jnp.sum(wts * 2.0 * r * act, axes)
    gc = jnp.sum(wts * 2.0 * r, axes)
    return loss, (gw, gb, ga, gc)


def _loss_and_grad_full(problem: Problem, w, b, a, c):
    w, b, a, c = jnp.broadcast_arrays(w, b, a, c)
    if problem.piecewise_linear:
        return _closed_form(problem, w, b, a, c)
    return _quadrature(problem, w, b, a, c)


@partial(jax.custom_jvp, nondiff_argnums=(0,))
def _loss(problem, w, b, a, c):
    return _loss_and_grad_full(problem, w, b, a, c)[0]


@_loss.defjvp
def _loss_jvp(problem, primals, tangents):
    loss, grads = _loss_and_grad_full(problem, *primals)
    tangent = sum(g * t for g, t in zip(grads, tangents))
    return loss, tangent


def population_loss(problem: Problem, params):
    """Exact population loss ``E[(f - y)^2]`` under the problem's inputs.

    Args:
      problem: the problem.
      params: dict of the trained parameters; values broadcast elementwise.

    Returns:
      Array of the broadcast shape, in the parameters' floating dtype.
      ``jax.grad`` of it is the expectation of the per-sample gradient.

    Raises:
      ValueError, TypeError: params not matching ``problem.trained``.

    Example:
      >>> p = Problem()  # relu student and teacher, Gaussian inputs, trained w
      >>> float(population_loss(p, {"w": -2.0}))  # w**2/2 + 1/2
      2.5
    """
    return _loss(problem, *full_params(problem, params))


def population_loss_and_grad(problem: Problem, params):
    """Exact loss and gradient, elementwise (no autodiff, cheaper on grids).

    Returns:
      ``(loss, grads)`` where ``grads`` maps each trained name to an array of
      the loss's shape.
    """
    loss, grads = _loss_and_grad_full(problem, *full_params(problem, params))
    named = dict(zip(PARAM_NAMES, grads))
    return loss, {k: named[k] for k in problem.trained}


def student_moments(problem: Problem, params):
    """Exact mean and variance of the student's output under the inputs.

    ``Var f = 0`` exactly when the student is constant on the input support
    (a dead unit). Computed as the loss against the zero teacher:
    ``E[f^2] = L_0`` and ``E[f] = (dL_0/dc) / 2``.

    Returns:
      ``(mean, variance)``, elementwise in the parameters.
    """
    from dataclasses import replace

    zero = replace(problem, teacher="zero")
    second, grads = _loss_and_grad_full(zero, *full_params(problem, params))
    mean = 0.5 * grads[3]
    return mean, jnp.maximum(second - mean * mean, 0.0)


def active_fraction(problem: Problem, params):
    """Probability under the inputs that the pre-activation ``w x + b`` is > 0.

    Exact (normal or uniform CDF at the kink ``-b/w``); elementwise.
    """
    w, b, _, _ = jnp.broadcast_arrays(*full_params(problem, params))
    gaussian = isinstance(problem.inputs, Gaussian)
    lo, hi = (-_GAUSS_CLIP, _GAUSS_CLIP) if gaussian else problem.inputs.support()
    (ua, va), _, _ = _intervals(w, b, lo, hi)
    if gaussian:
        # upper tails by erfc: accurate far out on either side
        tail = lambda x: 0.5 * jax.lax.erfc(x * _INV_SQRT2)
        return tail(ua) - tail(va)
    return (va - ua) / (hi - lo)
