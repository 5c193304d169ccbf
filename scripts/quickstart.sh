#!/usr/bin/env bash
# One command from a fresh clone: install everything, then run the main job on real data:
# profile the latency table of this backend, search (Single-Path NAS), retrain the found network from
# scratch, evaluate it on held-out images and measure its latency. Outputs go to runs/quickstart/.
# Rerunning resumes from the last checkpoints. Set QUICKSTART_SCALE=full for a longer, more accurate run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

DATA="${SPNAS_DATA:-$ROOT/../shared/data/cifar10-jpeg}"
[ -e "$DATA" ] || { echo "quickstart: no data at $DATA (set SPNAS_DATA to a directory of CIFAR-10 tar shards)" >&2; exit 2; }
OUT="${QUICKSTART_OUT:-$ROOT/runs/quickstart}"
SPACE=cifar-small
if [ "${QUICKSTART_SCALE:-small}" = "full" ]; then
  LIMIT=50000; VAL=5000; SEARCH_EPOCHS=8; WARMUP=4; TRAIN_EPOCHS=60
else
  LIMIT=6000; VAL=1000; SEARCH_EPOCHS=4; WARMUP=2; TRAIN_EPOCHS=10
fi
spnas() { node "$ROOT/bin/spnas.js" "$@"; }
mkdir -p "$OUT"

echo "== 1/4 profile: per-layer latency table of $SPACE on this backend"
if [ ! -f "$OUT/table.json" ]; then
  spnas profile --space "$SPACE" --out "$OUT/table.json" --repeats 15 --samples 10
fi
FULL_MS=$(node -e "const t=require('$OUT/table.json'); let s=t.fixedMs; for (const r of t.layers) s+=r.k5e6+(r.se?r.se.e6:0); console.log(s.toFixed(3))")
TARGET=$(node -e "console.log((0.7*$FULL_MS).toFixed(3))")
echo "largest network predicted at $FULL_MS ms; searching for one at or under $TARGET ms"

echo "== 2/4 search: Single-Path NAS on $LIMIT CIFAR-10 images ($VAL held out)"
spnas search --space "$SPACE" --data "$DATA" --limit "$LIMIT" --val-count "$VAL" --table "$OUT/table.json" \
  --epochs "$SEARCH_EPOCHS" --warmup-epochs "$WARMUP" --batch-size 64 \
  --runtime-loss mnas --target-ms "$TARGET" --lambda 5 --out "$OUT/search"

echo "== 3/4 train: the found network from scratch"
spnas train --arch "$OUT/search" --epochs "$TRAIN_EPOCHS" --batch-size 64 --out "$OUT/train"

echo "== 4/4 eval: held-out top-1 and measured latency"
spnas eval --model "$OUT/train/model" --json | tee "$OUT/eval.json"
