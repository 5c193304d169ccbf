/**
 * Which images a run trains and validates on: a URI, an optional prefix limit, and a held-out split.
 * The same spec in a search, its retraining and its evaluation means the same images in the same
 * split, so the held-out accuracy never sees training images.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { parseOrThrow } from './zod-issues';

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
export type DataSpecInput = z.input<typeof dataSpecSchema>;

/** 10% of the limit, at most 5,000 (the CIFAR-10 convention for a held-out split of the training set). */
export function defaultValCount(limit: number | undefined): number {
  return limit ? Math.max(1, Math.min(5000, Math.round(limit * 0.1))) : 5000;
}

/** A data spec from optional parts (flags), falling back to another spec (e.g. the search's). */
export function makeDataSpec(v: { uri?: string; limit?: number; valCount?: number; splitSeed?: number }, fallback?: DataSpec): DataSpec {
  const uri = v.uri ?? fallback?.uri;
  if (!uri) throw new InvalidInputError('--data is required: a directory or s3:// prefix of tar shards, an ImageFolder, or IDX files');
  const limit = v.limit ?? (v.uri ? undefined : fallback?.limit);
  return parseOrThrow(
    dataSpecSchema,
    { uri, limit, valCount: v.valCount ?? fallback?.valCount ?? defaultValCount(limit), splitSeed: v.splitSeed ?? fallback?.splitSeed ?? 0 },
    'data options',
  );
}
