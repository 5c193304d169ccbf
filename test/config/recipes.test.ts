import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TRAIN_RECIPE_NAMES, trainConfigForRecipe } from '../../src/config/recipes';
import { parseTrainConfig } from '../../src/config/training-config';

test('recipes: reference is the default train config; fast is SGD + cosine; overrides merge into nested fields', () => {
  assert.deepEqual(trainConfigForRecipe('reference'), parseTrainConfig({}));
  const fast = trainConfigForRecipe('fast');
  assert.equal(fast.optimizer.kind, 'sgd');
  assert.equal(fast.optimizer.schedule, 'cosine');
  // an override of one optimizer field keeps the recipe's others (and the reference keeps its 1-epoch warm-up)
  const lr = trainConfigForRecipe('fast', { optimizer: { lrPer256: 0.2 }, epochs: 6 });
  assert.equal(lr.optimizer.lrPer256, 0.2);
  assert.equal(lr.optimizer.schedule, 'cosine');
  assert.equal(lr.epochs, 6);
  assert.equal(trainConfigForRecipe('reference', { optimizer: { lrPer256: 0.05 } }).optimizer.lrWarmupEpochs, 1);
  assert.equal(trainConfigForRecipe('fast', { augment: { flip: false } }).augment.padCrop, 4);
  assert.deepEqual(TRAIN_RECIPE_NAMES, ['reference', 'fast']);
});

test('recipes: an unknown name or a bad override is refused with the name and the field', () => {
  assert.throws(() => trainConfigForRecipe('fastest'), /unknown training recipe 'fastest'.*reference, fast/);
  assert.throws(() => trainConfigForRecipe('fast', { optimizer: { lrFinalFraction: 2 } }), /recipe 'fast'[\s\S]*optimizer\.lrFinalFraction/);
});
