"""Exact population loss ``L = E[(f(x) - y(x))^2]`` and its gradient.

Contract
--------
* :func:`population_loss` and :func:`population_loss_and_grad` are elementwise
  in the parameters: each parameter may be an array, shapes broadcast, and the
  result has the broadcast shape and the parameters' floating dtype.
* The loss is exact. For piecewise-linear students and teachers (relu,
  leaky_relu, identity) it is a closed form built from truncated moments
  ``M_k = E[x^k 1{u < x < v}]`` of the input distribution over the (at most
  four) intervals on which both ``f`` and ``y`` are linear (the distribution's
  ``cumulative_moments``: truncated-normal moments for Gaussian inputs,
  polynomial integrals for uniform inputs). For any other activation it is the
  distribution's composite Gauss-Legendre quadrature (``QUADRATURE`` panels
  and nodes) split at the two kinks ``x = -b/w`` (student) and ``x = 0``
  (teacher), where each piece is analytic, accurate to about 1e-13 in float64.
* Extreme finite parameters give finite losses, or ``+inf`` where the true
  value overflows the dtype; never NaN. Non-finite concrete parameters are
  refused by the public functions.
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

from dataclasses import replace
from functools import partial

import jax
import jax.numpy as jnp

__all__ = [
    "QUADRATURE",
    "accumulate",
    "active_fraction",
    "loss_and_grad_elementwise",
    "population_loss",
    "population_loss_and_grad",
    "student_moments",
    "unit_power",
]

# Composite Gauss-Legendre rule of the single neuron: panels per segment between kinks, nodes per panel.
QUADRATURE = {"panels": 8, "nodes": 24}


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


def _closed_form(problem, w, b, a, c):
    """Loss and gradient for piecewise-linear student and teacher.

    Every interval end is one of ``lo``, ``0``, ``hi`` or the student's kink
    ``xs = -b/w`` (clipped to [lo, hi]), so the cumulative moments are computed
    once at ``xs`` (one erfc, one exp) and selected for each end.
    """
    sl, sr = problem.student.slopes
    tl, tr = problem.teacher.slopes
    dist = problem.inputs
    lo, hi = dist.closed_form_range()
    active, inactive, xs = _intervals(w, b, lo, hi)
    at_xs = dist.cumulative_moments(xs)
    consts = {v: dist.cumulative_moments(float(v)) for v in (lo, 0.0, hi)}

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


def _quadrature(problem, w, b, a, c):
    """Loss and gradient by the inputs' composite Gauss-Legendre rule, split at the kinks."""
    dist = problem.inputs
    lo, hi = dist.quadrature_range()
    safe_w = jnp.where(w == 0, jnp.ones_like(w), w)
    xs = jnp.where(w == 0, jnp.full_like(w, lo), jnp.clip(-b / safe_w, lo, hi))
    k1, k2 = jnp.minimum(xs, 0.0), jnp.maximum(xs, 0.0)
    k1, k2 = jnp.clip(k1, lo, hi), jnp.clip(k2, lo, hi)
    ends = jnp.stack([jnp.full_like(w, lo), k1, k2, jnp.full_like(w, hi)], -1)
    x, wts = dist.quadrature(ends, panels=QUADRATURE["panels"], nodes=QUADRATURE["nodes"], dtype=w.dtype)
    wb, bb, ab, cb = w[..., None], b[..., None], a[..., None], c[..., None]
    z = wb * x + bb
    act, dact = jax.jvp(problem.student, (z,), (jnp.ones_like(z),))
    r = ab * act + cb - problem.teacher(x)
    loss = jnp.sum(wts * r * r, -1)
    gw = jnp.sum(wts * 2.0 * r * ab * dact * x, -1)
    gb = jnp.sum(wts * 2.0 * r * ab * dact, -1)
    ga = jnp.sum(wts * 2.0 * r * act, -1)
    gc = jnp.sum(wts * 2.0 * r, -1)
    return loss, (gw, gb, ga, gc)


