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

__all__ = ["safe_norm", "relu_kernel", "relu_mean", "expand_units", "shallow_moments", "shallow_inner"]


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


def relu_kernel(u, v):
    """``E[relu(u.x) relu(v.x)]`` for ``x ~ N(0, I)``, broadcasting over leading axes.

    ``= |u||v| (sin t + (pi - t) cos t) / (2 pi)`` with ``t`` the angle
    between ``u`` and ``v``. Written as ``u.v / 2 + |u||v| g(t) / (2 pi)`` for
    ``t <= pi/2`` and ``|u||v| g(pi - t) / (2 pi)`` beyond, with
    ``g(t) = sin t - t cos t = O(t^3)``: the kernel is smooth at parallel and
    antiparallel units although the angle is not, and in these forms its
    first and second derivatives there are the true ones (the angle's
    undefined derivative only ever multiplies ``g`` or ``g'``, which vanish).
    Both angles come from ``atan2`` of the unit vectors' difference and sum,
    so nearly parallel and antiparallel units keep full precision.
    """
    nu, nv = safe_norm(u), safe_norm(v)
    uu = u / jnp.where(nu > 0, nu, 1.0)[..., None]
    vv = v / jnp.where(nv > 0, nv, 1.0)[..., None]
    diff, summ = safe_norm(uu - vv), safe_norm(uu + vv)
    t = 2.0 * jnp.arctan2(diff, summ)  # the angle, accurate near 0
    s = 2.0 * jnp.arctan2(summ, diff)  # pi - the angle, accurate near pi
    near = nu * nv / (2.0 * jnp.pi)
    dot = jnp.sum(u * v, axis=-1)
    return jnp.where(t <= jnp.pi / 2, 0.5 * dot + near * _g(t), near * _g(s))


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
    return c1 @ relu_kernel(U1[:, None, :], U2[None, :, :]) @ c2


def shallow_moments(U, coef, const=0.0):
    """``(E[g], E[g^2])`` of ``g(x) = sum_i coef_i relu(U_i . x) + const``, ``x ~ N(0, I)``."""
    m = relu_mean(U)
    K = relu_kernel(U[:, None, :], U[None, :, :])
    mean = jnp.dot(coef, m) + const
    second = coef @ K @ coef + 2.0 * const * jnp.dot(coef, m) + const * const
    return mean, second
