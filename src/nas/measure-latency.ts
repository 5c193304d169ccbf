/**
 * Measured latency of a whole model on this backend: batch 1, after warm-up, reduced with the
 * statistic the latency tables are profiled with (the mean: docs/runtime-model.md), so that a table's
 * prediction and this measurement compare directly. A study measures against a reference network
 * (`measureAgainstReference`): its calls alternate with the reference's, the latency is the median
 * pair ratio times the reference's latency on this device, and two processes agree where absolute
 * timings of this VM do not (docs/runtime-model.md "Stable measured latency"). The median is reported beside it (the reference's
 * statistic, and the robust one on an idle device), and so are the backend and thread count it was
 * measured with. A latency measured on the pure-JS fallback is flagged (`latencyNative: false`): it
 * says nothing about the native backend the tables describe.
 */
import type * as TF from '@tensorflow/tfjs';
import { DEFAULT_STATISTIC, meanInterval, pairedRatio, quantile, reduceSamples, type Statistic } from '../latency/statistic';
import { latencySamples } from './model-timing';
import { timingBackend, type TimingBackend } from './timing-backend';

/** Flat, so it can be spread into eval's JSON, train.json and a model manifest's metrics. */
export interface MeasuredLatency {
  /** Batch-1 latency by `latencyStatistic`, the statistic of the latency tables (ms). */
  latencyMs: number;
  latencyStatistic: Statistic;
  latencyMedianMs: number;
  /** 95% bootstrap interval [latencyLowMs, latencyHighMs] of latencyMs over the timed calls: this measurement's own uncertainty (flat fields: this record is spread into manifests). */
  latencyLowMs: number;
  latencyHighMs: number;
  /** Timed calls (after `warmup` untimed ones). */
  latencyRepeats: number;
  /** tf.getBackend() during the measurement ('tensorflow' = native libtensorflow). */
  latencyBackend: string;
  /** Intra-op threads of the backend (1 on pure JS). */
  latencyThreads: number;
  /** False when measured on the pure-JS fallback: not comparable with any table or deployment. */
  latencyNative: boolean;
  /** 'absolute': the statistic of this model's own calls; 'paired': ratio to the reference x its latency. */
  latencyMethod?: 'absolute' | 'paired';
  /** Paired: median over pairs of (this call / the reference's call), with its 95% interval. */
  latencyRatio?: number;
  latencyRatioLow?: number;
  latencyRatioHigh?: number;
  /** Paired: the reference network's latency on this device (ms), the unit the ratio is turned into ms with. */
  latencyReferenceMs?: number;
  /** Paired: whose reference latency turned the ratio into ms: the study's unit (passed in) or this device's own. */
  latencyUnit?: 'study' | 'device';
  /** Paired: the mean of this model's own calls in this process (ms), for comparison only. */
  latencyRawMeanMs?: number;
}

const interval = ([latencyLowMs, latencyHighMs]: [number, number]) => ({ latencyLowMs, latencyHighMs });

/** Reduces timed samples (ms) of one model as eval reports them. */
export function summariseLatency(samples: readonly number[], on: TimingBackend): MeasuredLatency {
  return {
    latencyMs: reduceSamples([[...samples]], DEFAULT_STATISTIC)[0]!,
    latencyStatistic: DEFAULT_STATISTIC,
    latencyMedianMs: quantile(samples, 0.5),
    ...interval(meanInterval(samples)),
    latencyRepeats: samples.length,
    latencyBackend: on.backend,
    latencyThreads: on.threads,
    latencyNative: on.native,
    latencyMethod: 'absolute',
  };
}

/** A reference network for paired timing: the model, and its latency on this device (ms). */
export interface LatencyReference {
  model: TF.LayersModel;
  ms: number;
}

/** Reduces paired samples: the median pair ratio (and its interval) times the reference's latency. */
export function summarisePaired(samples: readonly number[], reference: readonly number[], referenceMs: number, on: TimingBackend): MeasuredLatency {
  const { ratio, interval } = pairedRatio(samples, reference);
  const raw = summariseLatency(samples, on);
  return {
    ...raw,
    latencyMs: ratio * referenceMs,
    latencyLowMs: interval[0] * referenceMs,
    latencyHighMs: interval[1] * referenceMs,
    latencyMethod: 'paired',
    latencyRatio: ratio,
    latencyRatioLow: interval[0],
    latencyRatioHigh: interval[1],
    latencyReferenceMs: referenceMs,
    latencyRawMeanMs: raw.latencyMs,
  };
}

/** `pairs` calls of the model, each right after a call of the reference (both warmed up first). */
export async function measureAgainstReference(
  tf: typeof TF,
  model: TF.LayersModel,
  reference: LatencyReference,
  inputShape: number[],
  pairs: number,
): Promise<MeasuredLatency> {
  const [ref, own] = await latencySamples(
    tf,
    [
      { label: 'reference', model: reference.model, inputShape },
      { label: 'model', model, inputShape },
    ],
    { warmup: MEASURE_WARMUP, repeats: pairs },
  );
  return summarisePaired(own!, ref!, reference.ms, timingBackend(tf));
}

/**
 * Untimed calls first: 10, not 5, because the first calls after a model is built or loaded still pay
 * for allocator growth and oneDNN primitive creation, which moved a 30-call mean by several percent
 * between processes (docs/runtime-model.md "Stable measured latency").
 */
export const MEASURE_WARMUP = 10;

export async function measureModelLatency(tf: typeof TF, model: TF.LayersModel, inputShape: number[], repeats = 30): Promise<MeasuredLatency> {
  const [samples] = await latencySamples(tf, [{ label: 'model', model, inputShape }], { warmup: MEASURE_WARMUP, repeats });
  return summariseLatency(samples!, timingBackend(tf));
}

/** One line for stderr when a latency must not be compared with a table or a deployment, else undefined. */
export function latencyWarning(l: MeasuredLatency): string | undefined {
  if (l.latencyNative) return undefined;
  return `warning: latency measured on the pure-JS backend ('${l.latencyBackend}'), not native TensorFlow: it is not comparable with latency tables or deployments (latencyNative: false); run 'npm run setup' to build the native backend`;
}
