// GP-BO on Branin when trials fail, for each failed-trial policy: failures at random (10% of trials,
// independent of x, as when a node is lost) and failures confined to a region (x0 > 8.5, as a
// diverging learning rate is). Reports, over seeds, how many runs reach regret <= 1e-3 within the
// budget, the evaluations that took, and how many evaluations went into the failing region.
// Run: node --import tsx bench/hpo/failures.ts [--seeds 10] [--evals 60] [--policies classifier,impute-worst,exclude]
//        [--scenarios random,region] [--out bench/hpo/results]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { branin, type FailedTrialPolicy } from '../../src/hpo';
import { runWithFailures, SCENARIOS, type FailureScenario } from './failure-scenarios';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SEEDS = Number(arg('seeds', '10'));
const EVALS = Number(arg('evals', '60'));
const OUT = arg('out', 'bench/hpo/results');
const POLICIES = arg('policies', 'classifier,impute-worst,exclude').split(',') as FailedTrialPolicy[];
const NAMES = arg('scenarios', 'random,region').split(',') as FailureScenario[];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const summary: Record<string, unknown> = {
  function: 'branin',
  seeds: SEEDS,
  evaluations: EVALS,
  target: 1e-3,
  machine: `${process.arch}, node ${process.version}`,
};
const rows = ['scenario,policy,seed,evals_to_1e-3,regret_at_end,failures,in_region'];
for (const scenario of NAMES) {
  const bySeries: Record<string, unknown> = { description: SCENARIOS[scenario].description };
  for (const policy of POLICIES) {
    const t0 = performance.now();
    const runs = Array.from({ length: SEEDS }, (_, seed) => runWithFailures(branin, scenario, { seed, failedTrials: policy }, EVALS));
    runs.forEach((r, seed) => rows.push(`${scenario},${policy},${seed},${r.hit ?? ''},${r.regret},${r.failures},${r.inRegion}`));
    bySeries[policy] = {
      reached: runs.filter((r) => r.hit !== undefined).length,
      evalsTo1e3: runs.map((r) => r.hit ?? null),
      medianRegretAtEnd: median(runs.map((r) => r.regret)),
      medianFailures: median(runs.map((r) => r.failures)),
      medianEvalsInRegion: median(runs.map((r) => r.inRegion)),
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
    console.log(scenario, policy, JSON.stringify(bySeries[policy]));
  }
  summary[scenario] = bySeries;
}
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'failures.csv'), rows.join('\n') + '\n');
writeFileSync(join(OUT, 'failures-summary.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(`wrote ${join(OUT, 'failures.csv')} and failures-summary.json`);
