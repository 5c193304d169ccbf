/**
 * Exact two-sample permutation test of a difference in means (Fisher's randomisation test): over every
 * way of splitting the pooled values into groups of the two sizes, the share whose mean difference is
 * at least as far from zero as the observed one. Assumes nothing about the values' distribution,
 * only that under the null hypothesis the group labels are exchangeable. Exact enumeration, so it
 * is refused beyond `maxSplits` splits (use a t test there). Pure.
 */

export interface PermutationTest {
  /** mean(a) - mean(b). */
  difference: number;
  /** Two-sided p-value: share of splits with |difference| >= the observed |difference|. */
  p: number;
  /** Splits enumerated: C(na + nb, na). */
  splits: number;
}

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

export function permutationTestMeans(a: readonly number[], b: readonly number[], o: { maxSplits?: number } = {}): PermutationTest {
  const maxSplits = o.maxSplits ?? 1_000_000;
  if (a.length < 1 || b.length < 1) throw new RangeError(`permutationTestMeans: both groups need a value (got ${a.length} and ${b.length})`);
  for (const v of [...a, ...b]) if (!Number.isFinite(v)) throw new RangeError(`permutationTestMeans: values must be finite, got ${v}`);
  const all = [...a, ...b];
  const n = all.length;
  const k = a.length;
  const splits = choose(n, k);
  if (splits > maxSplits) throw new RangeError(`permutationTestMeans: ${splits} splits exceed maxSplits ${maxSplits}; use a t test or sample the splits`);
  const total = all.reduce((s, v) => s + v, 0);
  const diff = (sumA: number) => sumA / k - (total - sumA) / (n - k);
  const observed = diff(a.reduce((s, v) => s + v, 0));
  // a relative tolerance, so splits equal to the observed one up to rounding count as "as extreme"
  const bar = Math.abs(observed) * (1 - 1e-12);
  let extreme = 0;
  const walk = (start: number, left: number, sum: number): void => {
    if (left === 0) {
      if (Math.abs(diff(sum)) >= bar) extreme++;
      return;
    }
    for (let i = start; i <= n - left; i++) walk(i + 1, left - 1, sum + all[i]!);
  };
  walk(0, k, 0);
  return { difference: observed, p: extreme / splits, splits };
}
