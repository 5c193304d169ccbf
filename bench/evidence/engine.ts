/**
 * The evidence benches' calls into the engine: the functions the study's use cases wrap (runSearch for
 * the shared warm-up and the search, trainChild for a retraining, evaluateTop1 for a score), with the
 * configs a study passes (src/study/trial-plan.ts, src/study/retrain-config.ts), the use cases'
 * loaders (src/usecases/datasets.ts), checkpoints in per-run directories (an interrupted run resumes),
 * each data spec decoded once per process, and compute measured three ways: wall time, this process's
 * CPU time of the whole unit (with its scoring) and of its training steps alone.
 *
 * Not the use cases themselves: under the load of this shared machine (15-17 on 2 cores, these
 * benches at nice 10), a use case's data loading (a synchronous decode of thousands of images) kept
 * its run-directory lease from being renewed for 4.4 minutes and the run failed with LEASE_LOST; and
 * every call would decode its data again (50,000 images for a final-budget run).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import type { DataSpec } from '../../src/config/data-spec';
import { parseSearchConfig, parseTrainConfig } from '../../src/config/training-config';
import type { Params } from '../../src/hpo/space';
import { evaluateTop1 } from '../../src/nas/evaluate';
import type { LoopProgress } from '../../src/nas/training-loop';
import { runSearch } from '../../src/nas/search';
import { trainChild } from '../../src/nas/train-child';
import { architectureFromString, architectureToString } from '../../src/space/architecture';
import { wilsonInterval } from '../../src/stats/binomial';
import { DataError } from '../../src/errors';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { openStore } from '../../src/storage/open-store';
import { contentKey } from '../../src/study/content-key';
import { studyRetrainConfig } from '../../src/study/retrain-config';
import { retrainEpochsAt, type TrialPlan } from '../../src/study/trial-plan';
import { evalLoader, loadSplits, trainLoader, type LoadedSplits } from '../../src/usecases/datasets';
import { appendJsonl, readJsonl } from '../nas/common';
import { predictedMs, profiledTable, space } from './latency-model';
import { FINAL, MAX_BUDGET, PLAN, SEARCH_IMAGES, studySpecAt, TRIAL_BUDGETS, trialData, WORK, type TrialBudget } from './problem';
import { FILES, type Fingerprint, type SearchRecord, type TrainRecord, type WarmupRecord } from './records';

export const THREADS: number | 'default' = process.env.TF_NUM_INTRAOP_THREADS ? Number(process.env.TF_NUM_INTRAOP_THREADS) : 'default';

export function fingerprint(): Fingerprint {
  const be = loadTf();
  return {
    backend: be.name,
    ...(be.binding ? { binding: be.binding } : {}),
    ...(be.libtensorflow ? { libtensorflow: be.libtensorflow } : {}),
    tfjs: be.tf.version.tfjs,
    node: process.version,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.cpus().length,
    threads: THREADS,
    host: os.hostname(),
  };
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

/** A unit's clock: wall and CPU of the whole unit, CPU of its steps (first to last progress report), throttled progress lines. */
class UnitClock {
  private readonly t0 = Date.now();
  private readonly c0 = cpuNow();
  private first?: number;
  private last?: number;
  constructor(private readonly label: string) {}

