#!/bin/bash
# The evidence benches' background lanes, in order of value (bench/evidence/README-section.md, "Running").
# Each step resumes from the JSONL records and run directories, so rerunning a lane after an
# interruption continues where it stopped. Two lanes of one intra-op thread each (measured:
# results/threads.json), at nice 10 (the machine is shared).
#   bash bench/evidence/lanes.sh trials   # searches, trial-budget retrainings, seeds, then searched-vs-random
#   bash bench/evidence/lanes.sh retrain  # beside the trials lane: budget a as searches finish, then b and the second seed
#   bash bench/evidence/lanes.sh final    # final-budget runs of the fidelity set (waits for trial networks)
#   bash bench/evidence/lanes.sh fidelity # beside final: trial-budget scores, more searches, then final-budget runs
# Lanes running side by side share the work: each unit is claimed (<run dir>.claim) by one process.
#   bash bench/evidence/lanes.sh validation 1   # real studies per sampler (seed 1; a second lane: validation 2)
#   bash bench/evidence/lanes.sh latency  # batch-1 latency of every recorded network, rescanned every 30 min
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
    # searched vs random with 3 search seeds, 8 random networks, the untuned target 0.6 and the main command's 0.7,
    # the trial search and budget b (reusing the records' identical retrainings)
    run bench/nas/searched-vs-random.ts --fracs 0.7,0.6 --search-seeds 0,1,2 --randoms 8 --seeds 0,1 --plan 10000 \
      --search-limit 2500 --search-epochs 3 --search-warmup 2 --lambda 20 --loss mnas --train '{"epochs":2,"batchSize":64}' \
      --out bench/nas/results/searched-vs-random-plan.jsonl --work runs/evidence/searched-vs-random
    ;;
  retrain)
    run bench/evidence/trials.ts --retrain-only --budgets a --mf a --wait 600
    run bench/evidence/scores.ts --budget b --seeds 0
    run bench/evidence/scores.ts --budget a,b --seeds 1
    ;;
  final)
    run bench/evidence/scores.ts --budget final --seeds 0 --trial-archs 12 --wait 900
    ;;
  fidelity)
    # beside `final` when the fidelity figure is what matters first (measured: one final-budget run
    # takes ~25 min of one idle thread): the set's trial-budget scores, searches of the first 14
    # configurations (more distinct trial networks), then a second final-budget lane
    run bench/evidence/scores.ts --budget a,b --seeds 0
    run bench/evidence/trials.ts --search-only --mf a --from 0 --to 14
    run bench/evidence/scores.ts --budget a,b --seeds 0
    run bench/evidence/scores.ts --budget final --seeds 0 --trial-archs 12
    ;;
  validation)
    # real studies of the main command's problem, one per sampler and the seeds given (default 1), each on
    # its own dev server (port 7300 + seed) so that two lanes side by side do not serve each other's
    # activities; trial counts let each sampler act: GP past its 6-point initial design, ASHA with
    # promotions, Hyperband through its first bracket (9 + 3 + 1)
    for seed in ${2:-1}; do
      export SPNAS_DEV_PORT=$((7300 + seed)) SPNAS_STATE_DIR=$PWD/runs/evidence/state-$seed
      run bench/evidence/validation.ts --sampler random --seed "$seed" --trials 6
      run bench/evidence/validation.ts --sampler gp --seed "$seed" --trials 8
      run bench/evidence/validation.ts --sampler asha --seed "$seed" --trials 9
      run bench/evidence/validation.ts --sampler hyperband --seed "$seed" --trials 13
    done
    ;;
  latency)
    TF_NUM_INTRAOP_THREADS= run bench/evidence/latency.ts --watch 1800
    ;;
  *) echo "usage: $0 trials|retrain|final|fidelity|validation [seeds]|latency" >&2; exit 2 ;;
esac
