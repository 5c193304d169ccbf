// The GP classifier of trial failures (src/hpo/gp-classifier.ts): its evidence gradient and its
// input gradient match finite differences, its leave-one-out probabilities match conditioning without
// the point, and it tells a failing region (predictable) from random failures (unpredictable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureClassifier, classifierNegLogEvidence } from '../../src/hpo/gp-classifier';
import { Prng } from '../../src/random';

function data(seed: number, n: number, label: (x: number[], rng: Prng) => boolean) {
  const rng = Prng.fromSeed(seed);
  const X = Array.from({ length: n }, () => [rng.float(), rng.float(), rng.float()]);
  return { X, failed: X.map((x) => label(x, rng)) };
}
const region = (x: number[]) => x[0]! > 0.7;
const random = (_x: number[], rng: Prng) => rng.float() < 0.15;

test('the approximate evidence has the gradient of finite differences', () => {
  for (const [seed, label] of [
    [1, region],
    [2, random],
  ] as const) {
    const { X, failed } = data(seed, 25, label);
    const t = failed.map((f) => (f ? 1 : 0));
    const theta = [Math.log(0.3), Math.log(0.6), Math.log(1.2), Math.log(2)];
    const { grad } = classifierNegLogEvidence(X, t, -1.2, theta);
    theta.forEach((_, j) => {
      const h = 1e-5;
      const up = theta.map((v, k) => (k === j ? v + h : v));
      const down = theta.map((v, k) => (k === j ? v - h : v));
      const fd = (classifierNegLogEvidence(X, t, -1.2, up).value - classifierNegLogEvidence(X, t, -1.2, down).value) / (2 * h);
      assert.ok(Math.abs(grad[j]! - fd) < 1e-5 * Math.max(1, Math.abs(fd)), `seed ${seed} theta[${j}]: ${grad[j]} vs ${fd}`);
    });
  }
});

test('log P(ok | x) has the gradient of finite differences', () => {
  const { X, failed } = data(3, 30, region);
  const model = FailureClassifier.fit(X, failed)!;
  for (const x of [
    [0.5, 0.5, 0.5],
    [0.72, 0.1, 0.9],
    [0.95, 0.4, 0.2],
  ]) {
    const { value, grad } = model.logPOkWithGrad(x);
    assert.ok(Math.abs(value - model.logPOk([x])[0]!) < 1e-12);
    x.forEach((_, j) => {
      const h = 1e-6;
      const fd = (model.logPOk([x.map((v, k) => (k === j ? v + h : v))])[0]! - model.logPOk([x.map((v, k) => (k === j ? v - h : v))])[0]!) / (2 * h);
      assert.ok(Math.abs(grad[j]! - fd) < 1e-5 * Math.max(1, Math.abs(fd)), `x=${x} d/dx${j}: ${grad[j]} vs ${fd}`);
    });
  }
});

test('leave-one-out failure probabilities agree with conditioning on the other points', () => {
  const { X, failed } = data(4, 30, (x, rng) => region(x) || random(x, rng));
  const model = FailureClassifier.fit(X, failed)!;
  const loo = model.looFailureProbability();
  for (const i of [0, 5, 11, 17, 29]) {
    const others = X.map((_, k) => k).filter((k) => k !== i);
    const without = FailureClassifier.condition(
      others.map((k) => X[k]!),
      others.map((k) => failed[k]!),
      model.hyper,
      model.priorMean,
    )!;
    const direct = without.failureProbability([X[i]!])[0]!;
    // The closed form linearises the likelihood at the full-data mode, so it is close, not exact.
    assert.ok(Math.abs(loo[i]! - direct) < 0.03, `point ${i} (${failed[i] ? 'failed' : 'ok'}): LOO ${loo[i]} vs refit ${direct}`);
  }
});

test('a failing region is learnt; random failures give a nearly flat failure probability', () => {
  const reg = data(5, 40, region);
  const m1 = FailureClassifier.fit(reg.X, reg.failed)!;
  const inside = m1.failureProbability([
    [0.9, 0.5, 0.5],
    [0.85, 0.2, 0.8],
  ]);
  const outside = m1.failureProbability([
    [0.3, 0.5, 0.5],
    [0.1, 0.8, 0.2],
  ]);
  assert.ok(Math.min(...inside) > 0.8 && Math.max(...outside) < 0.2, `inside ${inside}, outside ${outside}`);
  const loo1 = m1.looFailureProbability();
  assert.ok(
    reg.failed.every((f, i) => !f || loo1[i]! > 0.5),
    'every failure in the region is predicted by its neighbours',
  );

  const rnd = data(6, 40, random);
  const m2 = FailureClassifier.fit(rnd.X, rnd.failed)!;
  const grid = Array.from({ length: 64 }, (_, i) => [(i % 4) / 3, (Math.floor(i / 4) % 4) / 3, Math.floor(i / 16) / 3]);
  const p = m2.failureProbability(grid);
  const rate = rnd.failed.filter(Boolean).length / rnd.failed.length;
  assert.ok(
    Math.max(...p) - Math.min(...p) < 0.15 && Math.abs(p.reduce((a, b) => a + b, 0) / p.length - rate) < 0.1,
    `spread ${Math.min(...p)}..${Math.max(...p)}, rate ${rate}`,
  );
  const loo2 = m2.looFailureProbability();
  assert.ok(
    rnd.failed.every((f, i) => !f || loo2[i]! < 0.5),
    'no random failure is predicted by its neighbours',
  );
  assert.equal(
    FailureClassifier.fit(
      rnd.X,
      rnd.X.map(() => false),
    ),
    undefined,
    'no failures: no model',
  );
});
