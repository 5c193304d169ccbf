// The incumbent under noise: true regret of the lowest observation (best()) against the trial with
// the best posterior mean (bestByPosteriorMean()) on Branin with Gaussian noise, over seeds.
// Run: node --import tsx bench/hpo/noisy-incumbent.ts [--seeds 10] [--sigma 0.1] [--evals 60] [--out bench/hpo/results]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNoisyBranin } from './noisy-branin';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SEEDS = Number(arg('seeds', '10'));
const SIGMA = Number(arg('sigma', '0.1'));
const EVALS = Number(arg('evals', '60'));
const OUT = arg('out', 'bench/hpo/results');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const runs = Array.from({ length: SEEDS }, (_, seed) => {
  const r = runNoisyBranin(seed, SIGMA, EVALS);
  console.log(seed, JSON.stringify(r));
  return r;
});
const summary = {
  function: 'branin',
  noiseSd: SIGMA,
  evaluations: EVALS,
  seeds: SEEDS,
  medianTrueRegret: {
    lowestObservation: median(runs.map((r) => r.observed)),
    posteriorMean: median(runs.map((r) => r.posteriorMean)),
    bestEvaluated: median(runs.map((r) => r.bestEvaluated)),
  },
  posteriorMeanBetterOrEqual: runs.filter((r) => r.posteriorMean <= r.observed).length,
  runs,
};
console.log(JSON.stringify(summary.medianTrueRegret), `posterior mean at least as good in ${summary.posteriorMeanBetterOrEqual}/${SEEDS}`);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'noisy-incumbent.json'), JSON.stringify(summary, null, 2) + '\n');
