import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, bootstrapInterval, kendallTau, kendallWithInterval, rescoringCeiling, spearmanRho, spearmanWithInterval } from '../../src/stats/rank';
import { tCdf, tInterval, tQuantile } from '../../src/stats/student-t';
import { mulberry32 } from '../../src/random';
import { normCdf } from '../../src/hpo/normal';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("Kendall's tau-b with ties matches the hand count", () => {
  // pairs: 2 concordant, 6 discordant, 2 tied in x (one of them also in y) of 10:
  // (2 - 6) / sqrt((10 - 2) (10 - 1)) = -0.4714045207910317
  close(kendallTau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), -4 / Math.sqrt(72), 1e-15, 'tau-b');
  assert.equal(kendallTau([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // no ties: tau-a = (C - D) / n0; here C = 5, D = 1 of 6 pairs
  close(kendallTau([1, 2, 3, 4], [1, 3, 2, 4]), 4 / 6, 1e-15, 'one swap');
  assert.ok(Number.isNaN(kendallTau([1, 1, 1], [1, 2, 3])), 'a constant side has no ranking');
});

test("Spearman's rho uses average ranks for ties", () => {
  assert.deepEqual(averageRanks([5, 6, 7, 8, 7]), [1, 2, 3.5, 5, 3.5]);
  // Pearson of ranks [1..5] and [1, 2, 3.5, 5, 3.5]: 8 / sqrt(10 * 9.5)
  close(spearmanRho([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 8 / Math.sqrt(95), 1e-15, 'rho');
  // without ties rho = 1 - 6 sum d^2 / (n (n^2 - 1)): d = (0, 1, -1, 0) -> 1 - 12 / 60 = 0.8
  close(spearmanRho([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, 1e-15, 'one swap');
  assert.equal(spearmanRho([3, 1, 2], [30, 10, 20]), 1);
});

test('bad input is refused with the reason', () => {
  assert.throws(() => kendallTau([1, 2], [1]), /x has 2 values, y has 1/);
  assert.throws(() => spearmanRho([1], [1]), /at least 2 pairs/);
  assert.throws(() => kendallTau([1, NaN], [1, 2]), /finite/);
  assert.throws(() => bootstrapInterval(1, () => 0), /n must be an integer >= 2/);
});

test('the bootstrap is reproducible by seed and brackets the estimate', () => {
  const x = [0.31, 0.35, 0.29, 0.4, 0.38, 0.33, 0.36, 0.3, 0.42, 0.37];
  const y = [0.7, 0.74, 0.69, 0.77, 0.73, 0.75, 0.72, 0.68, 0.78, 0.71];
  const a = kendallWithInterval(x, y, { seed: 3 });
  const b = kendallWithInterval(x, y, { seed: 3 });
  assert.deepEqual(a, b);
  assert.ok(a.low <= a.estimate && a.estimate <= a.high, JSON.stringify(a));
  assert.ok(a.high - a.low > 0.1, 'ten items leave a wide interval');
  // a perfectly monotone sample: every defined resample has tau = 1; the all-one-item resamples are NaN
  const m = spearmanWithInterval([1, 2, 3, 4, 5, 6], [2, 4, 6, 8, 10, 12], { seed: 1 });
  assert.equal(m.low, 1);
  assert.equal(m.high, 1);
  assert.ok(m.undefined >= 0 && m.undefined < 10);
});

test("the percentile bootstrap of Kendall's tau covers the population value ~95% of the time", () => {
  // bivariate normal with correlation r: population tau = (2 / pi) asin(r)
  const r = 0.6;
  const tau = (2 / Math.PI) * Math.asin(r);
  const rand = mulberry32(11);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const reps = 150;
  let covered = 0;
  for (let k = 0; k < reps; k++) {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 25; i++) {
      const u = normal();
      x.push(u);
      y.push(r * u + Math.sqrt(1 - r * r) * normal());
    }
    const ci = kendallWithInterval(x, y, { resamples: 400, seed: k });
    if (ci.low <= tau && tau <= ci.high) covered++;
  }
  // percentile intervals undercover a little at n = 25; far from 95% would mean a broken resampler
  assert.ok(covered / reps > 0.85 && covered / reps <= 1, `coverage ${covered}/${reps}`);
});

test('t quantiles match the tables', () => {
  close(tQuantile(0.975, 1), 12.706204736174698, 1e-9, 'df 1');
  close(tQuantile(0.975, 2), 4.302652729749464, 1e-9, 'df 2');
  close(tQuantile(0.975, 10), 2.228138851986274, 1e-9, 'df 10');
  close(tQuantile(0.975, 30), 2.042272456301238, 1e-9, 'df 30');
  close(tQuantile(0.025, 4), -2.776445105197793, 1e-9, 'lower tail');
  close(tCdf(0, 7), 0.5, 1e-15, 'median');
  // df 1 is the Cauchy distribution: P(T <= 1) = 3/4
  close(tCdf(1, 1), 0.75, 1e-12, 'Cauchy');
});

test('the t interval of a mean', () => {
  const ci = tInterval([2, 4, 6]);
  assert.equal(ci.mean, 4);
  assert.equal(ci.sd, 2);
  close(ci.high - ci.mean, (4.302652729749464 * 2) / Math.sqrt(3), 1e-9, 'half width');
  assert.throws(() => tInterval([1]), /at least 2 values/);
});

test("the rescoring ceiling matches the two-item closed form and follows the items' separation", () => {
  // Two items, gap d, each measured with sd s: the pair keeps its order in one redraw with
  // probability P = Phi(d / (s sqrt 2)), so E[tau] = P^2 + (1-P)^2 - 2P(1-P) = (2P - 1)^2.
  const p = [0.7, 0.71];
  const count = 5000;
  const s = Math.sqrt((0.705 * 0.295) / count);
  const P = normCdf(0.01 / (s * Math.SQRT2));
  const c = rescoringCeiling(p, count, { draws: 20_000, seed: 3 });
  assert.ok(Math.abs(c.mean - (2 * P - 1) ** 2) < 0.03, `mean ${c.mean} vs closed form ${(2 * P - 1) ** 2}`);
  // ten networks 10 pp apart are never reordered; ten equal ones agree only by chance
  const far = rescoringCeiling([0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.2, 0.1, 0.05], count, { draws: 500 });
  assert.equal(far.median, 1);
  const same = rescoringCeiling(new Array(10).fill(0.7), count, { draws: 2000 });
  assert.ok(Math.abs(same.mean) < 0.03 && same.low < -0.3 && same.high > 0.3, JSON.stringify(same));
  // the same accuracies measured on more images rank more alike
  const close = [0.69, 0.695, 0.7, 0.705, 0.71, 0.715, 0.72, 0.725];
  assert.ok(rescoringCeiling(close, 50_000, { draws: 1000 }).mean > rescoringCeiling(close, 5000, { draws: 1000 }).mean + 0.1);
  assert.throws(() => rescoringCeiling([0.5], count), /at least 2 items/);
  assert.throws(() => rescoringCeiling([0.5, 1.5], count), /in \[0, 1\]/);
  assert.throws(() => rescoringCeiling([0.5, 0.6], 0), /count must be a positive integer/);
});
