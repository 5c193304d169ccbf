/**
 * Learning-rate schedules: lr = base * batch/256 with an optional linear warm-up, then
 * - 'exponential' (the reference): a staircase decay by `decayRate` every `decayEpochs`; depends on the
 *   epoch only, so continuing a run with a larger budget keeps the curve it was on;
 * - 'cosine': half a cosine from base at the end of the warm-up to finalFraction * base at
 *   `totalEpochs`; uses the whole budget, so it depends on it.
 * Epochs are fractional (step / stepsPerEpoch).
 */
import type { OptimizerConfig } from '../config/training-config';

export interface LrSchedule {
  /** Learning rate per 256 images (0.016 in the reference). */
  lrPer256: number;
  kind: 'exponential' | 'cosine';
  decayRate: number;
  decayEpochs: number;
  /** Linear warm-up epochs (0 for the search, 5 for retraining in the reference). */
  warmupEpochs: number;
  /** cosine: the run's length in epochs and the final rate as a fraction of the peak. */
  totalEpochs: number;
  finalFraction: number;
}

export function scheduleOf(o: OptimizerConfig, totalEpochs: number): LrSchedule {
  return {
    lrPer256: o.lrPer256,
    kind: o.schedule,
    decayRate: o.lrDecayRate,
    decayEpochs: o.lrDecayEpochs,
    warmupEpochs: o.lrWarmupEpochs,
    totalEpochs,
    finalFraction: o.lrFinalFraction,
  };
}

export function learningRate(s: LrSchedule, batchSize: number, epoch: number): number {
  const base = (s.lrPer256 * batchSize) / 256;
  if (s.warmupEpochs > 0 && epoch < s.warmupEpochs) return (base * epoch) / s.warmupEpochs;
  if (s.kind === 'cosine') {
    const span = s.totalEpochs - s.warmupEpochs;
    const p = span > 0 ? Math.min(1, (epoch - s.warmupEpochs) / span) : 1;
    return base * (s.finalFraction + (1 - s.finalFraction) * 0.5 * (1 + Math.cos(Math.PI * p)));
  }
  return base * Math.pow(s.decayRate, Math.floor(epoch / s.decayEpochs));
}
