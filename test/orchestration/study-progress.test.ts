// The study's progress line: a front with no member within the target says so (not a bare `best -`),
// cancelled trials are counted apart, and every phase has an ETA: the trials' pace, the running
// activities' own rate before the first trial finishes, and the final retraining's rate in the final
// phase (it used to read `eta -` for the whole final retraining).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestLine } from '../../src/study/best-line';
import type { StudyStatus } from '../../src/study/records';
import { etaOf, type ActivityProgress } from '../../src/temporal/activity-progress';
import { statusLine } from '../../src/cli/study-progress';

const m = (trialId: number, top1: number, latencyMs: number) => ({ trialId, top1, latencyMs, architecture: `a${trialId}` });
const MIN = 60_000;

function status(over: Partial<StudyStatus> = {}): StudyStatus {
  return {
    study: 's',
    state: 'running',
    trials: { total: 4, running: 1, ok: 3, failed: 0, planned: 4 },
    parallelism: 1,
    front: [m(0, 0.34, 33.65), m(2, 0.32, 31.1)],
    targetMs: 29.82,
    compute: { profile: 0, warmup: 0, search: 0, retrain: 0, evaluate: 0, final: 0, savedByWarmup: 0 },
    hypervolume: [],
    startedAt: 0,
    now: 0,
    ...over,
  };
}

test('a front with no member within the target explains `best -`: the target, the most accurate and the fastest member', () => {
  assert.equal(
    bestLine(status()),
    'best - (no front member meets the target 29.8 ms; most accurate 34.0% @ 33.65 ms (trial 0), fastest 32.0% @ 31.10 ms (trial 2))',
  );
  assert.equal(bestLine(status({ best: m(2, 0.32, 28) })), 'best 32.0% @ 28.00 ms (trial 2)');
  assert.equal(bestLine(status({ front: [], trials: { total: 1, running: 1, ok: 0, failed: 0, planned: 4 } })), 'best - (no trial completed yet)');
  assert.match(statusLine(status(), 10 * MIN), /\| best - \(no front member meets the target 29\.8 ms; most accurate 34\.0%/);
});

test('cancelled trials are counted apart from the planned ones', () => {
  const line = statusLine(status({ trials: { total: 5, running: 1, ok: 3, failed: 0, cancelled: 1, planned: 4 } }), 10 * MIN);
  assert.match(line, /trials 3\/4 done \(3 ok, 0 failed, 1 running, 1 cancelled and replaced\)/);
});

test("an activity's ETA comes from its attempt's own rate; none before it has made progress", () => {
  // 100 of 400 steps done 60 s after its first progress event at step 40: 1 step/s, 300 left, 10 s ago
  assert.equal(etaOf({ done: 100, total: 400, at: 70_000, firstDone: 40, firstAt: 10_000 }, 80_000), 290);
  assert.equal(etaOf({ done: 40, total: 400, at: 10_000, firstDone: 40, firstAt: 10_000 }, 80_000), undefined);
  assert.equal(etaOf({ phase: 'start' }, 80_000), undefined);
});

test('every phase has an ETA: trials by their pace, before the first finishes by the running activities, the final phase by its retraining', () => {
  const search: ActivityProgress = { trialId: 3, activity: 'searchArchitecture', attempt: 1, phase: 'search', done: 40, total: 96, etaSeconds: 120 };
  // 3 of 4 trials done in 30 min: 10 min left
  assert.match(statusLine(status(), 30 * MIN, [search]), /\| eta 10m \| trial 3 search 40\/96 eta 2m$/);
  // no trial finished yet: at least the running search's 2 minutes
  const first = status({ trials: { total: 1, running: 1, ok: 0, failed: 0, planned: 4 }, front: [] });
  assert.match(statusLine(first, 5 * MIN, [search]), /\| eta 2m\+ \|/);
  // the final phase: the final retraining's own ETA, where it used to say `eta -`
  const final: ActivityProgress = { activity: 'trainModel', attempt: 2, phase: 'train', done: 300, total: 1056, etaSeconds: 20 * 60 };
  const line = statusLine(status({ state: 'final', trials: { total: 4, running: 0, ok: 4, failed: 0, planned: 4 } }), 40 * MIN, [final]);
  assert.match(line, /\[final\] .*\| eta 20m \| final retraining 300\/1056 attempt 2 eta 20m$/);
  // before its first heartbeat with progress: named, no invented number
  assert.match(statusLine(status({ state: 'final' }), 40 * MIN, [{ activity: 'trainModel', attempt: 1 }]), /\| eta - \| final retraining \(starting\)$/);
});
