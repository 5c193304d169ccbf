/**
 * Does a study pay (issue 22, point 4; the paper's RQ3)? On the tabular benchmark (tabular.ts), at
 * equal total compute, over --worlds replicates (each its own sampler seed and frozen seed noise):
 *
 * - default: one search with the default knobs, the target given as the study's (DEFAULT_MNAS_KNOBS:
 *   lambda 20, mnas loss, target fraction 0.7, threshold learning-rate multiplier 1, warm-up
 *   fraction 0.5), then the final retraining of its network (no trial retraining: nothing to choose);
 * - random search, GP-BO (the study's GpSampler options), and the multi-fidelity samplers (ASHA and
 *   Hyperband, maxBudget 9, eta 3) over the study's knob space, each trial a search and a retraining
 *   at the trial budget, then the final retraining of the network selected at the latency target.
 *
 * Compute is CPU seconds from the records: the shared warm-up (the epochs the trials so far needed),
 * the search stages, the retrainings, and the final retraining (the selected network's, reserved at
 * the median final run's cost while trials run). A method stops before the trial that would exceed
 * the budget. Budgets are given in trial equivalents: the shared warm-up, k times the mean cost of a
 * full-fidelity trial, and the median final run.
 *
 * Metrics per method and budget: how often a network meets the target, the test-split top-1 of the
 * selected network (final budget), the hypervolume of the trial-budget front (as the study reports it,
 * reference [0, 1.5 x largest latency]).
 *
 *   node --import tsx bench/evidence/study-pays.ts [--budget a] [--worlds 30] [--ks 3,6,12,24]
 *     [--methods default,random,gp,asha,hyperband]
 * Writes results/study-pays-<budget>.json and .svg/.png, prints the table.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AshaSampler,
  GpSampler,
  HyperbandSampler,
  RandomSampler,
  hypervolume2d,
  nasHyperparameterSpace,
  selectForLatencyTarget,
  type Sampler,
} from '../../src/hpo';
import { tInterval } from '../../src/stats/student-t';
import { warmupEpochsFor } from '../../src/study/trial-plan';
import { argMap, readJsonl } from '../nas/common';
import { PALETTE, renderFigure, writeFigure, type Panel } from '../nas/svg-chart';
import { DEFAULT_MNAS_KNOBS } from './design';
import { largestPredictedMs } from './latency-model';
import { BUDGET_LEVELS, ETA, MAX_BUDGET, RESULTS, studySpecAt, TARGET_FRACTION, type TrialBudget } from './problem';
import { FILES, readAll, searches, trains, type WarmupRecord } from './records';
import { TabularProblem, World } from './tabular';

export interface Outcome {
  method: string;
  world: number;
  k: number;
  trials: number;
  seconds: number;
  met: boolean;
  /** Test top-1 of the selected network (final budget), when one meets the target. */
  testTop1?: number;
  /** Its trial-budget score, as the study saw it. */
  trialTop1?: number;
  imputed?: boolean;
  architecture?: string;
  hypervolume: number;
}

export type MethodName = 'default' | 'random' | 'gp' | 'asha' | 'hyperband';

function samplerFor(method: MethodName, seed: number): Sampler {
  const space = nasHyperparameterSpace();
  switch (method) {
    case 'random':
      return new RandomSampler(space, { seed, direction: 'maximize' });
    case 'gp':
      return new GpSampler(space, { seed, direction: 'maximize', incumbent: 'posterior-mean' });
    case 'asha':
      return new AshaSampler(space, { seed, direction: 'maximize', maxBudget: MAX_BUDGET, eta: ETA });
    case 'hyperband':
      return new HyperbandSampler(space, { seed, direction: 'maximize', maxBudget: MAX_BUDGET, eta: ETA });
    default:
      throw new Error(`no sampler for ${method}`);
  }
}

interface Done {
  architecture: string;
  score: number;
  latencyMs: number;
  level: number;
}

/**
 * One study (or the default search) in one world, with `limit` compute in all (CPU seconds), or, given
 * as `{ trials }`, that many trials whatever they cost (as a real study's `hpo.trials`).
 */