def loss_and_grad_elementwise(problem, w, b, a, c):
    """Exact loss and gradient ``(dL/dw, dL/db, dL/da, dL/dc)``, elementwise in broadcast arrays.

    A loss that overflows (finite parameters whose loss exceeds the dtype's
    range) is ``+inf``, not NaN.
    """
    w, b, a, c = jnp.broadcast_arrays(w, b, a, c)
    if problem.piecewise_linear:
        loss, grads = _closed_form(problem, w, b, a, c)
    else:
        loss, grads = _quadrature(problem, w, b, a, c)
    finite = jnp.isfinite(w) & jnp.isfinite(b) & jnp.isfinite(a) & jnp.isfinite(c)
    loss = jnp.where(finite & jnp.isnan(loss), jnp.inf, loss)
    return loss, grads


@partial(jax.custom_jvp, nondiff_argnums=(0,))
def _loss(problem, w, b, a, c):
    return loss_and_grad_elementwise(problem, w, b, a, c)[0]


@_loss.defjvp
def _loss_jvp(problem, primals, tangents):
    loss, grads = loss_and_grad_elementwise(problem, *primals)
    tangent = sum(g * t for g, t in zip(grads, tangents))
    return loss, tangent


def loss_elementwise(problem, w, b, a, c):
    """The loss alone, differentiable: ``jax.grad`` of it is the per-sample-convention gradient."""
    return _loss(problem, w, b, a, c)


def population_loss(problem, params):
    """Exact population loss ``E[(f - y)^2]`` under the problem's inputs.

    Args:
      problem: a :class:`landscape.Problem`.
      params: dict of the trained parameters; values broadcast elementwise.

    Returns:
      Array of the broadcast shape, in the parameters' floating dtype.
      ``jax.grad`` of it is the expectation of the per-sample gradient.

    Raises:
      ValueError, TypeError: params not matching ``problem.trained``, or
        concrete values that are not finite real numbers.

    Example:
      >>> p = Problem()  # relu student and teacher, Gaussian inputs, trained w
      >>> float(population_loss(p, {"w": -2.0}))  # w**2/2 + 1/2
      2.5
    """
    return _loss(problem, *problem.full_params(params))


def population_loss_and_grad(problem, params):
    """Exact loss and gradient, elementwise (no autodiff, cheaper on grids).

    Returns:
      ``(loss, grads)`` where ``grads`` maps each trained name to an array of
      the loss's shape.
    """
    loss, grads = loss_and_grad_elementwise(problem, *problem.full_params(params))
    named = dict(zip(("w", "b", "a", "c"), grads))
    return loss, {k: named[k] for k in problem.trained}


def student_moments(problem, params):
    """Exact mean and variance of the student's output under the inputs.

    ``Var f = 0`` exactly when the student is constant on the input support
    (a dead unit). Computed as the loss against the zero teacher:
    ``E[f^2] = L_0`` and ``E[f] = (dL_0/dc) / 2``.

    Returns:
      ``(mean, variance)``, elementwise in the parameters.
    """
    zero = replace(problem, teacher="zero")
    second, grads = loss_and_grad_elementwise(zero, *problem.full_params(params))
    mean = 0.5 * grads[3]
    return mean, jnp.maximum(second - mean * mean, 0.0)


def unit_power(problem, params):
    """``E[act(w x + b)^2]``: the mean square of the unit's own output (before ``a`` and ``c``), elementwise.

    0 exactly when the unit is switched off on the whole input support; it
    says how far from that a unit is, whatever its output weight.
    """
    w, b, a, c = problem.full_params(params)
    zero = replace(problem, teacher="zero")
    return loss_and_grad_elementwise(zero, w, b, jnp.ones_like(a), jnp.zeros_like(c))[0]


def active_fraction(problem, params):
    """Probability under the inputs that the pre-activation ``w x + b`` is > 0.

    Exact (the distribution's upper tail at the interval ends); elementwise.
    """
    w, b, _, _ = jnp.broadcast_arrays(*problem.full_params(params))
    lo, hi = problem.inputs.closed_form_range()
    (ua, va), _, _ = _intervals(w, b, lo, hi)
    tail = problem.inputs.upper_tail
    return tail(ua) - tail(va)
