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

__all__ = ["SortedBatch", "eligible", "loss_and_grad", "prepare"]


class SortedBatch(NamedTuple):
    """A batch sorted once, with exclusive prefix sums of x and x^2.

    ``sum(x[:k]) = c1_hi[k] + c1_lo[k]`` and ``sum(x[:k]**2) = c2_hi[k] +
    c2_lo[k]``, each of shape ``(B + 1,)``; the ``lo`` parts are None in
    float64. ``zero`` is the number of samples ``<= 0``.
    """

    x: jax.Array
    c1_hi: jax.Array
    c1_lo: jax.Array | None
    c2_hi: jax.Array
    c2_lo: jax.Array | None
    zero: jax.Array


def eligible(problem) -> bool:
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
    """Exclusive prefix sums of ``v`` (length B + 1) as (hi, lo or None)."""
    zero = jnp.zeros((1,), v.dtype)
    if v.dtype == jnp.float64:
        return jnp.concatenate([zero, jnp.cumsum(v)]), None
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


def loss_and_grad(problem, params, batch: SortedBatch):
    """Batch loss ``mean((f - y)^2)`` and its gradient, elementwise in params.

    Args:
      problem: a problem with piecewise-linear student and teacher.
      params: trained parameters; arrays broadcast (one value per start).
      batch: from :func:`prepare`.

    Returns:
      ``(loss, grads)`` with ``grads`` a dict over the trained names.
    """
    w, b, a, c = jnp.broadcast_arrays(*problem.full_params(params))
    sl, sr = problem.student.slopes
    tl, tr = problem.teacher.slopes
    xs = batch.x
    n = xs.shape[0]
    neg = w < 0

    def pred(i):
        z_pos = w * xs[i] + b > 0
        return jnp.where(neg, ~z_pos, z_pos)

    k = _first_true(pred, n, w.shape)
    j0 = batch.zero
    # Every piece end is one of 0, j0, k, n. With m = min(k, j0) and
    # M = max(k, j0) the batch falls into four cells [0, m), [m, j0), [j0, M),
    # [M, n); the prefix sums are gathered once per start, at k. (Separate
    # 1-D gathers: XLA on CPU handles them far better than one (S, 4) gather.)
    lt, gt = k < j0, k > j0
    m, big = jnp.minimum(k, j0), jnp.maximum(k, j0)

    def cells(at_k, col):
        at_j, at_n = col[j0], col[n]
        g_m = jnp.where(lt, at_k, at_j)
        g_big = jnp.where(gt, at_k, at_j)
        return [g_m, at_j - g_m, g_big - at_j, at_n - g_big]

    def packed_cells(hi, lo):
        if lo is None:
            return cells(hi[k], hi)
        # float32 (hi, lo) pairs travel as one complex64: one gather instead of two
        at_k = jax.lax.complex(hi, lo)[k]
        return [h + l for h, l in zip(cells(jnp.real(at_k), hi), cells(jnp.imag(at_k), lo))]

    s1 = packed_cells(batch.c1_hi, batch.c1_lo)
    s2 = packed_cells(batch.c2_hi, batch.c2_lo)
    cnt = [m, j0 - m, big - j0, n - big]
    inv_n = 1.0 / n

    def pick(i_pos, i_neg):
        # w >= 0: active = [k, n) = cells 1 (x <= 0) and 3; w < 0: [0, k) = cells 0 and 2
        return (
            jnp.where(neg, cnt[i_neg], cnt[i_pos]).astype(w.dtype) * inv_n,
            jnp.where(neg, s1[i_neg], s1[i_pos]) * inv_n,
            jnp.where(neg, s2[i_neg], s2[i_pos]) * inv_n,
        )

    pieces = [
        (sr, tl) + pick(1, 0),  # active, x <= 0
        (sr, tr) + pick(3, 2),  # active, x > 0
        (sl, tl) + pick(0, 1),  # inactive, x <= 0
        (sl, tr) + pick(2, 3),  # inactive, x > 0
    ]
    loss, grads = accumulate(pieces, w, b, a, c)
    named = dict(zip(("w", "b", "a", "c"), grads))
    return loss, {k_: named[k_] for k_ in problem.trained}
