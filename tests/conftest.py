"""Tests run in float64 with strict dtype promotion."""
import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_dtype_promotion", "strict")

import os

# Keras (an independent reference in tests and benchmarks) must use its JAX backend.
os.environ.setdefault("KERAS_BACKEND", "jax")
