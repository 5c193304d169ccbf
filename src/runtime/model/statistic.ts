/**
 * Per-model statistic over timed rounds. The reference takes the median on a dedicated phone. On a
 * machine shared with other jobs, other processes only ever ADD time (one-sided noise); a sum of
 * per-block quantiles then under-predicts the same quantile of the whole network (a 45 ms call is
 * rarely as lucky as each of twenty 2 ms calls), and the median is hit hardest. The 10th percentile
 * estimates the uncontended latency and should match the median on an idle machine (where the spread
 * is small; not measured: our dev machine was never idle), hence the default. The mean is the only additive statistic (unbiased for a sum under stationary noise)
 * but has the widest spread. Measured trade-offs: docs/runtime-model.md.
 */
export const STATISTICS = ['median', 'mean', 'p25', 'p10', 'min'] as const;
export type Statistic = (typeof STATISTICS)[number];
export const DEFAULT_STATISTIC: Statistic = 'p10';

const QUANTILE: Record<Exclude<Statistic, 'mean'>, number> = { median: 0.5, p25: 0.25, p10: 0.1, min: 0 };

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
  if (statistic === 'mean') return samples.map((s) => (s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN));
  return samples.map((s) => quantile(s, QUANTILE[statistic]));
}
