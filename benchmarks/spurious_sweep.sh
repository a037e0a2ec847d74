#!/usr/bin/env bash
# Spurious minima at the scale of Safran & Shamir (2018): k = n and n = k + 1 for k = 6..20,
# STARTS Xavier starts each, exact gradients until every start is global or stationary.
# One JSON per setting in OUT_DIR (both n for each k in turn); stops starting new settings
# after BUDGET seconds.
# Usage: [PYTHON=...] benchmarks/spurious_sweep.sh OUT_DIR [STARTS] [BUDGET] [KS]
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
out=${1:?output directory}; starts=${2:-1000}; budget=${3:-3600}; ks=${4:-"6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"}
mkdir -p "$out"
for k in $ks; do
  for n in k k+1; do
    if (( SECONDS > budget )); then echo "budget reached before k=$k n=$n"; exit 0; fi
    t0=$SECONDS
    "${PYTHON:-python}" -m analysis deep spurious --k "$k" --n "$n" --samples "$starts" --steps 200000 \
      --json "$out/k${k}_n${n/+/p}.json" || echo "k=$k n=$n failed"
    echo "  ($((SECONDS - t0)) s)"
  done
done
