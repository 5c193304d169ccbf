#!/usr/bin/env bash
# One place that installs everything spnas and its tests need; README and .ci/run both call it.
# Idempotent: a second run only checks, and changes nothing.
#   bash scripts/setup.sh            node packages + native TensorFlow + servers for tests
#   SPNAS_GPU=1 bash scripts/setup.sh   also the tfjs-node-gpu binding (needs a CUDA machine to run)
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

step "native TensorFlow backend"
bash scripts/install-native-tf.sh cpu
if [ "${SPNAS_GPU:-0}" = "1" ]; then bash scripts/install-native-tf.sh gpu; fi

for s in scripts/setup.d/*.sh; do
  [ -e "$s" ] || continue
  step "$(basename "$s" .sh)"
  bash "$s"
done
step "done"
