// Front and selection decide only on differences the 95% intervals resolve; on the front ties go to
// lower latency, then more images, then the earlier trial; at the latency target to the higher top-1
// estimate first (or, for studies recorded before, latency first); the rule that decided is recorded. Known binomial
// cases: 16/20 vs 18/20 is not resolved (Newcombe interval of the difference -13.4..+32.8 pp), the
// same proportions on 2,000 images are (+7.8..+12.2 pp); 30/34/38% on 500 images: neighbours 4 pp
// apart are tied, 30 vs 38% is resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paretoFront2d } from '../../src/hpo/pareto';
import { resolvedFront, resolvedSelection, type Contender } from '../../src/study/resolved-ranking';
import { StudyBook } from '../../src/study/study-book';
import type { TrialResult } from '../../src/study/records';

const c = (trialId: number, top1: number, latencyMs: number, images?: number): Contender => ({
  trialId,
  top1,
  latencyMs,
  ...(images !== undefined ? { images } : {}),
});
const ids = (xs: Contender[]) => xs.map((x) => x.trialId);

test('front: a slower trial tied on top-1 is kept off by latency; the same difference on more images is resolved', () => {
  const tied = resolvedFront([c(0, 0.8, 10, 20), c(1, 0.9, 12, 20)]);
  assert.deepEqual(ids(tied.members), [0]);
  assert.deepEqual(tied.ties.get(0), [{ trialId: 1, by: 'latency' }]);
  const resolved = resolvedFront([c(0, 0.8, 10, 2000), c(1, 0.9, 12, 2000)]);
  assert.deepEqual(ids(resolved.members), [1, 0]);
  assert.equal(resolved.ties.size, 0);
});

test('front: judged against members only, so a tie chain keeps the resolvably better end', () => {
  // 1 is tied with 0 (faster) and 2 is tied with 1, but 2 is resolvably above 0: members 0 and 2
  const f = resolvedFront([c(0, 0.3, 10, 500), c(1, 0.34, 11, 500), c(2, 0.38, 12, 500)]);
  assert.deepEqual(ids(f.members), [2, 0]);
  assert.deepEqual(f.ties.get(0), [{ trialId: 1, by: 'latency' }]);
});

test('front: at equal latency a tie goes to more images, then to the earlier trial', () => {
  const byImages = resolvedFront([c(0, 0.8, 10, 20), c(1, 0.81, 10, 2000)]);
  assert.deepEqual(ids(byImages.members), [1]);
  assert.deepEqual(byImages.ties.get(1), [{ trialId: 0, by: 'images' }]);
  const byId = resolvedFront([c(4, 0.85, 10, 20), c(3, 0.8, 10, 20)]);
  assert.deepEqual(ids(byId.members), [3]);
  assert.deepEqual(byId.ties.get(3), [{ trialId: 4, by: 'trial id' }]);
  // a resolvably better trial at the same latency removes the member outright
  const dominated = resolvedFront([c(0, 0.5, 10, 2000), c(1, 0.6, 10, 2000)]);
  assert.deepEqual(ids(dominated.members), [1]);
});

test('front: records without image counts keep the point-estimate Pareto front', () => {
  const old = [c(0, 0.8, 10), c(1, 0.9, 12), c(2, 0.7, 11), c(3, 0.9, 12)];
  const want = paretoFront2d(
    old.map((x) => [x.top1, x.latencyMs]),
    ['maximize', 'minimize'],
  );
  assert.deepEqual(ids(resolvedFront(old).members), want);
  // one record without a count is enough: nothing can be said about resolution against it
  assert.deepEqual(ids(resolvedFront([c(0, 0.8, 10, 20), c(1, 0.9, 12)]).members), [1, 0]);
});

