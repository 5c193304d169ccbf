/**
 * Uncertainty of an accuracy: `correct` of `n` images is a binomial proportion. The Wilson score
 * interval (Wilson 1927) keeps its coverage near the nominal level for small n and for proportions
 * near 0 or 1, where the normal ("Wald") interval collapses.
 */

/** Two-sided 95% standard-normal quantile. */
export const Z95 = 1.959963984540054;

export interface ProportionInterval {
  /** correct / n. */
  p: number;
  n: number;
  /** Lower and upper bound of the interval, in [0, 1]. */
  low: number;
  high: number;
}

/** Wilson score interval of correct / n at the two-sided level whose normal quantile is `z` (default 95%). */
export function wilsonInterval(correct: number, n: number, z = Z95): ProportionInterval {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`wilsonInterval: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(correct) || correct < 0 || correct > n) throw new RangeError(`wilsonInterval: correct must be an integer in 0..${n}, got ${correct}`);
  const p = correct / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { p, n, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Variance of an observed proportion's estimate, p(1-p)/n (the known noise of a top-1 on n images). */
export function proportionVariance(p: number, n: number): number {
  if (!(n >= 1)) throw new RangeError(`proportionVariance: n must be >= 1, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`proportionVariance: p must be in [0, 1], got ${p}`);
  return (p * (1 - p)) / n;
}

/**
 * Images needed so that a 95% interval of an accuracy near `p` (worst case 0.5) is at most +-halfWidth:
 * n = z^2 p (1-p) / halfWidth^2, rounded up.
 */
export function imagesForHalfWidth(halfWidth: number, p = 0.5, z = Z95): number {
  if (!(halfWidth > 0 && halfWidth < 0.5)) throw new RangeError(`imagesForHalfWidth: halfWidth must be in (0, 0.5), got ${halfWidth}`);
  return Math.ceil((z * z * p * (1 - p)) / (halfWidth * halfWidth));
}

export interface DifferenceInterval {
  /** p1 - p2. */
  d: number;
  low: number;
  high: number;
}

/**
 * Interval of the difference p1 - p2 of two independent proportions, built from their Wilson
 * intervals (Newcombe 1998, "method 10", the hybrid score interval): it keeps Wilson's coverage
 * where the Wald interval of a difference fails (small n, p near 0 or 1). The difference is resolved
 * at the interval's level when the interval excludes 0.
 */
export function differenceInterval(correct1: number, n1: number, correct2: number, n2: number, z = Z95): DifferenceInterval {
  const a = wilsonInterval(correct1, n1, z);
  const b = wilsonInterval(correct2, n2, z);
  const d = a.p - b.p;
  return {
    d,
    low: d - Math.sqrt((a.p - a.low) ** 2 + (b.high - b.p) ** 2),
    high: d + Math.sqrt((a.high - a.p) ** 2 + (b.p - b.low) ** 2),
  };
}
