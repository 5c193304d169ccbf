/**
 * Validation studies: real `spnas study run` studies of the main command's problem (trial budget a:
 * search and retraining on the first 2,500 trial-training images, scored on the selection split;
 * predicted latency, as the tabular benchmark uses; no final phase: the final-budget runs of the
 * fidelity set answer for the selected network), one per sampler and seed. Each finished study's
 * trials are appended to the trial records (configId `study:<name>:<trial>`), so they also extend the
 * table. Compare with the tabular benchmark: bench/evidence/report-validation.ts.
 *
 *   node --import tsx bench/evidence/validation.ts --sampler gp --seed 1 [--trials 8]
 *
 * Runs the study in this process (the embedded Temporal dev server); rerun to continue an interrupted one.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StudySummary } from '../../src/study/records';
import { appendJsonl, argMap, CIFAR, readJsonl, ROOT } from '../nas/common';
import { MAX_BUDGET, PLAN, planSpec, SEARCH_IMAGES, TARGET_FRACTION, TRIAL_BUDGETS, WORK } from './problem';
import { FILES, type SearchRecord, type TrainRecord } from './records';
import { wilsonInterval } from '../../src/stats/binomial';

const a = argMap(process.argv.slice(2));

export function validationSpec(sampler: string, seed: number, trials: number): Record<string, unknown> {
  return {
    name: `evidence-${sampler}-s${seed}`,
    storage: path.join(WORK, 'studies'),
    space: 'cifar-small',
    data: { train: { uri: CIFAR, limit: PLAN.total }, plan: planSpec(SEARCH_IMAGES) },
    latencyTable: { shipped: true },
    objectives: { latency: 'predicted', latencyTargetFraction: TARGET_FRACTION },
    hpo: { sampler, trials, parallelism: 1, seed, maxBudget: MAX_BUDGET, eta: 3 },
    budget: {
      searchEpochs: 3,
      warmupEpochs: 1,
      retrainEpochs: TRIAL_BUDGETS.a.epochs,
      batchSize: 64,
      seed: 0,
      retrain: { recipe: 'fast', batchSize: 64 },
      // as the tabular benchmark models a multi-fidelity level: the search continues, the network is
      // retrained from scratch at the level's epochs (the cosine recipe cannot continue)
      promotedRetraining: 'restart',
      final: { models: 0 },
    },
    resources: { executor: 'local' },
  };
}

/** Appends a finished study's trials to the records (once). */
export function importStudy(summary: StudySummary, name: string): number {
  const have = new Set(readJsonl<SearchRecord>(FILES.trials).map((r) => r.configId));
  let n = 0;
  for (const t of summary.trialRecords) {
    const configId = `study:${name}:${t.trialId}`;
    if (t.state !== 'ok' || !t.result || have.has(configId)) continue;
    const level = Math.round(t.fidelity * MAX_BUDGET);
    const r = t.result;
    const date = new Date(t.endedAt ?? Date.now()).toISOString();
    const search: SearchRecord = {
      type: 'search',
      configId,
      source: `study:${name}`,
      knobs: t.params,
      level,
      fidelity: t.fidelity,
      warmupEpochs: -1,
      epochs: -1,
      targetMs: summary.table.targetMs,
      architecture: r.architecture,
      predictedMs: r.predictedMs,
      supernetTop1: r.supernetTop1,
      searchImages: SEARCH_IMAGES,
      seconds: r.seconds.search,
      wallSeconds: r.seconds.search,
      cpuSeconds: NaN,
      stepCpuSeconds: NaN,
      resumedFromStep: r.searchStartStep,
      steps: -1,
      loadavg: NaN,
      date,
    };
    const count = 5000;
    const correct = Math.round(r.top1 * count);
    const w = wilsonInterval(correct, count);
    const train: TrainRecord = {
      type: 'train',
      architecture: r.architecture,
      budget: 'a',
      fidelity: t.fidelity,
      epochs: TRIAL_BUDGETS.a.epochs * t.fidelity,
      trainImages: TRIAL_BUDGETS.a.images,
      seed: 0,
      split: 'selection',
      top1: r.top1,
      correct,
      count,
      low: w.low,
      high: w.high,
      seconds: r.seconds.retrain,
      wallSeconds: r.seconds.retrain,
      cpuSeconds: NaN,
      stepCpuSeconds: NaN,
      resumedFromStep: 0,
      loadavg: NaN,
      threads: 'default',
      date,
    };
    // the retraining first: a search record without its score would make the study look imported
    appendJsonl(FILES.studies, { ...train, study: name, configId });
    appendJsonl(FILES.trials, { ...search, study: name });
    n++;
  }
  return n;
}

function main(): void {
  const sampler = a.sampler ?? 'gp';
  const seed = Number(a.seed ?? 1);
  const spec = validationSpec(sampler, seed, Number(a.trials ?? 8));
  const file = path.join(WORK, `${spec.name as string}.json`);
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(spec, null, 1)}\n`);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/spnas.js'), 'study', 'run', file], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) throw new Error(`study ${spec.name as string} ended with status ${r.status}`);
  const summaryFile = path.join(WORK, 'studies', 'studies', spec.name as string, 'summary.json');
  const n = importStudy(JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as StudySummary, spec.name as string);
  process.stdout.write(`imported ${n} trials of ${spec.name as string} into the records\n`);
}

if (require.main === module) main();
