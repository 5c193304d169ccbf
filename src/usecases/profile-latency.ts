/**
 * Use case: measure a latency table for a search space on this process's TF.js backend, write it to
 * a store URI, and report its prediction error against measured whole networks. A study with
 * `latencyTable.profile: true` runs this as its first activity, on the machine type its trials use.
 */
import { z } from 'zod';
import { loadTf } from '../backend/tf';
import { parseOrThrow } from '../config/zod-issues';
import { profileSpace, type ProfileResult } from '../profiler/profiler';
import { DEFAULT_STATISTIC, STATISTICS } from '../latency/statistic';
import { openStore } from '../storage/open-store';
import { splitParent } from '../storage/uri';
import type { UseCaseContext } from './context';
import { resolveSpaceRef, spaceRefSchema } from './inputs';
import { writeJson } from '../storage/json-store';

export const profileInputSchema = z
  .object({
    space: spaceRefSchema,
    /** URI of the table JSON to write. */
    out: z.string().min(1),
    repeats: z.number().int().positive().default(20),
    warmup: z.number().int().min(0).default(5),
    /** Random architectures for the prediction-error check; 0 skips it. */
    samples: z.number().int().min(0).default(20),
    seed: z.number().int().min(0).default(1),
    statistic: z.enum(STATISTICS).default(DEFAULT_STATISTIC),
    device: z.string().optional(),
  })
  .strict();
export type ProfileInput = z.input<typeof profileInputSchema>;

export interface ProfileOutput extends ProfileResult {
  out: string;
}

export async function profileLatency(raw: ProfileInput, ctx: UseCaseContext = {}): Promise<ProfileOutput> {
  const input = parseOrThrow(profileInputSchema, raw, 'profile input');
  const space = resolveSpaceRef(input.space, 'profile input.space');
  const [parent, name] = splitParent(input.out);
  const store = openStore(parent);
  const { tf } = loadTf();
  const result = await profileSpace(tf, space, {
    repeats: input.repeats,
    warmup: input.warmup,
    samples: input.samples,
    seed: input.seed,
    statistic: input.statistic,
    device: input.device,
    onProgress: (p) => ctx.onProgress?.({ phase: `profile ${p.phase}`, done: p.done, total: p.total }),
  });
  await writeJson(store, name, result.table);
  return { ...result, out: `${store.uri}/${name}` };
}
