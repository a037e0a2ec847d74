"""Activation registry: every activation the package knows, by name.

Contract
--------
* ``ACTIVATIONS`` maps a name to an :class:`ActivationDef`: a pure elementwise
  function ``fn(z, **params)``, its default parameters, a validator for them,
  and, for piecewise-linear activations, the two slopes ``(left, right)`` of
  ``z -> act(z)`` on either side of the single kink at ``z = 0``.
* :func:`resolve` turns a user spec (``"relu"`` or ``("leaky_relu", {"slope":
  0.3})``) into an :class:`Activation`: a frozen, hashable value with all
  parameters filled in, usable as a static argument of ``jax.jit``.
* Derivative convention at the kink: the derivative at ``z = 0`` is the *left*
  slope. For ReLU that is ``0`` (``jax.nn.relu``'s rule; ``jnp.maximum(z, 0)``
  would give ``0.5``); for LeakyReLU it is the leaky slope; for ELU/SELU the
  derivative of the left branch. Every minibatch gradient and every exact
  population gradient in the package rests on this convention.
* Formulas about an activation live here, once: :attr:`Activation.can_die`
  (a unit whose activation is flat left of its kink can stop learning for
  good: relu, not leaky_relu or elu) and :attr:`Activation.mean_field_rate`
  (the mean-field growth of ``log |dy/dx|^2`` per layer).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["ACTIVATIONS", "Activation", "ActivationDef", "parse", "resolve"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _relu(z):
    return jax.nn.relu(z)


def _leaky_relu(z, slope):
    # where(z > 0, ...) makes the derivative at 0 the left slope, like relu.
    return jnp.where(z > 0, z, slope * z)


def _elu(z, alpha):
    neg = jnp.where(z > 0, jnp.zeros_like(z), z)  # keeps expm1 finite for large z
    return jnp.where(z > 0, z, alpha * jnp.expm1(neg))


def _selu(z):
    return SELU_SCALE * _elu(z, SELU_ALPHA)


def _softplus(z, beta):
    return jax.nn.softplus(beta * z) / beta


def _gelu(z, approximate):
    return jax.nn.gelu(z, approximate=approximate)


def _tanh(z):
    return jnp.tanh(z)


def _sigmoid(z):
    return jax.nn.sigmoid(z)


def _silu(z):
    return jax.nn.silu(z)


def _identity(z):
    return z


def _abs(z):
    return jnp.where(z > 0, z, -z)  # derivative -1 at 0: the left slope


def _zero(z):
    return jnp.zeros_like(z)


# Activation parameters beyond this magnitude make the losses overflow in float32.
PARAM_BOUND = 1e6


def _finite(name, lo=None, strict=False):
    def check(value):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"activation parameter {name!r} must be a real number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"activation parameter {name!r} must be finite, got {value!r}")
        if lo is not None and (value <= lo if strict else value < lo):
            op = ">" if strict else ">="
            raise ValueError(f"activation parameter {name!r} must be {op} {lo}, got {value!r}")
        if abs(value) > PARAM_BOUND:
            raise ValueError(
                f"activation parameter {name}={value!r} is out of range; allowed: |{name}| <= {PARAM_BOUND:g}"
            )
        return value

    return check


def _boolean(name):
    def check(value):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"activation parameter {name!r} must be True or False, got {value!r}")
        return bool(value)

    return check


@dataclass(frozen=True)
class ActivationDef:
    """How one named activation is computed and validated.

    Attributes:
      fn: elementwise function ``fn(z, **params)``.
      defaults: default parameters.
      checks: a validator per parameter, returning the normalized value.
      slopes: for piecewise-linear activations, ``params -> (left, right)``
        slopes around the kink at 0; ``None`` for the others.
      kinked: ``params -> bool``, whether the first derivative jumps at 0.
    """

    fn: Callable[..., Any]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    checks: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    slopes: Callable[..., tuple[float, float]] | None = None
    kinked: Callable[..., bool] = lambda **_: False


ACTIVATIONS: dict[str, ActivationDef] = {
    "relu": ActivationDef(_relu, slopes=lambda: (0.0, 1.0), kinked=lambda: True),
    "leaky_relu": ActivationDef(
        _leaky_relu,
        defaults={"slope": 0.01},
        checks={"slope": _finite("slope")},
        slopes=lambda slope: (slope, 1.0),
        kinked=lambda slope: slope != 1.0,
    ),
    "identity": ActivationDef(_identity, slopes=lambda: (1.0, 1.0)),
    "zero": ActivationDef(_zero, slopes=lambda: (0.0, 0.0)),
    "abs": ActivationDef(_abs, slopes=lambda: (-1.0, 1.0), kinked=lambda: True),
    "elu": ActivationDef(
        _elu,
        defaults={"alpha": 1.0},
        checks={"alpha": _finite("alpha", lo=0.0)},
        kinked=lambda alpha: alpha != 1.0,
    ),
    "selu": ActivationDef(_selu, kinked=lambda: True),
    "softplus": ActivationDef(_softplus, defaults={"beta": 1.0}, checks={"beta": _finite("beta", lo=0.0, strict=True)}),
    "gelu": ActivationDef(_gelu, defaults={"approximate": False}, checks={"approximate": _boolean("approximate")}),
    "tanh": ActivationDef(_tanh),
    "sigmoid": ActivationDef(_sigmoid),
    "silu": ActivationDef(_silu),
}


@dataclass(frozen=True)
class Activation:
    """A resolved activation: a name and all its parameters (hashable).

    Call it on an array: ``Activation("relu")(z)``.
    """

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def definition(self) -> ActivationDef:
        return ACTIVATIONS[self.name]

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)

    def __call__(self, z):
        return self.definition.fn(z, **self.kwargs)

    @property
    def piecewise_linear(self) -> bool:
        return self.definition.slopes is not None

    @property
    def slopes(self) -> tuple[float, float]:
        """Left and right slopes of a piecewise-linear activation.

        Raises:
          ValueError: if the activation is not piecewise linear.
        """
        if self.definition.slopes is None:
            raise ValueError(f"activation {self.label} is not piecewise linear")
        return self.definition.slopes(**self.kwargs)

    @property
    def kinked(self) -> bool:
        """Whether the first derivative jumps at z = 0."""
        return self.definition.kinked(**self.kwargs)

    @property
    def can_die(self) -> bool:
        """Whether a unit can die: piecewise linear and flat left of its kink.

        Such a unit passes no gradient for inputs whose pre-activation is
        negative, so once it is inactive on the whole input support every
        gradient through it vanishes (relu, leaky_relu with slope 0, zero).
        """
        return self.piecewise_linear and self.slopes[0] == 0.0

    @property
    def mean_field_rate(self) -> float:
        """Mean-field growth of ``log |dy/dx|^2`` per layer: ``log((l^2 + r^2) / 2)``.

        For weights ``N(0, 1/width)`` the pre-activations are symmetric, so each
        layer multiplies the expected squared derivative by the mean squared
        slope ``(l^2 + r^2) / 2`` of a piecewise-linear activation with slopes
        ``(l, r)``; a leaky slope ``c`` gives ``log((1 + c^2) / 2)``.

        Raises:
          ValueError: the activation is not piecewise linear, or both slopes are 0.
        """
        left, right = self.slopes
        ms = (left * left + right * right) / 2.0
        if not ms > 0:
            raise ValueError(f"activation {self.label} has zero slopes: no growth rate")
        return math.log(ms)

    @property
    def label(self) -> str:
        if not self.params:
            return self.name
        inner = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.name}({inner})"


def resolve(spec) -> Activation:
    """Resolve an activation given by name, text, ``(name, params)`` or as an :class:`Activation`.

    Every spelling the package prints or accepts elsewhere is accepted here:
    ``"relu"``, ``"leaky_relu:0.3"`` (the first parameter by position),
    ``"leaky_relu:slope=0.3"``, the label form ``"leaky_relu(slope=0.3)"``,
    ``("leaky_relu", {"slope": 0.3})`` and an :class:`Activation`.

    Args:
      spec: the activation.

    Returns:
      The :class:`Activation` with every parameter filled in and validated.

    Raises:
      ValueError: unknown name (the message lists the known ones), text that
        cannot be read, or a parameter value outside its allowed range.
      TypeError: a spec of the wrong shape, or an unknown parameter name.
    """
    if isinstance(spec, Activation):
        spec = (spec.name, spec.kwargs)
    if isinstance(spec, str):
        spec = parse(spec)
    if isinstance(spec, str):
        name, given = spec, {}
    elif isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[0], str):
        name, given = spec[0], spec[1]
        if given is None:
            given = {}
        if not isinstance(given, Mapping):
            raise TypeError(f"activation parameters must be a mapping such as {{'slope': 0.3}}, got {given!r}")
    else:
        raise TypeError(
            f"an activation is a name or (name, params) such as ('leaky_relu', {{'slope': 0.3}}), got {spec!r}"
        )
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(sorted(ACTIVATIONS))}")
    d = ACTIVATIONS[name]
    unknown = set(given) - set(d.defaults)
    if unknown:
        allowed = ", ".join(sorted(d.defaults)) or "none"
        raise TypeError(f"activation {name!r} takes no parameter {sorted(unknown)!r}; allowed: {allowed}")
    params = dict(d.defaults)
    for key, value in given.items():
        params[key] = d.checks[key](value)
    return Activation(name, tuple(sorted(params.items())))


FIRST_PARAM = {"leaky_relu": "slope", "elu": "alpha", "softplus": "beta"}
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


def _value(name, key, text, whole):
    """One parameter value from text: a boolean for boolean parameters, else a number."""
    default = ACTIVATIONS[name].defaults.get(key) if name in ACTIVATIONS else None
    if isinstance(default, bool):
        low = text.lower()
        if low in _TRUE or low in _FALSE:
            return low in _TRUE
        raise ValueError(f"parameter {key} of {name!r} must be true or false, got {text!r} in {whole!r}")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"cannot read parameter {key}={text!r} in {whole!r}: not a number") from None


def parse(text: str):
    """A spec from text: ``"relu"``, ``"leaky_relu:0.3"``, ``"leaky_relu:slope=0.3"`` or the label form
    ``"leaky_relu(slope=0.3)"`` (what :attr:`Activation.label` prints). Boolean parameters read
    ``true``/``false``.

    Returns ``"name"`` or ``("name", {param: value})`` for :func:`resolve`.

    Raises:
      TypeError: ``text`` that is not a string.
      ValueError: a positional value for an activation without one, or a
        value that cannot be read.
    """
    if not isinstance(text, str):
        raise TypeError(f"an activation spec is text such as 'leaky_relu:0.3', got {text!r}")
    whole = text
    text = text.strip()
    if text.endswith(")") and "(" in text:
        name, rest = text[:-1].split("(", 1)
    elif ":" in text:
        name, rest = text.split(":", 1)
    else:
        return text
    name, rest = name.strip(), rest.strip()
    if not rest:
        return name
    params = {}
    for item in rest.split(","):
        if "=" in item:
            k, v = (t.strip() for t in item.split("=", 1))
        else:
            if name not in FIRST_PARAM:
                raise ValueError(f"activation {name!r} takes no positional parameter in {whole!r}")
            k, v = FIRST_PARAM[name], item.strip()
        params[k] = _value(name, k, v, whole)
    return (name, params)
