"""Optimizers by name, built from Optax, plus Keras' definitions of Adam/AMSGrad.

Contract
--------
* :func:`optimizer` returns a :class:`NamedOptimizer`: an
  ``optax.GradientTransformation`` wrapped in ``optax.inject_hyperparams``,
  whose numeric hyperparameters live in the optimizer state, so
  :func:`landscape.train` can give every start its own learning rate or
  momentum (phase diagrams) without recompiling. It is a frozen value: the
  same name and settings give equal optimizers, which share compiled
  programs, and :func:`describe` reads its name and settings from it.
* Defaults are Keras' (the original experiment's framework): learning rate
  0.01 for SGD and its momentum variants, 0.001 for the adaptive methods.
  Each factory's signature is their one home; :func:`defaults` reads them.
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
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = [
    "HYPERPARAM_RANGES",
    "OPTIMIZERS",
    "NamedOptimizer",
    "adagrad",
    "adam",
    "adam_keras",
    "amsgrad",
    "amsgrad_keras",
    "check_hyperparam",
    "defaults",
    "describe",
    "momentum",
    "nesterov",
    "optimizer",
    "project_box",
    "resolve_hyperparams",
    "rmsprop",
    "scale_by_adam_keras",
    "sgd",
]


class ScaleByAdamKerasState(NamedTuple):
    count: jax.Array
    mu: Any
    nu: Any
    nu_max: Any


def scale_by_adam_keras(b1, b2, eps, amsgrad=False) -> optax.GradientTransformation:
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

    Chain it after an optimizer (``optax.chain(optimizer("adam"), project_box(lo, hi))``)
    for projected descent. ``lo`` and ``hi`` are tuples with one bound per
    leaf of the parameters (in tree order); the same bounds return the same
    transformation (no recompilation).
    """

    def init_fn(params):
        return optax.EmptyState()

    def update_fn(updates, state, params=None):
        leaves, treedef = jax.tree_util.tree_flatten(params)
        ups = jax.tree_util.tree_leaves(updates)
        out = [jnp.clip(p + u, lo_, hi_) - p for p, u, lo_, hi_ in zip(leaves, ups, lo, hi)]
        return jax.tree_util.tree_unflatten(treedef, out), state

    return optax.GradientTransformation(init_fn, update_fn)


# The optimizers by name. Each factory's signature is the one home of its default hyperparameters
# (Keras' defaults, the original experiment's framework); :func:`defaults` reads them from there.
def adam_keras(learning_rate=0.001, b1=0.9, b2=0.999, eps=1e-7):
    """Adam as Keras defines it (see the module docstring)."""
    return optax.chain(scale_by_adam_keras(b1, b2, eps, amsgrad=False), optax.scale(-learning_rate))


def amsgrad_keras(learning_rate=0.001, b1=0.9, b2=0.999, eps=1e-7):
    """AMSGrad as Keras defines it: maximum of the raw second moment."""
    return optax.chain(scale_by_adam_keras(b1, b2, eps, amsgrad=True), optax.scale(-learning_rate))


def sgd(learning_rate=0.01):
    """Plain SGD (Keras' default step 0.01)."""
    return optax.sgd(learning_rate)


def momentum(learning_rate=0.01, momentum=0.9):
    """SGD with heavy-ball momentum (Optax's ``sgd(momentum=...)``: ``v <- momentum v + g``)."""
    return optax.sgd(learning_rate, momentum=momentum)


def nesterov(learning_rate=0.01, momentum=0.9):
    """SGD with Nesterov momentum."""
    return optax.sgd(learning_rate, momentum=momentum, nesterov=True)


def adam(learning_rate=0.001, b1=0.9, b2=0.999, eps=1e-8):
    """Optax's Adam (Kingma & Ba 2015)."""
    return optax.adam(learning_rate, b1=b1, b2=b2, eps=eps)


def amsgrad(learning_rate=0.001, b1=0.9, b2=0.999, eps=1e-8):
    """Optax's AMSGrad (the running maximum of the bias-corrected second moment)."""
    return optax.amsgrad(learning_rate, b1=b1, b2=b2, eps=eps)


def rmsprop(learning_rate=0.001, decay=0.9, eps=1e-7):
    """Optax's RMSProp."""
    return optax.rmsprop(learning_rate, decay=decay, eps=eps)


