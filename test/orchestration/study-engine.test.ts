// The study workflow with the real engine on a real Temporal dev server: heavy activities run in a
// compute worker in its own process (as in the embedded study), on real CIFAR-10 images. A crash of
// that process mid-search costs one activity retry that resumes from the search's last checkpoint;
// cancelling a study stops its trials and leaves no activity running.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { openStore } from '../../src/storage/open-store';
import { studyLayout, studyWorkflowId } from '../../src/study/names';
import type { StudySummary } from '../../src/study/records';
import { startOrAttachStudy, studyStatus } from '../../src/temporal/study-client';
import { activityTypes, startTemporal, studySummary, tinyStudy, type TemporalFixture, waitFor } from '../support/temporal';

let t: TemporalFixture;
const QUEUE = 'spnas-orchestration';
const store = () => path.join(t.dir, 'store');
/** A local path from a store URI (file:///abs or /abs). */
const local = (uri: string) => (uri.startsWith('file://') ? fileURLToPath(uri) : uri);

before(async () => {
  t = await startTemporal();
  await t.workers({ role: 'orchestration' });
});
after(async () => t?.stop());

/** Committed checkpoint steps of configuration `configId`'s search run. */
async function searchCheckpoints(study: string, configId: number): Promise<number[]> {
  return new CheckpointStore(openStore(studyLayout.search(studyLayout.root(store(), study), configId)), 'checkpoints').steps();
}

/** Child workflows of a study that are still running, and activities pending anywhere in it. */
async function stillRunning(study: string): Promise<string[]> {
  const left: string[] = [];
  for await (const w of t.client.workflow.list({ query: `WorkflowId STARTS_WITH '${studyWorkflowId(study)}'` })) {
    const d = await t.client.workflow.getHandle(w.workflowId, w.runId).describe();
    if (d.status.name === 'RUNNING') left.push(`workflow ${w.workflowId} running`);
    for (const a of d.raw.pendingActivities ?? []) left.push(`activity ${a.activityType?.name} pending in ${w.workflowId}`);
  }
  return left;
}

test('a real study: a compute worker killed mid-search is replaced and the trial resumes from its checkpoint', { timeout: 600_000 }, async () => {
  const name = 'engine-crash';
  // 256 training images (320 - 64 held out), batch 32: 8 steps an epoch; a fixed 1-epoch warm-up
  // (warmupFraction not tuned) runs steps 0-8 once, each search 8-48
  const spec = tinyStudy(name, store(), {
    hpo: { sampler: 'random', trials: 2, parallelism: 1, seed: 4, space: { warmupFraction: null } },
    budget: {
      searchEpochs: 6,
      warmupEpochs: 1,
      retrainEpochs: 1,
      batchSize: 32,
      search: { checkpointEvery: 5 },
      final: { models: 1, recipe: 'fast', config: { epochs: 1 } },
    },
  });
  const first = t.computeProcess();
  const { handle } = await startOrAttachStudy(t.client, spec, QUEUE);
  // the first configuration's search has committed a checkpoint past the warm-up: kill its worker (no grace)
  const killedAt = await waitFor('a search checkpoint past the warm-up', 300_000, async () => (await searchCheckpoints(name, 0)).find((s) => s > 8 && s < 48));
  first.child.kill('SIGKILL');
  await first.exited;
  t.computeProcess();

  const s: StudySummary = await studySummary(handle);
  assert.equal(s.state, 'completed');
  // every trial recorded once, none lost or duplicated by the retry
  assert.deepEqual(
    s.trialRecords.map((r) => [r.trialId, r.state]),
    [
      [0, 'ok'],
      [1, 'ok'],
    ],
  );
  const crashed = s.trialRecords[0]!.result!;
  assert.ok(
    crashed.searchStartStep >= killedAt,
    `the retried search resumed at step ${crashed.searchStartStep}, not from its checkpoint at ${killedAt} or later`,
  );
  // the other trial started from the shared warm-up (step 8), which ran once for both
  assert.equal(s.trialRecords[1]!.result!.searchStartStep, 8);
  const types = await activityTypes(t.client, studyWorkflowId(name));
  assert.equal(types.filter((a) => a === 'warmupSupernet').length, 1, types.join(','));
  assert.ok(s.compute.savedByWarmup > 0);
  // results are real and in the store
  for (const r of s.trialRecords) {
    assert.ok(r.result!.top1 >= 0 && r.result!.top1 <= 1 && r.result!.predictedMs > 0, JSON.stringify(r.result));
    assert.ok(fs.existsSync(path.join(local(r.result!.model), 'model.json')), r.result!.model);
  }
  assert.equal(s.final.length, 1);
  assert.ok(fs.existsSync(path.join(local(s.final[0]!.model), 'model.json')));
  // the final model is the network selected at the latency target, else the front's most accurate
  const mostAccurate = [...s.front].sort((a, b) => b.top1 - a.top1)[0]!;
  assert.equal(s.final[0]!.trialId, (s.selected ?? mostAccurate).trialId);
  // the final retraining ran the named recipe (its batch size, label smoothing, SGD), with the spec's epochs on top
  const finalRun = JSON.parse(fs.readFileSync(path.join(path.dirname(local(s.final[0]!.model)), 'run.json'), 'utf8'));
  assert.deepEqual([finalRun.config.batchSize, finalRun.config.labelSmoothing, finalRun.config.optimizer.kind, finalRun.config.epochs], [128, 0.1, 'sgd', 1]);
  const stored = JSON.parse(fs.readFileSync(studyLayout.summary(studyLayout.root(store(), name)), 'utf8')) as StudySummary;
  assert.deepEqual(stored.front, s.front);
  assert.deepEqual(await stillRunning(name), []);
});

test('cancelling a running study stops its trials, records it, and leaves no activity running', { timeout: 300_000 }, async () => {
  const name = 'engine-cancel';
  const spec = tinyStudy(name, store(), {
    hpo: { sampler: 'random', trials: 3, parallelism: 1, seed: 2, space: { warmupFraction: null } },
    budget: { searchEpochs: 30, warmupEpochs: 1, retrainEpochs: 1, batchSize: 32, search: { checkpointEvery: 5 }, final: { models: 1, config: { epochs: 1 } } },
  });
  const { handle } = await startOrAttachStudy(t.client, spec, QUEUE);
  await waitFor('a running search', 300_000, async () => ((await searchCheckpoints(name, 0)).some((s) => s > 8) ? true : undefined));
  assert.equal((await studyStatus(handle)).trials.running, 1);
  await handle.cancel();
  await assert.rejects(handle.result(), /cancel/i);
  const stored = JSON.parse(fs.readFileSync(studyLayout.summary(studyLayout.root(store(), name)), 'utf8')) as StudySummary;
  assert.equal(stored.state, 'cancelled');
  assert.deepEqual(await stillRunning(name), []);
  // the cancelled search saved a checkpoint on its way out: a later study resumes from there
  const steps = await searchCheckpoints(name, 0);
  assert.ok(steps.at(-1)! > 8 && steps.at(-1)! < 240, steps.join(','));
});
