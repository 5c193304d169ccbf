import { test } from 'node:test';
import assert from 'node:assert/strict';
import { differenceInterval, imagesForHalfWidth, proportionVariance, wilsonInterval } from '../../src/stats/binomial';
import { compareTop1, formatTop1, top1Fields, top1Interval } from '../../src/study/accuracy';
import { mulberry32 } from '../../src/random';

test('Wilson intervals match the published values (Newcombe 1998, Table I)', () => {
  const cases: Array<[number, number, number, number]> = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  for (const [x, n, lo, hi] of cases) {
    const w = wilsonInterval(x, n);
    assert.ok(Math.abs(w.low - lo) < 5e-5, `${x}/${n}: low ${w.low} vs ${lo}`);
    assert.ok(Math.abs(w.high - hi) < 5e-5, `${x}/${n}: high ${w.high} vs ${hi}`);
    assert.equal(w.n, n);
    assert.equal(w.p, x / n);
  }
});

test('Wilson 95% intervals cover the true accuracy about 95% of the time', () => {
  const rand = mulberry32(7);
  for (const [p, n] of [
    [0.3, 100],
    [0.72, 500],
    [0.95, 60],
  ] as const) {
    let covered = 0;
    const reps = 4000;
    for (let r = 0; r < reps; r++) {
      let x = 0;
      for (let i = 0; i < n; i++) if (rand() < p) x++;
      const w = wilsonInterval(x, n);
      if (w.low <= p && p <= w.high) covered++;
    }
    const rate = covered / reps;
    // Wilson's coverage oscillates around the nominal level; 92-98% at these n.
    assert.ok(rate > 0.92 && rate < 0.98, `p=${p} n=${n}: coverage ${rate}`);
  }
});

test('images for a half-width, and the binomial variance', () => {
  // 1.96^2 * 0.25 / 0.02^2 = 2400.9 -> 2401; a 500-image held-out split resolves only +-4.4 pp
  assert.equal(imagesForHalfWidth(0.02), 2401);
  const w = wilsonInterval(250, 500);
  assert.ok(w.high - w.low > 0.085 && w.high - w.low < 0.09);
  assert.equal(proportionVariance(0.5, 500), 0.0005);
  assert.throws(() => wilsonInterval(3, 2), /correct must be an integer in 0..2/);
  assert.throws(() => imagesForHalfWidth(0), /halfWidth/);
});

test('a study accuracy of 16 of 20 images: 80% with the Wilson interval 58.4-91.9%', () => {
  const [low, high] = top1Interval(0.8, 20)!;
  assert.ok(Math.abs(low - 0.584) < 5e-4 && Math.abs(high - 0.9193) < 5e-4, `${low} ${high}`);
  assert.deepEqual(top1Fields(0.8, 20), { images: 20, interval: [low, high] });
  assert.equal(formatTop1(0.8, 20), '80.0% [58.4-91.9] on 20 images');
  // a record from before counts were kept: no interval, and it says so
  assert.equal(top1Interval(0.8, undefined), undefined);
  assert.deepEqual(top1Fields(0.8, undefined), {});
  assert.equal(formatTop1(0.8, undefined), '80.0% (n unknown, no interval)');
});

test('the difference of two accuracies: Newcombe hybrid score intervals match the published values (Newcombe 1998, method 10)', () => {
  const cases: Array<[number, number, number, number, number, number]> = [
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
  ];
  for (const [x1, n1, x2, n2, lo, hi] of cases) {
    const d = differenceInterval(x1, n1, x2, n2);
    assert.ok(Math.abs(d.low - lo) < 5e-5 && Math.abs(d.high - hi) < 5e-5, `${x1}/${n1} - ${x2}/${n2}: ${d.low} ${d.high}`);
  }
  // 18/20 vs 16/20 is not resolved; the same proportions on 2,000 images are
  assert.equal(compareTop1({ top1: 0.9, images: 20 }, { top1: 0.8, images: 20 }), 0);
  assert.equal(compareTop1({ top1: 0.9, images: 2000 }, { top1: 0.8, images: 2000 }), 1);
  assert.equal(compareTop1({ top1: 0.8, images: 2000 }, { top1: 0.9, images: 2000 }), -1);
  assert.equal(compareTop1({ top1: 0.9 }, { top1: 0.8, images: 2000 }), null);
});
