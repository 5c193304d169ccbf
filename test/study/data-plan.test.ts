import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { dataSpecSchema } from '../../src/config/data-spec';
import { loadPermutationSplits, permutationSplitIndices } from '../../src/data/dataset';
import { mulberry32 } from '../../src/random';
import { makeDataPlan } from '../../src/study/data-plan';
import { tempDir } from '../support/temp-dir';
import { writeShards } from '../data/fixtures';

const indicesOf = (spec: ReturnType<typeof makeDataPlan>['trial']) => permutationSplitIndices(spec.plan!);
const overlap = (a: Int32Array, b: Int32Array) => {
  const s = new Set(a);
  return b.filter((i) => s.has(i)).length;
};

test('a data plan keeps the test split apart from every trial and selection image, whatever the counts and seed', () => {
  const rand = mulberry32(11);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  for (let k = 0; k < 300; k++) {
    const total = int(10, 3000);
    const testImages = int(1, Math.floor(total / 3));
    const selectionImages = int(1, Math.floor(total / 3));
    const trialTrainImages = int(1, total - testImages - selectionImages);
    const finalTrainImages = rand() < 0.5 ? undefined : int(1, total - testImages);
    const seed = int(0, 1e6);
    const plan = makeDataPlan({ uri: '/d', total, seed, testImages, selectionImages, trialTrainImages, finalTrainImages });
    for (const spec of [plan.trial, plan.final]) assert.ok(dataSpecSchema.safeParse(spec).success, JSON.stringify(spec));
    const trial = indicesOf(plan.trial);
    const final = indicesOf(plan.final);
    const ctx = JSON.stringify({ total, seed, testImages, selectionImages, trialTrainImages, finalTrainImages });
    assert.equal(final.val.length, testImages, ctx);
    assert.equal(trial.val.length, selectionImages, ctx);
    assert.equal(trial.train.length, trialTrainImages, ctx);
    assert.equal(final.train.length, finalTrainImages ?? total - testImages, ctx);
    assert.equal(overlap(final.val, trial.train), 0, `test vs trial training ${ctx}`);
    assert.equal(overlap(final.val, trial.val), 0, `test vs selection ${ctx}`);
    assert.equal(overlap(final.val, final.train), 0, `test vs final training ${ctx}`);
    assert.equal(overlap(trial.val, trial.train), 0, `selection vs trial training ${ctx}`);
    for (const ix of [trial.train, trial.val, final.train, final.val])
      assert.ok(
        ix.every((i) => i >= 0 && i < total),
        ctx,
      );
  }
});

test('a data plan that does not fit the source is refused, naming the counts', () => {
  assert.throws(
    () => makeDataPlan({ uri: '/d', total: 1000, seed: 0, testImages: 500, selectionImages: 400, trialTrainImages: 200 }),
    /test 500 \+ selection 400 \+ trial training 200 = 1100 images, more than the 1000/,
  );
  assert.throws(
    () => makeDataPlan({ uri: '/d', total: 1000, seed: 0, testImages: 500, selectionImages: 1, trialTrainImages: 1, finalTrainImages: 600 }),
    /1\.\.500/,
  );
  assert.ok(!dataSpecSchema.safeParse({ uri: '/d', plan: { total: 10, seed: 0, train: [0, 6], val: [5, 10] } }).success, 'overlapping ranges');
  assert.ok(!dataSpecSchema.safeParse({ uri: '/d', valCount: 3, plan: { total: 10, seed: 0, train: [0, 5], val: [5, 10] } }).success, 'both forms');
});

test('loading a planned split decodes exactly the planned images, in the plan from a real tar source', async () => {
  const dir = join(tempDir('spnas-plan-'), 'shards');
  writeShards(dir, 2, 100); // 200 PNG samples; green channel = source index
  const plan = makeDataPlan({ uri: dir, total: 200, seed: 5, testImages: 40, selectionImages: 30, trialTrainImages: 60 });
  for (const spec of [plan.trial, plan.final]) {
    const want = indicesOf(spec);
    const got = await loadPermutationSplits(dir, spec.plan!);
    for (const [ds, ix] of [
      [got.train, want.train],
      [got.val, want.val],
    ] as const) {
      assert.equal(ds.size, ix.length);
      const per = ds.height * ds.width * ds.channels;
      for (let r = 0; r < ds.size; r++) {
        assert.equal(ds.images[r * per + 1], ix[r]!, 'green channel = source index');
        assert.equal(ds.labels[r], ix[r]! % 10);
      }
    }
  }
  await assert.rejects(
    loadPermutationSplits(dir, { total: 300, seed: 0, train: [0, 10], val: [10, 20] }),
    /covers the first 300 images but the source has 200/,
  );
});
