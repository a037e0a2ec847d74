"""Tests run in float64 with strict dtype promotion."""

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_dtype_promotion", "strict")

import os  # noqa: E402

# compiled programs shared by the two test workers (and kept between local runs): the same computation
# compiles once per machine instead of once per process; results are never cached
from landscape.io import compilation_cache  # noqa: E402

compilation_cache(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".pytest_cache", "jax"))

# Keras (an independent reference in tests and benchmarks) must use its JAX backend.
os.environ.setdefault("KERAS_BACKEND", "jax")
