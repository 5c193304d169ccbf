/**
 * Per-model statistic over timed rounds. The reference takes the median on a dedicated phone. On a
 * machine shared with other jobs, other processes only ever ADD time (one-sided noise), and they add
 * more of it to a long whole-network call than to a short one-block call, so the median makes the
 * table under-predict. The 10th percentile estimates the uncontended latency and, on a quiet machine,
 * is within noise of the median. Measured on our 2-core CI machine at load 6-7 (docs/runtime-model.md):
 * median -> 33-47% of predictions within +-10%; p10 -> 100%. Hence the default.
 */
export const STATISTICS = ['median', 'p25', 'p10', 'min'] as const;
export type Statistic = (typeof STATISTICS)[number];
export const DEFAULT_STATISTIC: Statistic = 'p10';

const QUANTILE: Record<Statistic, number> = { median: 0.5, p25: 0.25, p10: 0.1, min: 0 };

/** Quantile q in [0, 1] of xs, linear interpolation between order statistics. NaN for empty input. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** The chosen statistic of each model's samples. */
export function reduceSamples(samples: readonly number[][], statistic: Statistic): number[] {
  return samples.map((s) => quantile(s, QUANTILE[statistic]));
}
