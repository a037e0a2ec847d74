"""The single neuron: a student ``a * act(w * x + b) + c`` fitted to a teacher ``act_t(x)``.

Contract
--------
* :class:`Problem` implements :class:`landscape.protocol.AbstractProblem`;
  it is a frozen, hashable dataclass validated in ``__post_init__`` (a static
  argument of ``jax.jit``).
* Parameters are plain dicts ``{"w": ..., "b": ..., ...}`` holding exactly the
  trained names; untrained parameters are fixed at ``b = 0, a = 1, c = 0``
  (``w`` untrained means ``w = 1``). One point has scalar values; its exact
  functions (:func:`population_loss` and friends in :mod:`landscape.population`)
  are elementwise, so arrays of values broadcast.
* :func:`predict` and :func:`target` act on one example ``x`` (a scalar) or,
  being elementwise, on any array of examples; :func:`batch_loss` is Keras'
  mean squared error over a batch (no 1/2 factor).
* Validation happens before any tracing and raises ``ValueError`` or
  ``TypeError`` naming the offending value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import jax
import jax.core
import jax.numpy as jnp
import numpy as np

from . import fastpath as _fast
from . import population as _pop
from .activations import resolve
from .inputs import Gaussian, Uniform, resolve_inputs
from .protocol import DEAD, AbstractProblem, as_real_array, is_traced

__all__ = [
    "DEFAULTS",
    "PARAM_NAMES",
    "Gaussian",
    "Problem",
    "Uniform",
    "batch_loss",
    "check_params",
    "full_params",
    "predict",
    "target",
]

PARAM_NAMES = ("w", "b", "a", "c")
DEFAULTS = {"w": 1.0, "b": 0.0, "a": 1.0, "c": 0.0}
# ranges of random starts for searches (the global minimum)
_START_RANGES = {"w": (-3.0, 3.0), "b": (-3.0, 3.0), "a": (-2.0, 2.0), "c": (-3.0, 3.0)}


@dataclass(frozen=True)
class Problem(AbstractProblem):
    """A single-neuron regression problem.

    Args:
      student: activation of the student ``a * act(w * x + b) + c``; a name or
        ``(name, params)``, e.g. ``("leaky_relu", {"slope": 0.3})``.
      teacher: activation of the teacher ``y = act_t(x)``.
      inputs: ``"gaussian"`` (N(0, 1)), ``"uniform:LO,HI"`` or :class:`Uniform`.
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
        object.__setattr__(self, "inputs", resolve_inputs(self.inputs))
        trained = self.trained
        if isinstance(trained, str):
            trained = tuple(t.strip() for t in trained.split(","))
        if not isinstance(trained, (tuple, list)):
            raise ValueError(
                f"trained must be a non-empty subset of {PARAM_NAMES} (a tuple or 'w,b'), got {self.trained!r}"
            )
        trained = tuple(trained)
        bad = [t for t in trained if not isinstance(t, str) or t not in PARAM_NAMES]
        if bad or not trained or len(set(trained)) != len(trained):
            raise ValueError(
                f"trained must be a non-empty subset of {PARAM_NAMES} without repeats, got {self.trained!r}"
            )
        object.__setattr__(self, "trained", tuple(p for p in PARAM_NAMES if p in trained))

    # ------------------------------------------------------------ description
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
        """A JSON-ready, exact description of the problem."""
        return {
            "student": {"name": self.student.name, **self.student.kwargs},
            "teacher": {"name": self.teacher.name, **self.teacher.kwargs},
            "inputs": self.inputs.describe(),
            "trained": list(self.trained),
        }

    @property
    def exactness(self) -> str:
        return "closed form" if self.piecewise_linear else "quadrature"

    def optimum(self) -> dict[str, float] | None:
        """Parameters at which the student equals the teacher, when it can.

        Returns ``{"w": 1, "b": 0, "a": 1, "c": 0}`` restricted to the trained
        names when the student and teacher activations are the same, else None.
        """
        if self.student == self.teacher:
            return {k: DEFAULTS[k] for k in self.trained}
        return None

    @property
    def min_loss(self) -> float | None:
        return 0.0 if self.optimum() is not None else None

    def dead_level(self, dtype=None) -> float:
        """The loss with the unit switched off: ``L`` at ``w = 0`` (other parameters at their defaults).

        For the original problem (relu student and teacher, Gaussian inputs)
        it is ``E[relu(x)^2] = 1/2``: the level at which a backwards start's
        loss flattens.
        """
        if "w" not in self.trained:
            raise ValueError(
                f"the dead level needs a trained w (the unit is switched off at w = 0), trained: {self.trained}"
            )
        dtype = dtype or jnp.result_type(float)
        point = {k: jnp.asarray(0.0 if k == "w" else DEFAULTS[k], dtype) for k in self.trained}
        return float(_pop.population_loss(self, point))

    # ---------------------------------------------------------- parameters
    def param_shapes(self):
        return dict.fromkeys(self.trained, ())

    def coordinates(self) -> tuple[str, ...]:
        return self.trained

    def ravel(self, params):
        return jnp.stack([jnp.asarray(params[k]) for k in self.trained], axis=-1)

    def unravel(self, vec):
        return {k: vec[..., i] for i, k in enumerate(self.trained)}

    def check_names(self, params, name: str = "params") -> None:
        """Raise unless ``params`` is a mapping holding exactly the trained names."""
        if not isinstance(params, Mapping):
            raise TypeError(f"{name} must be a dict such as {{'w': 0.5}}, got {type(params).__name__}")
        missing = [k for k in self.trained if k not in params]
        extra = [k for k in params if k not in self.trained]
        if missing or extra:
            raise ValueError(
                f"{name} must hold exactly the trained parameters {self.trained}; "
                f"missing {missing}, not trained {extra}"
            )

    def as_arrays(self, params, name: str = "params"):
        """``{name: NumPy array}`` of the trained names (numbers, lists and arrays of any shape accepted: the
        neuron's functions broadcast)."""
        self.check_names(params, name)
        return {k: as_real_array(params[k], f"{name}[{k!r}]") for k in self.trained}

    def check_point(self, params, name: str = "params"):
        self.check_names(params, name)
        return super().check_point({k: params[k] for k in self.trained}, name)

    def check_starts(self, init, name: str = "init", *, finite: bool = True):
        """Starts as ``{name: (S,) array}`` (a scalar is one start)."""
        self.check_names(init, name)
        arrays = {k: as_real_array(init[k], f"{name}[{k!r}]") for k in self.trained}
        out = {}
        for k, given in arrays.items():
            a = given[None] if given.ndim == 0 else given
            if a.ndim != 1:
                raise ValueError(f"{name}[{k!r}] must be 1-D (one value per start), got shape {a.shape}")
            if finite and not np.all(np.isfinite(a)):
                raise ValueError(f"{name}[{k!r}] must hold finite numbers")
            out[k] = a
        lengths = {k: a.shape[0] for k, a in out.items()}
        if len(set(lengths.values())) != 1 or 0 in lengths.values():
            raise ValueError(f"{name} arrays must share one non-zero length (the number of starts), got {lengths}")
        return out, next(iter(lengths.values()))

    def full_params(self, params):
        """Return ``(w, b, a, c)`` as arrays of one floating dtype.

        Trained values come from ``params``; untrained ones are the defaults.
        The dtype follows the inputs (float32 in, float32 out).

        Raises:
          ValueError, TypeError: names not matching the trained ones, values
            that are not real numbers, or concrete values that are not finite.
        """
        self.check_names(params)
        vals = {}
        for k in self.trained:
            v = params[k]
            if not is_traced(v):
                a = np.asarray(v)
                if (
                    a.dtype == object
                    or not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer))
                    or a.dtype == np.bool_
                ):
                    raise TypeError(f"params[{k!r}] must hold real numbers, got dtype {a.dtype}")
                if a.size and not np.all(np.isfinite(a)):
                    raise ValueError(f"params[{k!r}] must be finite, got {a.ravel()[~np.isfinite(a.ravel())][0]!r}")
            vals[k] = jnp.asarray(v)
        try:
            np.broadcast_shapes(*[v.shape for v in vals.values()])
        except ValueError:
            shapes = {k: tuple(v.shape) for k, v in vals.items()}
            raise ValueError(
                f"params values must broadcast together (one shape, or scalars), got shapes {shapes}"
            ) from None
        if any(jnp.issubdtype(v.dtype, jnp.complexfloating) for v in vals.values()):
            raise TypeError("params must hold real numbers, got complex values")
        dtype = jnp.result_type(*[v.dtype for v in vals.values()])
        if not jnp.issubdtype(dtype, jnp.floating):
            dtype = jnp.result_type(float)
        return tuple(vals[k].astype(dtype) if k in vals else jnp.asarray(DEFAULTS[k], dtype) for k in PARAM_NAMES)

    def draw_starts(self, key, n: int, dtype=None):
        """``n`` starts drawn uniformly from a box around the origin (w, b, c in [-3, 3], a in [-2, 2])."""
        dtype = dtype or jnp.result_type(float)
        keys = jax.random.split(key, len(self.trained))
        return {k: jax.random.uniform(kk, (n,), dtype, *_START_RANGES[k]) for k, kk in zip(self.trained, keys)}

    # ----------------------------------------------------------------- data
    def sample(self, key, shape, dtype=None):
        return self.inputs.sample(key, shape, dtype)

    def batch_loss(self, params, x):
        return batch_loss(self, params, x)

    # ---------------------------------------------------------- population
    def population_loss(self, params):
        return _pop.population_loss(self, params)

    def population_loss_and_grad(self, params):
        return _pop.population_loss_and_grad(self, params)

    def population_batch(self, params):
        return _pop.population_loss_and_grad(self, params)  # elementwise: no vmap needed

    def population_loss_batch(self, params):
        return _pop.loss_and_grad_elementwise(self, *self.full_params(params))[0]

    def output_moments(self, params):
        return _pop.student_moments(self, params)

    @property
    def minibatch_paths(self) -> tuple[str, ...]:
        return ("sorted", "direct") if _fast.eligible(self) else ("direct",)

    def minibatch_batch(self, params, x, path: str = "direct"):
        if path == "sorted":
            return _fast.loss_and_grad(self, params, _fast.prepare(x))
        return super().minibatch_batch(params, x, path)

    def as_neuron(self) -> Problem:
        return self

    def dead(self, params, *, tol_dead: float = DEAD["tol_dead"], tol_active: float = DEAD["tol_active"]):
        """Dead, within tolerance: the unit can die (relu) and sits at its dead set.

        The exact dead set (:meth:`dead_set`) is where the unit is inactive on
        the whole input support, so that every gradient through it vanishes.
        A run approaches it without reaching it, so the label allows for
        ``tol_active``: the unit is active on less than that share of the
        input mass (its kink far in the tail, every gradient through it
        proportional to that mass), or for ``tol_dead``: the unit's own mean
        square output ``E[act(w x + b)^2]`` is below ``tol_dead * max(1,
        E[y^2])`` (the unit is numerically switched off, as ``w -> 0`` from a
        backwards start). A constant output alone is not dead: at ``w = 0,
        b > 0`` the unit is active everywhere and ``w`` still gets a gradient.
        """
        full = self.full_params(params)
        shape = jnp.broadcast_shapes(*(jnp.shape(v) for v in full))
        if not self.student.can_die:
            return jnp.zeros(shape, bool)
        dtype = full[0].dtype
        teacher_power = _pop.population_loss(replace(self, student="zero", trained=("c",)), {"c": jnp.zeros((), dtype)})
        scale = jnp.maximum(jnp.ones((), dtype), teacher_power)
        near = (_pop.active_fraction(self, params) < tol_active) | (_pop.unit_power(self, params) < tol_dead * scale)
        return jnp.broadcast_to(near | self.dead_set(params), shape)

    def dead_set(self, params):
        """The exact dead set: the unit is inactive on the whole input support, ``sup_x (w x + b) <= 0``.

        Only units that can die (relu) have one. For Gaussian inputs it is the
        half-line ``w = 0, b <= 0``; for uniform inputs on ``[lo, hi]`` the
        wedge ``max(w lo, w hi) + b <= 0``. Elementwise in the parameters.
        """
        w, b, _, _ = jnp.broadcast_arrays(*self.full_params(params))
        if not self.student.can_die:
            return jnp.zeros(w.shape, bool)
        lo, hi = self.inputs.support()
        if not self.inputs.bounded:
            return (w == 0) & (b <= 0)
        return jnp.maximum(w * lo, w * hi) + b <= 0

    def nonsmooth(self, params, *, tol_w: float = 0.0, tol_b: float = 0.0):
        """Where the exact loss is not twice differentiable (within ``tol_w``, ``tol_b`` of it).

        For a kinked student the loss is C^1 but its Hessian jumps where the
        kink ``-b/w`` meets a point where the input density jumps (the ends
        of a uniform interval: the lines ``w lo + b = 0`` and ``w hi + b =
        0``); and at ``w = b = 0`` the whole input mass sits on the kink, so
        the gradient itself jumps. Elementwise in ``(w, b)``; the tolerances
        give the cells of a grid that meet the set (a line ``w e + b = 0``
        is within ``|e| tol_w + tol_b`` of a point it misses by that much).
        """
        w, b, _, _ = jnp.broadcast_arrays(*self.full_params(params))
        if not self.student.kinked:
            return jnp.zeros(w.shape, bool)
        out = (jnp.abs(w) <= tol_w) & (jnp.abs(b) <= tol_b)
        if self.inputs.bounded:
            for end in self.inputs.support():
                out = out | (jnp.abs(w * end + b) <= abs(end) * tol_w + tol_b)
        return out


