import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchConfig, parseTrainConfig } from '../../src/config/training-config';
import { NAS_HPO_SPACE, nasHyperparameterSpace } from '../../src/hpo/nas-space';
import { RandomSampler } from '../../src/hpo/random-sampler';
import { Space } from '../../src/hpo/space';
import { parseStudySpec } from '../../src/study/spec';
import { planTrial, warmupEpochsFor } from '../../src/study/trial-plan';
import { studyRetrainConfig } from '../../src/study/retrain-config';

const spec = parseStudySpec({
  name: 't',
  storage: '/tmp/x',
  space: 'cifar-small',
  data: { train: { uri: '/d', valCount: 100 } },
  budget: { searchEpochs: 4, warmupEpochs: 2 },
});
const largestMs = 22;

/** Corners of every float/int range crossed with every categorical choice, plus seeded random points. */
function pointsOf(space: Space, n: number): Array<Record<string, number | string>> {
  const spec = space.spec;
  const corners: Array<Record<string, number | string>> = [{}];
  for (const [name, p] of Object.entries(spec)) {
    const values = p.type === 'categorical' ? p.choices : [p.low, p.high];
    const next: Array<Record<string, number | string>> = [];
    for (const c of corners) for (const v of values) next.push({ ...c, [name]: v });
    corners.splice(0, corners.length, ...next);
  }
  const sampler = new RandomSampler(space, { seed: 3 });
  return [...corners, space.defaults(), ...Array.from({ length: n }, () => ({ ...sampler.ask().params }))];
}

test('every point of the default NAS-hyperparameter space maps onto valid engine configs, at every fidelity', () => {
  const points = pointsOf(Space.from(NAS_HPO_SPACE), 200);
  assert.ok(points.length > 200);
  for (const params of points) {
    for (const fidelity of [1 / 9, 1 / 3, 1]) {
      const plan = planTrial(spec, params, largestMs, fidelity);
      const search = parseSearchConfig(plan.search, `plan of ${JSON.stringify(params)}`);
      parseTrainConfig(plan.retrain, `retrain plan of ${JSON.stringify(params)}`);
      assert.ok(search.warmupEpochs >= 1 && search.warmupEpochs < search.epochs, JSON.stringify(params));
      assert.ok(search.epochs <= spec.budget.searchEpochs + 1e-9);
    }
  }
});

test('one unit for lambda: the proposed value is the engine value, and the target is a fraction of the largest network', () => {
  for (const kind of ['log', 'mnas', 'hinge'] as const) {
    const plan = planTrial(spec, { lambda: 37.5, runtimeLoss: kind, targetFraction: 0.5, thresholdLrMultiplier: 2, warmupFraction: 0.5 }, largestMs);
    const cfg = parseSearchConfig(plan.search);
    assert.equal(cfg.runtimeLoss.lambda, 37.5);
    assert.equal(cfg.runtimeLoss.kind, kind);
    assert.equal(cfg.thresholdLrMultiplier, 2);
    if (kind !== 'log') assert.equal(cfg.runtimeLoss.targetMs, 11);
    assert.equal(plan.targetMs, 11);
  }
  // the default lambda of the space is the engine's default (the reference's 0.020)
  assert.equal(Space.from(NAS_HPO_SPACE).defaults().lambda, parseSearchConfig({}).runtimeLoss.lambda);
});

test('warm-up epochs are whole, at least 1 and leave search epochs; the spec value is used when not tuned', () => {
  assert.equal(warmupEpochsFor(spec, { warmupFraction: 0.25 }), 1);
  assert.equal(warmupEpochsFor(spec, { warmupFraction: 0.5 }), 2);
  assert.equal(warmupEpochsFor(spec, { warmupFraction: 0.75 }), 3);
  assert.equal(warmupEpochsFor(spec, {}), 2);
  const one = parseStudySpec({ ...spec, budget: { ...spec.budget, searchEpochs: 1.5, warmupEpochs: 1 } });
  assert.equal(warmupEpochsFor(one, { warmupFraction: 0.75 }), 1);
});

