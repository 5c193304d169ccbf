import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchConfig, parseTrainConfig } from '../../src/config/training-config';
import { learningRate, scheduleOf } from '../../src/nas/schedule';

test('exponential schedule depends on the epoch only: the same curve whatever the budget', () => {
  const opt = parseTrainConfig({}).optimizer;
  for (const e of [0, 0.5, 1, 2.5, 7.3]) assert.equal(learningRate(scheduleOf(opt, 10), 128, e), learningRate(scheduleOf(opt, 60), 128, e));
  // warm-up: linear from 0 over one epoch, then x0.97 every 2.4 epochs
  const s = scheduleOf(opt, 10);
  assert.ok(Math.abs(learningRate(s, 256, 0.5) - 0.008) < 1e-12);
  assert.ok(Math.abs(learningRate(s, 256, 2.5) - 0.016 * 0.97) < 1e-12);
});

test('cosine schedule: linear warm-up to the peak, half a cosine to lrFinalFraction at the last epoch', () => {
  const opt = parseTrainConfig({ optimizer: { kind: 'sgd', schedule: 'cosine', lrPer256: 0.4, lrWarmupEpochs: 1, lrFinalFraction: 0.1 } }).optimizer;
  const s = scheduleOf(opt, 5);
  const peak = (0.4 * 128) / 256;
  assert.ok(Math.abs(learningRate(s, 128, 0.5) - peak / 2) < 1e-12);
  assert.ok(Math.abs(learningRate(s, 128, 1) - peak) < 1e-12);
  assert.ok(Math.abs(learningRate(s, 128, 3) - peak * (0.1 + 0.9 * 0.5)) < 1e-12, 'half-way down at the middle of the cosine');
  assert.ok(Math.abs(learningRate(s, 128, 5) - 0.1 * peak) < 1e-12);
  let prev = Infinity;
  for (let e = 1; e <= 5; e += 0.25) {
    const lr = learningRate(s, 128, e);
    assert.ok(lr <= prev, `non-increasing after warm-up (epoch ${e})`);
    prev = lr;
  }
});

test("the search refuses a budget-dependent schedule: a warm-up checkpoint must not depend on the trial's epochs", () => {
  assert.throws(() => parseSearchConfig({ optimizer: { schedule: 'cosine' } }), /exponential/);
  const a = parseSearchConfig({ epochs: 6, warmupEpochs: 2 });
  const b = parseSearchConfig({ epochs: 20, warmupEpochs: 5 });
  for (const e of [0, 0.7, 1.9])
    assert.equal(learningRate(scheduleOf(a.optimizer, a.epochs), a.batchSize, e), learningRate(scheduleOf(b.optimizer, b.epochs), b.batchSize, e));
});