def check_params(problem: Problem, params: Mapping[str, Any]) -> None:
    """Raise unless ``params`` holds exactly the problem's trained names.

    Raises:
      TypeError: if ``params`` is not a mapping.
      ValueError: missing or extra names (the message lists the trained ones).
    """
    problem.check_names(params)


def full_params(problem: Problem, params: Mapping[str, Any]):
    """``(w, b, a, c)`` of ``params`` (see :meth:`Problem.full_params`)."""
    return problem.full_params(params)


def predict(problem: Problem, params: Mapping[str, Any], x):
    """Student output ``a * act(w * x + b) + c`` (elementwise in ``x``)."""
    w, b, a, c = problem.full_params(params)
    return a * problem.student(w * x + b) + c


def target(problem: Problem, x):
    """Teacher output ``act_t(x)`` (elementwise in ``x``)."""
    return problem.teacher(x)


def batch_loss(problem: Problem, params: Mapping[str, Any], x):
    """Keras' mean squared error ``mean((f(x) - y(x))**2)`` over a batch.

    Args:
      problem: the problem.
      params: trained parameters (scalars).
      x: inputs, shape ``(B,)`` with ``B >= 1``.

    Returns:
      A scalar of the parameters' dtype.

    Raises:
      ValueError: an empty batch (its mean is undefined) or a batch that is not 1-D.
    """
    x = jnp.asarray(x)
    if x.ndim != 1 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty 1-D batch of inputs, got shape {x.shape}")
    w, b, a, c = problem.full_params(params)
    x = x.astype(w.dtype)
    f = jax.vmap(lambda xi: a * problem.student(w * xi + b) + c)(x)
    y = jax.vmap(problem.teacher)(x)
    return jnp.mean((f - y) ** 2)
