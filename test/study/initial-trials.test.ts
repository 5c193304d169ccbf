// `hpo.initialTrials`: how many of a study's trials come from the GP's Sobol design before the model
// proposes, so a short study (the main command's) still has model-based proposals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStudySpec, type StudySpec } from '../../src/study/spec';
import { proposeTrials } from '../../src/study/sampler-factory';
import { InvalidInputError } from '../../src/errors';

const spec = (hpo: Record<string, unknown>): StudySpec =>
  parseStudySpec({ name: 'p', storage: '/tmp/x', space: 'cifar-tiny', data: { train: { uri: '/d', valCount: 10 } }, hpo });

/** Three proposals, the first two told a reward each: the third comes from the design or the model. */
function thirdProposal(hpo: StudySpec['hpo'], value: (i: number) => number | number[] = (i) => 0.3 + 0.1 * i) {
  const first = proposeTrials({ hpo, samplerState: null, tells: [], n: 2 });
  const tells = first.trials.map((t, i) => ({ trialId: t.trialId, outcome: { status: 'ok' as const, value: value(i) } }));
  const next = proposeTrials({ hpo, samplerState: first.samplerState, tells, n: 1 });
  return { first: first.trials, third: next.trials[0]!, state: next.samplerState as unknown as { options: { nInitial: number } } };
}

test('with initialTrials 2 the GP proposes the third trial; by default it is still the Sobol design', () => {
  const byDefault = thirdProposal(spec({ sampler: 'gp', seed: 3, trials: 6 }).hpo);
  const early = thirdProposal(spec({ sampler: 'gp', seed: 3, trials: 6, initialTrials: 2 }).hpo);
  assert.equal(byDefault.state.options.nInitial, 6); // max(4, 5 knobs + 1)
  assert.equal(early.state.options.nInitial, 2);
  // the same design (same seed), then a different third point: the model's, not the design's
  assert.deepEqual(early.first, byDefault.first);
  assert.notDeepEqual(early.third.params, byDefault.third.params);
  const parego = thirdProposal(spec({ sampler: 'parego', seed: 3, trials: 6, initialTrials: 2 }).hpo, (i) => [0.3 + 0.1 * i, 10 + i]);
  assert.equal(parego.state.options.nInitial, 2);
});

test('initialTrials on a sampler without an initial design is refused, naming those that have one', () => {
  assert.throws(
    () => spec({ sampler: 'random', trials: 6, initialTrials: 2 }),
    (e: Error) =>
      e instanceof InvalidInputError && /hpo\.initialTrials/.test(e.message) && /gp, parego/.test(e.message) && /'random' sampler has none/.test(e.message),
  );
  assert.throws(() => spec({ sampler: 'gp', trials: 6, initialTrials: 0 }), /hpo\.initialTrials/);
});
