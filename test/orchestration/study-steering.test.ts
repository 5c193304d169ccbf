// Orchestration semantics on a real Temporal dev server with the no-op engine (instant, synthetic
// results: the workflows' bookkeeping is what is under test here; test/orchestration/study-engine.test.ts
// runs real searches). Steering, validation, continue-as-new, the shared warm-up's bookkeeping.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { STUDY_WORKFLOW_TYPE, studyWorkflowId } from '../../src/study/names';
import type { StudySummary } from '../../src/study/records';
import { addTrials, setParallelism, startOrAttachStudy, stopStudy, studyResult, studyStatus } from '../../src/temporal/study-client';
import { loadStudySummary } from '../../src/usecases/study-summary-store';
import { temporalBinary } from '../../src/temporal/dev-server';
import { spnasBin } from '../../src/temporal/compute-process';
import { activityTypes, startTemporal, studySummary, tinyStudy, type TemporalFixture } from '../support/temporal';

let t: TemporalFixture;
/** Every message along an error's cause chain. */
const chain = (e: unknown): string => (e instanceof Error ? `${e.message} <- ${chain((e as { cause?: unknown }).cause)}` : String(e ?? ''));
const QUEUE = 'spnas-orchestration';

before(async () => {
  t = await startTemporal();
  await t.workers({ engine: 'noop', noopDelayMs: 300 });
});
after(async () => t?.stop());

const store = () => path.join(t.dir, 'store');

test('a study completes: every trial recorded, front and final model, summary in the store', { timeout: 120_000 }, async () => {
  const spec = tinyStudy('steer-basic', store(), { hpo: { sampler: 'random', trials: 4, parallelism: 2, seed: 3 } });
  const { handle, how } = await startOrAttachStudy(t.client, spec, QUEUE);
  assert.equal(how, 'started');
  const s = await studySummary(handle);
  assert.equal(s.state, 'completed');
  assert.deepEqual(
    s.trialRecords.map((r) => [r.trialId, r.state]),
    [
      [0, 'ok'],
      [1, 'ok'],
      [2, 'ok'],
      [3, 'ok'],
    ],
  );
  assert.ok(s.front.length >= 1 && s.front.every((m) => s.trialRecords.some((r) => r.trialId === m.trialId)));
  assert.equal(s.final.length, 1);
  // the network selected at the latency target, else the front's most accurate
  assert.equal(s.final[0]!.trialId, (s.selected ?? [...s.front].sort((a, b) => b.top1 - a.top1)[0]!).trialId);
  const stored = JSON.parse(fs.readFileSync(path.join(store(), 'studies', 'steer-basic', 'summary.json'), 'utf8')) as StudySummary;
  assert.deepEqual(stored.front, s.front);
  // the workflow's own result stays compact: no per-trial records, whatever the number of trials
  const result = await studyResult(handle);
  assert.equal('trialRecords' in result, false);
  assert.equal(result.summary, s.summary);
  assert.ok(JSON.stringify(result).length < 8000, `${JSON.stringify(result).length} bytes`);
  // each trial's record was written as it finished; a study without summary.json (still running) is rebuilt from them
  const copy = path.join(t.dir, 'steer-basic-running');
  fs.cpSync(path.join(store(), 'studies', 'steer-basic'), copy, { recursive: true });
  fs.rmSync(path.join(copy, 'summary.json'));
  assert.deepEqual(fs.readdirSync(path.join(copy, 'trials')).sort(), ['t0.json', 't1.json', 't2.json', 't3.json']);
  const rebuilt = await loadStudySummary(copy);
  assert.equal(rebuilt.state, 'running');
  assert.deepEqual(rebuilt.trialRecords, s.trialRecords);
  assert.deepEqual(rebuilt.front, s.front);
  assert.deepEqual(rebuilt.hypervolume, s.hypervolume);
  assert.deepEqual(rebuilt.trials, { ...s.trials, planned: 4 });
  assert.equal(rebuilt.selected?.trialId, s.selected?.trialId);
  await assert.rejects(loadStudySummary(path.join(t.dir, 'no-such-study')), /is not a study: it has neither summary.json nor spec.json/);
  // attaching again to a completed study reports it instead of running it twice
  assert.equal((await startOrAttachStudy(t.client, spec, QUEUE)).how, 'completed');
});

