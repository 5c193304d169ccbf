#!/bin/bash
# The evidence benches' background lanes, in order of value (bench/evidence/README-section.md, "Running").
# Each step resumes from the JSONL records and run directories, so rerunning a lane after an
# interruption continues where it stopped. Two lanes of one intra-op thread each (measured:
# results/threads.json), at nice 10 (the machine is shared).
#   bash bench/evidence/lanes.sh trials   # searches, trial-budget retrainings, seeds, then searched-vs-random
#   bash bench/evidence/lanes.sh final    # final-budget runs of the fidelity set (waits for trial networks)
#   bash bench/evidence/lanes.sh latency  # batch-1 latency of every recorded network, rescanned every 10 min
set -u
cd "$(dirname "$0")/../.."
export TF_NUM_INTRAOP_THREADS=${TF_NUM_INTRAOP_THREADS:-1}
run() { echo "== $(date -Is) $*"; nice -n 10 node --import tsx "$@" || { echo "== failed ($?): $*"; exit 1; }; }
case "${1:-}" in
  trials)
    run bench/evidence/trials.ts --search-only --mf a        # every configuration's search stages (1/9, 1/3, 1)
    run bench/evidence/trials.ts --budgets a --mf a          # budget a at every fidelity
    run bench/evidence/scores.ts --budget b --seeds 0        # budget b, fidelity set first, then every trial network
    run bench/evidence/scores.ts --budget a,b --seeds 1      # a second seed at both trial budgets
    ;;
  final)
    run bench/evidence/scores.ts --budget final --seeds 0 --trial-archs 12 --wait 900
    ;;
  latency)
    TF_NUM_INTRAOP_THREADS= run bench/evidence/latency.ts --watch 600
    ;;
  *) echo "usage: $0 trials|final|latency" >&2; exit 2 ;;
esac
