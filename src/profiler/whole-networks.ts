/**
 * Whole networks measured on this device, batch 1, in interleaved rounds (nas/model-timing.ts): what
 * a table is checked against, and the largest network a measured latency target is a fraction of.
 * Each network reports the table's statistic (the mean) with its own 95% bootstrap interval.
 */
import type * as TF from '@tensorflow/tfjs';
import { buildChild } from '../nas/child-builder';
import { latencySamples } from '../nas/model-timing';
import type { Architecture } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import { DEFAULT_STATISTIC, meanInterval, reduceSamples } from '../latency/statistic';

export interface MeasuredNetwork {
  arch: Architecture;
  /** The table's statistic over the timed rounds (ms). */
  ms: number;
  /** 95% bootstrap interval of it (ms). */
  intervalMs: [number, number];
  repeats: number;
}

/** Measures `archs` in the same interleaved rounds; disposes what it builds. */
export async function measureNetworks(
  tf: typeof TF,
  space: SearchSpace,
  archs: readonly Architecture[],
  opts: { repeats?: number; warmup?: number } = {},
): Promise<MeasuredNetwork[]> {
  const inputShape = [space.inputSize, space.inputSize, space.inputChannels];
  const models = archs.map((arch, i) => ({ label: `network ${i}`, model: buildChild(tf, space, arch, { seed: i }), inputShape }));
  try {
    const samples = await latencySamples(tf, models, { repeats: opts.repeats ?? 15, warmup: opts.warmup ?? 5 });
    const stat = reduceSamples(samples, DEFAULT_STATISTIC);
    return archs.map((arch, i) => ({ arch, ms: stat[i]!, intervalMs: meanInterval(samples[i]!, i + 1), repeats: samples[i]!.length }));
  } finally {
    models.forEach((m) => m.model.dispose());
  }
}