  progress = (p: LoopProgress): void => {
    this.last = cpuNow();
    this.first ??= this.last;
    const tenth = Math.max(1, Math.round(p.totalSteps / 10));
    if (p.step % tenth === 0)
      process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${this.label} step ${p.step}/${p.totalSteps} ${p.imagesPerSec.toFixed(1)} img/s\n`);
  };

  read(): { wallSeconds: number; cpuSeconds: number; stepCpuSeconds: number; loadavg: number } {
    return {
      wallSeconds: (Date.now() - this.t0) / 1000,
      cpuSeconds: cpuNow() - this.c0,
      stepCpuSeconds: this.first !== undefined && this.last !== undefined ? this.last - this.first : 0,
      loadavg: os.loadavg()[0]!,
    };
  }
}

/**
 * A unit's claim, so lanes running side by side never work on the same run directory: `<dir>.claim`
 * holds the owner's pid; a claim whose process is gone is taken over. Undefined when a live process
 * holds it.
 */
export function claim(dir: string): (() => void) | undefined {
  const file = `${dir}.claim`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch {
      const pid = Number(fs.readFileSync(file, 'utf8'));
      try {
        process.kill(pid, 0);
        if (pid !== process.pid) return undefined;
        return () => fs.rmSync(file, { force: true });
      } catch {
        fs.rmSync(file, { force: true }); // its process is gone
      }
    }
  }
  return undefined;
}

const loaded = new Map<string, Promise<LoadedSplits>>();
/** The data spec's splits, decoded once per process. */
function splitsOf(spec: DataSpec): Promise<LoadedSplits> {
  const key = JSON.stringify(spec);
  if (!loaded.has(key)) loaded.set(key, loadSplits(space(), spec));
  return loaded.get(key)!;
}

const inputShape = (): [number, number, number] => [space().inputSize, space().inputSize, space().inputChannels];
const checkpointsIn = (dir: string, keep: number) => new CheckpointStore(openStore(dir), 'checkpoints', { keep });
const WARMUP_DIR = path.join(WORK, 'warmup');

/**
 * The shared warm-up, as warmupSupernet runs it: the trials' search config with 2 warm-up epochs
 * (every trial's warm-up is 1 or 2 of its 3 search epochs), a checkpoint at each epoch; run once.
 * A clone that has the record but not the checkpoints (runs/ is not committed) runs it again: it is
 * deterministic by seed, so the checkpoints are the recorded ones; the record is not appended twice.
 */
export async function ensureWarmup(searchConfig: Record<string, unknown>): Promise<WarmupRecord> {
  const done = readJsonl<WarmupRecord>(FILES.trials).find((r) => r.type === 'warmup');
  if (done && (await warmupCheckpointsPresent(done))) return done;
  const { tf } = loadTf();
  const config = parseSearchConfig({ ...searchConfig, warmupEpochs: 2, epochs: 3, keepCheckpoints: 10_000 }, 'warm-up config');
  const clock = new UnitClock('warm-up');
  const splits = await splitsOf(trialData(SEARCH_IMAGES));
  const train = trainLoader(space(), splits.train, config);
  const bpe = train.batchesPerEpoch;
  const t0 = process.hrtime.bigint();
  const r = await runSearch({
    tf,
    space: space(),
    config: { ...config, checkpointEvery: bpe },
    table: profiledTable(),
    train,
    checkpoints: checkpointsIn(WARMUP_DIR, 10_000),
    stopAtStep: 2 * bpe,
    onProgress: clock.progress,
  });
  r.supernet.dispose();
  if (done) return done;
  const c = clock.read();
  const rec: WarmupRecord = {
    type: 'warmup',
    epochs: 2,
    epochSteps: [bpe, 2 * bpe],
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    cpuSeconds: c.cpuSeconds,
    stepCpuSeconds: c.stepCpuSeconds,
    date: new Date().toISOString(),
  };
  appendJsonl(FILES.trials, rec);
  return rec;
}

async function warmupCheckpointsPresent(w: WarmupRecord): Promise<boolean> {
  const store = checkpointsIn(WARMUP_DIR, 10_000);
  for (const step of w.epochSteps)
    try {
      await store.load(step);
    } catch (err) {
      if (err instanceof DataError) return false;
      throw err;
    }
  return true;
}

/**
 * One stage of a trial's search (a fidelity level): continues the configuration's run directory, else
 * starts from the warm-up. Undefined when another lane is running it.
 */
export async function searchStage(o: {
  configId: string;
  source: string;
  knobs: Params;
  level: number;
  fidelity: number;
  plan: TrialPlan;
  warmup: WarmupRecord;
}): Promise<SearchRecord | undefined> {
  const dir = path.join(WORK, 'search', contentKey({ knobs: o.knobs, search: { ...o.plan.search, epochs: undefined } }));
  const release = claim(dir);
  if (!release) return undefined;
  try {
    return await runStage(o, dir);
  } finally {
    release();
  }
}

async function runStage(o: Parameters<typeof searchStage>[0], dir: string): Promise<SearchRecord> {
  const { tf } = loadTf();
  const config = parseSearchConfig(o.plan.search, `search config of ${o.configId}`);
  const clock = new UnitClock(`search ${o.configId} level ${o.level}`);
  const splits = await splitsOf(trialData(SEARCH_IMAGES));
  const checkpoints = checkpointsIn(dir, 3);
  const warmStart = (await checkpoints.latest()) ? undefined : await checkpointsIn(WARMUP_DIR, 10_000).load(o.warmup.epochSteps[o.plan.warmupEpochs - 1]!);
  const t0 = process.hrtime.bigint();
  const r = await runSearch({
    tf,
    space: space(),
    config,
    table: profiledTable(),
    train: trainLoader(space(), splits.train, config),
    checkpoints,
    ...(warmStart ? { warmStart } : {}),
    onProgress: clock.progress,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // The supernet's held-out top-1 at the search's end (full fidelity). A lower stage skips it: on this
  // shared machine its 5,000-image supernet evaluation cost ~55 CPU-s, most of a stage; the tabular
  // benchmark charges every stage the full stage's evaluation cost instead.
  const val =
    o.level === MAX_BUDGET
      ? await evaluateTop1(tf, (x) => r.supernet.forward(x, { training: false }).logits, evalLoader(space(), splits.val), inputShape())
      : undefined;
  r.supernet.dispose();
  const architecture = architectureToString(r.architecture);
  const c = clock.read();
  const rec: SearchRecord = {
    type: 'search',
    configId: o.configId,
    source: o.source,
    knobs: o.knobs,
    level: o.level,
    fidelity: o.fidelity,
    warmupEpochs: o.plan.warmupEpochs,
    epochs: config.epochs,
    targetMs: o.plan.targetMs,
    architecture,
    predictedMs: predictedMs(architecture),
    ...(val ? { supernetTop1: val.top1 } : {}),
    searchImages: SEARCH_IMAGES,
    seconds,
    ...c,
    resumedFromStep: r.resumedFromStep,
    steps: r.steps,
    date: new Date().toISOString(),
  };
  appendJsonl(FILES.trials, rec);
  return rec;
}

type RetrainJob = { architecture: string; budget: TrialBudget | 'final'; fidelity: number; seed: number; file: string };

/**
 * Retrains `architecture` from scratch at a trial budget (fidelity scales its epochs) or at the final
 * budget, and scores it. Undefined when another lane is running it.
 */
export async function retrain(o: RetrainJob): Promise<TrainRecord | undefined> {
  const dir = path.join(WORK, 'train', o.budget, `${contentKey(o.architecture)}-f${o.fidelity.toFixed(4)}-s${o.seed}`);
  const release = claim(dir);
  if (!release) return undefined;
  try {
    return await runRetrain(o, dir);
  } finally {
    release();
  }
}

async function runRetrain(o: RetrainJob, dir: string): Promise<TrainRecord> {
  const { tf } = loadTf();
  const final = o.budget === 'final';
  const data = final ? PLAN.final : trialData(TRIAL_BUDGETS[o.budget as TrialBudget].images);
  const spec = studySpecAt(final ? 'a' : (o.budget as TrialBudget));
  const epochs = final ? FINAL.config.epochs : retrainEpochsAt(spec, o.fidelity);
  // exactly the config a study passes: planTrial's retraining config for a trial, the final phase's for 'final'
  const config = parseTrainConfig(
    final
      ? { seed: o.seed, ...studyRetrainConfig({ recipe: spec.budget.final.recipe, ...spec.budget.final.config }, spec.budget.batchSize) }
      : { ...studyRetrainConfig(spec.budget.retrain, spec.budget.batchSize), seed: o.seed, epochs },
    `${o.budget} retraining config`,
  );
  const clock = new UnitClock(`${o.budget} f${o.fidelity.toFixed(2)} s${o.seed}`);
  const splits = await splitsOf(data);
  const t0 = process.hrtime.bigint();
  const r = await trainChild({
    tf,
    space: space(),
    architecture: architectureFromString(space(), o.architecture),
    config,
    train: trainLoader(space(), splits.train, config),
    checkpoints: checkpointsIn(dir, config.keepCheckpoints),
    onProgress: clock.progress,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const val = await evaluateTop1(tf, (x) => r.model.predict(x) as ReturnType<typeof tf.zeros>, evalLoader(space(), splits.val), inputShape());
  r.model.dispose();
  const w = wilsonInterval(val.correct, val.count);
  const rec: TrainRecord = {
    type: 'train',
    architecture: o.architecture,
    budget: o.budget,
    fidelity: o.fidelity,
    epochs,
    trainImages: splits.train.size,
    seed: o.seed,
    split: final ? 'test' : 'selection',
    top1: val.top1,
    correct: val.correct,
    count: val.count,
    low: w.low,
    high: w.high,
    seconds,
    ...clock.read(),
    resumedFromStep: r.resumedFromStep,
    threads: THREADS,
    date: new Date().toISOString(),
  };
  appendJsonl(o.file, rec);
  return rec;
}
