"""Problems derived from other problems.

Contract
--------
:class:`StationarityProblem` wraps any problem with an exact population
loss ``L`` and has population loss ``|grad L|^2``: every stationary point of
``L`` (minima, saddles and maxima alike) is a global minimum (zero) of it, so
descending it through the training engine finds critical points. It has no
minibatch loss (no data: its gradient is a Hessian-vector product of the
base problem's exact gradient, so it trains with exact gradients only); its fingerprint is the base problem's.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp

from .protocol import AbstractProblem

__all__ = ["StationarityProblem"]


@dataclass(frozen=True)
class StationarityProblem(AbstractProblem):
    """``|grad L|^2`` of a base problem with an exact population loss.

    Raises:
      TypeError: a base that is not a problem of the protocol.
      ValueError: a base whose population loss is not exact.
    """

    base: AbstractProblem

    def __post_init__(self):
        if not isinstance(self.base, AbstractProblem):
            raise TypeError(f"base must implement the problem protocol, got {type(self.base).__name__}")
        if not self.base.exact:
            raise ValueError(f"the stationarity problem needs an exact base loss, got {self.base.exactness}")

    def param_shapes(self):
        return self.base.param_shapes()

    def coordinates(self):
        return self.base.coordinates()

    def ravel(self, params):
        return self.base.ravel(params)

    def unravel(self, vec):
        return self.base.unravel(vec)

    def check_starts(self, init, name="init", *, finite=True):
        return self.base.check_starts(init, name, finite=finite)

    def check_point(self, params, name="params"):
        return self.base.check_point(params, name)

    @property
    def exactness(self) -> str:
        return self.base.exactness

    @property
    def min_loss(self) -> float:
        return 0.0

    def population_loss(self, params):
        _, g = self.base.population_loss_and_grad(params)
        return sum(jnp.sum(jnp.square(v)) for v in jax.tree_util.tree_leaves(g))

    def population_loss_batch(self, params):
        _, g = self.base.population_batch(params)
        return jnp.sum(jnp.square(self.base.ravel(g)), axis=-1)

    def config(self) -> dict:
        return {"base": self.base.describe()}

    @property
    def fingerprintable(self) -> bool:
        return self.base.fingerprintable

    @property
    def fingerprint_note(self) -> str:
        return self.base.fingerprint_note

    @property
    def label(self) -> str:
        return f"|grad L|^2 of {self.base.label}"
