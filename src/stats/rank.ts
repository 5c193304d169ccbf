/**
 * Rank agreement between two scorings of the same items (e.g. networks scored at a trial budget and at
 * the final budget): Kendall's tau-b and Spearman's rho, both with ties, and a percentile bootstrap
 * over the items for their uncertainty. Pure: no I/O, seeded randomness only.
 */
import { Prng, Rng } from '../random';

function checkPaired(x: readonly number[], y: readonly number[], what: string): void {
  if (x.length !== y.length) throw new RangeError(`${what}: x has ${x.length} values, y has ${y.length}`);
  if (x.length < 2) throw new RangeError(`${what}: needs at least 2 pairs, got ${x.length}`);
  for (const v of [...x, ...y]) if (!Number.isFinite(v)) throw new RangeError(`${what}: values must be finite, got ${v}`);
}

/**
 * Kendall's tau-b: (concordant - discordant) / sqrt((n0 - tiesX)(n0 - tiesY)) over the n0 = n(n-1)/2
 * pairs (Kendall 1945); equals tau-a without ties. NaN when either side is constant (no ranking to agree on).
 */
export function kendallTau(x: readonly number[], y: readonly number[]): number {
  checkPaired(x, y, 'kendallTau');
  const n = x.length;
  let s = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[j]! - x[i]!);
      const dy = Math.sign(y[j]! - y[i]!);
      if (dx === 0) tiesX++;
      if (dy === 0) tiesY++;
      s += dx * dy;
    }
  const n0 = (n * (n - 1)) / 2;
  const denom = Math.sqrt((n0 - tiesX) * (n0 - tiesY));
  return denom > 0 ? s / denom : NaN;
}

/** Ranks 1..n, tied values sharing their average rank. */
export function averageRanks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r;
    i = j + 1;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Spearman's rho: Pearson's correlation of the average ranks. NaN when either side is constant. */
export function spearmanRho(x: readonly number[], y: readonly number[]): number {
  checkPaired(x, y, 'spearmanRho');
  return pearson(averageRanks(x), averageRanks(y));
}

export interface BootstrapInterval {
  /** The statistic on the whole sample. */
  estimate: number;
  /** Percentile interval at `level`. */
  low: number;
  high: number;
  level: number;
  /** Resamples drawn, and those on which the statistic was undefined (NaN; e.g. all ties) and left out. */
  resamples: number;
  undefined: number;
}

/**
 * Percentile bootstrap (Efron & Tibshirani 1993, ch. 13) of a statistic of n paired items: resample
 * the items with replacement, recompute, take the (1-level)/2 and (1+level)/2 quantiles. Resamples
 * on which the statistic is NaN are left out and counted. Seeded, so a report is reproducible.
 */
export function bootstrapInterval(
  n: number,
  statistic: (indices: readonly number[]) => number,
  o: { resamples?: number; level?: number; seed?: number } = {},
): BootstrapInterval {
  const resamples = o.resamples ?? 2000;
  const level = o.level ?? 0.95;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`bootstrapInterval: n must be an integer >= 2, got ${n}`);
  if (!Number.isInteger(resamples) || resamples < 10) throw new RangeError(`bootstrapInterval: resamples must be an integer >= 10, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrapInterval: level must be in (0, 1), got ${level}`);
  const rng = new Rng(o.seed ?? 0);
  const all = Array.from({ length: n }, (_, i) => i);
  const values: number[] = [];
  let undef = 0;
  const idx = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    const v = statistic(idx);
    if (Number.isNaN(v)) undef++;
    else values.push(v);
  }
  values.sort((a, b) => a - b);
  const q = (p: number) => (values.length ? values[Math.min(values.length - 1, Math.max(0, Math.floor(p * values.length)))]! : NaN);
  return { estimate: statistic(all), low: q((1 - level) / 2), high: q((1 + level) / 2), level, resamples, undefined: undef };
}

type IntervalOptions = { resamples?: number; level?: number; seed?: number };

/** A rank statistic of paired scores with its bootstrap interval over the items (pairs resampled together). */
function pairedWithInterval(
  statistic: (x: readonly number[], y: readonly number[]) => number,
  name: string,
  x: readonly number[],
  y: readonly number[],
  o: IntervalOptions,
): BootstrapInterval {
  checkPaired(x, y, name);
  return bootstrapInterval(
    x.length,
    (ix) =>
      statistic(
        ix.map((i) => x[i]!),
        ix.map((i) => y[i]!),
      ),
    o,
  );
}

/** Kendall's tau-b of paired scores with its bootstrap interval over the items. */
export function kendallWithInterval(x: readonly number[], y: readonly number[], o: IntervalOptions = {}): BootstrapInterval {
  return pairedWithInterval(kendallTau, 'kendallWithInterval', x, y, o);
}

/** Spearman's rho of paired scores with its bootstrap interval over the items. */
export function spearmanWithInterval(x: readonly number[], y: readonly number[], o: IntervalOptions = {}): BootstrapInterval {
  return pairedWithInterval(spearmanRho, 'spearmanWithInterval', x, y, o);
}

export interface RescoringCeiling {
  /** Mean, median, 2.5% and 97.5% quantiles of Kendall's tau over the redraws. */
  mean: number;
  median: number;
  low: number;
  high: number;
  draws: number;
}

/**
 * How far Kendall's tau can reach when the items' true accuracies are `p` and each is measured twice,
 * independently, as a share of correct answers among `count` images (binomial sampling only, drawn
 * with the normal approximation): the tau between two such measurements. A trial budget cannot agree
 * with a final budget better than the final budget agrees with a re-scoring of itself; other noise
 * (training seeds) lowers the ceiling further. Seeded, so a report is reproducible.
 */
export function rescoringCeiling(p: readonly number[], count: number, o: { draws?: number; seed?: number } = {}): RescoringCeiling {
  const draws = o.draws ?? 2000;
  if (p.length < 2) throw new RangeError(`rescoringCeiling: needs at least 2 items, got ${p.length}`);
  for (const v of p) if (!(v >= 0 && v <= 1)) throw new RangeError(`rescoringCeiling: accuracies must be in [0, 1], got ${v}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`rescoringCeiling: count must be a positive integer, got ${count}`);
  const rng = Prng.fromSeed(o.seed ?? 0);
  const redraw = () => p.map((q) => q + Math.sqrt((q * (1 - q)) / count) * rng.normal());
  const taus: number[] = [];
  for (let d = 0; d < draws; d++) {
    const t = kendallTau(redraw(), redraw());
    if (!Number.isNaN(t)) taus.push(t);
  }
  taus.sort((a, b) => a - b);
  const q = (f: number) => taus[Math.min(taus.length - 1, Math.floor(f * taus.length))]!;
  return { mean: taus.reduce((a, b) => a + b, 0) / taus.length, median: q(0.5), low: q(0.025), high: q(0.975), draws };
}
