/**
 * Use case: top-1 accuracy of an exported model on held-out images (the split it was trained with,
 * another data spec's split, or a whole separate test set) and its measured batch-1 latency on this
 * backend.
 */
import { z } from 'zod';
import { loadTf } from '../backend/tf';
import { dataSpecSchema, type DataSpec } from '../config/data-spec';
import { parseOrThrow } from '../config/zod-issues';
import { evaluateTop1 } from '../nas/evaluate';
import type { MeasuredLatency } from '../nas/measure-latency';
import { LATENCY_PAIRS } from '../latency/statistic';
import { predictArchitectureLatencyExact } from '../latency/runtime-model';
import { loadModel } from '../nas/model-export';
import { architectureToString } from '../space/architecture';
import { parseSearchSpace } from '../space/spec';
import { openStore } from '../storage/open-store';
import { InvalidInputError } from '../errors';
import type { UseCaseContext } from './context';
import { evalLoader, loadAll, loadSplits } from './datasets';
import { resolveTableRef, tableRefSchema } from './inputs';
import { measureOnDevice } from './device-reference';
import { latencyUnitSchema } from '../latency/device-fingerprint';

export const evaluateInputSchema = z
  .object({
    /** An exported model directory (`<train out>/model`). */
    model: z.string().min(1),
    /** Held-out split of this data spec; default: the one the model was trained with. */
    data: dataSpecSchema.optional(),
    /** A separate test set: every image of it is evaluated (no split). Overrides `data`. */
    test: z
      .object({ uri: z.string().min(1), limit: z.number().int().positive().optional() })
      .strict()
      .optional(),
    /** Timed pairs (each call after one of the reference network; 0: no latency): docs/runtime-model.md "Stable measured latency". */
    latencyRepeats: z.number().int().min(0).default(LATENCY_PAIRS),
    /** The study's unit of measured latency (device.json's largest network); default: this device's reference. */
    reference: latencyUnitSchema.optional(),
    /** Table whose prediction is reported beside the measured latency; default: the space's shipped table, if any. */
    table: tableRefSchema.optional(),
  })
  .strict();
export type EvaluateInput = z.input<typeof evaluateInputSchema>;

/** The prediction of a latency table for the evaluated architecture, beside the measurement. */
export interface TablePrediction {
  predictedMs: number;
  /** The table's device label (backend, CPU). */
  predictedBy: string;
}

export interface EvaluateOutput extends Partial<MeasuredLatency>, Partial<TablePrediction> {
  top1: number;
  correct: number;
  count: number;
  /** 'held-out' (a split of the training data) or 'test' (a separate set). */
  split: 'held-out' | 'test';
  architecture: string;
  space: string;
  data: string;
  model: string;
  /** Compute seconds of this call. */
  seconds: number;
}

export async function evaluateModel(raw: EvaluateInput, ctx: UseCaseContext = {}): Promise<EvaluateOutput> {
  const input = parseOrThrow(evaluateInputSchema, raw, 'evaluate input');
  const { tf } = loadTf();
  const t0 = process.hrtime.bigint();
  const store = openStore(input.model);
  const { model, meta } = await loadModel(tf, store, '', (v) => parseSearchSpace(v, `${store.uri} space`));
  try {
    const space = meta.space;
    const inputShape: [number, number, number] = [space.inputSize, space.inputSize, space.inputChannels];
    let images;
    let dataUri: string;
    if (input.test) {
      images = await loadAll(space, input.test, ctx.signal);
      dataUri = input.test.uri;
    } else {
      const stored = dataSpecSchema.safeParse(meta.data);
      const data: DataSpec | undefined = input.data ?? (stored.success ? stored.data : undefined);
      if (!data) throw new InvalidInputError(`evaluate input.data is required: ${store.uri} does not record its training data`);
      images = (await loadSplits(space, data, ctx.signal)).val;
      dataUri = data.uri;
    }
    ctx.onProgress?.({ phase: 'evaluate', done: 0, total: images.size });
    const res = await evaluateTop1(tf, (x) => model.predict(x) as ReturnType<typeof tf.zeros>, evalLoader(space, images), inputShape);
    const latency =
      input.latencyRepeats > 0
        ? await measureOnDevice(space, model, {
            pairs: input.latencyRepeats,
            ...(input.reference ? { study: input.reference } : {}),
            ...(ctx.log ? { log: ctx.log } : {}),
          })
        : undefined;
    // A space without a shipped table (or a spec reusing a preset's name) has no default prediction.
    const table = input.table ? await resolveTableRef(input.table, space) : await resolveTableRef(undefined, space).catch(() => undefined);
    const out: EvaluateOutput = {
      top1: res.top1,
      correct: res.correct,
      count: res.count,
      split: input.test ? 'test' : 'held-out',
      ...(latency ?? {}),
      ...(table ? { predictedMs: predictArchitectureLatencyExact(table, meta.architecture), predictedBy: table.device } : {}),
      architecture: architectureToString(meta.architecture),
      space: space.name,
      data: dataUri,
      model: store.uri,
      seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    };
    return out;
  } finally {
    model.dispose();
  }
}
