"""Input distributions: one sampler and one quadrature rule each.

Contract
--------
* An input distribution is a frozen, hashable value (usable as a static
  argument of ``jax.jit``): :class:`Gaussian` (``N(0, 1)`` per coordinate)
  or :class:`Uniform` (``U(lo, hi)`` per coordinate). d-dimensional inputs
  have i.i.d. coordinates.
* :meth:`sample` draws inputs of ``shape + event_shape`` from an explicit key.
* :meth:`quadrature` is the one quadrature interface of the package:
  composite Gauss-Legendre nodes and weights (the density included) on the
  segments between consecutive break points, which may be traced arrays (the
  kinks of a student move with its parameters). The single neuron uses a few
  coarse panels between its kinks; 1-D networks use many fine panels over the
  whole range; both call this one function.
* :meth:`cumulative_moments` gives ``G_k(x) = E[X^k 1{X < x}]`` for
  ``k = 0, 1, 2`` (the closed forms are built from them) and
  :meth:`upper_tail` ``P(X > x)``, both exact.
* :meth:`describe` is JSON-ready and exact (JSON writes floats with ``repr``,
  which round-trips), so that two distributions with the same description
  give the same numbers.
* :func:`resolve_inputs` turns ``"gaussian"``, ``"uniform:LO,HI"`` or an
  instance into an instance, validating before any work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from . import draws

__all__ = ["UNIFORM_BOUND", "Gaussian", "Uniform", "gauss_legendre", "resolve_inputs"]

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)
# Uniform bounds beyond this would make x^3 moments overflow in float32.
UNIFORM_BOUND = 1e6


def gauss_legendre(nodes: int):
    """Gauss-Legendre nodes and weights on [-1, 1] (NumPy, float64)."""
    return np.polynomial.legendre.leggauss(nodes)


def _panel_nodes(ends, panels, nodes, dtype):
    """Nodes and plain (density-free) weights of composite Gauss-Legendre.

    Args:
      ends: break points, shape ``(..., S + 1)`` (ascending, may be traced).
      panels, nodes: panels per segment and nodes per panel.

    Returns:
      ``(x, w)`` of shape ``(..., S * panels * nodes)``.
    """
    gx, gw = gauss_legendre(nodes)
    frac = jnp.asarray(np.arange(panels + 1) / panels, dtype)
    gx, gw = jnp.asarray(gx, dtype), jnp.asarray(gw, dtype)
    us, vs = ends[..., :-1, None], ends[..., 1:, None]
    edges = us + (vs - us) * frac  # (..., S, panels + 1)
    left, right = edges[..., :-1, None], edges[..., 1:, None]
    half = 0.5 * (right - left)
    x = left + half * (gx + 1.0)
    w = half * gw
    shape = x.shape[:-3] + (-1,)
    return x.reshape(shape), jnp.broadcast_to(w, x.shape).reshape(shape)


@dataclass(frozen=True)
class Gaussian:
    """Standard normal inputs, ``x ~ N(0, 1)`` per coordinate."""

    # Beyond |x| = 40 the density underflows in float64: clipping interval ends
    # there is exact for the closed forms.
    CLOSED_FORM_CLIP = 40.0
    # Quadrature truncates at |x| = 12: the neglected mass is below 1e-32.
    QUADRATURE_CLIP = 12.0

    @property
    def label(self) -> str:
        return "gaussian"

    def describe(self) -> dict:
        return {"kind": "gaussian"}

    def support(self) -> tuple[float, float]:
        return (-math.inf, math.inf)

    @property
    def bounded(self) -> bool:
        return False

    def closed_form_range(self) -> tuple[float, float]:
        """The finite range on which the closed forms are exact."""
        return (-self.CLOSED_FORM_CLIP, self.CLOSED_FORM_CLIP)

    def quadrature_range(self) -> tuple[float, float]:
        return (-self.QUADRATURE_CLIP, self.QUADRATURE_CLIP)

    def sample(self, key, shape, dtype=None):
        return draws.normal(key, shape, dtype)

    def density(self, x):
        return jnp.exp(-0.5 * x * x) * _INV_SQRT2PI

    def cumulative_moments(self, x):
        """``(G_0, G_1, G_2)`` with ``G_k(x) = E[X^k 1{X < x}]`` (arrays or Python floats)."""
        if isinstance(x, (int, float)):
            phi = math.exp(-0.5 * x * x) * _INV_SQRT2PI
            cdf = 0.5 * math.erfc(-x * _INV_SQRT2)
            return cdf, -phi, cdf - x * phi
        phi = self.density(x)
        cdf = 0.5 * jax.lax.erfc(-x * _INV_SQRT2)
        return cdf, -phi, cdf - x * phi

    def upper_tail(self, x):
        """``P(X > x)`` by erfc: accurate far out on either side."""
        return 0.5 * jax.lax.erfc(x * _INV_SQRT2)

    def quadrature(self, ends, *, panels, nodes, dtype):
        """Nodes and weights (density included) on the segments between ``ends``."""
        x, w = _panel_nodes(ends, panels, nodes, dtype)
        return x, w * self.density(x)


@dataclass(frozen=True)
class Uniform:
    """Uniform inputs on ``[lo, hi]`` per coordinate.

    Raises:
      TypeError: a bound that is not a real number.
      ValueError: a bound that is not finite, beyond ``UNIFORM_BOUND`` in
        absolute value, or ``lo >= hi``.
    """

    lo: float = -1.0
    hi: float = 1.0

    def __post_init__(self):
        for name in ("lo", "hi"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
                raise TypeError(f"Uniform.{name} must be a real number, got {v!r}")
            v = float(v)
            if not math.isfinite(v):
                raise ValueError(f"Uniform.{name} must be finite, got {v!r}")
            if abs(v) > UNIFORM_BOUND:
                raise ValueError(
                    f"Uniform.{name}={v!r} is out of range; allowed: |{name}| <= {UNIFORM_BOUND:g} "
                    "(moments up to x^3 must stay finite)"
                )
            object.__setattr__(self, name, v)
        if not self.lo < self.hi:
            raise ValueError(f"Uniform needs lo < hi, got lo={self.lo!r}, hi={self.hi!r}")

    @property
    def label(self) -> str:
        return f"uniform({self.lo:g},{self.hi:g})"

    def describe(self) -> dict:
        return {"kind": "uniform", "lo": self.lo, "hi": self.hi}

    def support(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    @property
    def bounded(self) -> bool:
        return True

    def closed_form_range(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def quadrature_range(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def sample(self, key, shape, dtype=None):
        return draws.uniform(key, shape, dtype, self.lo, self.hi)

    def density(self, x):
        return jnp.full_like(x, 1.0 / (self.hi - self.lo))

    def cumulative_moments(self, x):
        """``(G_0, G_1, G_2)`` for ``x`` in ``[lo, hi]`` (clipped there for Python floats)."""
        lo, hi = self.lo, self.hi
        inv = 1.0 / (hi - lo)
        if isinstance(x, (int, float)):
            x = min(max(x, lo), hi)
        return (x - lo) * inv, (x * x - lo * lo) * (0.5 * inv), (x * x * x - lo**3) * (inv / 3.0)

    def upper_tail(self, x):
        return (self.hi - jnp.clip(x, self.lo, self.hi)) / (self.hi - self.lo)

    def quadrature(self, ends, *, panels, nodes, dtype):
        x, w = _panel_nodes(ends, panels, nodes, dtype)
        return x, w / (self.hi - self.lo)


def resolve_inputs(inputs):
    """``"gaussian"``, ``"uniform:LO,HI"`` (or ``uniform(LO,HI)``), or an instance -> an instance.

    Raises:
      ValueError: an unknown name or an unreadable interval.
    """
    if isinstance(inputs, (Gaussian, Uniform)):
        return inputs
    if isinstance(inputs, str):
        text = inputs.strip()
        if text == "gaussian":
            return Gaussian()
        if text.startswith("uniform"):
            inner = text[len("uniform") :].strip("():[] ")
            try:
                lo, hi = (float(v) for v in inner.split(","))
            except ValueError:
                raise ValueError(f"cannot read the interval of inputs={inputs!r}; write 'uniform:-1,1'") from None
            return Uniform(lo, hi)
    raise ValueError(f"unknown inputs {inputs!r}; allowed: 'gaussian', 'uniform:LO,HI' or landscape.Uniform(lo, hi)")
