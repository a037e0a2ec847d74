"""The single neuron's own functions: ``a act(w x + b) + c`` against a teacher ``act_t(x)``.

Contract
--------
These work only for :class:`landscape.Problem` (the single neuron); every
other problem of the protocol answers the generic questions through its
methods (``population_loss``, ``batch_loss``, ``dead``, ...). Each function
here is elementwise in the parameters (arrays of values broadcast) and
refuses another kind of problem up front (:func:`require`).

* :func:`predict`, :func:`target`, :func:`batch_loss`: the model, the
  teacher and Keras' mean squared error over a batch.
* :func:`population_loss_and_grad`, :func:`student_moments`,
  :func:`unit_power`, :func:`active_fraction`: exact closed forms.
* :func:`dead_set`, :func:`dead` and :func:`nonsmooth`: the exact dead set,
  the classifier's dead label (within ``landscape.protocol.DEAD``), and
  where the loss is not twice differentiable; :func:`one_sided_derivatives`
  at a kink.
* ``PARAM_NAMES`` and ``DEFAULTS``: the neuron's parameters and the values
  of the untrained ones.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from . import population as _pop
from . import problem as _prob
from .protocol import DEAD, AbstractProblem

__all__ = [
    "DEFAULTS",
    "PARAM_NAMES",
    "active_fraction",
    "batch_loss",
    "dead",
    "dead_set",
    "full_params",
    "nonsmooth",
    "population_loss_and_grad",
    "predict",
    "require",
    "student_moments",
    "target",
    "unit_power",
]

PARAM_NAMES = _prob.PARAM_NAMES
DEFAULTS = _prob.DEFAULTS


def require(problem, what: str = "this") -> _prob.Problem:
    """The problem as the single neuron, or ``ValueError`` naming ``what`` needs it.

    Raises:
      ValueError: a problem of another kind (a network, a user's model).
      TypeError: something that is not a problem of the protocol.
    """
    if not isinstance(problem, AbstractProblem):
        raise TypeError(f"problem must implement the problem protocol, got {type(problem).__name__}")
    neuron = problem.as_neuron()
    if neuron is None:
        raise ValueError(
            f"{what} is about the single neuron a act(w x + b) + c (landscape.Problem); got {problem.label}"
        )
    return neuron


def predict(problem, params, x):
    """Student output ``a * act(w * x + b) + c`` (elementwise in ``x``)."""
    return _prob.predict(require(problem, "predict"), params, x)


def target(problem, x):
    """Teacher output ``act_t(x)`` (elementwise in ``x``)."""
    return _prob.target(require(problem, "target"), x)


def batch_loss(problem, params, x):
    """Keras' mean squared error over a 1-D batch ``x`` (see :func:`landscape.problem.batch_loss`)."""
    return _prob.batch_loss(require(problem, "batch_loss"), params, x)


def full_params(problem, params):
    """``(w, b, a, c)`` with the untrained ones at their defaults, one dtype."""
    return require(problem, "full_params").full_params(params)


def population_loss_and_grad(problem, params):
    """Exact loss and gradient ``{name: array}`` (elementwise)."""
    return _pop.population_loss_and_grad(require(problem, "population_loss_and_grad"), params)


def student_moments(problem, params):
    """Exact ``(mean, variance)`` of the student's output under the inputs (elementwise)."""
    return _pop.student_moments(require(problem, "student_moments"), params)


def unit_power(problem, params):
    """``E[act(w x + b)^2]``, the unit's own mean square output (elementwise)."""
    return _pop.unit_power(require(problem, "unit_power"), params)


def active_fraction(problem, params):
    """Probability under the inputs that ``w x + b > 0`` (exact, elementwise)."""
    return _pop.active_fraction(require(problem, "active_fraction"), params)


def dead_set(problem, params):
    """The exact dead set (see :meth:`landscape.Problem.dead_set`)."""
    return require(problem, "dead_set").dead_set(params)


def dead(problem, params, *, tol_dead: float = DEAD["tol_dead"], tol_active: float = DEAD["tol_active"]):
    """The classifier's dead label, elementwise (see :meth:`landscape.Problem.dead`)."""
    return require(problem, "dead").dead(params, tol_dead=tol_dead, tol_active=tol_active)


def nonsmooth(problem, params, *, tol_w: float = 0.0, tol_b: float = 0.0):
    """Where the loss is not twice differentiable (see :meth:`landscape.Problem.nonsmooth`)."""
    return require(problem, "nonsmooth").nonsmooth(params, tol_w=tol_w, tol_b=tol_b)


def one_sided_derivatives(problem, params, direction, *, h=1e-6):
    """Left and right derivatives of the exact loss along ``direction`` at ``params`` (a kink of the neuron).

    Computed two ways from the exact loss, which must agree: the limit of the
    gradient just beside the point (at ``+-1e-12`` along the direction), and
    Richardson-extrapolated one-sided difference quotients with step ``h``.
    Float64 throughout (the points are float64 arrays).

    Args:
      problem: a single-neuron problem whose student has a kink.
      params: the point (dict of floats over the trained names).
      direction: dict of floats (a direction in parameter space).

    Returns:
      dict with ``left``, ``right`` (directional derivatives), ``jump``,
      ``gradient_at_point`` (the per-sample-convention gradient there, along
      the direction) and ``quotient_left``, ``quotient_right``.

    Raises:
      ValueError: another kind of problem, a student without a kink, a zero
        direction, or params/direction not matching the trained names.

    Example:
      >>> d = one_sided_derivatives(Problem(), {"w": 0.0}, {"w": 1.0})
      >>> round(d["left"], 9), round(d["right"], 9)
      (0.0, -1.0)
    """
    neuron = require(problem, "one-sided derivatives at the kink")
    if not neuron.student.kinked:
        raise ValueError(
            f"student {neuron.student.label} has no kink (its derivative is continuous): one-sided derivatives coincide"
        )
    for name, given in (("params", params), ("direction", direction)):
        neuron.check_names(given, name)
    p = {k: float(params[k]) for k in neuron.trained}
    d = {k: float(direction[k]) for k in neuron.trained}
    if not math.sqrt(sum(v * v for v in d.values())) > 0:
        raise ValueError("direction must be non-zero")
    at = lambda s: {k: jnp.asarray(np.float64(p[k] + s * d[k])) for k in p}
    loss = lambda s: float(_pop.population_loss(neuron, at(s)))

    def dir_grad(s):
        _, g = _pop.population_loss_and_grad(neuron, at(s))
        return float(sum(float(g[k]) * d[k] for k in p))

    eps = 1e-12
    q = lambda s: (loss(s) - loss(0.0)) / s
    rich = lambda s: 2 * q(s / 2) - q(s)
    out = {
        "left": dir_grad(-eps),
        "right": dir_grad(eps),
        "gradient_at_point": dir_grad(0.0),
        "quotient_left": rich(-h),
        "quotient_right": rich(h),
    }
    out["jump"] = out["right"] - out["left"]
    return out
