"""Optimizers by name, built from Optax, plus Keras' definitions of Adam/AMSGrad.

Contract
--------
* :func:`optimizer` returns an ``optax.GradientTransformation`` wrapped in
  ``optax.inject_hyperparams``: its numeric hyperparameters live in the
  optimizer state, so :func:`landscape.train` can give every start its own
  learning rate or momentum (phase diagrams) without recompiling. The same
  name and settings return the same object (cached), so repeated calls hit
  the compilation cache.
* Defaults are Keras' (the original experiment's framework): learning rate
  0.01 for SGD and its momentum variants, 0.001 for the adaptive methods.
* Keras and Optax define Adam differently. Optax (Kingma & Ba 2015, Alg. 1)
  updates ``-lr * m_hat / (sqrt(v_hat) + eps)`` with bias-corrected moments
  and ``eps = 1e-8``. Keras (``keras.optimizers.Adam``) updates
  ``-lr_t * m / (sqrt(v) + eps)`` with ``lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)``
  and ``eps = 1e-7``: epsilon is added to the *uncorrected* root, i.e. it acts
  as ``eps / sqrt(1 - b2^t)`` in Optax's form, large early on. For AMSGrad,
  Optax keeps the running maximum of the bias-corrected ``v_hat``; Keras keeps
  the maximum of the raw ``v`` and corrects afterwards through ``lr_t``. Use
  ``adam_keras`` / ``amsgrad_keras`` to reproduce Keras numbers.
* Validation happens before anything is built: unknown names list the known
  ones; hyperparameters out of range raise ``ValueError``.
"""
from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = ["optimizer", "OPTIMIZERS", "HYPERPARAM_RANGES", "check_hyperparam", "resolve_hyperparams", "describe",
           "scale_by_adam_keras", "adam_keras", "amsgrad_keras", "project_box"]


class ScaleByAdamKerasState(NamedTuple):
    count: jax.Array
    mu: Any
    nu: Any
    nu_max: Any


def scale_by_adam_keras(b1=0.9, b2=0.999, eps=1e-7, amsgrad=False) -> optax.GradientTransformation:
    """Keras' Adam direction (without the learning rate).

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
    ``v_max <- max(v_max, v)`` (AMSGrad only),
    ``update = sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v or v_max) + eps)``.
    """

    def init_fn(params):
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        return ScaleByAdamKerasState(jnp.zeros([], jnp.int32), zeros, zeros, zeros)

    def update_fn(updates, state, params=None):
        del params
        count = state.count + 1
        mu = jax.tree_util.tree_map(lambda m, g: m + (g - m) * (1 - b1), state.mu, updates)
        nu = jax.tree_util.tree_map(lambda v, g: v + (g * g - v) * (1 - b2), state.nu, updates)
        nu_max = jax.tree_util.tree_map(jnp.maximum, state.nu_max, nu) if amsgrad else state.nu_max
        denom_src = nu_max if amsgrad else nu

        def direction(m, v):
            t = count.astype(m.dtype)
            scale = jnp.sqrt(1 - b2**t) / (1 - b1**t)
            return scale * m / (jnp.sqrt(v) + eps)

        out = jax.tree_util.tree_map(direction, mu, denom_src)
        return out, ScaleByAdamKerasState(count, mu, nu, nu_max)

    return optax.GradientTransformation(init_fn, update_fn)


@functools.lru_cache(maxsize=64)
def project_box(lo: tuple, hi: tuple) -> optax.GradientTransformation:
    """Keep parameters in a box: updates become ``clip(params + u, lo, hi) - params``.

    Chain it after an optimizer (``optax.chain(optax.adam(1e-2), project_box(lo, hi))``)
    for projected descent. ``lo`` and ``hi`` are tuples with one bound per
    leaf of the parameters (in tree order); the same bounds return the same
    transformation (no recompilation).
    """

    def init_fn(params):
        return optax.EmptyState()

    def update_fn(updates, state, params=None):
        leaves, treedef = jax.tree_util.tree_flatten(params)
        ups = jax.tree_util.tree_leaves(updates)
        out = [jnp.clip(p + u, l, h) - p for p, u, l, h in zip(leaves, ups, lo, hi)]
        return jax.tree_util.tree_unflatten(treedef, out), state

    return optax.GradientTransformation(init_fn, update_fn)


def adam_keras(learning_rate=0.001, b1=0.9, b2=0.999, eps=1e-7):
    """Adam as Keras defines it (see the module docstring)."""
    return optax.chain(scale_by_adam_keras(b1, b2, eps, amsgrad=False), optax.scale(-learning_rate))


def amsgrad_keras(learning_rate=0.001, b1=0.9, b2=0.999, eps=1e-7):
    """AMSGrad as Keras defines it: maximum of the raw second moment."""
    return optax.chain(scale_by_adam_keras(b1, b2, eps, amsgrad=True), optax.scale(-learning_rate))


def _sgd(learning_rate=0.01):
    return optax.sgd(learning_rate)


def _momentum(learning_rate=0.01, momentum=0.9):
    return optax.sgd(learning_rate, momentum=momentum)


def _nesterov(learning_rate=0.01, momentum=0.9):
    return optax.sgd(learning_rate, momentum=momentum, nesterov=True)


def _adam(learning_rate=0.001, b1=0.9, b2=0.999, eps=1e-8):
    return optax.adam(learning_rate, b1=b1, b2=b2, eps=eps)


