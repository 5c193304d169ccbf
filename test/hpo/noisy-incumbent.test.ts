// Under noise, the posterior-mean incumbent reports a better trial than the lowest observation.
// Branin with Gaussian noise of sd 0.1, 60 evaluations, seeds 0-4; regrets are of the noise-free
// function. bench/hpo/noisy-incumbent.ts runs 10 seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GpSampler, branin } from '../../src/hpo';
import { runNoisyBranin } from '../../bench/hpo/noisy-branin';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test('noisy Branin: the posterior-mean incumbent has a lower median true regret than the lowest observation', () => {
  const runs = [0, 1, 2, 3, 4].map((seed) => runNoisyBranin(seed, 0.1, 60));
  const observed = median(runs.map((r) => r.observed));
  const pm = median(runs.map((r) => r.posteriorMean));
  assert.ok(pm * 2 < observed, `median true regret: posterior mean ${pm}, lowest observation ${observed}`);
  assert.ok(runs.filter((r) => r.posteriorMean <= r.observed).length >= 4, JSON.stringify(runs));
});

test("incumbent: 'posterior-mean' makes best() report the posterior-mean trial; asking does not change proposals", () => {
  const run = (incumbent: 'observed' | 'posterior-mean', probe: boolean) => {
    const s = new GpSampler(branin.space, { seed: 3, incumbent });
    for (let i = 0; i < 12; i++) {
      const t = s.ask();
      s.tell(t.trialId, { status: 'ok', value: branin.evaluate(t.params) + (i % 3) * 0.5 });
      if (probe) s.bestByPosteriorMean();
    }
    return s;
  };
  const a = run('posterior-mean', true);
  const b = run('observed', false);
  assert.deepEqual(a.trials(), b.trials(), 'bestByPosteriorMean() draws no random numbers from the sampler');
  assert.deepEqual(a.best(), a.bestByPosteriorMean()!.trial);
  const lowest = b.trials().reduce((x, y) => ((y.value as number) < (x.value as number) ? y : x));
  assert.deepEqual(b.best(), lowest);
  const est = a.bestByPosteriorMean()!.mean;
  assert.ok(Number.isFinite(est) && Math.abs(est - (a.best()!.value as number)) < 5, `estimate ${est} near the observation ${a.best()!.value}`);
});
