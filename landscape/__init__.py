"""relu-landscape: the loss landscape of a ReLU neuron learning a ReLU, and of any model like it.

The functional core. One problem protocol (:class:`AbstractProblem`) that
the single neuron (:class:`Problem`), networks (:mod:`landscape.networks`)
and a user's own model (:class:`CustomProblem`) implement; input
distributions; exact and minibatch losses; grids over coordinates or
directions; and one training engine (:func:`make_step`, the sweep layer of
:mod:`landscape.sweep`, and :func:`train`). Everything here is a pure
function of its arguments; parameters are plain pytrees.
"""
from . import activations, cli, derived, draws, io, networks, optimizers, protocol, sweep
from .activations import ACTIVATIONS, Activation, resolve as resolve_activation
from .custom import CustomProblem
from .derived import StationarityProblem
from .engine import Crossing, Stop, TrainState, choose_path, init_state, make_step
from .grids import GridResult, grid, plane
from .inputs import Gaussian, Uniform, resolve_inputs
from .optimizers import OPTIMIZERS, optimizer
from .population import active_fraction, population_loss_and_grad, student_moments
from .problem import DEFAULTS, PARAM_NAMES, Problem, batch_loss, predict, sample_inputs, target
from .protocol import EXACTNESS, AbstractProblem
from .train import Trajectories, train

__all__ = [
    "ACTIVATIONS",
    "activations",
    "cli",
    "AbstractProblem",
    "Activation",
    "CustomProblem",
    "Crossing",
    "DEFAULTS",
    "EXACTNESS",
    "GridResult",
    "Gaussian",
    "OPTIMIZERS",
    "PARAM_NAMES",
    "Problem",
    "StationarityProblem",
    "Stop",
    "Trajectories",
    "TrainState",
    "Uniform",
    "active_fraction",
    "batch_loss",
    "choose_path",
    "derived",
    "draws",
    "grid",
    "init_state",
    "io",
    "make_step",
    "networks",
    "optimizer",
    "optimizers",
    "plane",
    "population_loss",
    "population_loss_and_grad",
    "predict",
    "protocol",
    "resolve_activation",
    "resolve_inputs",
    "sample_inputs",
    "student_moments",
    "sweep",
    "target",
    "train",
]


def population_loss(problem, params):
    """The exact population loss of ``params`` under ``problem`` (see the problem's ``population_loss``).

    For the single neuron it is elementwise: arrays of parameter values broadcast.
    """
    return problem.population_loss(params)
