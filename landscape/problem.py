"""The problem: a student ``a * act(w * x + b) + c`` fitted to a teacher ``act_t(x)``.

Contract
--------
* :class:`Problem` is a frozen, hashable dataclass validated in
  ``__post_init__``: it may be passed as a static argument to ``jax.jit``.
* Parameters are plain dicts ``{"w": ..., "b": ..., ...}`` holding exactly the
  trained names; untrained parameters are fixed at ``b = 0, a = 1, c = 0``
  (``w`` untrained means ``w = 1``).
* :func:`predict` and :func:`target` act on one example ``x`` (a scalar) or,
  being elementwise, on any array of examples; :func:`batch_loss` is Keras'
  mean squared error over a batch (no 1/2 factor).
* Validation happens before any tracing and raises ``ValueError`` or
  ``TypeError`` naming the offending value and what is allowed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from .activations import resolve

__all__ = [
    "PARAM_NAMES",
    "DEFAULTS",
    "Gaussian",
    "Uniform",
    "Problem",
    "predict",
    "target",
    "batch_loss",
    "full_params",
    "check_params",
    "sample_inputs",
]

PARAM_NAMES = ("w", "b", "a", "c")
DEFAULTS = {"w": 1.0, "b": 0.0, "a": 1.0, "c": 0.0}


@dataclass(frozen=True)
class Gaussian:
    """Standard normal inputs, x ~ N(0, 1)."""

    @property
    def label(self) -> str:
        return "gaussian"

    def support(self) -> tuple[float, float]:
        return (-math.inf, math.inf)


@dataclass(frozen=True)
class Uniform:
    """Uniform inputs on the interval ``[lo, hi]``.

    Raises:
      ValueError: if a bound is not finite or ``lo >= hi``.
    """

    lo: float = -1.0
    hi: float = 1.0

    def __post_init__(self):
        for name in ("lo", "hi"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
                raise TypeError(f"Uniform.{name} must be a real number, got {v!r}")
            if not math.isfinite(v):
                raise ValueError(f"Uniform.{name} must be finite, got {v!r}")
            object.__setattr__(self, name, float(v))
        if not self.lo < self.hi:
            raise ValueError(f"Uniform needs lo < hi, got lo={self.lo!r}, hi={self.hi!r}")

    @property
    def label(self) -> str:
        return f"uniform({self.lo:g},{self.hi:g})"

    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)


def _resolve_inputs(inputs):
    if isinstance(inputs, (Gaussian, Uniform)):
        return inputs
    if isinstance(inputs, str):
        if inputs == "gaussian":
            return Gaussian()
        if inputs.startswith("uniform"):
            inner = inputs[len("uniform"):].strip("():[] ")
            try:
                lo, hi = (float(v) for v in inner.split(","))
            except ValueError:
                raise ValueError(
                    f"cannot read the interval of inputs={inputs!r}; write 'uniform:-1,1'"
                ) from None
            return Uniform(lo, hi)
    raise ValueError(
        f"unknown inputs {inputs!r}; allowed: 'gaussian', 'uniform:LO,HI' or landscape.Uniform(lo, hi)"
    )


@dataclass(frozen=True)
class Problem:
    """A single-neuron regression problem.

    Args:
      student: activation of the student ``a * act(w * x + b) + c``; a name or
        ``(name, params)``, e.g. ``("leaky_relu", {"slope": 0.3})``.
      teacher: activation of the teacher ``y = act_t(x)``.
      inputs: ``"gaussian"`` (N(0, 1)) or :class:`Uniform`.
      trained: which of ``w, b, a, c`` are trained (a non-empty subset; stored
        in canonical order).

    Raises:
      ValueError, TypeError: on unknown names or malformed values.
    """

    student: Any = "relu"
    teacher: Any = "relu"
    inputs: Any = "gaussian"
    trained: tuple[str, ...] = ("w",)

    def __post_init__(self):
        object.__setattr__(self, "student", resolve(self.student))
        object.__setattr__(self, "teacher", resolve(self.teacher))
        object.__setattr__(self, "inputs", _resolve_inputs(self.inputs))
        trained = self.trained
        if isinstance(trained, str):
            trained = tuple(t.strip() for t in trained.split(","))
        try:
            trained = tuple(trained)
        except TypeError:
            raise TypeError(f"trained must be a tuple of names from {PARAM_NAMES}, got {self.trained!r}") from None
        bad = [t for t in trained if t not in PARAM_NAMES]
        if bad or not trained or len(set(trained)) != len(trained):
            raise ValueError(
                f"trained must be a non-empty subset of {PARAM_NAMES} without repeats, got {self.trained!r}"
            )
        object.__setattr__(self, "trained", tuple(p for p in PARAM_NAMES if p in trained))

    @property
    def piecewise_linear(self) -> bool:
        """True when student and teacher are both piecewise linear (closed forms apply)."""
        return self.student.piecewise_linear and self.teacher.piecewise_linear

    @property
    def label(self) -> str:
        return (
            f"student={self.student.label}, teacher={self.teacher.label}, "
            f"inputs={self.inputs.label}, trained=({', '.join(self.trained)})"
        )

    def config(self) -> dict:
        """A JSON-ready description of the problem."""
        return {
            "student": {"name": self.student.name, **self.student.kwargs},
            "teacher": {"name": self.teacher.name, **self.teacher.kwargs},
            "inputs": self.inputs.label,
            "trained": list(self.trained),
        }

    def optimum(self) -> dict[str, float] | None:
        """Parameters at which the student equals the teacher, when it can.

        Returns ``{"w": 1, "b": 0, "a": 1, "c": 0}`` restricted to the trained
        names when the student and teacher activations are the same, else None.
        """
        if self.student == self.teacher:
            return {k: DEFAULTS[k] for k in self.trained}
        return None


def check_params(problem: Problem, params: Mapping[str, Any]) -> None:
    """Raise unless ``params`` holds exactly the problem's trained names.

    Raises:
      TypeError: if ``params`` is not a mapping.
      ValueError: missing or extra names (the message lists the trained ones).
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict such as {{'w': 0.5}}, got {type(params).__name__}")
    missing = [k for k in problem.trained if k not in params]
    extra = [k for k in params if k not in problem.trained]
    if missing or extra:
        raise ValueError(
            f"params must hold exactly the trained parameters {problem.trained}; "
            f"missing {missing}, not trained {extra}"
        )


