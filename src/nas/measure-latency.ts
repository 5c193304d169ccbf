/** Measured latency of a whole model on this backend: batch 1, median of repeats after warm-up. */
import type * as TF from '@tensorflow/tfjs';
import { medianLatencies } from './model-timing';

export async function measureModelLatency(tf: typeof TF, model: TF.LayersModel, inputShape: number[], repeats = 30): Promise<number> {
  const [ms] = await medianLatencies(tf, [{ label: 'model', model, inputShape }], { warmup: 5, repeats });
  return ms!;
}
