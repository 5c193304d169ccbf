/**
 * Measured latency of a whole model on this backend: batch 1, after warm-up, reduced with the
 * statistic the latency tables are profiled with (the mean: docs/runtime-model.md), so that a table's
 * prediction and this measurement compare directly. The median is reported beside it (the reference's
 * statistic, and the robust one on an idle device), and so are the backend and thread count it was
 * measured with. A latency measured on the pure-JS fallback is flagged (`latencyNative: false`): it
 * says nothing about the native backend the tables describe.
 */
import type * as TF from '@tensorflow/tfjs';
import { DEFAULT_STATISTIC, quantile, reduceSamples, type Statistic } from '../latency/statistic';
import { latencySamples } from './model-timing';
import { timingBackend, type TimingBackend } from './timing-backend';

/** Flat, so it can be spread into eval's JSON, train.json and a model manifest's metrics. */
export interface MeasuredLatency {
  /** Batch-1 latency by `latencyStatistic`, the statistic of the latency tables (ms). */
  latencyMs: number;
  latencyStatistic: Statistic;
  latencyMedianMs: number;
  /** Timed calls (after `warmup` untimed ones). */
  latencyRepeats: number;
  /** tf.getBackend() during the measurement ('tensorflow' = native libtensorflow). */
  latencyBackend: string;
  /** Intra-op threads of the backend (1 on pure JS). */
  latencyThreads: number;
  /** False when measured on the pure-JS fallback: not comparable with any table or deployment. */
  latencyNative: boolean;
}

/** Reduces timed samples (ms) of one model as eval reports them. */
export function summariseLatency(samples: readonly number[], on: TimingBackend): MeasuredLatency {
  return {
    latencyMs: reduceSamples([[...samples]], DEFAULT_STATISTIC)[0]!,
    latencyStatistic: DEFAULT_STATISTIC,
    latencyMedianMs: quantile(samples, 0.5),
    latencyRepeats: samples.length,
    latencyBackend: on.backend,
    latencyThreads: on.threads,
    latencyNative: on.native,
  };
}

export async function measureModelLatency(tf: typeof TF, model: TF.LayersModel, inputShape: number[], repeats = 30): Promise<MeasuredLatency> {
  const [samples] = await latencySamples(tf, [{ label: 'model', model, inputShape }], { warmup: 5, repeats });
  return summariseLatency(samples!, timingBackend(tf));
}

/** One line for stderr when a latency must not be compared with a table or a deployment, else undefined. */
export function latencyWarning(l: MeasuredLatency): string | undefined {
  if (l.latencyNative) return undefined;
  return `warning: latency measured on the pure-JS backend ('${l.latencyBackend}'), not native TensorFlow: it is not comparable with latency tables or deployments (latencyNative: false); run 'npm run setup' to build the native backend`;
}
