"""Minibatch loss and gradient in O(log B) per start from one sorted batch.

Contract
--------
For a piecewise-linear student ``a * act(w x + b) + c`` and teacher (relu,
leaky_relu, identity), on each of the at most four pieces of the batch where
the student's side of its kink (``w x + b > 0`` or not) and the teacher's side
(``x > 0`` or not) are fixed, ``f - y = p + q x`` is linear, so the batch loss
and its gradient need only the count and the sums of ``x`` and ``x^2`` over
each piece. :func:`prepare` sorts the batch once and takes prefix sums once;
:func:`loss_and_grad` then needs, per start, one binary search for the
student's kink (on the predicate ``w x + b > 0`` itself, so samples exactly at
the kink take the left slope, as ``jax.grad`` does) and a handful of
arithmetic. It equals ``jax.value_and_grad(batch_loss)`` on the same batch to
rounding.

Precision: float64 prefix sums are plain cumulative sums; float32 ones are
double-float (error-free TwoSum) prefix sums, so a piece's sum carries only
the float32 rounding of the result, even for batches of 10^5 and more.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from .population import accumulate
from .problem import Problem, full_params

__all__ = ["SortedBatch", "prepare", "loss_and_grad", "eligible"]


class SortedBatch(NamedTuple):
    """A batch sorted once, with prefix sums of 1, x and x^2.

    ``c1[k] = sum(x[:k])`` as ``c1_hi[k] + c1_lo[k]`` (``lo`` is zero in
    float64); the same for ``c2`` with ``x^2``. ``zero`` is the number of
    samples ``<= 0``.
    """

    x: jax.Array
    c1_hi: jax.Array
    c1_lo: jax.Array
    c2_hi: jax.Array
    c2_lo: jax.Array
    zero: jax.Array


def eligible(problem: Problem) -> bool:
    """Whether the fast path applies: student and teacher piecewise linear."""
    return problem.piecewise_linear


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _df_add(x, y):
    (ah, al), (bh, bl) = x, y
    s, e = _two_sum(ah, bh)
    e = e + (al + bl)
    h = s + e
    return h, e - (h - s)


def _prefix(v):
    """Exclusive prefix sums of ``v`` (length B + 1) as (hi, lo)."""
    zero = jnp.zeros((1,), v.dtype)
    if v.dtype == jnp.float64:
        return jnp.concatenate([zero, jnp.cumsum(v)]), jnp.zeros((v.shape[0] + 1,), v.dtype)
    hi, lo = jax.lax.associative_scan(_df_add, (v, jnp.zeros_like(v)))
    return jnp.concatenate([zero, hi]), jnp.concatenate([zero, lo])


def prepare(x) -> SortedBatch:
    """Sort a batch ``x`` of shape ``(B,)`` and take its prefix sums."""
    xs = jnp.sort(x)
    c1 = _prefix(xs)
    c2 = _prefix(xs * xs)
    zero = jnp.searchsorted(xs, jnp.zeros((), xs.dtype), side="right").astype(jnp.int32)
    return SortedBatch(xs, c1[0], c1[1], c2[0], c2[1], zero)


def _first_true(pred, n, shape):
    """First index in [0, n] where the monotone predicate ``pred(i)`` holds."""
    lo = jnp.zeros(shape, jnp.int32)
    hi = jnp.full(shape, n, jnp.int32)
    for _ in range(max(1, math.ceil(math.log2(n + 1)))):
        going = lo < hi
        mid = (lo + hi) // 2
        p = pred(jnp.minimum(mid, n - 1))
        hi = jnp.where(going & p, mid, hi)
        lo = jnp.where(going & ~p, mid + 1, lo)
    return lo


def _range_sum(hi_arr, lo_arr, i, j):
    return (hi_arr[j] - hi_arr[i]) + (lo_arr[j] - lo_arr[i])


def loss_and_grad(problem: Problem, params, batch: SortedBatch):
    """Batch loss ``mean((f - y)^2)`` and its gradient, elementwise in params.

    Args:
      problem: a problem with piecewise-linear student and teacher.
      params: trained parameters; arrays broadcast (one value per start).
      batch: from :func:`prepare`.

    Returns:
      ``(loss, grads)`` with ``grads`` a dict over the trained names.
    """
    w, b, a, c = jnp.broadcast_arrays(*full_params(problem, params))
    sl, sr = problem.student.slopes
    tl, tr = problem.teacher.slopes
    xs = batch.x
    n = xs.shape[0]
    neg = w < 0

    def pred(i):
        z_pos = w * xs[i] + b > 0
        return jnp.where(neg, ~z_pos, z_pos)

    k = _first_true(pred, n, w.shape)
    zero_i = jnp.zeros_like(k)
    n_i = jnp.full_like(k, n)
    # active: z > 0; for w >= 0 the samples from k on, for w < 0 those before k
    active = (jnp.where(neg, zero_i, k), jnp.where(neg, k, n_i))
    inactive = (jnp.where(neg, k, zero_i), jnp.where(neg, n_i, k))
    j0 = batch.zero
    inv_n = 1.0 / n
    pieces = []
    for s, (lo, hi) in ((sr, active), (sl, inactive)):
        for t, (u, v) in ((tl, (jnp.minimum(lo, j0), jnp.minimum(hi, j0))), (tr, (jnp.maximum(lo, j0), jnp.maximum(hi, j0)))):
            m0 = (v - u).astype(w.dtype) * inv_n
            m1 = _range_sum(batch.c1_hi, batch.c1_lo, u, v) * inv_n
            m2 = _range_sum(batch.c2_hi, batch.c2_lo, u, v) * inv_n
            pieces.append((s, t, m0, m1, m2))
    loss, grads = accumulate(pieces, w, b, a, c)
    named = dict(zip(("w", "b", "a", "c"), grads))
    return loss, {k_: named[k_] for k_ in problem.trained}
