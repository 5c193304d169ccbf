/**
 * Paired timing (docs/runtime-model.md "Stable measured latency"): the median pair ratio cancels a
 * slowdown that hits both calls of a pair, which the absolute mean does not; its interval is seeded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanInterval, pairedRatio } from '../../src/latency/statistic';

/** Reference calls of 30 ms and network calls of 18 ms (ratio 0.6), with 15% jitter, slowed by `drift(i)`. */
function pairs(seed: number, drift: (i: number) => number, n = 300): { x: number[]; r: number[] } {
  let s = seed;
  const u = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.3;
  const x: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < n; i++) {
    r.push(30 * drift(i) * (1 + u()));
    x.push(18 * drift(i) * (1 + u()));
  }
  return { x, r };
}

test('a slowdown shared by both calls of each pair leaves the ratio where it was; the absolute mean moves with it', () => {
  const quiet = pairs(1, () => 1);
  // the second process: 20% slower overall, with a burst of 2x in the middle
  const busy = pairs(2, (i) => 1.2 * (i > 100 && i < 160 ? 2 : 1));
  const a = pairedRatio(quiet.x, quiet.r);
  const b = pairedRatio(busy.x, busy.r);
  assert.ok(Math.abs(a.ratio - 0.6) < 0.02, `quiet ratio ${a.ratio}`);
  assert.ok(Math.abs(b.ratio / a.ratio - 1) < 0.03, `ratios ${a.ratio} and ${b.ratio}`);
  const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
  assert.ok(mean(busy.x) / mean(quiet.x) > 1.3, 'the absolute mean moved with the slowdown');
  assert.ok(a.interval[0] < a.ratio && a.ratio < a.interval[1], `interval ${a.interval}`);
  assert.ok(a.interval[1] - a.interval[0] < 0.05, `interval ${a.interval}`);
});

test('the interval is seeded (the same samples give the same interval) and narrows with more pairs', () => {
  const { x, r } = pairs(3, () => 1, 1200);
  assert.deepEqual(pairedRatio(x, r), pairedRatio(x, r));
  const width = (n: number) => {
    const p = pairedRatio(x.slice(0, n), r.slice(0, n));
    return p.interval[1] - p.interval[0];
  };
  assert.ok(width(1200) < width(100) / 2, `${width(1200)} vs ${width(100)}`);
  assert.deepEqual(meanInterval([]), [NaN, NaN]);
});

test('unequal numbers of network and reference calls are refused; no pairs give NaN', () => {
  assert.throws(() => pairedRatio([1, 2], [1]), /2 samples but 1 reference calls/);
  assert.ok(Number.isNaN(pairedRatio([], []).ratio));
});
