// What the Temporal UI and `temporal workflow list` see of a study (no-op engine, a real dev server):
// the queries docs/orchestration.md documents, run as written; SpnasState following the study through
// running, stopping, final, completed, cancelled and failed; the summaries that name trials and phases
// on the timeline (child workflows' staticSummary, activities' summary).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { studyLayout, studyWorkflowId, trialWorkflowId } from '../../src/study/names';
import { temporalBinary } from '../../src/temporal/dev-server';
import { startOrAttachStudy, stopStudy, studyStatus, type StudyHandle } from '../../src/temporal/study-client';
import { startTemporal, studySummary, tinyStudy, type TemporalFixture } from '../support/temporal';

let t: TemporalFixture;
const QUEUE = 'spnas-orchestration';
const COMPUTE = 'slow-compute';
const store = () => path.join(t.dir, 'store');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  t = await startTemporal();
  await t.workers({ role: 'orchestration' });
  // heavy activities take 1.5 s each, so states and running trials can be seen
  await t.workers({ role: 'compute', computeQueue: COMPUTE, engine: 'noop', noopDelayMs: 1500 });
});
after(async () => t?.stop());

const study = (name: string, over: Parameters<typeof tinyStudy>[2] = {}) =>
  tinyStudy(name, store(), { computeTaskQueue: COMPUTE, objectives: { latency: 'predicted', latencyTargetFraction: 1.5 }, ...over });

/** A shell command as an operator types it: `temporal` on PATH, the server named by TEMPORAL_ADDRESS. */
function sh(cmd: string): Promise<string> {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: t.target.address,
    TEMPORAL_NAMESPACE: t.target.namespace,
    PATH: `${path.dirname(fs.realpathSync(temporalBinary()))}:${process.env.PATH}`,
  };
  return new Promise((resolve, reject) =>
    execFile('bash', ['-c', cmd], { env, encoding: 'utf8' }, (err, out, stderr) =>
      err ? reject(new Error(`${cmd}: ${err.message}\n${stderr}`)) : resolve(out),
    ),
  );
}

/** The documented `temporal workflow list --query ...` commands (docs/orchestration.md), as written. */
function documentedQueries(): string[] {
  const docs = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'orchestration.md'), 'utf8');
  const b = [...docs.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!).find((x) => x.includes('temporal workflow list --query'));
  assert.ok(b, 'docs/orchestration.md has a block of queries');
  return b.split('\n').filter((l) => l.startsWith('temporal workflow list'));
}

/** Runs `cmd` until its output lists `id` (visibility trails the histories by a moment). */
async function lists(cmd: string, id: string): Promise<string> {
  let out = '';
  for (let i = 0; i < 60; i++) {
    out = await sh(cmd);
    if (new RegExp(`\\b${id}\\b`).test(out)) return out;
    await sleep(250);
  }
  assert.fail(`'${cmd}' did not list ${id}:\n${out}`);
}

const stateOf = async (h: { describe(): Promise<{ searchAttributes: Record<string, unknown> }> }) =>
  ((await h.describe()).searchAttributes.SpnasState as string[] | undefined)?.[0];

/** Every SpnasState value the study shows until it ends. */
function watchStates(h: StudyHandle): { seen: string[]; stop(): void } {
  const seen: string[] = [];
  let on = true;
  void (async () => {
    while (on) {
      const s = await stateOf(h).catch(() => undefined);
      if (s && seen.at(-1) !== s) seen.push(s);
      await sleep(100);
    }
  })();
  return { seen, stop: () => (on = false) };
}

