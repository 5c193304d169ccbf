import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/errors';
import { MNAS_HARD, augmentedChebyshev, dominates, hypervolume2d, mnasReward, nonDominatedSort, paretoFront2d, selectForLatencyTarget } from '../../src/hpo';

// (accuracy up, latency down)
const pts = [
  [0.7, 50], // 0 front
  [0.75, 80], // 1 front
  [0.72, 90], // 2 dominated by 1
  [0.6, 40], // 3 front
  [0.7, 60], // 4 dominated by 0
  [0.78, 120], // 5 front
  [0.65, 100], // 6 dominated by 1, 2, 4; second-level? dominated by 2 (0.72,90) and 4 -> front 2
];

test('non-dominated sorting and the 2-D front match a hand-computed example', () => {
  assert.equal(dominates([0.75, 80], [0.72, 90], ['maximize', 'minimize']), true);
  assert.equal(dominates([0.75, 80], [0.75, 80], ['maximize', 'minimize']), false);
  assert.deepEqual(nonDominatedSort(pts, ['maximize', 'minimize']), [[0, 1, 3, 5], [2, 4], [6]]);
  assert.deepEqual(paretoFront2d(pts, ['maximize', 'minimize']), [5, 1, 0, 3]);
  assert.deepEqual(nonDominatedSort([], ['minimize', 'minimize']), []);
  assert.throws(() => nonDominatedSort([[1, Number.NaN]], ['minimize', 'minimize']), /points\[0\]\[1\]/);
});

test('2-D hypervolume equals hand-computed areas', () => {
  // Minimisation: staircase of (1,3), (2,2), (3,1) against (4,4): 3*1 + 2*1 + 1*1 = 6.
  assert.equal(
    hypervolume2d(
      [
        [1, 3],
        [2, 2],
        [3, 1],
      ],
      [4, 4],
      ['minimize', 'minimize'],
    ),
    6,
  );
  // A dominated point and a point beyond the reference add nothing.
  assert.equal(
    hypervolume2d(
      [
        [1, 3],
        [2, 2],
        [3, 1],
        [2.5, 2.5],
        [5, 0],
      ],
      [4, 4],
      ['minimize', 'minimize'],
    ),
    6,
  );
  assert.equal(hypervolume2d([], [4, 4], ['minimize', 'minimize']), 0);
  // Accuracy/latency with reference (0.5, 150): front 0,1,3,5 as rectangles sorted by latency.
  const hv = hypervolume2d(pts, [0.5, 150], ['maximize', 'minimize']);
  const expected = (150 - 40) * (0.6 - 0.5) + (150 - 50) * (0.7 - 0.6) + (150 - 80) * (0.75 - 0.7) + (150 - 120) * (0.78 - 0.75);
  assert.ok(Math.abs(hv - expected) < 1e-12, `${hv} vs ${expected}`);
});

test('latency-target selection: best accuracy at or under T, ties to lower latency, explicit miss', () => {
  const models = pts.map(([accuracy, latencyMs], i) => ({ accuracy: accuracy!, latencyMs: latencyMs!, id: i }));
  const s = selectForLatencyTarget(models, 80);
  assert.ok(s.met && s.model.id === 1, 'exactly at T counts as meeting it');
  const tie = selectForLatencyTarget(
    [
      { accuracy: 0.7, latencyMs: 70 },
      { accuracy: 0.7, latencyMs: 60 },
      { accuracy: 0.7, latencyMs: 60 },
    ],
    80,
  );
  assert.ok(tie.met && tie.index === 1);
  const miss = selectForLatencyTarget(models, 30);
  assert.equal(miss.met, false);
  assert.ok(!miss.met && miss.fastest.id === 3);
  assert.throws(() => selectForLatencyTarget(models, 0), InvalidInputError);
  assert.throws(() => selectForLatencyTarget([{ accuracy: Number.NaN, latencyMs: 3 }], 10), /models\[0\]\.accuracy/);
});

test('MnasNet reward: soft and hard constraint variants', () => {
  assert.equal(mnasReward(0.75, 80, { targetMs: 80 }), 0.75);
  assert.ok(Math.abs(mnasReward(0.75, 160, { targetMs: 80 }) - 0.75 * 2 ** -0.07) < 1e-15);
  assert.ok(mnasReward(0.75, 40, { targetMs: 80 }) > 0.75, 'soft: faster than target is rewarded');
  assert.equal(mnasReward(0.75, 40, { targetMs: 80, ...MNAS_HARD }), 0.75);
  assert.equal(mnasReward(0.75, 160, { targetMs: 80, ...MNAS_HARD }), 0.375);
  assert.throws(() => mnasReward(0.7, Number.NaN, { targetMs: 80 }), /latencyMs/);
});

test('augmented Chebyshev scalarisation normalises objectives and orients directions', () => {
  const v = augmentedChebyshev(
    [
      [0.8, 100],
      [0.6, 50],
      [0.7, 75],
    ],
    ['maximize', 'minimize'],
    [0.5, 0.5],
    0.05,
  );
  // normalised (to minimise): [0, 1], [1, 0], [0.5, 0.5]
  assert.deepEqual(
    v.map((x) => +x.toFixed(12)),
    [0.525, 0.525, 0.275],
  );
});
