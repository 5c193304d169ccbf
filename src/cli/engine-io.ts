/**
 * What the engine commands share: the data spec (URI, limit, held-out split) and its loaders, the
 * latency table for a space, and JSON documents in the output store. Commands stay thin on top.
 */
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';
import { InvalidInputError } from '../errors';
import { loadImageDataset, splitDataset, type ImageDataset } from '../data/dataset';
import { BatchLoader } from '../data/batch-loader';
import type { SearchSpace } from '../space/spec';
import type { ObjectStore } from '../storage/object-store';
import { checkTableForSpace, parseLatencyTable, type LatencyTable } from '../runtime/model/latency-table';
import { defaultTableFor } from '../runtime/default-tables';
import { readJsonFile } from './args';

export const dataSpecSchema = z
  .object({
    uri: z.string().min(1),
    /** Samples read from the source (in source order); default all. */
    limit: z.number().int().positive().optional(),
    /** Held-out validation samples, split off by `splitSeed` before any training. */
    valCount: z.number().int().positive(),
    splitSeed: z.number().int().min(0).default(0),
  })
  .strict();
export type DataSpec = z.output<typeof dataSpecSchema>;

export function makeDataSpec(v: { uri?: string; limit?: number; valCount?: number; splitSeed?: number }, fallback?: DataSpec): DataSpec {
  const uri = v.uri ?? fallback?.uri;
  if (!uri) throw new InvalidInputError('--data is required: a directory or s3:// prefix of tar shards, an ImageFolder, or IDX files');
  const limit = v.limit ?? (v.uri ? undefined : fallback?.limit);
  return parseOrThrow(dataSpecSchema, { uri, limit, valCount: v.valCount ?? fallback?.valCount ?? defaultValCount(limit), splitSeed: v.splitSeed ?? fallback?.splitSeed ?? 0 }, 'data options');
}

function defaultValCount(limit: number | undefined): number {
  return limit ? Math.max(1, Math.min(5000, Math.round(limit * 0.1))) : 5000;
}

export interface LoadedSplits {
  train: ImageDataset;
  val: ImageDataset;
}

export async function loadSplits(space: SearchSpace, spec: DataSpec, signal?: AbortSignal): Promise<LoadedSplits> {
  const ds = await loadImageDataset(spec.uri, { limit: spec.limit, imageSize: [space.inputSize, space.inputSize], signal });
  if (ds.numClasses > space.numClasses) {
    throw new InvalidInputError(`data ${spec.uri} has ${ds.numClasses} classes but space '${space.name}' has ${space.numClasses}; use a spec with numClasses >= ${ds.numClasses}`);
  }
  return splitDataset(ds, { valCount: spec.valCount, seed: spec.splitSeed });
}

export function trainLoader(space: SearchSpace, ds: ImageDataset, o: { batchSize: number; seed: number; augment: { padCrop: number; flip: boolean } }): BatchLoader {
  if (ds.size < o.batchSize) throw new InvalidInputError(`the training split has ${ds.size} samples, fewer than the batch size ${o.batchSize}; lower --batch-size or load more data`);
  return new BatchLoader(ds, { batchSize: o.batchSize, seed: o.seed, shuffle: true, augment: o.augment, mean: space.normalization.mean, std: space.normalization.std, dropLast: true });
}

export function evalLoader(space: SearchSpace, ds: ImageDataset, batchSize = 256): BatchLoader {
  return new BatchLoader(ds, { batchSize, seed: 0, shuffle: false, mean: space.normalization.mean, std: space.normalization.std, dropLast: false });
}

/** The latency table: a file given by --table, else the one shipped for the space. */
export function resolveTable(space: SearchSpace, file?: string): LatencyTable {
  if (file) return checkTableForSpace(parseLatencyTable(readJsonFile(file, 'latency table'), `latency table '${file}'`), space, `latency table '${file}'`);
  return defaultTableFor(space);
}

/**
 * Records a run's inputs in <out>/run.json, or checks that a rerun into the same --out has the same
 * inputs (then it resumes); different inputs are refused rather than mixed with old checkpoints.
 */
export async function claimRunDir(store: ObjectStore, run: object, what: string): Promise<void> {
  const previous = await readJson(store, 'run.json');
  if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(JSON.parse(JSON.stringify(run)))) {
    throw new InvalidInputError(`${store.uri} already holds a ${what} with other inputs (see its run.json); use a fresh --out, or the same options to resume`);
  }
  await writeJson(store, 'run.json', run);
}

export async function writeJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, JSON.stringify(value, null, 2) + '\n', { contentType: 'application/json' });
}

export async function readJson(store: ObjectStore, key: string): Promise<unknown | undefined> {
  if (!(await store.head(key))) return undefined;
  const raw = await store.get(key);
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new InvalidInputError(`${store.uri}/${key} is not valid JSON: ${(err as Error).message}`);
  }
}