test('selection: of the trials tied with the most accurate within the target, the higher top-1 estimate, and the rule that decided', () => {
  const contenders = [c(0, 0.8, 10, 20), c(1, 0.9, 12, 20), c(2, 0.95, 30, 20)];
  const tied = resolvedSelection(contenders, 15);
  assert.deepEqual(
    { met: tied.met, chosen: tied.chosen.trialId, decidedBy: tied.decidedBy, tiedWith: tied.tiedWith },
    { met: true, chosen: 1, decidedBy: 'top-1', tiedWith: [0] },
  );
  // studies recorded before the rule: the fastest of the tied ones
  const byLatency = resolvedSelection(contenders, 15, 'latency');
  assert.deepEqual([byLatency.chosen.trialId, byLatency.decidedBy, byLatency.tiedWith], [0, 'latency', [1]]);
  // equal estimates: the front's order decides (lower latency)
  const equal = resolvedSelection([c(3, 0.8, 12, 20), c(4, 0.8, 10, 20)], 15);
  assert.deepEqual([equal.chosen.trialId, equal.decidedBy, equal.tiedWith], [4, 'latency', [3]]);
  const resolved = resolvedSelection([c(0, 0.8, 10, 2000), c(1, 0.9, 12, 2000)], 15);
  assert.deepEqual([resolved.chosen.trialId, resolved.decidedBy, resolved.tiedWith], [1, 'resolved', []]);
  const sameLatency = resolvedSelection([c(5, 0.82, 12, 500), c(6, 0.8, 12, 2000)], 15, 'latency');
  assert.deepEqual([sameLatency.chosen.trialId, sameLatency.decidedBy, sameLatency.tiedWith], [6, 'images', [5]]);
  const old = resolvedSelection([c(0, 0.8, 10), c(1, 0.9, 12)], 15);
  assert.deepEqual([old.chosen.trialId, old.decidedBy], [1, 'point estimate']);
  const none = resolvedSelection([c(0, 0.8, 10, 20), c(1, 0.9, 12, 20)], 5);
  assert.deepEqual([none.met, none.chosen.trialId], [false, 0]);
});

function result(top1: number, ms: number, images?: number): TrialResult {
  return {
    architecture: `a${ms}`,
    predictedMs: ms,
    top1,
    ...(images !== undefined ? { images } : {}),
    supernetTop1: 0.1,
    macs: 1,
    search: 's',
    train: 't',
    model: 'm',
    trace: 'x',
    searchStartStep: 0,
    seconds: { search: 1, retrain: 1, evaluate: 1 },
  };
}

test('the study book records the ties on the front, the selection decision in its status, and the known noise for the sampler', () => {
  const book = new StudyBook({ latency: 'predicted', targetMs: 15, largestMs: 40, multiFidelity: false });
  const finish = (id: number, top1: number, ms: number, images?: number) => {
    book.start({ trialId: id, fidelity: 1, params: {} }, id);
    return book.finish(id, result(top1, ms, images), id);
  };
  const a = finish(0, 16 / 20, 10, 20);
  finish(1, 18 / 20, 12, 20);
  const s = book.status({ study: 's', state: 'running', planned: 2, parallelism: 1, startedAt: 0, now: 1 });
  assert.deepEqual(
    s.front.map((m) => [m.trialId, m.images, m.ties]),
    [[0, 20, [{ trialId: 1, by: 'latency' }]]],
  );
  assert.ok(Math.abs(s.front[0]!.interval![0] - 0.584) < 5e-4 && Math.abs(s.front[0]!.interval![1] - 0.9193) < 5e-4);
  // the selection is not bound to the front: the tie at the target goes to the higher estimate
  assert.deepEqual(s.selection, { trialId: 1, decidedBy: 'top-1', tiedWith: [0] });
  assert.equal(s.best?.trialId, 1);
  assert.deepEqual(
    book.finalMembers(2).map((m) => m.trialId),
    [1, 0],
  );
  // the reward's known noise: p(1-p)/n times the latency factor squared (MnasNet soft: (10/15)^-0.07)
  const factor = (10 / 15) ** -0.07;
  const o = book.outcomeOf(a, false);
  assert.ok(o.status === 'ok' && Math.abs(o.variance! - ((0.8 * 0.2) / 20) * factor * factor) < 1e-12, JSON.stringify(o));
  // a record without a count has no known noise; a vector objective carries none
  const old = finish(2, 0.5, 8);
  assert.ok(!('variance' in book.outcomeOf(old, false)));
  assert.ok(!('variance' in book.outcomeOf(a, true)));
});