export function runMethod(
  p: TabularProblem,
  method: MethodName,
  world: number,
  limit: number | { trials: number },
  largestMs: number,
  samplerSeed = world,
): Omit<Outcome, 'k'> {
  const budgetSeconds = typeof limit === 'number' ? limit : Infinity;
  const maxTrials = typeof limit === 'number' ? Infinity : limit.trials;
  const spec = studySpecAt(p.budget);
  const w = new World(world);
  let warmupPaid = 0;
  let seconds = 0;
  const warmupCost = (epochs: number) => Math.max(0, epochs - warmupPaid) * p.warmupSecondsPerEpoch;
  if (method === 'default') {
    const e = p.evaluate(DEFAULT_MNAS_KNOBS, warmupEpochsFor(spec, DEFAULT_MNAS_KNOBS), MAX_BUDGET, 0, w);
    const f = p.final(e.architecture, e.score, e.latencyMs);
    seconds = warmupCost(warmupEpochsFor(spec, DEFAULT_MNAS_KNOBS)) + e.searchSeconds + f.cpuSeconds;
    const met = e.latencyMs <= p.targetMs;
    return { method, world, trials: 1, seconds, met, ...(met ? { testTop1: f.top1, imputed: f.imputed, architecture: e.architecture } : {}), hypervolume: 0 };
  }
  const sampler = samplerFor(method, samplerSeed);
  const levelReached = new Map<number, number>();
  const done: Done[] = [];
  while (done.length < maxTrials) {
    const t = sampler.ask();
    const level = t.budget ?? MAX_BUDGET;
    const cid = t.configId ?? t.trialId;
    const warm = warmupEpochsFor(spec, t.params);
    const e = p.evaluate(t.params, warm, level, levelReached.get(cid) ?? 0, w);
    const cost = warmupCost(warm) + e.searchSeconds + e.retrainSeconds;
    if (seconds + cost + p.medianFinalSeconds > budgetSeconds) break;
    seconds += cost;
    warmupPaid = Math.max(warmupPaid, warm);
    levelReached.set(cid, level);
    done.push({ architecture: e.architecture, score: e.score, latencyMs: e.latencyMs, level });
    sampler.tell(t.trialId, { status: 'ok', value: p.reward(e.score, e.latencyMs) });
  }
  // the study's contenders: full-fidelity trials when there are any (StudyBook)
  const full = done.filter((d) => d.level === MAX_BUDGET);
  const contenders = full.length ? full : done;
  if (!contenders.length) return { method, world, trials: 0, seconds, met: false, hypervolume: 0 };
  const hv = hypervolume2d(
    contenders.map((d) => [d.score, d.latencyMs]),
    [0, 1.5 * largestMs],
    ['maximize', 'minimize'],
  );
  const sel = selectForLatencyTarget(
    contenders.map((d) => ({ accuracy: d.score, latencyMs: d.latencyMs, d })),
    p.targetMs,
  );
  if (!sel.met) return { method, world, trials: done.length, seconds, met: false, hypervolume: hv };
  const f = p.final(sel.model.d.architecture, sel.model.d.score, sel.model.d.latencyMs);
  return {
    method,
    world,
    trials: done.length,
    seconds: seconds + f.cpuSeconds,
    met: true,
    testTop1: f.top1,
    trialTop1: sel.model.d.score,
    imputed: f.imputed,
    architecture: sel.model.d.architecture,
    hypervolume: hv,
  };
}

function summary(os: Outcome[]) {
  const tops = os.filter((o) => o.met).map((o) => o.testTop1!);
  const hv = os.map((o) => o.hypervolume);
  return {
    n: os.length,
    met: os.filter((o) => o.met).length,
    imputed: os.filter((o) => o.imputed).length,
    trials: os.reduce((s, o) => s + o.trials, 0) / os.length,
    seconds: os.reduce((s, o) => s + o.seconds, 0) / os.length,
    top1: tops.length >= 2 ? tInterval(tops) : tops.length ? { mean: tops[0]!, low: tops[0]!, high: tops[0]!, sd: 0, n: 1, level: 0.95 } : undefined,
    hv: hv.length >= 2 ? tInterval(hv) : undefined,
    /** Distinct selected networks, with how often each was selected. */
    selected: Object.entries(
      os.reduce<Record<string, number>>((m, o) => {
        if (o.architecture) m[o.architecture] = (m[o.architecture] ?? 0) + 1;
        return m;
      }, {}),
    ).sort((a, b) => b[1] - a[1]),
  };
}