test('bad specs fail at once, naming the field, before any compute', { timeout: 60_000 }, async () => {
  const bad = { ...tinyStudy('steer-bad', store()), budget: { searchEpochs: 2, warmupEpochs: 5 } };
  const h = await t.client.workflow.start(STUDY_WORKFLOW_TYPE, { args: [bad], taskQueue: QUEUE, workflowId: studyWorkflowId('steer-bad') });
  await assert.rejects(
    h.result(),
    (e: unknown) =>
      e instanceof WorkflowFailedError && /budget\.warmupEpochs: must be smaller than budget\.searchEpochs/.test(String((e.cause as Error).message)),
  );
  const missing = tinyStudy('steer-missing', store(), { data: { train: { uri: '/nonexistent/shards', valCount: 10 } } });
  const h2 = await t.client.workflow.start(STUDY_WORKFLOW_TYPE, { args: [missing], taskQueue: QUEUE, workflowId: studyWorkflowId('steer-missing') });
  await assert.rejects(
    h2.result(),
    (e: unknown) =>
      e instanceof WorkflowFailedError &&
      /data\.train\.uri \/nonexistent\/shards: no such file/.test(
        String(((e.cause as Error).cause as Error | undefined)?.message ?? (e.cause as Error).message),
      ),
  );
  // only light activities ran: the search-attribute check and the preparation that refused the spec
  assert.deepEqual(
    (await activityTypes(t.client, studyWorkflowId('steer-missing'))).filter((a) => a !== 'prepareStudy' && a !== 'searchAttributesReady'),
    [],
  );
});

test('stop, addTrials and setParallelism steer a running study; bad arguments are rejected', { timeout: 120_000 }, async () => {
  const spec = tinyStudy('steer-live', store(), { hpo: { sampler: 'random', trials: 3, parallelism: 1, seed: 5 } });
  const { handle } = await startOrAttachStudy(t.client, spec, QUEUE);
  await assert.rejects(addTrials(handle, 0), /n must be an integer from 1 to 10000, got 0/);
  await assert.rejects(handle.executeUpdate('addTrials', { args: [2.5] }), (e: unknown) => e instanceof WorkflowUpdateFailedError && /got 2\.5/.test(chain(e)));
  await assert.rejects(
    handle.executeUpdate('setParallelism', { args: [0] }),
    (e: unknown) => e instanceof WorkflowUpdateFailedError && /from 1 to 256, got 0/.test(chain(e)),
  );
  const added = await addTrials(handle, 2);
  assert.equal(added.trials.planned, 5);
  const par = await setParallelism(handle, 3);
  assert.equal(par.parallelism, 3);
  // wait until more than one trial runs at once (parallelism 3), then stop gracefully
  for (let i = 0; i < 200 && (await studyStatus(handle)).trials.running < 2; i++) await new Promise((r) => setTimeout(r, 100));
  const stopping = await stopStudy(handle);
  assert.equal(stopping.state, 'stopping');
  await assert.rejects(handle.executeUpdate('addTrials', { args: [1] }), (e: unknown) => e instanceof WorkflowUpdateFailedError && /stopping/.test(chain(e)));
  const s = await studySummary(handle);
  assert.equal(s.state, 'completed');
  // running trials finished (none lost), no new trial started after stop
  assert.ok(
    s.trialRecords.every((r) => r.state === 'ok'),
    JSON.stringify(s.trialRecords.map((r) => r.state)),
  );
  assert.equal(s.trialRecords.length, stopping.trials.total);
  assert.ok(s.trialRecords.length < 5);
});

