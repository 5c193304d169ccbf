// Proposal latency of the GP sampler with 10, 100 and 500 observations (Hartmann-6, 6 continuous
// parameters). A study must never wait on its optimiser: target < 1 s per proposal at 500.
// Run: node --import tsx bench/hpo/proposal-latency.ts [--out bench/hpo/results/latency.json] [--fail-every 10]
// --fail-every k reports every k-th trial as failed, so the proposals also fit the failure classifier.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';
import { GpSampler, hartmann6, restoreSampler } from '../../src/hpo';

const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1]! : 'bench/hpo/results/latency.json';
const failArg = process.argv.indexOf('--fail-every');
const FAIL_EVERY = failArg > 0 ? Number(process.argv[failArg + 1]) : 0;
const REPEATS = 3;
// Wall time suffers when other jobs share the 2 cores; CPU time of this process shows the cost itself.
const rows: {
  observations: number;
  coldMs: number;
  coldCpuMs: number;
  warmMs: number[];
  warmCpuMs: number[];
  medianWarmMs: number;
  medianWarmCpuMs: number;
}[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const timed = <T>(f: () => T): { value: T; ms: number; cpuMs: number } => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
};

for (const n of [10, 100, 500]) {
  // A Sobol initial design of n points gets the sampler to n observations without n model fits.
  const s = new GpSampler(hartmann6.space, { seed: 1, nInitial: n });
  for (let i = 0; i < n; i++) {
    const t = s.ask();
    s.tell(
      t.trialId,
      FAIL_EVERY > 0 && i % FAIL_EVERY === FAIL_EVERY - 1 ? { status: 'failed', reason: 'bench' } : { status: 'ok', value: hartmann6.evaluate(t.params) },
    );
  }
  const snapshot = JSON.stringify(s.toJSON());
  // Cold: the first model-based proposal (no previous hyperparameters to warm-start from).
  const cold = restoreSampler(JSON.parse(snapshot));
  const first = timed(() => cold.ask());
  cold.tell(first.value.trialId, { status: 'ok', value: hartmann6.evaluate(first.value.params) });
  // Warm: subsequent proposals, as in a running study.
  const warm = Array.from({ length: REPEATS }, () => {
    const r = timed(() => cold.ask());
    cold.tell(r.value.trialId, { status: 'ok', value: hartmann6.evaluate(r.value.params) });
    return r;
  });
  const round = (x: number) => Math.round(x);
  rows.push({
    observations: n,
    coldMs: round(first.ms),
    coldCpuMs: round(first.cpuMs),
    warmMs: warm.map((w) => round(w.ms)),
    warmCpuMs: warm.map((w) => round(w.cpuMs)),
    medianWarmMs: round(median(warm.map((w) => w.ms))),
    medianWarmCpuMs: round(median(warm.map((w) => w.cpuMs))),
  });
  const r = rows.at(-1)!;
  console.log(`n=${n}: cold ${r.coldMs} ms (cpu ${r.coldCpuMs}), warm ${r.warmMs.join(' / ')} ms (cpu ${r.warmCpuMs.join(' / ')})`);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    { machine: `${process.arch}, node ${process.version}`, failEvery: FAIL_EVERY, loadAverage: os.loadavg().map((x) => +x.toFixed(1)), rows },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${out}`);
