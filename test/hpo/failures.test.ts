// GP-BO's default failed-trial policy (the failure classifier) on Branin, 10 seeds, at most 60
// evaluations: failures at random (10%, independent of x) and failures confined to x0 > 8.5. Each
// run stops once it reaches regret <= 1e-3, which keeps the 20 runs to a few minutes; the full curves,
// and the older policies for comparison, are in bench/hpo/failures.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { branin } from '../../src/hpo';
import { runWithFailures } from '../../bench/hpo/failure-scenarios';

const SEEDS = Array.from({ length: 10 }, (_, i) => i);

test('default policy, 10% random failures: at least 9 of 10 seeds reach Branin regret <= 1e-3 within 60 evaluations', () => {
  const runs = SEEDS.map((seed) => runWithFailures(branin, 'random', { seed }, 60, true));
  const reached = runs.filter((r) => r.hit !== undefined).length;
  const failed = runs.reduce((a, r) => a + r.failures, 0) / runs.reduce((a, r) => a + r.evaluations, 0);
  assert.ok(failed > 0.05 && failed < 0.2, `the scenario fails about 10% of trials: ${failed}`);
  assert.ok(reached >= 9, `reached in ${reached}/10: ${runs.map((r) => r.hit ?? 'no').join(', ')}`);
});

test('default policy, failures for x0 > 8.5: at least 9 of 10 seeds reach Branin regret <= 1e-3 within 60 evaluations, few spent in the region', () => {
  const runs = SEEDS.map((seed) => runWithFailures(branin, 'region', { seed }, 60, true));
  const reached = runs.filter((r) => r.hit !== undefined).length;
  const inRegion = runs.map((r) => r.inRegion).sort((a, b) => a - b);
  assert.ok(reached >= 9, `reached in ${reached}/10: ${runs.map((r) => r.hit ?? 'no').join(', ')}`);
  // exclude spends a median 52 of 60 evaluations in the region; the classifier a handful.
  assert.ok(inRegion[4]! <= 4 && inRegion[9]! <= 6, `evaluations in the failing region: ${inRegion}`);
});
