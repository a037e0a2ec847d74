"""Random draws of any shape, compiled cheaply.

Contract: :func:`normal` and :func:`uniform` draw ``prod(shape)`` numbers
from an explicit key as one flat array and reshape it. The numbers are
``jax.random``'s; drawing flat keeps the compiled program small (with JAX's
partitionable threefry, a draw of rank 3 or 4 can take seconds to compile on
a CPU, a flat one a fraction of a second). A 1-D draw is exactly
``jax.random``'s of that shape.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

__all__ = ["normal", "uniform"]


def normal(key, shape, dtype=None):
    """Standard normals of ``shape``."""
    shape = tuple(shape)
    dtype = dtype or jnp.result_type(float)
    return jax.random.normal(key, (math.prod(shape),), dtype).reshape(shape)


def uniform(key, shape, dtype=None, minval=0.0, maxval=1.0):
    """Uniforms on ``[minval, maxval)`` of ``shape``."""
    shape = tuple(shape)
    dtype = dtype or jnp.result_type(float)
    return jax.random.uniform(key, (math.prod(shape),), dtype, minval, maxval).reshape(shape)
