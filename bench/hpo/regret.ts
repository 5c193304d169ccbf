// Regret curves of random search, GP-BO and BOHB on Branin, Hartmann-3 and Hartmann-6 over fixed
// seeds, written as CSV plus a summary JSON (then drawn by plot-regret.ts).
// Run: node --import tsx bench/hpo/regret.ts [--seeds 10] [--only branin] [--methods random,gp,bohb]
//        [--bias 0.15] [--out bench/hpo/results] [--gp-options '{"outputTransform":"yeo-johnson"}' --tag yj]
// --gp-options are extra GpSampler options; --tag names the output files (regret-<tag>.csv, ...).
//
// BOHB needs a fidelity. These functions have none, so the bench gives them a synthetic one: at
// budget b of R the objective is f(x) + (1 - b/R) * bias(x), a smooth distortion of amplitude up to
// `--bias` (default 0.15) times the function's range that vanishes at the full budget (as short NAS
// runs misrank configurations; --bias 0 gives BOHB a faithful low fidelity). A BOHB trial costs b/R of a full
// evaluation, and its curve is plotted against cumulative cost. BOHB's incumbent is its best result
// at the largest budget reached so far (its own rule), scored with the true f.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BohbSampler, GpSampler, RandomSampler, branin, hartmann3, hartmann6, type GpSamplerOptions, type Sampler, type TestFunction } from '../../src/hpo';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SEEDS = Number(arg('seeds', '10'));
const OUT = arg('out', 'bench/hpo/results');
const ONLY = arg('only', '');
const BIAS = Number(arg('bias', '0.15'));
const METHODS = arg('methods', 'random,gp,bohb').split(',');
const GP_OPTIONS = JSON.parse(arg('gp-options', '{}')) as Omit<GpSamplerOptions, 'seed'>;
const TAG = arg('tag', '');
const R = 27;

const problems: { fn: TestFunction; evals: number; range: number }[] = [
  { fn: branin, evals: 50, range: 300 },
  { fn: hartmann3, evals: 60, range: 3.9 },
  { fn: hartmann6, evals: 100, range: 3.3 },
].filter((p) => !ONLY || p.fn.name === ONLY);

function bias(fn: TestFunction, p: Record<string, unknown>, range: number): number {
  const u = Object.keys(fn.space).map((k) => {
    const s = fn.space[k]!;
    return s.type === 'float' ? ((p[k] as number) - s.low) / (s.high - s.low) : 0;
  });
  return (BIAS * range * u.reduce((a, x, i) => a + Math.sin(5 * x + i), 0)) / u.length;
}

/** Best true value after each full-evaluation equivalent, 1..evals. */
function runFullFidelity(s: Sampler, fn: TestFunction, evals: number): number[] {
  const curve: number[] = [];
  let best = Infinity;
  for (let i = 0; i < evals; i++) {
    const t = s.ask();
    const v = fn.evaluate(t.params);
    s.tell(t.trialId, { status: 'ok', value: v });
    best = Math.min(best, v);
    curve.push(best);
  }
  return curve;
}

function runBohb(seed: number, fn: TestFunction, evals: number, range: number): number[] {
  const s = new BohbSampler(fn.space, { seed, maxBudget: R, eta: 3 });
  const curve: number[] = [];
  let cost = 0;
  let incumbent = Infinity;
  let incBudget = 0;
  let incObserved = Infinity;
  while (curve.length < evals) {
    const t = s.ask();
    const b = t.budget!;
    const observed = fn.evaluate(t.params) + (1 - b / R) * bias(fn, t.params, range);
    s.tell(t.trialId, { status: 'ok', value: observed });
    if (b > incBudget || (b === incBudget && observed < incObserved)) {
      incBudget = b;
      incObserved = observed;
      incumbent = fn.evaluate(t.params);
    }
    cost += b / R;
    while (curve.length < Math.min(evals, Math.floor(cost + 1e-9))) curve.push(incumbent);
  }
  return curve;
}

const rows: string[] = ['function,method,seed,evaluations,best_value,regret'];
const summary: Record<string, unknown> = { seeds: SEEDS, bias: BIAS, gpOptions: GP_OPTIONS, machine: `${process.arch}, node ${process.version}` };
for (const { fn, evals, range } of problems) {
  const methods: Record<string, (seed: number) => number[]> = {
    random: (seed) => runFullFidelity(new RandomSampler(fn.space, { seed }), fn, evals),
    gp: (seed) => runFullFidelity(new GpSampler(fn.space, { ...GP_OPTIONS, seed }), fn, evals),
    bohb: (seed) => runBohb(seed, fn, evals, range),
  };
  const fnSummary: Record<string, unknown> = {};
  for (const [method, run] of Object.entries(methods).filter(([m]) => METHODS.includes(m))) {
    const t0 = performance.now();
    const curves = Array.from({ length: SEEDS }, (_, seed) => run(seed));
    curves.forEach((c, seed) => c.forEach((v, i) => rows.push(`${fn.name},${method},${seed},${i + 1},${v},${v - fn.optimum}`)));
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const at = (n: number) => median(curves.map((c) => c[Math.min(n, c.length) - 1]! - fn.optimum));
    const hits = curves.map((c) => c.findIndex((v) => v - fn.optimum < 1e-3) + 1 || Infinity);
    fnSummary[method] = {
      medianRegretAt30: at(30),
      [`medianRegretAt${evals}`]: at(evals),
      [`medianBestAt${evals}`]: median(curves.map((c) => c[evals - 1]!)),
      evalsToRegret1e3: hits.map((h) => (Number.isFinite(h) ? h : null)),
      medianEvalsToRegret1e3: median(hits),
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
    console.log(fn.name, method, JSON.stringify(fnSummary[method]));
  }
  summary[fn.name] = fnSummary;
}
mkdirSync(OUT, { recursive: true });
const suffix = [TAG, ONLY]
  .filter(Boolean)
  .map((p) => `-${p}`)
  .join('');
writeFileSync(join(OUT, `regret${suffix}.csv`), rows.join('\n') + '\n');
writeFileSync(join(OUT, `regret-summary${suffix}.json`), JSON.stringify(summary, null, 2) + '\n');
console.log(`wrote ${join(OUT, `regret${suffix}.csv`)} and regret-summary${suffix}.json`);
