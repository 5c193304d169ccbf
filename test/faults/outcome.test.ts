// The fault harness's checks and plans (bench/faults): what counts as a lost, duplicated or changed
// record must be caught, what legitimately varies between runs must not be, and a seed must give
// the same plan (a failing run can be repeated).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, type Collected } from '../../bench/faults/outcome';
import { FAULT_KINDS, kindsFor, planFaults } from '../../bench/faults/plan';
import { faultStudy } from '../../bench/faults/spec';
import type { StudySummary, TrialRecord } from '../../src/study/records';

const spec = faultStudy('test');
const root = 's3://spnas-faults/studies/faults';

function trial(id: number, top1: number): TrialRecord {
  return {
    trialId: id,
    fidelity: 1,
    params: { lambda: 20 + id },
    state: 'ok',
    startedAt: 1000 + id,
    endedAt: 2000 + id,
    latencyMs: 10 + id,
    result: {
      architecture: id ? 'k3e3,skip,k5e6,skip,k5e6' : 'k5e6,k5e6,k5e6,k5e6,k5e6',
      predictedMs: 10 + id,
      top1,
      supernetTop1: 0.1,
      macs: 1e6,
      search: `${root}/configs/c${id}/search`,
      train: `${root}/configs/c${id}/train-a`,
      model: `${root}/configs/c${id}/train-a/model`,
      trace: `${root}/configs/c${id}/search/trace.json`,
      searchStartStep: 8,
      seconds: { search: 30, retrain: 20, evaluate: 1 },
    },
  };
}

function collected(): Collected {
  const records = [trial(0, 0.15625), trial(1, 0.125)];
  const front = [{ trialId: 0, architecture: records[0]!.result!.architecture, top1: 0.15625, latencyMs: 10 }];
  const summary: StudySummary = {
    version: 1,
    study: 'faults',
    state: 'completed',
    trials: { total: 2, running: 0, ok: 2, failed: 0, planned: 2 },
    parallelism: 1,
    best: front[0],
    front,
    compute: { profile: 0, warmup: 10, search: 60, retrain: 40, evaluate: 2, final: 5, savedByWarmup: 10 },
    hypervolume: [
      { finished: 1, hv: 2 },
      { finished: 2, hv: 2.5 },
    ],
    startedAt: 1000,
    now: 3000,
    endedAt: 3000,
    storage: root,
    summary: `${root}/summary.json`,
    table: { uri: `${root}/table.json`, largestMs: 16, targetMs: 12.8 },
    selected: front[0],
    final: [{ trialId: 0, architecture: front[0]!.architecture, top1: 0.11, predictedMs: 10, model: `${root}/final/trial-0/model`, seconds: 5 }],
    spec,
    trialRecords: records,
  };
  const models = Object.fromEntries(
    [...records.map((r) => r.result!.model), summary.final[0]!.model].map((u, i) => [
      u,
      { 'model.json': `${i}`.repeat(64), 'group1-shard1of1.bin': `${i + 5}`.repeat(64) },
    ]),
  );
  return {
    summary,
    trialFiles: ['trials/t0.json', 'trials/t1.json'],
    trialWorkflows: { 'spnas-study-faults-trial-0': ['COMPLETED'], 'spnas-study-faults-trial-1': ['COMPLETED'] },
    models,
  };
}

test('a run equal to its reference but for times, durations and resume points passes', () => {
  const ref = collected();
  const run = collected();
  const s = run.summary;
  s.startedAt += 500;
  s.now += 900;
  s.compute.search = 99;
  s.final[0]!.seconds = 12;
  s.trialRecords[0]!.startedAt = 5;
  s.trialRecords[0]!.result!.searchStartStep = 21; // resumed from its own checkpoint
  s.trialRecords[1]!.result!.trainStartStep = 6; // the same for a retried retraining
  s.trialRecords[1]!.result!.seconds.retrain = 77;
  s.hypervolume = [
    { finished: 1, hv: 0.4 },
    { finished: 2, hv: 2.5 },
  ]; // the trials finished in the other order
  assert.deepEqual(check(run, spec, ref), []);
});

test('lost, duplicated or changed records are each named', () => {
  const ref = collected();
  const cases: Array<[string, (c: Collected) => void, RegExp]> = [
    ['a trial lost from the summary', (c) => c.summary.trialRecords.pop(), /trial ids \[0\], expected \[0,1\]/],
    ['a trial recorded twice', (c) => c.summary.trialRecords.push(trial(1, 0.125)), /trial ids \[0,1,1\]/],
    ['a trial record missing in the store', (c) => c.trialFiles.pop(), /trial records in the store/],
    ['a trial workflow run twice', (c) => c.trialWorkflows['spnas-study-faults-trial-1']!.push('COMPLETED'), /ran 2 time/],
    ['a failed trial', (c) => (c.summary.trialRecords[1]!.state = 'failed'), /trials not ok: 1:failed/],
    ['a study that did not complete', (c) => (c.summary.state = 'failed'), /study state failed/],
    [
      'a top-1 one float apart',
      (c) => (c.summary.trialRecords[1]!.result!.top1 = 0.125000001),
      /trialRecords\.1\.result\.top1: fault-free 0\.125, this run 0\.125000001/,
    ],
    ['another architecture', (c) => (c.summary.trialRecords[1]!.result!.architecture = 'skip,skip,skip,skip,k3e3'), /trialRecords\.1\.result\.architecture/],
    ['another front', (c) => c.summary.front.push({ trialId: 1, architecture: 'x', top1: 0.2, latencyMs: 11 }), /summary\.front\.1/],
    ['another final model', (c) => (c.summary.final[0]!.top1 = 0.12), /summary\.final\.0\.top1/],
    [
      'a model weight file with other bytes',
      (c) => (c.models[`${root}/final/trial-0/model`]!['group1-shard1of1.bin'] = 'f'.repeat(64)),
      /models\..*group1-shard1of1\.bin/,
    ],
  ];
  for (const [what, mutate, want] of cases) {
    const run = collected();
    mutate(run);
    const problems = check(run, spec, ref);
    assert.ok(
      problems.some((p) => want.test(p)),
      `${what}: ${JSON.stringify(problems)}`,
    );
  }
});

test('a seed gives one plan; faults cycle through the kinds, in the window, k8s-only kinds only on k8s', () => {
  const kinds = kindsFor('k8s');
  assert.deepEqual(kinds, [...FAULT_KINDS]);
  assert.ok(!kindsFor('local').includes('evict-pod') && !kindsFor('local').includes('delete-pod'));
  const a = planFaults(7, kinds, 8, 10, 200);
  assert.deepEqual(a, planFaults(7, kinds, 8, 10, 200));
  assert.notDeepEqual(a, planFaults(8, kinds, 8, 10, 200));
  assert.deepEqual(new Set(a.map((f) => f.kind)), new Set(kinds), 'eight faults: each kind once');
  for (const f of a) assert.ok(f.atS >= 10 && f.atS <= 200 && f.downMs >= 0 && f.downMs <= 10_000 && f.pick >= 0 && f.pick < 1, JSON.stringify(f));
  assert.deepEqual(
    a.map((f) => f.atS),
    [...a.map((f) => f.atS)].sort((x, y) => x - y),
  );
});