def adagrad(learning_rate=0.001, initial_accumulator_value=0.1, eps=1e-7):
    """Optax's Adagrad."""
    return optax.adagrad(learning_rate, initial_accumulator_value=initial_accumulator_value, eps=eps)


OPTIMIZERS: dict[str, Callable[..., optax.GradientTransformation]] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adam": adam,
    "amsgrad": amsgrad,
    "adam_keras": adam_keras,
    "amsgrad_keras": amsgrad_keras,
    "rmsprop": rmsprop,
    "adagrad": adagrad,
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


def _known(name) -> str:
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    return name


def defaults(name: str) -> dict[str, float]:
    """The default hyperparameters of the optimizer ``name`` (Keras' defaults), by Optax's names.

    Raises:
      ValueError: an unknown name (the message lists the known ones).
    """
    params = inspect.signature(OPTIMIZERS[_known(name)]).parameters
    return {k: float(p.default) for k, p in params.items()}


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
    base = defaults(name)
    unknown = sorted(set(hyperparams) - set(base))
    if unknown:
        raise ValueError(f"optimizer {name!r} takes no hyperparameter {unknown}; allowed: {', '.join(base)}")
    out = dict(base)
    for k, v in hyperparams.items():
        out[k] = check_hyperparam(k, v)
    return out


@functools.lru_cache(maxsize=64)
def _build(name: str, items: tuple) -> optax.GradientTransformation:
    return optax.inject_hyperparams(OPTIMIZERS[name])(**dict(items))


@dataclass(frozen=True)
class _Init:
    name: str
    items: tuple

    def __call__(self, params):
        return _build(self.name, self.items).init(params)


@dataclass(frozen=True)
class _Update:
    name: str
    items: tuple

    def __call__(self, updates, state, params=None, **extra):
        return _build(self.name, self.items).update(updates, state, params, **extra)


class NamedOptimizer(optax.GradientTransformation):
    """An Optax transformation that knows its name and hyperparameters (a frozen value).

    Two optimizers with the same name and hyperparameters are equal and hash
    alike, so they share compiled programs; their description is read from
    the value itself (:func:`describe`), nothing is kept elsewhere.
    """

    __slots__ = ()

    @property
    def _named_init(self) -> _Init:
        init = self.init
        if not isinstance(init, _Init):
            raise TypeError("a NamedOptimizer is built by landscape.optimizer(name, ...); this one has a foreign init")
        return init

    @property
    def name(self) -> str:
        return self._named_init.name

    @property
    def hyperparams(self) -> dict[str, float]:
        return dict(self._named_init.items)


def optimizer(name: str, **hyperparams) -> NamedOptimizer:
    """An Optax optimizer by name, with injectable hyperparameters.

    Args:
      name: one of ``OPTIMIZERS`` (sgd, momentum, nesterov, adam, amsgrad,
        adam_keras, amsgrad_keras, rmsprop, adagrad).
      **hyperparams: named as Optax names them (``learning_rate``,
        ``momentum``, ``b1``, ``b2``, ``eps``, ``decay``, ...); the others
        take :func:`defaults`.

    Returns:
      A :class:`NamedOptimizer` (an ``optax.GradientTransformation``) whose
      state carries the numeric hyperparameters (``state.hyperparams``).

    Raises:
      ValueError: unknown name or hyperparameter, or a value out of range.

    Example:
      >>> opt = optimizer("momentum", learning_rate=0.01, momentum=0.9)
      >>> sorted(opt.init({"w": 0.0}).hyperparams)
      ['learning_rate', 'momentum']
    """
    items = tuple(sorted(resolve_hyperparams(name, hyperparams).items()))
    return NamedOptimizer(_Init(name, items), _Update(name, items))


def describe(opt) -> dict:
    """Name and hyperparameters of an optimizer built by :func:`optimizer`.

    Any other Optax transformation is opaque (its code and hyperparameters
    cannot be read back): ``{"name": "custom", "fingerprint": None}``, and
    checkpoints refuse it.
    """
    if isinstance(opt, NamedOptimizer):
        return {"name": opt.name, **opt.hyperparams}
    return {"name": "custom", "fingerprint": None}
