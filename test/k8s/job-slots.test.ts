/**
 * Activity slots of a compute worker: with the k8s-job executor they are Job-watching slots
 * (SPNAS_JOB_CONCURRENCY, many, no GPU needed), sized apart from the in-process compute concurrency
 * (SPNAS_COMPUTE_CONCURRENCY), which still bounds any activity a study runs with the local executor.
 * (activity-lifecycle.test.ts shows a worker watching several Jobs at once on a real control plane.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionRequest, Executor } from '../../activities/executor';
import { LimitedExecutor } from '../../activities/limited-executor';
import { CancelledError, InvalidInputError } from '../../src/errors';
import { computeSlots, workerConfigFromEnv } from '../../src/temporal/worker-config';

test('SPNAS_JOB_CONCURRENCY sizes a k8s-job worker\'s slots; a local worker keeps SPNAS_COMPUTE_CONCURRENCY', () => {
  const jobs = workerConfigFromEnv({ SPNAS_EXECUTOR: 'k8s-job', SPNAS_JOB_CONCURRENCY: '40' });
  assert.equal(jobs.jobConcurrency, 40);
  assert.equal(jobs.computeConcurrency, 1);
  assert.equal(computeSlots(jobs), 40);
  assert.equal(computeSlots(workerConfigFromEnv({ SPNAS_EXECUTOR: 'k8s-job' })), 64, 'many by default: watching is cheap');
  assert.equal(computeSlots(workerConfigFromEnv({ SPNAS_EXECUTOR: 'local', SPNAS_JOB_CONCURRENCY: '40', SPNAS_COMPUTE_CONCURRENCY: '2' })), 2);
  assert.equal(computeSlots(workerConfigFromEnv({ SPNAS_EXECUTOR: 'k8s-job', SPNAS_JOB_CONCURRENCY: '2', SPNAS_COMPUTE_CONCURRENCY: '4' })), 4, 'never fewer than the compute slots');
  assert.throws(() => workerConfigFromEnv({ SPNAS_JOB_CONCURRENCY: '0' }), (err: unknown) => err instanceof InvalidInputError && /jobConcurrency/.test(err.message) && /SPNAS_JOB_CONCURRENCY/.test(err.message));
});

/** Counts how many runs overlap; each run waits until released. */
class Gate implements Executor {
  readonly kind = 'local' as const;
  now = 0;
  most = 0;
  private readonly waiting: Array<() => void> = [];
  async run(): Promise<unknown> {
    this.now++;
    this.most = Math.max(this.most, this.now);
    await new Promise<void>((r) => this.waiting.push(r));
    this.now--;
    return { ok: true };
  }
  releaseOne(): boolean {
    const r = this.waiting.shift();
    r?.();
    return r !== undefined;
  }
}

const req = { name: 'trainModel' } as ExecutionRequest;
const tick = () => new Promise((r) => setImmediate(r));

test('in-process compute on a Job-watching worker still runs computeConcurrency at a time; a waiting run can be cancelled', async () => {
  const gate = new Gate();
  const limited = new LimitedExecutor(gate, 2);
  const runs = [1, 2, 3, 4, 5].map(() => limited.run(req, {}));
  const ac = new AbortController();
  const cancelled = limited.run(req, { signal: ac.signal });
  await tick();
  assert.equal(gate.now, 2, 'two at once');
  ac.abort();
  await assert.rejects(cancelled, CancelledError);
  while (gate.releaseOne() || gate.now > 0) await tick();
  assert.deepEqual(await Promise.all(runs), [1, 2, 3, 4, 5].map(() => ({ ok: true })));
  assert.equal(gate.most, 2);
});