def _amsgrad(learning_rate=0.001, b1=0.9, b2=0.999, eps=1e-8):
    return optax.amsgrad(learning_rate, b1=b1, b2=b2, eps=eps)


def _rmsprop(learning_rate=0.001, decay=0.9, eps=1e-7):
    return optax.rmsprop(learning_rate, decay=decay, eps=eps)


def _adagrad(learning_rate=0.001, initial_accumulator_value=0.1, eps=1e-7):
    return optax.adagrad(learning_rate, initial_accumulator_value=initial_accumulator_value, eps=eps)


# name -> (factory, Keras-style defaults)
OPTIMIZERS = {
    "sgd": (_sgd, {"learning_rate": 0.01}),
    "momentum": (_momentum, {"learning_rate": 0.01, "momentum": 0.9}),
    "nesterov": (_nesterov, {"learning_rate": 0.01, "momentum": 0.9}),
    "adam": (_adam, {"learning_rate": 0.001, "b1": 0.9, "b2": 0.999, "eps": 1e-8}),
    "amsgrad": (_amsgrad, {"learning_rate": 0.001, "b1": 0.9, "b2": 0.999, "eps": 1e-8}),
    "adam_keras": (adam_keras, {"learning_rate": 0.001, "b1": 0.9, "b2": 0.999, "eps": 1e-7}),
    "amsgrad_keras": (amsgrad_keras, {"learning_rate": 0.001, "b1": 0.9, "b2": 0.999, "eps": 1e-7}),
    "rmsprop": (_rmsprop, {"learning_rate": 0.001, "decay": 0.9, "eps": 1e-7}),
    "adagrad": (_adagrad, {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "eps": 1e-7}),
}
HYPERPARAM_RANGES = {
    "learning_rate": ("learning_rate >= 0", lambda v: v >= 0),
    "momentum": ("0 <= momentum < 1", lambda v: 0 <= v < 1),
    "b1": ("0 <= b1 < 1", lambda v: 0 <= v < 1),
    "b2": ("0 <= b2 < 1", lambda v: 0 <= v < 1),
    "decay": ("0 <= decay < 1", lambda v: 0 <= v < 1),
    "eps": ("eps > 0", lambda v: v > 0),
    "initial_accumulator_value": ("initial_accumulator_value >= 0", lambda v: v >= 0),
}


def check_hyperparam(name: str, value) -> float:
    """Validate one hyperparameter value (a real scalar in its range; NumPy and JAX scalars accepted).

    Hyperparameters without a known range must be finite.
    """
    if hasattr(value, "shape") and getattr(value, "shape", None) == () and hasattr(value, "item"):
        value = value.item()  # NumPy and JAX scalars
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"optimizer hyperparameter {name!r} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"optimizer hyperparameter {name!r} must be finite, got {value!r}")
    if name not in HYPERPARAM_RANGES:
        return value
    text, ok = HYPERPARAM_RANGES[name]
    if not ok(value):
        raise ValueError(f"optimizer hyperparameter {name}={value!r} is out of range; allowed: {text}")
    return float(value)


def resolve_hyperparams(name: str, hyperparams: dict) -> dict:
    """Defaults filled in and every value validated; raises on unknown names."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    defaults = OPTIMIZERS[name][1]
    unknown = sorted(set(hyperparams) - set(defaults))
    if unknown:
        raise ValueError(
            f"optimizer {name!r} takes no hyperparameter {unknown}; allowed: {', '.join(defaults)}"
        )
    out = dict(defaults)
    for k, v in hyperparams.items():
        out[k] = check_hyperparam(k, v)
    return out


_DESCRIPTIONS: dict[int, dict] = {}
_BUILT: dict[int, object] = {}  # keeps every described optimizer alive, so its id is never reused


@functools.lru_cache(maxsize=None)
def _build(name: str, items: tuple) -> optax.GradientTransformation:
    opt = optax.inject_hyperparams(OPTIMIZERS[name][0])(**dict(items))
    _DESCRIPTIONS[id(opt)] = {"name": name, **dict(items)}
    _BUILT[id(opt)] = opt
    return opt


def optimizer(name: str, **hyperparams) -> optax.GradientTransformation:
    """An Optax optimizer by name, with injectable hyperparameters.

    Args:
      name: one of ``OPTIMIZERS`` (sgd, momentum, nesterov, adam, amsgrad,
        adam_keras, amsgrad_keras, rmsprop, adagrad).
      **hyperparams: named as Optax names them (``learning_rate``,
        ``momentum``, ``b1``, ``b2``, ``eps``, ``decay``, ...).

    Returns:
      An ``optax.GradientTransformation`` whose state carries the numeric
      hyperparameters (``state.hyperparams``).

    Raises:
      ValueError: unknown name or hyperparameter, or a value out of range.

    Example:
      >>> opt = optimizer("momentum", learning_rate=0.01, momentum=0.9)
      >>> sorted(opt.init({"w": 0.0}).hyperparams)
      ['learning_rate', 'momentum']
    """
    hp = resolve_hyperparams(name, hyperparams)
    return _build(name, tuple(sorted(hp.items())))


def describe(opt) -> dict:
    """Name and hyperparameters of an optimizer built by :func:`optimizer`.

    Any other Optax transformation is opaque (its code and hyperparameters
    cannot be read back): ``{"name": "custom", "fingerprint": None}``, and
    checkpoints refuse it.
    """
    if id(opt) in _DESCRIPTIONS and _BUILT.get(id(opt)) is opt:
        return dict(_DESCRIPTIONS[id(opt)])
    return {"name": "custom", "fingerprint": None}
