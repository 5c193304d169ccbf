// Trials on the real engine (cifar-tiny on a few hundred CIFAR-10 images, a compute worker in its own
// process, a real Temporal dev server): a multi-fidelity promotion resumes its configuration's search
// from the lower rung's last checkpoint and succeeds (every promotion used to fail with
// RUN_INPUTS_DIFFER), with the progress line naming the final retraining's step and ETA; one that
// restarts its retraining (budget.promotedRetraining) runs the cosine 'fast' recipe; and a trial
// workflow cancelled on its own (`temporal workflow cancel`) is recorded as cancelled, told to the
// sampler and replaced, so the study still runs its planned number of trials.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { restoreSampler } from '../../src/hpo/restore';
import type { SamplerState } from '../../src/hpo/sampler';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { openStore } from '../../src/storage/open-store';
import { studyLayout, studyWorkflowId, trialWorkflowId } from '../../src/study/names';
import type { StudySummary } from '../../src/study/records';
import { statusLine } from '../../src/cli/study-progress';
import { studyActivities } from '../../src/temporal/activity-progress';
import { temporalBinary } from '../../src/temporal/dev-server';
import { startOrAttachStudy, studyStatus, type StudyHandle } from '../../src/temporal/study-client';
import { CIFAR_DIR } from '../data/fixtures';
import { startTemporal, studySummary, tinyStudy, type TemporalFixture, waitFor } from '../support/temporal';

let t: TemporalFixture;
const QUEUE = 'spnas-orchestration';
const store = () => path.join(t.dir, 'store');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  t = await startTemporal();
  await t.workers({ role: 'orchestration' });
  t.computeProcess();
});
after(async () => t?.stop());

const searchCheckpoints = (study: string, configId: number) =>
  new CheckpointStore(openStore(studyLayout.search(studyLayout.root(store(), study), configId)), 'checkpoints').steps();

/** What `spnas study run` would print, every second, until the study ends. */
function watchProgress(h: StudyHandle): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  let on = true;
  void (async () => {
    while (on) {
      const s = await studyStatus(h).catch(() => undefined);
      if (s) lines.push(statusLine(s, Date.now(), await studyActivities(t.client, h.workflowId, s).catch(() => [])));
      await sleep(1000);
    }
  })();
  return { lines, stop: () => (on = false) };
}

/** ASHA over budgets 1 and 3 of 3 (eta 3) with fixed warm-up: the first three trials at budget 1, the best promoted. */
const ASHA_HPO = { sampler: 'asha', trials: 4, parallelism: 1, seed: 2, maxBudget: 3, eta: 3, space: { warmupFraction: null } } as const;
const ASHA_BUDGET = { searchEpochs: 2, warmupEpochs: 1, retrainEpochs: 1, batchSize: 32 } as const;

/** A study's promotions: the trials whose configuration ran before, each with that configuration's first trial. */
function promotions(s: StudySummary) {
  const firstOf = new Map<number, (typeof s.trialRecords)[number]>();
  const promoted = s.trialRecords.filter((r) => (firstOf.has(r.configId!) ? true : (firstOf.set(r.configId!, r), false)));
  return promoted.map((p) => ({ p, lower: firstOf.get(p.configId!)! }));
}

test(
  "ASHA on the real engine: a promotion resumes the lower rung's search from its checkpoint and succeeds; the final retraining shows its step and ETA",
  { timeout: 900_000 },
  async () => {
    const name = 'engine-asha';
    // 256 training images, batch 32: 8 steps an epoch. Budgets 1 and 3 of 3 (eta 3): the first rung
    // searches 1 + 1/3 epochs (11 steps, from the shared warm-up's step 8), a promotion 2 (16 steps).
    const spec = tinyStudy(name, store(), {
      hpo: ASHA_HPO,
      budget: {
        ...ASHA_BUDGET,
        search: { checkpointEvery: 5 },
        // a final retraining long enough for a few heartbeats (every 8 s at a 10-s heartbeat timeout)
        final: { models: 1, config: { epochs: 2 }, data: { uri: path.join(CIFAR_DIR, 'train-000001.tar'), limit: 3000, valCount: 200 } },
      },
      heartbeatTimeoutSeconds: 10,
    });
    const { handle } = await startOrAttachStudy(t.client, spec, QUEUE);
    const progress = watchProgress(handle);
    let s: StudySummary;
    try {
      s = await studySummary(handle);
    } finally {
      progress.stop();
    }
    const trace = JSON.stringify(
      s.trialRecords.map((r) => [r.trialId, r.configId, r.state, r.fidelity, r.failure?.message, r.result?.searchStartStep, r.result?.trainStartStep]),
    );
    assert.equal(s.state, 'completed');
    assert.ok(
      s.trialRecords.every((r) => r.state === 'ok'),
      trace,
    );
    const promoted = promotions(s);
    assert.equal(promoted.length, 1, `one promotion (the best of the first three): ${trace}`);
    const { p, lower } = promoted[0]!;
    assert.deepEqual([lower.fidelity, p.fidelity], [1 / 3, 1]);
    // the lower rung searched from the shared warm-up (step 8) to step 11; the promotion continued from there
    assert.equal(lower.result!.searchStartStep, 8);
    assert.equal(p.result!.searchStartStep, Math.round((1 + 1 / 3) * 8), trace);
    assert.equal(p.result!.search, lower.result!.search);
    assert.ok((await searchCheckpoints(name, p.configId!)).includes(16));
    // its retraining continued too when the search derived the same network (3 of 8 steps done), else started its own
    assert.equal(p.result!.trainStartStep, p.result!.train === lower.result!.train ? Math.round((1 / 3) * 8) : 0, trace);
    // the front holds the full-fidelity trial; the final model is its network, retrained
    assert.deepEqual(
      s.front.map((m) => m.trialId),
      [p.trialId],
    );
    assert.equal(s.final[0]?.trialId, p.trialId);
    // the progress line showed the final retraining's step and an ETA (it used to read `eta -` all through it)
    const final = progress.lines.filter((l) => l.includes('[final]'));
    assert.ok(
      final.some((l) => /\| eta (\d+m|<1m) \| final retraining \d+\/\d+ eta (\d+m|<1m)$/.test(l)),
      final.join('\n'),
    );
  },
);

