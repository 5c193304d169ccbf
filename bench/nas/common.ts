/**
 * What the NAS benches share: CIFAR-10 from the shared shards with a fixed held-out split, loaders,
 * latency tables by name (shipped, or the synthetic Pixel-1-shaped one), and append-only JSONL result
 * files (a bench interrupted anywhere resumes by skipping the runs already recorded).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadImageDataset, splitDataset, type ImageDataset } from '../../src/data/dataset';
import { BatchLoader } from '../../src/data/batch-loader';
import { defaultTableFor } from '../../src/runtime/default-tables';
import { parseLatencyTableFor, type LatencyTable } from '../../src/runtime/model/latency-table';
import { pixel1ShapedTable } from '../../src/runtime/model/pixel1-table';
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

export function trainBatches(space: SearchSpace, ds: ImageDataset, o: { batchSize: number; seed: number; augment?: { padCrop: number; flip: boolean } }): BatchLoader {
  return new BatchLoader(ds, { batchSize: o.batchSize, seed: o.seed, shuffle: true, augment: o.augment ?? { padCrop: 4, flip: true }, mean: space.normalization.mean, std: space.normalization.std, dropLast: true });
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

/** Records of an append-only JSONL file (a torn last line from an interrupted write is ignored). */
export function readJsonl<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const out: T[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
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

export function argMap(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) out[a.slice(2)] = argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true';
  }
  return out;
}