function main(): void {
  const a = argMap(process.argv.slice(2));
  const budget = (a.budget ?? 'a') as TrialBudget;
  const worlds = Number(a.worlds ?? 30);
  const ks = (a.ks ?? '3,6,12,24').split(',').map(Number);
  const methods = (a.methods ?? 'default,random,gp,asha,hyperband').split(',') as MethodName[];
  const mf = methods.some((m) => m === 'asha' || m === 'hyperband');
  const recs = readAll();
  const warmup = readJsonl<WarmupRecord>(FILES.trials).find((r) => r.type === 'warmup');
  if (!warmup) throw new Error('no warm-up record yet: run bench/evidence/trials.ts');
  const largestMs = largestPredictedMs();
  const p = new TabularProblem(
    { searches: searches(recs), trains: trains(recs), warmup },
    budget,
    mf ? BUDGET_LEVELS : [MAX_BUDGET],
    TARGET_FRACTION * largestMs,
  );
  const full = p.configs.map((c) => p.evaluate(c.knobs, c.warmupEpochs, MAX_BUDGET, 0, new World(0)));
  const trialSeconds = full.reduce((s, e) => s + e.searchSeconds, 0) / full.length;
  const retrainSeconds = full.reduce((s, e) => s + e.retrainSeconds, 0) / full.length;
  const perTrial = trialSeconds + retrainSeconds;
  const base = 2 * p.warmupSecondsPerEpoch + p.medianFinalSeconds;
  console.log(
    `tabular benchmark, budget ${budget}: ${p.configs.length} configurations, seed noise sd ${(100 * p.noiseSd).toFixed(2)} pp, target ${p.targetMs.toFixed(2)} ms; ` +
      `CPU s: warm-up ${p.warmupSecondsPerEpoch.toFixed(0)} per epoch, trial ${perTrial.toFixed(0)} (search ${trialSeconds.toFixed(0)}, retrain ${retrainSeconds.toFixed(0)}), final ${p.medianFinalSeconds.toFixed(0)}`,
  );
  const outcomes: Outcome[] = [];
  for (const k of ks)
    for (const method of methods)
      for (let world = 0; world < worlds; world++) outcomes.push({ ...runMethod(p, method, world, base + k * perTrial, largestMs), k });
  const pct = (x: number) => (100 * x).toFixed(1);
  const lines = [
    '| budget (trial equivalents) | method | trials (mean) | meets target | test top-1 of the selected network, % [95% CI] | selections imputed | front hypervolume [95% CI] |',
    '|---|---|---|---|---|---|---|',
  ];
  const table: Record<string, unknown>[] = [];
  for (const k of ks)
    for (const method of methods) {
      const s = summary(outcomes.filter((o) => o.k === k && o.method === method));
      table.push({ k, method, ...s });
      lines.push(
        `| ${k} | ${method} | ${s.trials.toFixed(1)} | ${s.met}/${s.n} | ${s.top1 ? `${pct(s.top1.mean)} [${pct(s.top1.low)}, ${pct(s.top1.high)}]` : '-'} | ${s.imputed}/${s.met} | ${s.hv ? `${s.hv.mean.toFixed(2)} [${s.hv.low.toFixed(2)}, ${s.hv.high.toFixed(2)}]` : '-'} |`,
      );
    }
  console.log(lines.join('\n'));
  const out = path.join(RESULTS, `study-pays-${budget}`);
  fs.writeFileSync(
    `${out}.json`,
    `${JSON.stringify({ budget, worlds, ks, noiseSd: p.noiseSd, targetMs: p.targetMs, configs: p.configs.length, seconds: { perTrial, trialSeconds, retrainSeconds, base }, table, date: new Date().toISOString() }, null, 1)}\n`,
  );
  const panel = (title: string, y: (o: Outcome[]) => number | undefined, yLabel: string): Panel => ({
    title,
    xLabel: 'compute budget (trial equivalents)',
    yLabel,
    series: methods.map((m, i) => ({
      label: m,
      color: PALETTE[i]!,
      points: ks.flatMap((k) => {
        const v = y(outcomes.filter((o) => o.k === k && o.method === m));
        return v === undefined ? [] : [[k, v] as [number, number]];
      }),
    })),
  });
  const meanTop = (os: Outcome[]) => {
    const t = os.filter((o) => o.met).map((o) => 100 * o.testTop1!);
    return t.length ? t.reduce((s, x) => s + x, 0) / t.length : undefined;
  };
  console.log(
    `wrote ${writeFigure(
      out,
      renderFigure(
        [
          panel('test top-1 of the selected network', meanTop, 'mean test top-1 (%)'),
          panel('meets the latency target', (os) => (100 * os.filter((o) => o.met).length) / os.length, 'worlds (%)'),
          panel('front hypervolume (trial budget)', (os) => os.reduce((s, o) => s + o.hypervolume, 0) / os.length, 'mean hypervolume'),
        ],
        3,
        380,
        280,
        `Does a study pay? Tabular benchmark, trial budget ${budget}, ${worlds} worlds`,
      ),
    ).join(', ')}`,
  );
  // which networks lack a final-budget run but get selected: the final lane's next candidates
  const missing = new Map<string, number>();
  for (const o of outcomes) if (o.imputed && o.architecture) missing.set(o.architecture, (missing.get(o.architecture) ?? 0) + 1);
  if (missing.size)
    console.log(
      `selected networks without a final-budget run (imputed): ${[...missing]
        .sort((x, y) => y[1] - x[1])
        .map(([arch, n]) => `${arch} (${n})`)
        .join('; ')}`,
    );
}

if (require.main === module) main();
