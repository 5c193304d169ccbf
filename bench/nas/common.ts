/**
 * What the NAS benches share: CIFAR-10 from the shared shards with a fixed held-out split, loaders,
 * latency tables by name (shipped, or the synthetic Pixel-1-shaped one), and append-only JSONL result
 * files (a bench interrupted anywhere resumes by skipping the runs already recorded).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type * as TF from '@tensorflow/tfjs';
import type { SearchConfig } from '../../src/config/training-config';
import { CancelledError } from '../../src/errors';
import { runSearch } from '../../src/nas/search';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { openStore } from '../../src/storage/open-store';
import { loadImageDataset, splitDataset, type ImageDataset } from '../../src/data/dataset';
import { BatchLoader } from '../../src/data/batch-loader';
import { defaultTableFor } from '../../src/latency/default-tables';
import { parseLatencyTableFor, type LatencyTable } from '../../src/latency/latency-table';
import { pixel1ShapedTable } from '../../src/latency/pixel1-table';
import type { SearchSpace } from '../../src/space/spec';

export const ROOT = path.resolve(__dirname, '../..');
export const CIFAR = process.env.SPNAS_DATA ?? path.resolve(ROOT, '../shared/data/cifar10-jpeg');

export interface Splits {
  train: ImageDataset;
  val: ImageDataset;
}

/** The first `limit` CIFAR-10 training images, `valCount` of them held out (split seed 0). */
export async function cifarSplits(space: SearchSpace, limit: number, valCount: number): Promise<Splits> {
  const ds = await loadImageDataset(CIFAR, { limit, imageSize: [space.inputSize, space.inputSize] });
  return splitDataset(ds, { valCount, seed: 0 });
}

export function trainBatches(
  space: SearchSpace,
  ds: ImageDataset,
  o: { batchSize: number; seed: number; augment?: { padCrop: number; flip: boolean } },
): BatchLoader {
  return new BatchLoader(ds, {
    batchSize: o.batchSize,
    seed: o.seed,
    shuffle: true,
    augment: o.augment ?? { padCrop: 4, flip: true },
    mean: space.normalization.mean,
    std: space.normalization.std,
    dropLast: true,
  });
}

export function evalBatches(space: SearchSpace, ds: ImageDataset): BatchLoader {
  return new BatchLoader(ds, { batchSize: 250, seed: 0, shuffle: false, mean: space.normalization.mean, std: space.normalization.std, dropLast: false });
}

/** 'shipped' (the space's default table), 'pixel1-shaped', or a path to a table file. */
export function tableByName(space: SearchSpace, name: string): LatencyTable {
  if (name === 'shipped') return defaultTableFor(space);
  if (name === 'pixel1-shaped') return parseLatencyTableFor(space, pixel1ShapedTable(space), 'pixel1-shaped table');
  return parseLatencyTableFor(space, JSON.parse(fs.readFileSync(name, 'utf8')), name);
}

/**
 * Records of an append-only JSONL file (a torn last line from an interrupted write is ignored); a
 * `.gz` file, or `<file>.gz` when `<file>` is absent (traces are checked in gzipped), is gunzipped.
 */
export function readJsonl<T>(file: string): T[] {
  const gz = file.endsWith('.gz') ? file : !fs.existsSync(file) && fs.existsSync(`${file}.gz`) ? `${file}.gz` : undefined;
  if (!gz && !fs.existsSync(file)) return [];
  const text = gz ? zlib.gunzipSync(fs.readFileSync(gz)).toString('utf8') : fs.readFileSync(file, 'utf8');
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      /* torn line */
    }
  }
  return out;
}

export function appendJsonl(file: string, rec: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify(rec) + '\n');
}

/** A report script's arguments: an optional results file (relative to the repo) first, then --flags. */
export function reportArgs(argv: string[], defaultFile: string): { file: string; a: Record<string, string> } {
  const positional = argv[0] && !argv[0].startsWith('--') ? argv[0] : undefined;
  return { file: path.resolve(ROOT, positional ?? defaultFile), a: argMap(positional ? argv.slice(1) : argv) };
}

export function argMap(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) out[a.slice(2)] = argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true';
  }
  return out;
}

/**
 * Shared warm-up (what a study's trials share): runs the search's warm-up once into
 * `<dir>/checkpoints` (stopping at the last warm-up step, where a checkpoint is saved) and returns
 * its step. The warm-up does not depend on lambda, the runtime loss, the target or (with frozen
 * thresholds) the threshold learning rate, so every trial with the same seed, data and warm-up
 * settings can start from it.
 */
export async function sharedWarmup(o: {
  tf: typeof TF;
  space: SearchSpace;
  config: SearchConfig;
  table: LatencyTable;
  train: ImageDataset;
  dir: string;
}): Promise<number> {
  const store = new CheckpointStore(openStore(o.dir), 'checkpoints', { keep: 1 });
  const loader = trainBatches(o.space, o.train, o.config);
  const warmSteps = Math.round(o.config.warmupEpochs * loader.batchesPerEpoch);
  const last = await store.latest();
  if (last && last.step >= warmSteps) return warmSteps;
  const ctl = new AbortController();
  try {
    const r = await runSearch({
      tf: o.tf,
      space: o.space,
      config: o.config,
      table: o.table,
      train: loader,
      checkpoints: store,
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.step >= warmSteps) ctl.abort();
        else if (p.step % 20 === 0) process.stderr.write(`warm-up ${o.dir}: step ${p.step}/${warmSteps}\n`);
      },
    });
    r.supernet.dispose();
  } catch (err) {
    if (!(err instanceof CancelledError)) throw err;
  }
  return warmSteps;
}

/** Copies the shared warm-up checkpoint into a trial's directory, so runSearch resumes from it. */
export function seedFromWarmup(warmupDir: string, trialDir: string): void {
  const src = path.join(warmupDir, 'checkpoints');
  const steps = fs
    .readdirSync(src)
    .filter((d) => d.startsWith('step-'))
    .sort();
  const dst = path.join(trialDir, 'checkpoints', steps[steps.length - 1]!);
  if (!fs.existsSync(dst)) fs.cpSync(path.join(src, steps[steps.length - 1]!), dst, { recursive: true });
}