test('fidelity scales the search after the warm-up and the retraining; other parameters are dotted config paths', () => {
  const full = planTrial(spec, { warmupFraction: 0.5 }, largestMs, 1);
  const third = planTrial(spec, { warmupFraction: 0.5 }, largestMs, 1 / 3);
  assert.equal(full.search.epochs, 4);
  assert.ok(Math.abs((third.search.epochs as number) - (2 + 2 / 3)) < 1e-12);
  assert.ok(Math.abs((third.retrain.epochs as number) - spec.budget.retrainEpochs / 3) < 1e-12);
  const space = nasHyperparameterSpace({ 'optimizer.lrPer256': { type: 'float', low: 0.005, high: 0.05, log: true } });
  const plan = planTrial(spec, { ...space.defaults(), 'optimizer.lrPer256': 0.02 }, largestMs);
  assert.equal(parseSearchConfig(plan.search).optimizer.lrPer256, 0.02);
  assert.throws(() => planTrial(spec, {}, largestMs, 0), /fidelity/);
});

test("the trials' retraining may name a recipe: its values (batch size included) under the spec's overrides", () => {
  const withFast = parseStudySpec({ ...spec, budget: { ...spec.budget, retrain: { recipe: 'fast', labelSmoothing: 0.2 } } });
  const c = parseTrainConfig(planTrial(withFast, {}, largestMs).retrain);
  assert.equal(c.optimizer.kind, 'sgd');
  assert.equal(c.optimizer.schedule, 'cosine');
  assert.equal(c.labelSmoothing, 0.2, 'an override wins over the recipe');
  assert.equal(c.batchSize, 128, "the recipe's batch size, not the study's 64");
  assert.equal(c.epochs, withFast.budget.retrainEpochs);
  // without a recipe: the engine's defaults with the study's batch size
  assert.equal(parseTrainConfig(planTrial(spec, {}, largestMs).retrain).batchSize, spec.budget.batchSize);
  assert.throws(() => parseStudySpec({ ...spec, budget: { ...spec.budget, retrain: { recipe: 'fastest' } } }), /budget\.retrain.*fastest/s);
  // a promotion continues a retraining with more epochs, which a cosine schedule cannot do
  assert.throws(
    () => parseStudySpec({ ...spec, hpo: { sampler: 'asha' }, budget: { ...spec.budget, retrain: { recipe: 'fast' } } }),
    /budget\.retrain.*asha.*cosine/s,
  );
  assert.equal(parseStudySpec({ ...spec, hpo: { sampler: 'asha' }, budget: { ...spec.budget, retrain: { recipe: 'reference' } } }).hpo.sampler, 'asha');
  // ... unless the promotion restarts its retraining: then the plan says so (the workflow gives it a directory per rung)
  const restarting = parseStudySpec({
    ...spec,
    hpo: { sampler: 'hyperband' },
    budget: { ...spec.budget, retrain: { recipe: 'fast' }, promotedRetraining: 'restart' },
  });
  assert.equal(planTrial(restarting, {}, largestMs, 1 / 3).restartRetraining, true);
  assert.equal(planTrial(withFast, {}, largestMs).restartRetraining, undefined, 'continuing is the default');
  assert.throws(() => parseStudySpec({ ...spec, budget: { ...spec.budget, promotedRetraining: 'resume' } }), /promotedRetraining/);
});

test("one batch-size rule for the trials' and the final retraining: the fields', else the recipe's, else the study's", () => {
  // 'reference' sets no batch size: the study's, for the final retraining as for the trials
  assert.equal(studyRetrainConfig({ recipe: 'reference', epochs: 3 }, 64).batchSize, 64);
  assert.equal(studyRetrainConfig({ recipe: 'fast', epochs: 3 }, 64).batchSize, 128);
  assert.equal(studyRetrainConfig({ recipe: 'fast', batchSize: 32 }, 64).batchSize, 32);
  assert.equal(studyRetrainConfig({ epochs: 3 }, 64).batchSize, 64);
  assert.equal(studyRetrainConfig({ recipe: undefined, epochs: 3 }, 64).batchSize, 64);
  // the recipe's values under the fields, without the recipe's name (the engine takes a plain config)
  const c = studyRetrainConfig({ recipe: 'fast', epochs: 2, optimizer: { lrPer256: 0.2 } }, 64);
  assert.equal('recipe' in c, false);
  assert.equal(c.epochs, 2);
  assert.equal(c.optimizer?.kind, 'sgd');
  assert.equal(c.optimizer?.lrPer256, 0.2);
  // a trial's plan uses exactly this rule
  const planned = planTrial(parseStudySpec({ ...spec, budget: { ...spec.budget, retrain: { recipe: 'reference' } } }), {}, largestMs, 1).retrain;
  assert.equal(planned.batchSize, 64);
});
