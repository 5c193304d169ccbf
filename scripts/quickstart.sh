#!/usr/bin/env bash
# One command from a fresh clone: install everything, then run the main job on real data: a whole
# NAS-hyperparameter study (examples/study.json) on the embedded default: a local Temporal dev server,
# local storage (runs/studies/), the CPU. Each trial is a Single-Path NAS search (from one shared
# warm-up), a retraining and an evaluation; the study ends with the front of held-out top-1 against
# measured latency and the network selected at the latency target retrained with the final budget.
# Rerunning continues the study where it stopped (it is a durable workflow); a finished study is
# reported, not rerun. SPNAS_DATA points at another copy of the CIFAR-10 shards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

SPEC="$ROOT/examples/study.json"
if [ -n "${SPNAS_DATA:-}" ]; then
  # the same study on another copy of the data: a spec beside the runs, with the data path replaced
  mkdir -p "$ROOT/runs"
  SPEC="$ROOT/runs/quickstart-study.json"
  node -e '
    const fs = require("fs"), path = require("path");
    const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    delete s.$schema;
    s.storage = process.argv[3];
    s.data.train.uri = path.resolve(process.argv[2]);
    fs.writeFileSync(process.argv[4], JSON.stringify(s, null, 2) + "\n");
  ' "$ROOT/examples/study.json" "$SPNAS_DATA" "$ROOT/runs" "$SPEC"
fi
DATA="$(node -e 'const {readStudySpecFile}=require(process.argv[1]); console.log(readStudySpecFile(process.argv[2]).data.train.uri)' "$ROOT/dist/src/cli/study-spec-file.js" "$SPEC")"
[ -e "$DATA" ] || { echo "quickstart: no data at $DATA (set SPNAS_DATA to a directory of CIFAR-10 tar shards)" >&2; exit 2; }

echo "== study: $(basename "$SPEC") on $DATA (about 25-30 minutes on 2 idle cores; Ctrl-C and rerun to continue)"
node "$ROOT/bin/spnas.js" study run "$SPEC"