test('continue-as-new keeps the sampler state: the proposals equal those of an uninterrupted run', { timeout: 240_000 }, async () => {
  const base = { hpo: { sampler: 'gp' as const, trials: 7, parallelism: 1, seed: 11 } };
  const whole = await studySummary((await startOrAttachStudy(t.client, tinyStudy('can-whole', store(), base), QUEUE)).handle);
  const split = await studySummary((await startOrAttachStudy(t.client, tinyStudy('can-split', store(), { ...base, trialsPerRun: 2 }), QUEUE)).handle);
  const runs = await t.client.workflow.list({ query: `WorkflowId = '${studyWorkflowId('can-split')}'` });
  let n = 0;
  for await (const run of runs) n += run.workflowId === studyWorkflowId('can-split') ? 1 : 0;
  assert.ok(n >= 4, `expected >= 4 runs of the split study (continue-as-new every 2 trials), got ${n}`);
  assert.deepEqual(
    split.trialRecords.map((r) => r.params),
    whole.trialRecords.map((r) => r.params),
  );
  assert.deepEqual(
    split.front.map((m) => m.trialId),
    whole.front.map((m) => m.trialId),
  );
});

test(
  'the shared warm-up runs once for trials with equal warm-up inputs (lambda, loss form and threshold learning rate tuned), and separately for different ones',
  { timeout: 120_000 },
  async () => {
    const shared = await studySummary(
      (
        await startOrAttachStudy(
          t.client,
          tinyStudy('warm-shared', store(), { hpo: { sampler: 'random', trials: 4, parallelism: 2, seed: 2, space: { warmupFraction: null } } }),
          QUEUE,
        )
      ).handle,
    );
    assert.equal(shared.trialRecords.length, 4);
    assert.equal((await activityTypes(t.client, studyWorkflowId('warm-shared'))).filter((a) => a === 'warmupSupernet').length, 1);
    assert.ok(shared.compute.savedByWarmup >= 0);
    // the learning rate acts during warm-up: tuning it gives every distinct value its own warm-up
    const lr = { 'optimizer.lrPer256': { type: 'categorical', choices: [0.01, 0.02] } };
    const split = await studySummary(
      (
        await startOrAttachStudy(
          t.client,
          tinyStudy('warm-split', store(), {
            hpo: { sampler: 'random', trials: 6, parallelism: 2, seed: 2, space: { warmupFraction: null, thresholdLrMultiplier: null, ...lr } },
          }),
          QUEUE,
        )
      ).handle,
    );
    const lrs = new Set(split.trialRecords.map((r) => r.params['optimizer.lrPer256']));
    assert.equal((await activityTypes(t.client, studyWorkflowId('warm-split'))).filter((a) => a === 'warmupSupernet').length, lrs.size);
    assert.equal(lrs.size, 2);
  },
);