test(
  "a promotion that restarts its retraining (the 'fast' cosine recipe under ASHA): the search continues, the retraining starts again in its rung's own directory",
  { timeout: 900_000 },
  async () => {
    const name = 'engine-asha-restart';
    const spec = tinyStudy(name, store(), {
      hpo: ASHA_HPO,
      budget: {
        ...ASHA_BUDGET,
        retrain: { recipe: 'fast', batchSize: 32 },
        promotedRetraining: 'restart',
        final: { models: 0 },
      },
    });
    const s = await studySummary((await startOrAttachStudy(t.client, spec, QUEUE)).handle);
    const trace = JSON.stringify(s.trialRecords.map((r) => [r.trialId, r.configId, r.state, r.fidelity, r.failure?.message, r.result?.train]));
    assert.equal(s.state, 'completed');
    assert.ok(
      s.trialRecords.every((r) => r.state === 'ok'),
      trace,
    );
    const promoted = promotions(s);
    assert.equal(promoted.length, 1, trace);
    const { p, lower } = promoted[0]!;
    assert.equal(p.result!.search, lower.result!.search, 'the search continues');
    assert.equal(p.result!.searchStartStep, Math.round((1 + 1 / 3) * 8), trace);
    // the retraining runs again from step 0 in a directory of its rung, whatever network the search derived
    assert.equal(p.result!.trainStartStep, 0, trace);
    assert.notEqual(p.result!.train, lower.result!.train);
    assert.match(p.result!.train, /-b3$/);
    assert.match(lower.result!.train, /-b1$/);
  },
);

test('a trial workflow cancelled on its own is recorded as cancelled, told to the sampler and replaced', { timeout: 900_000 }, async () => {
  const name = 'engine-cancel-trial';
  const spec = tinyStudy(name, store(), {
    hpo: { sampler: 'random', trials: 2, parallelism: 1, seed: 3, space: { warmupFraction: null } },
    budget: { searchEpochs: 6, warmupEpochs: 1, retrainEpochs: 1, batchSize: 32, search: { checkpointEvery: 5 }, final: { models: 0 } },
  });
  const { handle } = await startOrAttachStudy(t.client, spec, QUEUE);
  // trial 0's search is under way past the warm-up: cancel its workflow, as an operator would
  await waitFor('a search checkpoint past the warm-up', 300_000, async () => ((await searchCheckpoints(name, 0)).some((x) => x > 8) ? true : undefined));
  await new Promise<void>((resolve, reject) =>
    execFile(
      temporalBinary(),
      ['workflow', 'cancel', '--address', t.target.address, '--namespace', t.target.namespace, '--workflow-id', trialWorkflowId(studyWorkflowId(name), 0)],
      (err, _out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()),
    ),
  );
  const s = await studySummary(handle);
  assert.equal(s.state, 'completed');
  assert.deepEqual(
    s.trialRecords.map((r) => [r.trialId, r.state]),
    [
      [0, 'cancelled'],
      [1, 'ok'],
      [2, 'ok'],
    ],
  );
  assert.deepEqual(s.trials, { total: 3, running: 0, ok: 2, failed: 0, cancelled: 1, planned: 2 });
  assert.match(s.trialRecords[0]!.failure!.message, /cancelled/);
  // the cancelled search saved its checkpoint on the way out
  assert.ok((await searchCheckpoints(name, 0)).at(-1)! > 8);
  // the sampler was told: a failure whose reason says it was cancelled (the last state holds every trial it saw)
  const states = fs.readdirSync(path.join(store(), 'studies', name, 'sampler')).sort();
  const last = JSON.parse(fs.readFileSync(path.join(store(), 'studies', name, 'sampler', states.at(-1)!), 'utf8')) as SamplerState;
  const told = restoreSampler(last)
    .trials()
    .find((r) => r.trialId === 0);
  assert.equal(told?.state, 'failed');
  assert.match(told?.reason ?? '', /^CANCELLED: /);
  // the trial's own workflow carries the state too
  const d = await t.client.workflow.getHandle(trialWorkflowId(studyWorkflowId(name), 0)).describe();
  assert.equal(d.status.name, 'CANCELLED');
  assert.deepEqual(d.searchAttributes.SpnasTrialState, ['cancelled']);
});