test('the documented queries list studies by state and result and trials by state; the timeline names trials and phases', { timeout: 240_000 }, async () => {
  const [running, completed, cancelledTrials] = documentedQueries();
  assert.ok(running && completed && cancelledTrials, documentedQueries().join('\n'));
  const h = (await startOrAttachStudy(t.client, study('quickstart', { hpo: { sampler: 'random', trials: 3, parallelism: 1, seed: 6 } }), QUEUE)).handle;
  const states = watchStates(h);
  try {
    await lists(running, 'spnas-study-quickstart');
    // an operator cancels trial 1 while it runs
    while (!(await studyStatus(h)).runningTrials?.includes(1)) await sleep(100);
    await t.client.workflow.getHandle(trialWorkflowId(h.workflowId, 1)).cancel();
    const s = await studySummary(h);
    assert.equal(s.state, 'completed');
    assert.ok(s.selected, 'a member within the target (the query below lists studies by it)');
    await lists(completed, 'spnas-study-quickstart');
    await lists(cancelledTrials, 'spnas-study-quickstart-trial-1');
    await sleep(300);
  } finally {
    states.stop();
  }
  assert.deepEqual(states.seen, ['running', 'final', 'completed']);
  const d = await h.describe();
  assert.deepEqual(
    [d.searchAttributes.SpnasTop1, d.searchAttributes.SpnasLatencyMs],
    [[(await studySummary(h)).selected!.top1], [(await studySummary(h)).selected!.latencyMs]],
  );

  // the timeline: each trial's child workflow names itself; each activity says what it does
  const trial = await t.client.workflow.getHandle(trialWorkflowId(h.workflowId, 0)).describe();
  const named = (await trial.staticSummary()) ?? '';
  assert.match(named, /^trial 0: /);
  for (const part of [/lambda [\d.]+/, /target [\d.]+/, /thr\. lr x [\d.]+/, /loss (log|mnas|hinge)/]) assert.match(named, part);
  const summaries = async (id: string) =>
    ((await t.client.workflow.getHandle(id).fetchHistory()).events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes && e.userMetadata?.summary)
      .map((e) => defaultPayloadConverter.fromPayload(e.userMetadata!.summary!) as string);
  assert.deepEqual(
    (await summaries(trialWorkflowId(h.workflowId, 0))).map((x) => x.replace(/: .*$/, ': <network>')),
    ['search, trial 0 (fidelity 1.00, from the shared warm-up at step 10)', 'retrain, trial 0: <network>', 'evaluate, trial 0 (held-out top-1, latency)'],
  );
  const own = await summaries(h.workflowId);
  for (const re of [
    /^prepare study quickstart/,
    /^shared warm-up \w+ to epoch 1$/,
    /^propose 1 trial \(proposal 0\)$/,
    /^record trial 1 \(cancelled\)$/,
    /^final retraining of trial \d+: /,
    /^write summary\.json \(completed\)$/,
  ])
    assert.ok(
      own.some((x) => re.test(x)),
      `${re} in ${own.join(' | ')}`,
    );
});

test('SpnasState: stopping after a stop, cancelled after a cancel, failed when the study fails', { timeout: 180_000 }, async () => {
  const stopped = (await startOrAttachStudy(t.client, study('vis-stop', { hpo: { sampler: 'random', trials: 3, parallelism: 1, seed: 1 } }), QUEUE)).handle;
  const states = watchStates(stopped);
  while ((await studyStatus(stopped)).trials.running < 1) await sleep(100);
  await stopStudy(stopped);
  await studySummary(stopped);
  await sleep(300);
  states.stop();
  assert.deepEqual(states.seen, ['running', 'stopping', 'final', 'completed']);

  const cancelled = (await startOrAttachStudy(t.client, study('vis-cancel', { hpo: { sampler: 'random', trials: 3, parallelism: 1, seed: 1 } }), QUEUE)).handle;
  while ((await studyStatus(cancelled)).trials.running < 1) await sleep(100);
  await cancelled.cancel();
  await assert.rejects(cancelled.result());
  assert.equal(await stateOf(cancelled), 'cancelled');

  // failed in its preparation (no such data): listed as failed, with the reason in the workflow's failure
  const failed = (await startOrAttachStudy(t.client, study('vis-failed', { data: { train: { uri: '/nonexistent/shards', valCount: 10 } } }), QUEUE)).handle;
  await assert.rejects(failed.result(), /Workflow execution failed/);
  assert.equal(await stateOf(failed), 'failed');
  assert.match(await sh(`temporal workflow list --query "SpnasState = 'failed'"`), /spnas-study-vis-failed/);
  assert.doesNotMatch(await sh(`temporal workflow list --query "SpnasState = 'failed'"`), new RegExp(studyWorkflowId('vis-stop')));
});

test('a completed study is reported, not run again, until its outputs are removed from the store: then it runs again', { timeout: 120_000 }, async () => {
  const spec = study('rerun-gone', { hpo: { sampler: 'random', trials: 1, parallelism: 1, seed: 3 } });
  const first = await startOrAttachStudy(t.client, spec, QUEUE);
  assert.equal(first.how, 'started');
  assert.equal((await studySummary(first.handle)).state, 'completed');
  const firstRun = (await first.handle.describe()).runId;
  // started again with its outputs in place: reported (the CLI reads the summary before it gets here)
  assert.equal((await startOrAttachStudy(t.client, spec, QUEUE)).how, 'completed');
  // the user removed the study's outputs to run it again
  fs.rmSync(studyLayout.root(store(), 'rerun-gone'), { recursive: true, force: true });
  const again = await startOrAttachStudy(t.client, spec, QUEUE, { rerunCompleted: true });
  assert.equal(again.how, 'again');
  const s = await studySummary(again.handle);
  assert.equal(s.state, 'completed');
  assert.notEqual((await again.handle.describe()).runId, firstRun, 'a new run');
  assert.ok(fs.existsSync(studyLayout.summary(studyLayout.root(store(), 'rerun-gone'))), 'its outputs written again');
});
