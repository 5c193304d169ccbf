// Proposal latency of the GP sampler with 10, 100 and 500 observations (Hartmann-6, 6 continuous
// parameters). A study must never wait on its optimiser: target < 1 s per proposal at 500.
// Run: node --import tsx bench/hpo/proposal-latency.ts [--out bench/hpo/results/latency.json]
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GpSampler, hartmann6, restoreSampler } from '../../src/hpo';

const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1]! : 'bench/hpo/results/latency.json';
const REPEATS = 3;
const rows: { observations: number; coldMs: number; warmMs: number[]; medianWarmMs: number }[] = [];

for (const n of [10, 100, 500]) {
  // A Sobol initial design of n points gets the sampler to n observations without n model fits.
  const s = new GpSampler(hartmann6.space, { seed: 1, nInitial: n });
  for (let i = 0; i < n; i++) {
    const t = s.ask();
    s.tell(t.trialId, { status: 'ok', value: hartmann6.evaluate(t.params) });
  }
  const snapshot = JSON.stringify(s.toJSON());
  // Cold: the first model-based proposal (no previous hyperparameters to warm-start from).
  const cold = restoreSampler(JSON.parse(snapshot));
  let t0 = performance.now();
  const first = cold.ask();
  const coldMs = performance.now() - t0;
  cold.tell(first.trialId, { status: 'ok', value: hartmann6.evaluate(first.params) });
  // Warm: subsequent proposals, as in a running study.
  const warmMs: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    t0 = performance.now();
    const t = cold.ask();
    warmMs.push(performance.now() - t0);
    cold.tell(t.trialId, { status: 'ok', value: hartmann6.evaluate(t.params) });
  }
  const medianWarmMs = [...warmMs].sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!;
  rows.push({ observations: n, coldMs: Math.round(coldMs), warmMs: warmMs.map(Math.round), medianWarmMs: Math.round(medianWarmMs) });
  console.log(`n=${n}: cold ${coldMs.toFixed(0)} ms, warm ${warmMs.map((x) => x.toFixed(0)).join(' / ')} ms`);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ machine: `${process.arch}, node ${process.version}`, rows }, null, 2) + '\n');
console.log(`wrote ${out}`);
