/**
 * zod pieces every sampler's snapshot schema is built from (snapshot.ts composes them with each
 * descriptor's own fields). Numbers are finite and bounded; arrays are checked against each other in
 * the descriptors' cross-checks.
 */
import { z } from 'zod';
import { SOBOL_MAX_DIM } from './sobol';
import type { Space } from './space';
import type { IssueSink } from './sampler-descriptor';

export const finite = z.number().refine(Number.isFinite, 'must be a finite number');
export const positive = finite.refine((v) => v > 0, 'must be > 0');
export const count = z.number().int('must be an integer').min(0, 'must be >= 0');
export const u32 = z
  .number()
  .int('must be an integer')
  .min(0, 'must be a uint32 word (0..4294967295)')
  .max(0xffffffff, 'must be a uint32 word (0..4294967295)');
export const seed = z.number().refine(Number.isSafeInteger, 'must be a safe integer');
export const direction = z.enum(['minimize', 'maximize']);

/** An integer option in [min, max]: every option a snapshot or a constructor takes is bounded. */
export const boundedInt = (min: number, max: number) =>
  z.number().int('must be an integer').min(min, `must be in [${min}, ${max}]`).max(max, `must be in [${min}, ${max}]`);

export const prng = z
  .tuple([u32, u32, u32, u32])
  .refine((w) => (w[0] | w[1] | w[2] | w[3]) !== 0, 'the all-zero state is a fixed point of xoshiro128** (it would repeat forever)');

export const params = z.record(z.string(), z.union([finite, z.string()]));

export const trialRecord = z.strictObject({
  trialId: count,
  params,
  budget: positive.optional(),
  configId: count.optional(),
  state: z.enum(['pending', 'ok', 'failed']),
  value: z.union([finite, z.array(finite)]).optional(),
  reason: z.string().optional(),
});

export const ledger = z.strictObject(
  { records: z.array(trialRecord) },
  'must be { records: [...] } (the trial history): without it a restored sampler would restart trial ids at 0',
);

export const sobolState = z.strictObject({
  dim: z.number().int().min(1).max(SOBOL_MAX_DIM),
  index: count,
  shift: z.array(u32),
});

/** A scrambled Sobol sequence's state must fit the space and the trials issued. */
export function checkSobolState(sob: z.infer<typeof sobolState> | null | undefined, space: Space, trials: number, add: IssueSink): void {
  if (!sob) return;
  if (sob.dim !== space.dims.length) add(['sobol', 'dim'], `is ${sob.dim}, the space has ${space.dims.length} parameters`);
  if (sob.shift.length !== sob.dim) add(['sobol', 'shift'], `needs ${sob.dim} words, has ${sob.shift.length}`);
  // Each Sobol point is one trial; a larger index is corrupt (and replaying it could take forever).
  if (sob.index > trials) add(['sobol', 'index'], `is ${sob.index}, more than the ${trials} trials issued`);
}

/** Parameters stored in a snapshot must be exactly a valid point of the space. */
export function checkParams(p: Readonly<Record<string, unknown>>, space: Space, path: readonly (string | number)[], add: IssueSink): void {
  const extra = Object.keys(p).filter((k) => !space.names.includes(k));
  if (extra.length > 0) add(path, `parameters ${JSON.stringify(extra)} are not in the space`);
  try {
    space.toFeatures(p as never);
  } catch (e) {
    add(path, (e as Error).message);
  }
}

/** A trial id that other state points at must be in the ledger (of `trials` records). */
export function checkTrialRef(id: number | null, trials: number, path: readonly (string | number)[], add: IssueSink): void {
  if (id !== null && id >= trials) add(path, `trial ${id} is not in the ledger (${trials} trials)`);
}
