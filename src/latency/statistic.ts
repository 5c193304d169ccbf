/**
 * Per-model statistic over timed rounds. The reference takes the median on a dedicated phone. A
 * latency table predicts a network as a SUM of isolated timings, and the mean is the only statistic
 * that is additive: on a machine shared with other jobs, where other processes only ever ADD time
 * (one-sided, bursty noise), a sum of per-block medians or low quantiles is biased against the same
 * quantile of the whole network (a 45 ms call is rarely as lucky as each of twenty 2 ms calls), and
 * the size of that bias changes with the load. Measured on our 2-core dev machine
 * (docs/runtime-model.md): at load 2.6-4 the mean and the median both put 90% of predictions within
 * +-10% (p10 65%, min 78%); at load 5-8 the median fell to 40-65%. Hence the mean by default. On an
 * idle machine the spread is small and all statistics agree.
 */
export const STATISTICS = ['median', 'mean', 'p25', 'p10', 'min'] as const;
export type Statistic = (typeof STATISTICS)[number];
export const DEFAULT_STATISTIC: Statistic = 'mean';

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
