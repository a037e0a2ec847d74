"""relu-landscape: the loss landscape of a ReLU neuron learning a ReLU, and of any model like it.

The functional core. One problem protocol (:class:`AbstractProblem`) that
the single neuron (:class:`Problem`), networks (:mod:`landscape.networks`),
a user's own model (:class:`CustomProblem`) and a model on a finite data set
(:class:`DatasetProblem`) implement; input distributions; exact and minibatch
losses; grids over coordinates or directions; and one training engine
(:func:`make_step`, the sweep layer of :mod:`landscape.sweep`, and
:func:`train`). Everything here is a pure function of its arguments;
parameters are plain pytrees.
"""

from . import (
    activations,
    cli,
    dataset,
    derived,
    draws,
    hessian,
    io,
    networks,
    neuron,
    optimizers,
    progress,
    protocol,
    sweep,
)
from .activations import ACTIVATIONS, Activation
from .activations import resolve as resolve_activation
from .custom import CustomProblem
from .dataset import DatasetProblem
from .derived import StationarityProblem
from .engine import Crossing, Stop, TrainState, choose_path, init_state, make_step
from .grids import GridResult, grid, plane
from .hessian import dense_spectrum
from .inputs import Gaussian, Uniform, resolve_inputs
from .optimizers import OPTIMIZERS, NamedOptimizer, optimizer
from .original import ORIGINAL
from .problem import Problem
from .protocol import DEAD, EXACTNESS, AbstractProblem, sample_inputs
from .train import Trajectories, train

__all__ = [
    "ACTIVATIONS",
    "DEAD",
    "EXACTNESS",
    "OPTIMIZERS",
    "ORIGINAL",
    "AbstractProblem",
    "Activation",
    "Crossing",
    "CustomProblem",
    "DatasetProblem",
    "Gaussian",
    "GridResult",
    "NamedOptimizer",
    "Problem",
    "StationarityProblem",
    "Stop",
    "TrainState",
    "Trajectories",
    "Uniform",
    "activations",
    "choose_path",
    "cli",
    "dataset",
    "dense_spectrum",
    "derived",
    "draws",
    "grid",
    "hessian",
    "init_state",
    "io",
    "make_step",
    "networks",
    "neuron",
    "optimizer",
    "optimizers",
    "plane",
    "population_loss",
    "progress",
    "protocol",
    "resolve_activation",
    "resolve_inputs",
    "sample_inputs",
    "sweep",
    "train",
]


def population_loss(problem, params):
    """The exact population loss of ``params`` under ``problem`` (see the problem's ``population_loss``).

    ``params`` may hold Python numbers, lists, tuples and NumPy or JAX arrays and scalars where the problem has
    arrays (integers become the default float). For the single neuron it is elementwise: arrays of parameter
    values broadcast.
    """
    import jax
    import jax.numpy as jnp

    from .protocol import is_traced

    if not any(is_traced(leaf) for leaf in jax.tree_util.tree_leaves(params)):
        arrays = problem.as_arrays(params, "params")
        params = jax.tree_util.tree_map(
            lambda a: jnp.asarray(a, a.dtype if jnp.issubdtype(a.dtype, jnp.floating) else jnp.result_type(float)),
            arrays,
        )
    return problem.population_loss(params)