test('`temporal workflow start --input-file` starts a study the workers run; `spnas study status` reads it', { timeout: 120_000 }, async () => {
  const { execFile } = await import('node:child_process');
  // async: the workers answering the study's query run in this process
  const run = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) =>
    new Promise<string>((resolve, reject) =>
      execFile(cmd, args, { encoding: 'utf8', ...(env ? { env } : {}) }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
  const { temporalBinary } = await import('../../src/temporal/dev-server');
  const { spnasBin } = await import('../../src/temporal/compute-process');
  const specFile = path.join(t.dir, 'cli-study.json');
  require('node:fs').writeFileSync(
    specFile,
    JSON.stringify(tinyStudy('cli-start', store(), { hpo: { sampler: 'random', trials: 2, parallelism: 2, seed: 1 } })),
  );
  const addr = ['--address', t.target.address, '--namespace', t.target.namespace];
  await run(temporalBinary(), [
    'workflow',
    'start',
    ...addr,
    '--type',
    STUDY_WORKFLOW_TYPE,
    '--task-queue',
    QUEUE,
    '--workflow-id',
    studyWorkflowId('cli-start'),
    '--input-file',
    specFile,
  ]);
  const s = await studySummary(t.client.workflow.getHandle(studyWorkflowId('cli-start')));
  assert.equal(s.state, 'completed');
  assert.equal(s.trialRecords.length, 2);
  const env = { ...process.env, TEMPORAL_ADDRESS: t.target.address, TEMPORAL_NAMESPACE: t.target.namespace };
  const status = JSON.parse(await run(process.execPath, [spnasBin(), 'study', 'status', 'cli-start', '--json'], env)) as {
    state: string;
    trials: { ok: number };
  };
  assert.equal(status.state, 'completed');
  assert.equal(status.trials.ok, 2);
  // a study that does not exist: one line naming it and what to do, no stack trace
  await assert.rejects(
    run(process.execPath, [spnasBin(), 'study', 'status', 'no-such-study'], env),
    (e: Error) => /no study 'no-such-study' on this Temporal server/.test(e.message) && !/at .*\.js:\d+/.test(e.message),
  );
});

test(
  "multi-fidelity (ASHA): a promoted trial continues its configuration's run directories with a larger budget, never from scratch",
  { timeout: 180_000 },
  async () => {
    const s = await studySummary(
      (
        await startOrAttachStudy(
          t.client,
          tinyStudy('mf-asha', store(), { hpo: { sampler: 'asha', trials: 9, parallelism: 3, seed: 2, maxBudget: 3, eta: 3 } }),
          QUEUE,
        )
      ).handle,
    );
    assert.equal(s.state, 'completed');
    // configuration ids are the sampler's: the first trial of a configuration starts it, later ones are promotions
    const firstOf = new Map<number, (typeof s.trialRecords)[number]>();
    const promoted = s.trialRecords.filter((r) => (firstOf.has(r.configId!) ? true : (firstOf.set(r.configId!, r), false)));
    const trace = JSON.stringify(s.trialRecords.map((r) => [r.trialId, r.configId, r.fidelity, r.result?.searchStartStep]));
    assert.ok(promoted.length >= 1, `some trial was promoted: ${trace}`);
    for (const p of promoted) {
      const first = firstOf.get(p.configId!)!;
      assert.ok(p.fidelity > first.fidelity, `a promotion runs at a larger budget: ${trace}`);
      assert.equal(p.result!.search, first.result!.search, 'the same search directory: the search continues from its checkpoint');
      assert.equal(p.result!.train, first.result!.train, 'the same training directory when the derived architecture is the same');
    }
    // every configuration's first trial starts from the shared warm-up (one for all: nothing in its key is tuned differently)
    for (const f of firstOf.values()) assert.ok(f.result!.searchStartStep > 0, `trial ${f.trialId} started from the shared warm-up: ${trace}`);
  },
);

/** Runs a command; resolves with its stdout, rejects with an error whose message holds its stderr. */
function exec(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise<string>((resolve, reject) =>
    execFile(cmd, args, { encoding: 'utf8', ...(env ? { env } : {}) }, (err, out, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out),
    ),
  );
}
const cliEnv = () => ({ ...process.env, TEMPORAL_ADDRESS: t.target.address, TEMPORAL_NAMESPACE: t.target.namespace });

test(
  'once the trials are over, addTrials and setParallelism are refused with the reason; after completion the CLI says the study completed',
  { timeout: 180_000 },
  async () => {
    // a compute worker of its own with slow activities, so that the final phase lasts seconds
    await t.workers({ role: 'compute', computeQueue: 'slow-compute', engine: 'noop', noopDelayMs: 2500 });
    const spec = tinyStudy('steer-late', store(), { hpo: { sampler: 'random', trials: 1, parallelism: 1, seed: 2 }, computeTaskQueue: 'slow-compute' });
    const { handle } = await startOrAttachStudy(t.client, spec, QUEUE);
    for (let i = 0; i < 600 && (await studyStatus(handle)).state !== 'final'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await studyStatus(handle)).state, 'final');
    await assert.rejects(addTrials(handle, 2), (e: unknown) => /addTrials: refused: the trials are over: the study is in its final phase/.test(chain(e)));
    await assert.rejects(setParallelism(handle, 2), (e: unknown) => /setParallelism: refused: the trials are over/.test(chain(e)));
    const s = await studySummary(handle);
    assert.equal(s.state, 'completed');
    assert.deepEqual([s.trials.planned, s.trialRecords.length], [1, 1]);
    // after completion: the CLI says so, where it used to say there was no such study
    for (const args of [
      ['add-trials', 'steer-late', '2'],
      ['set-parallelism', 'steer-late', '2'],
      ['stop', 'steer-late'],
    ])
      await assert.rejects(exec(process.execPath, [spnasBin(), 'study', ...args], cliEnv()), (e: Error) => {
        assert.match(e.message, /refused: study steer-late completed at \S+; nothing to steer/);
        assert.doesNotMatch(e.message, /no study/);
        return true;
      });
    // and its status is its result, read from the history
    const status = await exec(process.execPath, [spnasBin(), 'study', 'status', 'steer-late'], cliEnv());
    assert.match(status, /^study steer-late \[completed\] trials 1\/1 done/);
    assert.match(status, /summary \(every trial\): .*steer-late\/summary\.json/);
  },
);

