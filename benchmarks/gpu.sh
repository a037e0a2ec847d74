#!/usr/bin/env bash
# The benchmark suite on an accelerator machine where JAX (with its CUDA plugin) and Optax are
# already installed; the package runs from this checkout (no install, no network needed).
# Results land in benchmarks/results/<device>.json and .md (or --out DIR), labelled with the device.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
"${PYTHON:-python}" -c "import jax; print(jax.devices())"
"${PYTHON:-python}" -m benchmarks "$@"
