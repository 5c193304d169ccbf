#!/usr/bin/env bash
# One place that installs everything spnas and its tests need; README and .ci/run both call it.
# Idempotent: a second run only checks, and changes nothing.
#   bash scripts/setup.sh               node packages, compiled build (dist/), native TensorFlow, test servers
#   SPNAS_GPU=1 bash scripts/setup.sh   also the tfjs-node-gpu binding (builds and runs anywhere; uses a GPU
#                                       only where CUDA is present: docs/native-backend.md)
# What a machine needs before this runs: README "Quick start" and docs/fresh-machine.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { echo "== setup: $*"; }

step "node packages"
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.spnas-lock-stamp 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.spnas-lock-stamp
else
  echo "node_modules matches package-lock.json"
fi

step "compiled build"
node scripts/build.mjs   # tsc -> dist/, only when the sources changed since the last build

step "native TensorFlow backend"
bash scripts/install-native-tf.sh cpu
if [ "${SPNAS_GPU:-0}" = "1" ]; then bash scripts/install-native-tf.sh gpu; fi

for s in scripts/setup.d/*.sh; do
  [ -e "$s" ] || continue
  step "$(basename "$s" .sh)"
  bash "$s"
done
step "done"
