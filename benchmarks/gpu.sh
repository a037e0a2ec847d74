#!/usr/bin/env bash
# The benchmark suite on an accelerator machine where JAX (with its CUDA plugin) and Optax are
# already installed: install this package without touching them, then run every case.
# Results land in benchmarks/results/<device>.json and .md, labelled with the device.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --no-deps -e .
python -m pip install --quiet tqdm 2>/dev/null || true
python -c "import jax; print(jax.devices())"
python -m benchmarks "$@"
