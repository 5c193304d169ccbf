/**
 * Use case: retrain a derived architecture from scratch (or continue a run directory's training with
 * a larger budget), evaluate it on the held-out split, and export it as a TF.js model. Called by
 * `spnas train`, the Temporal retrain activity and a Kubernetes Job's container.
 */
import { z } from 'zod';
import { loadTf } from '../backend/tf';
import { dataSpecSchema } from '../config/data-spec';
import { TRAIN_RECIPE_NAMES, trainConfigForRecipe } from '../config/recipes';
import { parseTrainConfig, type TrainConfig } from '../config/training-config';
import { parseOrThrow } from '../config/zod-issues';
import { evaluateTop1 } from '../nas/evaluate';
import type { MeasuredLatency } from '../nas/measure-latency';
import { exportModel } from '../nas/model-export';
import { trainChild } from '../nas/train-child';
import { architectureToString, type Architecture } from '../space/architecture';
import { architectureMacs } from '../space/flops';
import { CheckpointStore } from '../storage/checkpoint-store';
import type { UseCaseContext } from './context';
import { measureOnDevice } from './device-reference';
import { evalLoader, loadSplits, trainLoader } from './datasets';
import { architectureRefSchema, resolveArchitectureRef, resolveSpaceRef, spaceRefSchema } from './inputs';
import { writeJson } from '../storage/json-store';
import { withRunDir } from './run-dir';

export const trainInputSchema = z
  .object({
    space: spaceRefSchema,
    architecture: architectureRefSchema,
    data: dataSpecSchema,
    /** Named recipe (src/config/recipes.ts) under `config`; without it, the engine's defaults. */
    recipe: z.enum(TRAIN_RECIPE_NAMES as [string, ...string[]]).optional(),
    /** Train config (docs/engine.md); validated by the engine's schema. */
    config: z.record(z.string(), z.unknown()).default({}),
    out: z.string().min(1),
    /** Measure the exported model's batch-1 latency too (the study measures it in its evaluate step). */
    measureLatency: z.boolean().default(true),
    /** Provenance stored in the model's manifest: the search that found the architecture. */
    search: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type TrainInput = z.input<typeof trainInputSchema>;

export interface TrainOutput extends Partial<MeasuredLatency> {
  architecture: string;
  valTop1: number;
  valCount: number;
  macs: number;
  params: number;
  /** Compute seconds of this call (a resumed run counts only what it ran). */
  seconds: number;
  finalLoss: number;
  steps: number;
  resumedFromStep: number;
  model: string;
  out: string;
}

/** A training run directory may continue with more epochs (a promoted trial). */
export const TRAIN_MUTABLE = ['config.epochs'] as const;

export async function trainModel(raw: TrainInput, ctx: UseCaseContext = {}): Promise<TrainOutput> {
  const input = parseOrThrow(trainInputSchema, raw, 'train input');
  const space = resolveSpaceRef(input.space, 'train input.space');
  const architecture: Architecture = await resolveArchitectureRef(input.architecture, space);
  const config: TrainConfig = input.recipe
    ? trainConfigForRecipe(input.recipe, input.config, 'train input.config')
    : parseTrainConfig(input.config, 'train input.config');
  return withRunDir(
    input.out,
    { kind: 'train', space, architecture, config, data: input.data },
    { what: 'training run', mutable: TRAIN_MUTABLE },
    ctx,
    async (run) => {
      const { tf } = loadTf();
      const splits = await loadSplits(space, input.data, run.signal);
      ctx.log?.(`train: ${architectureToString(architecture)} on ${splits.train.size} images, ${config.epochs} epochs`);
      let lastCheckpoint: { uri: string; step: number } | undefined;
      const t0 = process.hrtime.bigint();
      const result = await trainChild({
        tf,
        space,
        architecture,
        config,
        signal: run.signal,
        settle: run.settled,
        train: trainLoader(space, splits.train, config),
        checkpoints: new CheckpointStore(run.store, 'checkpoints', { keep: config.keepCheckpoints }),
        onCheckpoint: (c) => {
          lastCheckpoint = c;
        },
        onProgress: (p) =>
          ctx.onProgress?.({
            phase: 'train',
            done: p.step,
            total: p.totalSteps,
            detail: `loss ${p.stats.loss.toFixed(3)} ${p.imagesPerSec.toFixed(0)} img/s`,
            metrics: { loss: p.stats.loss, imagesPerSec: p.imagesPerSec },
            ...(lastCheckpoint ? { checkpoint: lastCheckpoint } : {}),
          }),
      });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      try {
        const inputShape: [number, number, number] = [space.inputSize, space.inputSize, space.inputChannels];
        const val = await evaluateTop1(tf, (x) => result.model.predict(x) as ReturnType<typeof tf.zeros>, evalLoader(space, splits.val), inputShape);
        const latency = input.measureLatency ? await measureOnDevice(space, result.model, ctx.log ? { log: ctx.log } : {}) : undefined;
        const metrics = {
          valTop1: val.top1,
          valCount: val.count,
          ...(latency ?? {}),
          macs: architectureMacs(space, architecture).total,
          params: result.model.countParams(),
          trainSeconds: seconds,
          finalLoss: result.finalLoss,
        };
        await exportModel(tf, result.model, run.store, 'model', {
          space,
          architecture,
          seed: config.seed,
          data: input.data,
          ...(input.search ? { search: input.search } : {}),
          metrics,
        });
        const out: TrainOutput = {
          architecture: architectureToString(architecture),
          ...metrics,
          seconds,
          steps: result.steps,
          resumedFromStep: result.resumedFromStep,
          model: `${run.uri}/model`,
          out: run.uri,
        };
        await writeJson(run.store, 'train.json', out);
        return out;
      } finally {
        result.model.dispose();
      }
    },
  );
}
