// The GP told each observation's known noise (heteroscedastic, as a top-1 on n images is) against
// the homoscedastic fit, on Branin with Gaussian noise whose sd differs by point: a third of the
// points are measured precisely (sd 0.5), the rest poorly (sd 25; Branin spans about 0-300 on its
// box). Error is against the noise-free function; each case fails if the known noise is ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianProcess } from '../../src/hpo/gp';
import { fitGpHyperparameters } from '../../src/hpo/gp-fit';
import { GpSampler, branin } from '../../src/hpo';
import { posteriorMeanIncumbent } from '../../src/hpo/incumbent';
import { warpedNoise } from '../../src/hpo/known-noise';
import { warpOutputs } from '../../src/hpo/output-transform';
import type { TrialRecord } from '../../src/hpo/sampler';
import { Space } from '../../src/hpo/space';
import { Prng } from '../../src/random';

const space = Space.from(branin.space);
const sdOf = (i: number) => (i % 3 === 0 ? 0.5 : 25);

/** Gaussian draw (Box-Muller) from a seeded PRNG. */
function gauss(rng: Prng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
}

function observations(seed: number, n: number) {
  const rng = Prng.fromSeed(seed);
  const X = Array.from({ length: n }, () => [rng.float(), rng.float()]);
  const truth = X.map((u) => branin.evaluate(space.fromCube(u)));
  const y = truth.map((f, i) => f + sdOf(i) * gauss(rng));
  const variance = X.map((_, i) => sdOf(i) ** 2);
  return { X, y, variance };
}

/** Root-mean-square error of the posterior mean against Branin at held-out points, fitted as the samplers fit (warp, noise on the warped scale). */
function heldOutError(seed: number, mode: 'standardize' | 'yeo-johnson', known: boolean): number {
  const { X, y, variance } = observations(seed, 45);
  const warped = warpOutputs(y, mode);
  const noise = known ? warpedNoise(variance, warped.slopes) : undefined;
  const hyper = fitGpHyperparameters(X, warped.values, { rng: Prng.fromSeed(seed + 100), restarts: 3, ...(noise ? { knownNoise: noise } : {}) });
  const gp = new GaussianProcess(X, warped.values, hyper, noise);
  const rng = Prng.fromSeed(seed + 1000);
  const test = Array.from({ length: 200 }, () => [rng.float(), rng.float()]);
  const mean = gp.predict(test).mean;
  let se = 0;
  test.forEach((u, i) => (se += (warped.unwarp(mean[i]!) - branin.evaluate(space.fromCube(u))) ** 2));
  return Math.sqrt(se / test.length);
}

for (const mode of ['standardize', 'yeo-johnson'] as const) {
  test(`known per-observation noise lowers the posterior mean's held-out error (${mode}, 8 seeds)`, () => {
    const rows = [0, 1, 2, 3, 4, 5, 6, 7].map((seed) => ({ known: heldOutError(seed, mode, true), homoscedastic: heldOutError(seed, mode, false) }));
    const wins = rows.filter((r) => r.known < r.homoscedastic).length;
    const mean = (k: 'known' | 'homoscedastic') => rows.reduce((a, r) => a + r[k], 0) / rows.length;
    assert.ok(wins >= 6, `known noise wins ${wins}/8: ${JSON.stringify(rows)}`);
    assert.ok(mean('known') < 0.9 * mean('homoscedastic'), `mean RMSE known ${mean('known')} vs homoscedastic ${mean('homoscedastic')}`);
  });
}

test('the posterior-mean incumbent told the known noise picks trials with a lower true value (10 seeds)', () => {
  let known = 0;
  let homo = 0;
  for (let seed = 0; seed < 10; seed++) {
    const { X, y, variance } = observations(seed, 30);
    const recs = (withNoise: boolean): TrialRecord[] =>
      X.map((u, i) => ({ trialId: i, params: space.fromCube(u), state: 'ok', value: y[i]!, ...(withNoise ? { variance: variance[i]! } : {}) }));
    const pick = (withNoise: boolean) =>
      branin.evaluate(posteriorMeanIncumbent(space, recs(withNoise), { seed, sign: 1, outputTransform: 'standardize', maxFitPoints: 200 })!.trial.params);
    known += pick(true);
    homo += pick(false);
  }
  assert.ok(known < homo, `sum of true values of the picked trials: known noise ${known}, homoscedastic ${homo}`);
});

test('GP-BO fits its noise level on top of the told variances, and a snapshot keeps them', () => {
  const run = (withNoise: boolean) => {
    const s = new GpSampler(branin.space, { seed: 4 });
    const rng = Prng.fromSeed(9);
    for (let i = 0; i < 16; i++) {
      const t = s.ask();
      const value = branin.evaluate(t.params) + sdOf(i) * gauss(rng);
      s.tell(t.trialId, { status: 'ok', value, ...(withNoise ? { variance: sdOf(i) ** 2 } : {}) });
    }
    s.ask(); // a model-based proposal: fits the GP
    return s;
  };
  const told = run(true);
  const plain = run(false);
  // The known variances explain the scatter, so the fitted homoscedastic level is far lower.
  assert.ok(
    told.lastHyperparameters!.noiseVar < 0.5 * plain.lastHyperparameters!.noiseVar,
    `${told.lastHyperparameters!.noiseVar} vs ${plain.lastHyperparameters!.noiseVar}`,
  );
  const restored = GpSampler.fromJSON(JSON.parse(JSON.stringify(told.toJSON())));
  assert.equal(restored.trials()[1]!.variance, 25 ** 2);
  assert.deepEqual(restored.ask(), told.ask(), 'a restored sampler proposes what the original does');
  assert.throws(() => plain.tell(plain.ask().trialId, { status: 'ok', value: 1, variance: -1 }), /variance .* must be a finite number >= 0/);
});
