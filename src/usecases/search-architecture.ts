/**
 * Use case: run a Single-Path NAS search into a run directory and derive its architecture. The CLI
 * (`spnas search`), the Temporal activity and a Kubernetes Job's container all call this.
 */
import { z } from 'zod';
import { loadTf } from '../backend/tf';
import { dataSpecSchema } from '../config/data-spec';
import { parseSearchConfig, type SearchConfig } from '../config/training-config';
import { parseOrThrow } from '../config/zod-issues';
import { evaluateTop1 } from '../nas/evaluate';
import { runSearch } from '../nas/search';
import { predictArchitectureLatencyExact } from '../latency/runtime-model';
import { architectureToString, type Architecture } from '../space/architecture';
import { architectureMacs } from '../space/flops';
import { CheckpointStore } from '../storage/checkpoint-store';
import { openStore } from '../storage/open-store';
import type { UseCaseContext } from './context';
import { evalLoader, loadSplits, trainLoader } from './datasets';
import { resolveSpaceRef, resolveTableRef, spaceRefSchema, tableRefSchema } from './inputs';
import { writeJson } from '../storage/json-store';
import { withRunDir } from './run-dir';
import { SearchTrace } from './search-trace';

export const searchInputSchema = z
  .object({
    space: spaceRefSchema,
    data: dataSpecSchema,
    /** Search config (docs/engine.md); validated by the engine's schema. */
    config: z.record(z.string(), z.unknown()).default({}),
    table: tableRefSchema.optional(),
    /** The run directory (local path, file:// or s3:// URI). */
    out: z.string().min(1),
    /** Start from this checkpoint of a shared warm-up (its run directory and step) when `out` has none. */
    warmStart: z
      .object({ run: z.string().min(1), step: z.number().int().nonnegative() })
      .strict()
      .optional(),
  })
  .strict();
export type SearchInput = z.input<typeof searchInputSchema>;

export interface SearchOutput {
  architecture: Architecture;
  architectureString: string;
  /** Table latency at the final indicators (the formula), and by exact lookup of the derived ops. */
  predictedMs: number;
  predictedMsExact: number;
  macs: number;
  /** The supernet's held-out top-1 at the end of the search. */
  supernetTop1: number;
  /** Held-out images behind supernetTop1 (its sample size). */
  supernetImages: number;
  steps: number;
  resumedFromStep: number;
  finalLoss: number;
  /** Compute seconds of this call (a resumed run counts only what it ran). */
  seconds: number;
  space: string;
  lambda: number;
  seed: number;
  out: string;
  architectureUri: string;
  traceUri: string;
}

/** The identity of a search run directory; `config.epochs` may grow (a promoted trial continues). */
export const SEARCH_MUTABLE = ['config.epochs'] as const;

export async function searchArchitecture(raw: SearchInput, ctx: UseCaseContext = {}): Promise<SearchOutput> {
  const input = parseOrThrow(searchInputSchema, raw, 'search input');
  const space = resolveSpaceRef(input.space, 'search input.space');
  const config: SearchConfig = parseSearchConfig(input.config, 'search input.config');
  const table = await resolveTableRef(input.table, space, ctx.log);
  const identity = { kind: 'search', space, config, data: input.data, table, ...(input.warmStart ? { warmStart: input.warmStart } : {}) };
  return withRunDir(input.out, identity, { what: 'search', mutable: SEARCH_MUTABLE }, ctx, async (run) => {
    const warmStart = input.warmStart ? await new CheckpointStore(openStore(input.warmStart.run), 'checkpoints').load(input.warmStart.step) : undefined;

    const { tf } = loadTf();
    const splits = await loadSplits(space, input.data, run.signal);
    ctx.log?.(`search: ${space.name}, ${splits.train.size} train / ${splits.val.size} held-out images from ${input.data.uri}`);
    const train = trainLoader(space, splits.train, config);
    const checkpoints = new CheckpointStore(run.store, 'checkpoints', { keep: config.keepCheckpoints });
    const totalSteps = Math.max(1, Math.round(config.epochs * train.batchesPerEpoch));
    const trace = await SearchTrace.open(run.store, totalSteps, (await checkpoints.steps()).at(-1) ?? warmStart?.step ?? 0);
    let lastCheckpoint: { uri: string; step: number } | undefined;
    const t0 = process.hrtime.bigint();
    const result = await runSearch({
      tf,
      space,
      config,
      table,
      signal: run.signal,
      settle: run.settled,
      train,
      checkpoints,
      warmStart,
      onCheckpoint: async (c) => {
        lastCheckpoint = c;
        await trace.save();
      },
      onProgress: (p) => {
        const s = p.stats;
        trace.record({
          step: p.step,
          epoch: p.epoch,
          loss: s.loss,
          ce: Number(s.ce),
          runtimeMs: Number(s.runtimeMs),
          lambda: Number(s.lambda),
          lr: Number(s.lr),
          architecture: p.architecture,
        });
        ctx.onProgress?.({
          phase: 'search',
          done: p.step,
          total: p.totalSteps,
          detail: `loss ${s.loss.toFixed(3)} R ${Number(s.runtimeMs).toFixed(2)}ms ${p.imagesPerSec.toFixed(0)} img/s ${p.architecture}`,
          metrics: { loss: s.loss, runtimeMs: Number(s.runtimeMs), imagesPerSec: p.imagesPerSec },
          ...(lastCheckpoint ? { checkpoint: lastCheckpoint } : {}),
        });
      },
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    try {
      const supernetVal = await evaluateTop1(tf, (x) => result.supernet.forward(x, { training: false }).logits, evalLoader(space, splits.val), [
        space.inputSize,
        space.inputSize,
        space.inputChannels,
      ]);
      const out: SearchOutput = {
        architecture: result.architecture,
        architectureString: architectureToString(result.architecture),
        predictedMs: result.predictedMs,
        predictedMsExact: predictArchitectureLatencyExact(table, result.architecture),
        macs: architectureMacs(space, result.architecture).total,
        supernetTop1: supernetVal.top1,
        supernetImages: supernetVal.count,
        steps: result.steps,
        resumedFromStep: result.resumedFromStep,
        finalLoss: result.finalLoss,
        seconds,
        space: space.name,
        lambda: config.runtimeLoss.lambda,
        seed: config.seed,
        out: run.uri,
        architectureUri: `${run.uri}/architecture.json`,
        traceUri: `${run.uri}/trace.json`,
      };
      await trace.save();
      await writeJson(run.store, 'architecture.json', result.architecture);
      await writeJson(run.store, 'search.json', out);
      return out;
    } finally {
      result.supernet.dispose();
    }
  });
}
