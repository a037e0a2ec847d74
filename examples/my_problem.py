"""A small problem of your own for the explorer: a two-layer tanh network fitted to 256 synthetic points.

Serve the explorer on it (your own trusted code; the explorer then answers on 127.0.0.1 only)::

    python -m explorer --problem examples/my_problem.py:make

``--problem MODULE:FACTORY`` takes a dotted module importable from the current
folder (``examples.my_problem:make``) or a path to a ``.py`` file, and calls
``FACTORY()`` with no arguments: it must return a problem of the protocol
(``landscape.CustomProblem``, ``landscape.DatasetProblem``, a network, ...).
The page then has a "your problem" tab: the loss on a plane through a point
along two random directions (filter-normalized), a click trains from that point
of the plane (the trajectory projected onto the plane), and the Hessian
spectrum at a clicked point.

This problem: inputs ``x`` in R^2 drawn once (seed 0), the target
``sin(2 x1) + x2^2 / 2``, the model ``w2 . tanh(W1 x + b1) + b2`` with 6 hidden
units (25 parameters), the mean squared error over every point (exact:
``exactness == "data set"``). Starts are drawn by ``init`` (``draw_starts``).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L

HIDDEN = 6
POINTS = 256


def apply(p, x):
    """The model's output for one example ``x`` of shape (2,)."""
    return p["w2"] @ jnp.tanh(p["W1"] @ x + p["b1"]) + p["b2"]


def init(key):
    """One random start (Glorot-like scales)."""
    k1, k2 = jax.random.split(key)
    return {
        "W1": jax.random.normal(k1, (HIDDEN, 2)) / np.sqrt(2.0),
        "b1": jnp.zeros(HIDDEN),
        "w2": jax.random.normal(k2, (HIDDEN,)) / np.sqrt(HIDDEN),
        "b2": jnp.zeros(()),
    }


def data(seed=0, n=POINTS):
    """The fixed synthetic data set ``(X, y)``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] ** 2
    return X, y


def make():
    """The problem (no arguments: ``python -m explorer --problem examples/my_problem.py:make``)."""
    X, y = data()
    return L.DatasetProblem(X, y, apply=apply, params=init(jax.random.key(0)), init=init, name="tanh MLP, 256 points")
