// `spnas study run` as a process: killed with SIGKILL (no handler of it runs), its compute worker
// child must not train on under PID 1 beside the next run; it notices that its parent is gone, shuts
// down (its activity is cancelled) and exits, while the study itself stays on the server to continue.
// The no-op engine with a long delay stands in for a long training step.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { studyWorkflowId } from '../../src/study/names';
import { spawnComputeWorker, spnasBin } from '../../src/temporal/compute-process';
import { startTemporal, tinyStudy, type TemporalFixture, waitFor } from '../support/temporal';

let t: TemporalFixture;
const PENDING_STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
before(async () => {
  t = await startTemporal();
});
after(async () => t?.stop());

/** Whether a process still runs (an exited one waiting to be reaped does not). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('`spnas study run` killed with SIGKILL takes its compute worker down with it; the study stays on the server', { timeout: 240_000 }, async () => {
  const queues = { orchestration: 'killed-orchestration', compute: 'killed-compute' };
  const spec = tinyStudy('run-killed', path.join(t.dir, 'store'), {
    hpo: { sampler: 'random', trials: 1, parallelism: 1, seed: 1 },
    computeTaskQueue: queues.compute,
  });
  const specFile = path.join(t.dir, 'run-killed.json');
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: t.target.address,
    TEMPORAL_NAMESPACE: t.target.namespace,
    SPNAS_ORCHESTRATION_QUEUE: queues.orchestration,
    SPNAS_COMPUTE_QUEUE: queues.compute,
    SPNAS_ENGINE: 'noop',
    SPNAS_NOOP_DELAY_MS: '600000',
    SPNAS_SHUTDOWN_GRACE_SECONDS: '2',
  };
  const parent = spawn(process.execPath, [spnasBin(), 'study', 'run', specFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  parent.stderr.on('data', (c: Buffer) => (err += c.toString()));
  parent.stdout.resume();
  const exited = new Promise((resolve) => parent.once('exit', resolve));
  let child = 0;
  try {
    child = await waitFor('the compute worker child', 120_000, () => {
      const m = /\[compute (\d+)\] spnas worker: role compute/.exec(err);
      return m ? Number(m[1]) : undefined;
    });
    // its heavy activity (the shared warm-up) is running in the child
    const h = t.client.workflow.getHandle(studyWorkflowId('run-killed'));
    const started = (d: Awaited<ReturnType<typeof h.describe>>) =>
      (d.raw.pendingActivities ?? []).find((a) => a.activityType?.name === 'warmupSupernet' && Number(a.state) === PENDING_STARTED);
    const running = await waitFor('the started warm-up', 120_000, async () => started(await h.describe()));
    assert.equal(running.lastWorkerIdentity, `${child}@${os.hostname()}`);
    assert.ok(alive(child));
    parent.kill('SIGKILL');
    await exited;
    await waitFor(`compute worker ${child} to exit after its parent was killed`, 90_000, () => (alive(child) ? undefined : true));
    // it shut down as on SIGTERM: its activity was cancelled (and retried), not abandoned to a heartbeat timeout
    const after = await waitFor('the warm-up to fail over to a retry', 60_000, async () =>
      (await h.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'warmupSupernet' && (a.attempt ?? 1) > 1),
    );
    assert.match(after.lastFailure?.message ?? '', /shutting down/);
    // the study is durable: still running, waiting for workers
    assert.equal((await h.describe()).status.name, 'RUNNING');
    await h.terminate('test done');
  } finally {
    parent.kill('SIGKILL');
    if (child && alive(child)) process.kill(child, 'SIGKILL');
  }
});

// Found in the quick start: the study had completed, yet `spnas study run` waited a whole minute
// before it exited, because the compute child's stdin pipe (how it notices its parent's death) kept
// its event loop alive after its workers had stopped, until the parent's grace ran out and SIGKILLed it.
test('a compute worker child stopped with SIGTERM exits by itself once its workers stop, not by its parent SIGKILLing it', { timeout: 180_000 }, async () => {
  let out = '';
  const c = spawnComputeWorker(t.target, {
    env: { SPNAS_ENGINE: 'noop', SPNAS_SHUTDOWN_GRACE_SECONDS: '2', SPNAS_COMPUTE_QUEUE: 'sigterm-compute' },
    log: (l) => (out += l + '\n'),
  });
  try {
    await waitFor('the compute worker to run', 60_000, () => (/spnas worker: role compute/.test(out) ? true : undefined));
    // its workers stop within 2 s; a child still there after 60 s is SIGKILLed by stop(), which the assertion sees
    await c.stop(60_000);
    assert.equal(c.child.signalCode, null, `the child was killed by ${c.child.signalCode}`);
    assert.equal(c.child.exitCode, 0);
  } finally {
    c.child.kill('SIGKILL');
  }
});
