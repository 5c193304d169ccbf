/**
 * Learning-rate schedule of the reference: lr = base * batch/256, optional linear warm-up, then a
 * staircase decay by `decayRate` every `decayEpochs`. Epochs are fractional (step / stepsPerEpoch).
 */
export interface LrSchedule {
  /** Learning rate per 256 images (0.016 in the reference). */
  lrPer256: number;
  decayRate: number;
  decayEpochs: number;
  /** Linear warm-up epochs (0 for the search, 5 for retraining in the reference). */
  warmupEpochs: number;
}

export function learningRate(s: LrSchedule, batchSize: number, epoch: number): number {
  const base = (s.lrPer256 * batchSize) / 256;
  if (s.warmupEpochs > 0 && epoch < s.warmupEpochs) return (base * epoch) / s.warmupEpochs;
  return base * Math.pow(s.decayRate, Math.floor(epoch / s.decayEpochs));
}
