/**
 * Which images a run trains and validates on: a URI, an optional prefix limit, and a held-out split.
 * The same spec in a search, its retraining and its evaluation means the same images in the same
 * split, so the held-out accuracy never sees training images.
 *
 * Two forms, one meaning: the first `total` source images (in source order) in a seeded permutation,
 * training images at positions [train[0], train[1]) of it and held-out images at [val[0], val[1]).
 * - split form `{ uri, limit, valCount, splitSeed }`: total = limit (or all), val = [0, valCount),
 *   train = [valCount, total);
 * - planned form `{ uri, plan: { total, seed, train, val } }`: the ranges of a study's data plan
 *   (src/study/data-plan.ts), so that several specs over one permutation are disjoint by construction.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { parseOrThrow } from './zod-issues';

/** Positions [from, to) in a plan's permutation. */
const positionRange = z.tuple([z.number().int().min(0), z.number().int().min(0)]).refine(([a, b]) => a < b, { message: 'must be [from, to) with from < to' });

export const dataPlanRangesSchema = z
  .object({
    /** Source images the permutation covers: the first `total` in source order. */
    total: z.number().int().positive(),
    /** Seed of the permutation (one per study). */
    seed: z.number().int().min(0),
    train: positionRange,
    val: positionRange,
  })
  .strict()
  .superRefine((p, ctx) => {
    for (const k of ['train', 'val'] as const)
      if (p[k][1] > p.total) ctx.addIssue({ code: 'custom', path: [k], message: `ends at ${p[k][1]}, beyond total ${p.total}` });
    if (p.train[0] < p.val[1] && p.val[0] < p.train[1])
      ctx.addIssue({ code: 'custom', path: ['val'], message: `[${p.val}] overlaps train [${p.train}]: held-out images must not be trained on` });
  });
export type DataPlanRanges = z.output<typeof dataPlanRangesSchema>;

export const dataSpecSchema = z
  .object({
    uri: z.string().min(1),
    /** Samples read from the source (in source order); default all. Split form only. */
    limit: z.number().int().positive().optional(),
    /** Held-out validation samples, split off by `splitSeed` before any training. Split form only. */
    valCount: z.number().int().positive().optional(),
    splitSeed: z.number().int().min(0).default(0),
    /** Planned form: positions of the training and held-out images in a study's permutation. */
    plan: dataPlanRangesSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.plan) {
      for (const k of ['limit', 'valCount'] as const)
        if (d[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'is not used with `plan` (the plan sets which images): remove it' });
    } else if (d.valCount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['valCount'], message: 'is required (held-out images split off before training), or give a `plan`' });
    }
  });
export type DataSpec = z.output<typeof dataSpecSchema>;
export type DataSpecInput = z.input<typeof dataSpecSchema>;

/** The permutation ranges a data spec means, in either form (`total` undefined: every source image). */
export function dataRanges(d: DataSpec): { total: number | undefined; seed: number; train: [number, number] | 'rest'; val: [number, number] } {
  if (d.plan) return { total: d.plan.total, seed: d.plan.seed, train: d.plan.train, val: d.plan.val };
  return { total: d.limit, seed: d.splitSeed, train: 'rest', val: [0, d.valCount!] };
}

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
