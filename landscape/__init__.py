"""relu-landscape: the loss landscape of a ReLU neuron learning a ReLU.

The functional core: problems, activations, exact and minibatch losses,
grid evaluation and training. Everything here is a pure function of its
arguments; parameters are plain dicts of arrays.
"""
from .activations import ACTIVATIONS, Activation, resolve as resolve_activation
from .problem import (
    DEFAULTS,
    PARAM_NAMES,
    Gaussian,
    Problem,
    Uniform,
    batch_loss,
    predict,
    sample_inputs,
    target,
)
from .population import population_loss, population_loss_and_grad, student_moments, active_fraction
from .grids import GridResult, grid
from .optimizers import OPTIMIZERS, optimizer
from .train import Trajectories, train

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "resolve_activation",
    "DEFAULTS",
    "PARAM_NAMES",
    "Gaussian",
    "Problem",
    "Uniform",
    "batch_loss",
    "predict",
    "sample_inputs",
    "target",
    "population_loss",
    "population_loss_and_grad",
    "student_moments",
    "active_fraction",
    "GridResult",
    "grid",
    "OPTIMIZERS",
    "optimizer",
    "Trajectories",
    "train",
]
