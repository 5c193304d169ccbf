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

/** A seeded uniform [0, 1) generator (xorshift32): enough for resampling indices, and no import into this pure file. */
function uniform(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

/**
 * Timed pairs per measured network: each call of the network follows a call of the reference network
 * (the space's largest), so both see the same state of the machine. On our 2-core VM, per-call jitter
 * is 15-20% even when idle and the whole process's speed moves by 5-25% between processes; the median
 * of 300 pair ratios put 8 of 8 networks within +-3% between two processes (bootstrap half-width
 * ~1.1%), 150 pairs 7 of 8, while absolute statistics of 300 calls put 2-4 of 8 there
 * (docs/runtime-model.md "Stable measured latency").
 */
export const LATENCY_PAIRS = 300;

/**
 * The median over pairs of (network call / reference call), with a 95% percentile-bootstrap interval
 * (seeded: summarising the same samples again gives the same interval). A slowdown that hits both
 * calls of a pair alike cancels. NaN ratio for no pairs.
 */
export function pairedRatio(
  samples: readonly number[],
  reference: readonly number[],
  seed = 1,
  resamples = 1000,
): { ratio: number; interval: [number, number] } {
  if (samples.length !== reference.length) throw new RangeError(`pairedRatio: ${samples.length} samples but ${reference.length} reference calls`);
  const ratios = samples.map((x, i) => x / reference[i]!);
  const n = ratios.length;
  if (n === 0) return { ratio: NaN, interval: [NaN, NaN] };
  const next = uniform(seed);
  const medians: number[] = [];
  const draw = new Array<number>(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) draw[i] = ratios[Math.floor(next() * n)]!;
    medians.push(quantile(draw, 0.5));
  }
  return { ratio: quantile(ratios, 0.5), interval: [quantile(medians, 0.025), quantile(medians, 0.975)] };
}

/**
 * A 95% percentile-bootstrap interval of the mean of `samples` (seeded, so a measurement reports the
 * same interval when summarised again). 1000 resamples; [NaN, NaN] for empty input.
 */
export function meanInterval(samples: readonly number[], seed = 1, resamples = 1000): [number, number] {
  const n = samples.length;
  if (n === 0) return [NaN, NaN];
  const next = uniform(seed);
  const means: number[] = [];
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += samples[Math.floor(next() * n)]!;
    means.push(sum / n);
  }
  return [quantile(means, 0.025), quantile(means, 0.975)];
}