def full_params(problem: Problem, params: Mapping[str, Any]):
    """Return ``(w, b, a, c)`` as arrays of one floating dtype.

    Trained values come from ``params``; untrained ones are the defaults. The
    dtype follows the inputs (float32 in, float32 out).
    """
    check_params(problem, params)
    vals = {k: jnp.asarray(params[k]) for k in problem.trained}
    dtype = jnp.result_type(*[v.dtype for v in vals.values()])
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.result_type(float)
    out = []
    for k in PARAM_NAMES:
        out.append(vals[k].astype(dtype) if k in vals else jnp.asarray(DEFAULTS[k], dtype))
    return tuple(out)


def predict(problem: Problem, params: Mapping[str, Any], x):
    """Student output ``a * act(w * x + b) + c`` (elementwise in ``x``)."""
    w, b, a, c = full_params(problem, params)
    return a * problem.student(w * x + b) + c


def target(problem: Problem, x):
    """Teacher output ``act_t(x)`` (elementwise in ``x``)."""
    return problem.teacher(x)


def batch_loss(problem: Problem, params: Mapping[str, Any], x):
    """Keras' mean squared error ``mean((f(x) - y(x))**2)`` over a batch.

    Args:
      problem: the problem.
      params: trained parameters (scalars).
      x: inputs, shape ``(B,)``.

    Returns:
      A scalar of the parameters' dtype.
    """
    x = jnp.asarray(x)
    w, b, a, c = full_params(problem, params)
    x = x.astype(w.dtype)
    f = jax.vmap(lambda xi: a * problem.student(w * xi + b) + c)(x)
    y = jax.vmap(problem.teacher)(x)
    return jnp.mean((f - y) ** 2)


def sample_inputs(problem: Problem, key, shape, dtype=None):
    """Draw inputs from the problem's distribution.

    Args:
      problem: the problem (its ``inputs`` decide the distribution).
      key: a ``jax.random`` key.
      shape: output shape.
      dtype: floating dtype (default: JAX's default float).
    """
    if hasattr(problem, "sample"):  # networks: inputs may be d-dimensional
        return problem.sample(key, shape, dtype)
    dtype = dtype or jnp.result_type(float)
    if isinstance(problem.inputs, Gaussian):
        return jax.random.normal(key, shape, dtype)
    return jax.random.uniform(key, shape, dtype, problem.inputs.lo, problem.inputs.hi)
