import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permutationTestMeans } from '../../src/stats/permutation';

test('the exact permutation test counts the splits by hand', () => {
  // {3, 4} vs {1, 2}: of the C(4,2) = 6 splits, only {3,4}|{1,2} and {1,2}|{3,4} differ by |2|
  const r = permutationTestMeans([3, 4], [1, 2]);
  assert.equal(r.splits, 6);
  assert.equal(r.difference, 2);
  assert.equal(r.p, 2 / 6);
  // fully separated groups of 4 and 8: the two extreme splits of C(12,4) = 495
  const s = permutationTestMeans([10, 11, 12, 13], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(s.splits, 495);
  assert.equal(s.p, 1 / 495); // only the observed split is as extreme (the mirror has other sizes)
  // equal groups are never significant
  assert.equal(permutationTestMeans([1, 2, 3], [1, 2, 3]).p, 1);
});

test('the permutation test refuses empty groups, non-finite values and too many splits', () => {
  assert.throws(() => permutationTestMeans([], [1]), /both groups need a value/);
  assert.throws(() => permutationTestMeans([NaN], [1]), /finite/);
  assert.throws(() => permutationTestMeans(new Array(15).fill(1), new Array(15).fill(2)), /exceed maxSplits/);
});
