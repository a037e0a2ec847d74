"""Closed-form Gaussian expectations of ReLU units (arc-cosine kernel).

Contract
--------
* :func:`relu_kernel` is ``E[relu(u.x) relu(v.x)]`` for ``x ~ N(0, I_d)``
  (Cho & Saul's first-order arc-cosine kernel), with the angle from
  ``atan2`` so that nearly parallel and antiparallel vectors keep full
  precision (``arccos`` of a cosine rounds them to exactly 0 or pi).
* :func:`relu_mean` is ``E[relu(u.x)] = |u| / sqrt(2 pi)``.
* :func:`expand_units` rewrites a layer of a piecewise-linear activation with
  its kink at 0 as ReLU units: ``act(z) = r relu(z) - l relu(-z)`` with
  ``(l, r)`` the activation's slopes.
* :func:`shallow_moments` gives ``E[g]`` and ``E[g^2]`` of any
  ``g(x) = sum_i a_i relu(u_i.x) + c`` exactly and :func:`shallow_inner`
  ``E[g1 g2]``; the population loss of a one-hidden-layer, bias-free network
  against another is ``E[f^2] - 2 E[f g] + E[g^2]``. Every function is
  differentiable (zero, not NaN, gradients at the zero vector), and its
  Hessian is the true one at parallel and antiparallel units (every student
  unit equals a teacher unit at a teacher-student global minimum).
"""

from __future__ import annotations

import math

import jax.numpy as jnp

__all__ = ["expand_units", "relu_gram", "relu_kernel", "relu_mean", "safe_norm", "shallow_inner", "shallow_moments"]


def safe_norm(x):
    """Euclidean norm over the last axis with a zero (not NaN) gradient at 0."""
    s = jnp.sum(x * x, axis=-1)
    pos = s > 0
    return jnp.where(pos, jnp.sqrt(jnp.where(pos, s, 1.0)), 0.0)


def _g(t):
    """``sin t - t cos t`` (= t^3/3 - t^5/30 + ...), by its series below 0.1 (no cancellation there)."""
    small = t < 0.1
    ts = jnp.where(small, t, 0.0)
    t2 = ts * ts
    series = ts * t2 * (1.0 / 3.0 - t2 * (1.0 / 30.0 - t2 * (1.0 / 840.0 - t2 / 45360.0)))
    tl = jnp.where(small, 1.0, t)
    return jnp.where(small, series, jnp.sin(tl) - tl * jnp.cos(tl))


def _safe_sqrt(x):
    """``sqrt(max(x, 0))`` with a zero (not infinite) derivative at 0."""
    pos = x > 0
    return jnp.where(pos, jnp.sqrt(jnp.where(pos, x, 1.0)), 0.0)


def _unit(u, nu):
    return u / jnp.where(nu > 0, nu, 1.0)[..., None]


def _kernel(nu, nv, c):
    """The arc-cosine kernel from the norms and the cosine of the angle (see :func:`relu_kernel`)."""
    cc = jnp.clip(c, -1.0, 1.0)  # for the angle only: the linear term u.v / 2 keeps its derivatives
    diff, summ = _safe_sqrt(2.0 - 2.0 * cc), _safe_sqrt(2.0 + 2.0 * cc)  # |u^ - v^| and |u^ + v^|
    t = 2.0 * jnp.arctan2(diff, summ)  # the angle
    s = 2.0 * jnp.arctan2(summ, diff)  # pi - the angle
    near = nu * nv / (2.0 * jnp.pi)
    return jnp.where(t <= jnp.pi / 2, near * (jnp.pi * c + _g(t)), near * _g(s))


def relu_kernel(u, v):
    """``E[relu(u.x) relu(v.x)]`` for ``x ~ N(0, I)``, broadcasting over leading axes.

    ``= |u||v| (sin t + (pi - t) cos t) / (2 pi)`` with ``t`` the angle
    between ``u`` and ``v``. Written as ``u.v / 2 + |u||v| g(t) / (2 pi)`` for
    ``t <= pi/2`` and ``|u||v| g(pi - t) / (2 pi)`` beyond, with
    ``g(t) = sin t - t cos t = O(t^3)``: the kernel is smooth at parallel and
    antiparallel units although the angle is not, and in these forms its
    first and second derivatives there are the true ones (the angle's
    derivative, taken as 0 where it is undefined, only ever multiplies ``g``
    or ``g'``, which vanish there). The angle comes from the inner product
    alone (``2 atan2(|u^ - v^|, |u^ + v^|)`` with ``|u^ -+ v^|^2 = 2 -+ 2
    cos t`` and ``cos t = u^.v^`` from the unit vectors, so tiny units never
    underflow), so a kernel matrix costs one matrix product (:func:`relu_gram`);
    near parallel units the angle carries an absolute error of about
    ``sqrt(eps)``, which reaches the kernel only through ``g(t) = O(t^3)``:
    about ``eps^1.5`` in the value, ``eps`` in the gradient and ``sqrt(eps)``
    (relative to ``|u||v|``) in the Hessian, and none at exactly parallel or
    antiparallel units.
    """
    nu, nv = safe_norm(u), safe_norm(v)
    return _kernel(nu, nv, jnp.sum(_unit(u, nu) * _unit(v, nv), axis=-1))


def relu_gram(U, V):
    """The kernel matrix ``K[i, j] = relu_kernel(U[i], V[j])`` from one matrix product (memory ``O(n m)``)."""
    nu, nv = safe_norm(U), safe_norm(V)
    return _kernel(nu[:, None], nv[None, :], _unit(U, nu) @ _unit(V, nv).T)


def relu_mean(u):
    """``E[relu(u.x)] = |u| / sqrt(2 pi)`` for ``x ~ N(0, I)``."""
    return safe_norm(u) / math.sqrt(2.0 * math.pi)


def expand_units(activation, W, a):
    """ReLU units ``(U, coef)`` equal to ``sum_i a_i act(W_i . x)``.

    Args:
      activation: a resolved piecewise-linear activation with its kink at 0.
      W: unit weights ``(n, d)``; a: output weights ``(n,)``.

    Returns:
      ``U`` of shape ``(m, d)`` and ``coef`` of shape ``(m,)``: ``W`` for a
      nonzero right slope and ``-W`` for a nonzero left slope (``m = n`` for
      ReLU, ``2n`` for LeakyReLU, none for the zero activation).
    """
    left, right = activation.slopes
    parts = ([(W, right * a)] if right != 0 else []) + ([(-W, -left * a)] if left != 0 else [])
    if not parts:
        return W[:0], a[:0]
    return jnp.concatenate([u for u, _ in parts], 0), jnp.concatenate([c for _, c in parts], 0)


def shallow_inner(U1, c1, U2, c2):
    """``E[g1 g2]`` for ``g(x) = sum_i c_i relu(U_i . x)``, ``x ~ N(0, I)``."""
    return c1 @ relu_gram(U1, U2) @ c2


def shallow_moments(U, coef, const=0.0):
    """``(E[g], E[g^2])`` of ``g(x) = sum_i coef_i relu(U_i . x) + const``, ``x ~ N(0, I)``."""
    m = relu_mean(U)
    K = relu_gram(U, U)
    mean = jnp.dot(coef, m) + const
    second = coef @ K @ coef + 2.0 * const * jnp.dot(coef, m) + const * const
    return mean, second
