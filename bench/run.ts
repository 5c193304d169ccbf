/**
 * `npm run bench`: the index of the benchmarks. None runs in the tests; each one backs figures in the
 * README section named below.
 *
 *   npm run bench                      lists them
 *   npm run bench -- <name> [args...]  runs one (same as `node --import tsx <script> [args...]`)
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

interface Bench {
  script: string;
  what: string;
  readme: string;
}

const BENCHES: Record<string, Bench> = {
  'backend-ops': { script: 'bench/backend/ops-throughput.ts', what: 'native vs pure-JS op throughput (GFLOP/s)', readme: 'Native TensorFlow backend' },
  'cli-startup': { script: 'bench/cli/startup.ts', what: 'spnas --help start-up: compiled build vs tsx', readme: 'Tests' },
  'data-throughput': { script: 'bench/data/throughput.ts', what: 'tar read / JPEG decode / augment images per second', readme: 'Data loading' },
  'engine-step': { script: 'bench/engine/train-step.ts', what: 'training step: supernet vs child vs multi-path vs Python TF', readme: 'Engine performance' },
  'engine-kernels': { script: 'bench/engine/kernel-profile.ts', what: 'per-kernel time of a training step', readme: 'Engine performance' },
  'engine-child-step': { script: 'bench/engine/child-step.ts', what: 'retraining step time of derived networks side by side', readme: 'Quick start' },
  'engine-depthwise': { script: 'bench/engine/depthwise-kernels.ts', what: 'depthwise gradient kernels: oneDNN vs Eigen', readme: 'Engine performance' },
  'engine-three': {
    script: 'bench/engine/engines.ts',
    what: 'training steps: spnas vs Python TF tf.function vs PyTorch (bench venv)',
    readme: 'Engine performance',
  },
  'engine-loop-ab': {
    script: 'bench/engine/loop-ab.ts',
    what: 'runSearch / trainChild step time, two checkouts alternately (--a, --b)',
    readme: 'Engine performance',
  },
  'engine-parallel-trials': {
    script: 'bench/engine/parallel-trials.ts',
    what: 'one 2-thread process vs two 1-thread processes, retraining images/s',
    readme: 'Engine performance',
  },
  'engine-dispatch': { script: 'bench/engine/dispatch-cost.ts', what: 'per-op dispatch cost of tfjs-node', readme: 'Engine performance' },
  'latency-stability': {
    script: 'bench/latency/two-run-stability.ts',
    what: 'measured latency of the same networks in two processes: ratio, share within +-3%',
    readme: 'Latency model',
  },
  'latency-table-accuracy': {
    script: 'bench/latency/table-accuracy.ts',
    what: "this device's table on 40 random networks: share within +-10%, median error",
    readme: 'Latency model',
  },
  'latency-profile-order': {
    script: 'bench/latency/profile-order.ts',
    what: 'profiles timed in a fixed against a shuffled order per round, on the same 40 measured networks',
    readme: 'Latency model',
  },
  'latency-median-of-profiles': {
    script: 'bench/latency/median-of-profiles.ts',
    what: "a profile-order run's tables alone and as medians of 3 (a study's fresh table), offline",
    readme: 'Latency model',
  },
  'runtime-profile': { script: 'bench/runtime/profile-presets.ts', what: 'latency-table prediction error per preset', readme: 'Latency model' },
  'hpo-regret': { script: 'bench/hpo/regret.ts', what: 'regret curves: random, GP-BO, BOHB (~10 min)', readme: 'NAS-hyperparameter optimisation' },
  'hpo-plot': { script: 'bench/hpo/plot-regret.ts', what: 'draws the regret curves (SVG, PNG)', readme: 'NAS-hyperparameter optimisation' },
  'k8s-cluster': { script: 'bench/k8s/cluster.ts', what: 'test control plane start-up and one launcher round trip', readme: 'Kubernetes' },
  'study-table': {
    script: 'bench/orchestration/study-table.ts',
    what: "a finished study's trials, front, final model and compute (summary.json)",
    readme: 'Quick start',
  },
  'compare-studies': {
    script: 'bench/orchestration/compare-studies.ts',
    what: 'two runs of one spec side by side: table, target, networks, measured latency, weights',
    readme: 'Quick start',
  },
  'orchestration-overhead': {
    script: 'bench/orchestration/overhead.ts',
    what: 'per-trial Temporal overhead with the no-op engine, history sizes (500 trials)',
    readme: 'Quick start',
  },
  'workflow-bundle': {
    script: 'bench/orchestration/workflow-bundle.ts',
    what: "the workflow bundle's size and which project modules it carries",
    readme: 'NAS-hyperparameter optimisation',
  },
  'nas-searched-vs-random': {
    script: 'bench/nas/searched-vs-random.ts',
    what: 'searched vs random networks of equal predicted latency, retrained with the same seeds (hours; resumable)',
    readme: 'Searched vs random',
  },
  'nas-searched-vs-random-report': {
    script: 'bench/nas/report-searched-vs-random.ts',
    what: 'table and figure of the searched-vs-random results',
    readme: 'Searched vs random',
  },
  'nas-target-hit': {
    script: 'bench/nas/target-hit.ts',
    what: 'derived latency vs target per table, loss and target fraction (resumable)',
    readme: 'Searched vs random',
  },
  'nas-target-hit-report': { script: 'bench/nas/report-target-hit.ts', what: 'table and figure of the target-hit results', readme: 'Searched vs random' },
  'nas-threshold-sim': {
    script: 'bench/nas/threshold-sim.ts',
    what: "the thresholds' dynamics under the runtime term alone, per update rule (seconds; docs/engine.md)",
    readme: 'Searched vs random',
  },
  'nas-plot-trace': {
    script: 'bench/nas/plot-trace.ts',
    what: "plots a search trace: R, every layer's group norms and thresholds over the steps",
    readme: 'Searched vs random',
  },
  'nas-lambda-sweep': {
    script: 'bench/nas/lambda-sweep.ts',
    what: "log-loss lambda sweep: derived networks' predicted and measured latency (resumable)",
    readme: 'Searched vs random',
  },
  'nas-lambda-sweep-report': { script: 'bench/nas/report-lambda-sweep.ts', what: 'table of the lambda sweep', readme: 'Searched vs random' },
  'nas-recipe': {
    script: 'bench/nas/recipe.ts',
    what: 'a retraining recipe on all 50,000 images: top-1 per epoch vs time (resumable)',
    readme: 'Retraining recipe',
  },
  'nas-recipe-report': { script: 'bench/nas/report-recipe.ts', what: 'table and figure of the retraining-recipe results', readme: 'Retraining recipe' },
  'evidence-trials': {
    script: 'bench/evidence/trials.ts',
    what: "trial records: a knob design run as the main command's trials, staged multi-fidelity searches, trial-budget scores (hours; resumable)",
    readme: 'Evidence',
  },
  'evidence-scores': {
    script: 'bench/evidence/scores.ts',
    what: 'fidelity set: final-budget and extra-seed retrainings of trial and random networks (hours; resumable)',
    readme: 'Evidence',
  },
  'evidence-latency': {
    script: 'bench/evidence/latency.ts',
    what: 'profiled table candidates and batch-1 latency of every recorded network',
    readme: 'Evidence',
  },
  'evidence-fidelity-report': {
    script: 'bench/evidence/report-fidelity.ts',
    what: "Kendall's tau / Spearman's rho with bootstrap intervals: trial budgets vs the final budget",
    readme: 'Evidence',
  },
  'evidence-study-pays': {
    script: 'bench/evidence/study-pays.ts',
    what: 'default knobs vs random / GP / ASHA / Hyperband on the tabular benchmark at equal compute (seconds)',
    readme: 'Evidence',
  },
  faults: {
    script: 'bench/faults/campaign.ts',
    what: 'small real studies with faults injected at seeded random times, checked against a fault-free run (resumable; ~10 min a run)',
    readme: 'Faults injected on purpose',
  },
  'faults-report': {
    script: 'bench/faults/report.ts',
    what: 'faults injected and survived by kind, from the campaign results',
    readme: 'Faults injected on purpose',
  },
  'hpo-latency': { script: 'bench/hpo/proposal-latency.ts', what: 'GP proposal latency at 10/100/500 observations', readme: 'NAS-hyperparameter optimisation' },
};

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  console.log('usage: npm run bench -- <name> [args...]\n');
  for (const [n, b] of Object.entries(BENCHES)) console.log(`  ${n.padEnd(18)} ${b.what}  (README "${b.readme}"; ${b.script})`);
  process.exit(0);
}
const bench = BENCHES[name];
if (!bench) {
  console.error(`npm run bench: unknown benchmark '${name}'; run \`npm run bench\` for the list`);
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, bench.script), ...args], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