test(
  "a completed study is never run again: its id started again fails before any trial, naming the summary, and leaves its records alone; 'spnas study run' prints its result",
  { timeout: 180_000 },
  async () => {
    const spec = tinyStudy('reuse-done', store(), { hpo: { sampler: 'random', trials: 2, parallelism: 2, seed: 4 } });
    const first = await studySummary((await startOrAttachStudy(t.client, spec, QUEUE)).handle);
    assert.equal(first.state, 'completed');
    const root = path.join(store(), 'studies', 'reuse-done');
    const snapshot = () =>
      ['summary.json', 'trials/t0.json', 'trials/t1.json', 'sampler/state-000000.json'].map((f) => {
        const p = path.join(root, f);
        return [f, fs.readFileSync(p, 'utf8'), fs.statSync(p).mtimeMs] as const;
      });
    const before = snapshot();
    // `temporal workflow start` with the same id: Temporal's default reuse policy starts a new run of a closed workflow
    const specFile = path.join(t.dir, 'reuse-done.json');
    fs.writeFileSync(specFile, JSON.stringify(spec));
    await exec(temporalBinary(), [
      'workflow',
      'start',
      '--address',
      t.target.address,
      '--namespace',
      t.target.namespace,
      '--type',
      STUDY_WORKFLOW_TYPE,
      '--task-queue',
      QUEUE,
      '--workflow-id',
      studyWorkflowId('reuse-done'),
      '--input-file',
      specFile,
    ]);
    const again = t.client.workflow.getHandle(studyWorkflowId('reuse-done'));
    await assert.rejects(again.result(), (e: unknown) => {
      assert.ok(e instanceof WorkflowFailedError);
      assert.match(chain(e), /STUDY_COMPLETED|study 'reuse-done' has already completed/);
      assert.match(chain(e), /reuse-done\/summary\.json.*another name/);
      return true;
    });
    assert.deepEqual(
      (await activityTypes(t.client, studyWorkflowId('reuse-done'))).filter((a) => a !== 'searchAttributesReady'),
      ['prepareStudy'],
    );
    assert.deepEqual(snapshot(), before);
    // the CLI reports the completed study from its summary instead of starting it
    const out = JSON.parse(await exec(process.execPath, [spnasBin(), 'study', 'run', specFile, '--json'], cliEnv())) as StudySummary;
    assert.equal(out.state, 'completed');
    assert.deepEqual(out.front, first.front);
    let runs = 0;
    for await (const w of t.client.workflow.list({ query: `WorkflowId = '${studyWorkflowId('reuse-done')}'` })) runs += w.workflowId ? 1 : 0;
    assert.equal(runs, 2, 'the completed run and the refused one; the CLI started none');
    assert.deepEqual(snapshot(), before);
  },
);
