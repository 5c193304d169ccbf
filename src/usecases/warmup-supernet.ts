/**
 * Use case: the lambda-free warm-up of a search, run once and shared. With the runtime term off, the
 * warm-up depends only on the space, the data, the seed and the training settings, not on lambda,
 * the target or the runtime loss, so every trial of a study with equal warm-up inputs can start its
 * search from the same checkpoint. Checkpoints are kept at every epoch boundary: a trial with a
 * w-epoch warm-up starts from the one at epoch w, and a later trial that wants more epochs extends
 * the same run directory.
 */
import { z } from 'zod';
import { loadTf } from '../backend/tf';
import { dataSpecSchema } from '../config/data-spec';
import { parseSearchConfig } from '../config/training-config';
import { parseOrThrow } from '../config/zod-issues';
import { runSearch } from '../nas/search';
import { CheckpointStore } from '../storage/checkpoint-store';
import type { UseCaseContext } from './context';
import { loadSplits, trainLoader } from './datasets';
import { resolveSpaceRef, resolveTableRef, spaceRefSchema, tableRefSchema } from './inputs';
import { withRunDir } from './run-dir';
import { warmupIdentity } from '../study/warmup-key';

export const warmupInputSchema = z
  .object({
    space: spaceRefSchema,
    data: dataSpecSchema,
    /** The trials' search config; only the settings that act during the warm-up matter. */
    config: z.record(z.string(), z.unknown()).default({}),
    /** Warm-up epochs to have in the run directory when this returns (an integer). */
    epochs: z.number().int().positive(),
    /** Only used to compute the (unused) runtime term; the trials' table. */
    table: tableRefSchema.optional(),
    out: z.string().min(1),
  })
  .strict();
export type WarmupInput = z.input<typeof warmupInputSchema>;

export interface WarmupOutput {
  /** Where trials read their warm start: `{ run: out, step }` for `searchArchitecture`'s `warmStart`. */
  /** Step of the checkpoint at each epoch boundary, epoch 1..epochs. */
  epochSteps: number[];
  resumedFromStep: number;
  /** Compute seconds of this call (0 when the warm-up was already there). */
  seconds: number;
  out: string;
}

export async function warmupSupernet(raw: WarmupInput, ctx: UseCaseContext = {}): Promise<WarmupOutput> {
  const input = parseOrThrow(warmupInputSchema, raw, 'warm-up input');
  const space = resolveSpaceRef(input.space, 'warm-up input.space');
  const trialConfig = parseSearchConfig(input.config, 'warm-up input.config');
  // All steps run with lambda 0 and indicator dropout; epochs only has to exceed the warm-up.
  const config = parseSearchConfig({ ...input.config, warmupEpochs: input.epochs, epochs: input.epochs + 1, keepCheckpoints: 10_000 }, 'warm-up input.config');
  return withRunDir(
    input.out,
    { kind: 'warmup', space, data: input.data, identity: warmupIdentity(trialConfig) },
    { what: 'shared warm-up' },
    ctx,
    async (run) => {
      const { tf } = loadTf();
      const splits = await loadSplits(space, input.data, run.signal);
      const train = trainLoader(space, splits.train, config);
      const bpe = train.batchesPerEpoch;
      const epochSteps = Array.from({ length: input.epochs }, (_, i) => (i + 1) * bpe);
      const checkpoints = new CheckpointStore(run.store, 'checkpoints', { keep: config.keepCheckpoints });
      const t0 = process.hrtime.bigint();
      const result = await runSearch({
        tf,
        space,
        table: await resolveTableRef(input.table, space),
        train,
        checkpoints,
        signal: run.signal,
        settle: run.settled,
        config: { ...config, checkpointEvery: bpe },
        stopAtStep: input.epochs * bpe,
        onProgress: (p) =>
          ctx.onProgress?.({
            phase: 'warm-up',
            done: p.step,
            total: input.epochs * bpe,
            detail: `loss ${p.stats.loss.toFixed(3)} ${p.imagesPerSec.toFixed(0)} img/s`,
          }),
      });
      result.supernet.dispose();
      return { epochSteps, resumedFromStep: result.resumedFromStep, seconds: Number(process.hrtime.bigint() - t0) / 1e9, out: run.uri };
    },
  );
}
