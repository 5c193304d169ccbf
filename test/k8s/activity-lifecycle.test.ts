/**
 * A heavy activity's Job across the activity's life, end to end: a Temporal dev server, a workflow
 * (fixtures/one-activity-workflow.ts) whose activity the compute worker's k8s-job executor runs as a
 * Job on the real control plane (kwok nodes), and worker shutdowns driven in-process.
 *
 *  - a worker that shuts down (helm upgrade, drain, KEDA scale-down) leaves the Job running; the
 *    retried attempt on the next worker adopts it and returns what that Job wrote in its own prefix;
 *  - a cancelled activity deletes its Job and pods;
 *  - after continue-as-new, the next run's activity (the same activity id) gets its own Job;
 *  - a compute worker with the k8s-job executor watches many Jobs at once, whatever its
 *    computeConcurrency (the GPUs it does not have).
 *
 * kwok runs no containers: the test plays the container of each Job (writes result.json where the
 * Job's annotations say and sets the pod's exit).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { K8sJobExecutor } from '../../activities/k8s-job-executor';
import { ANNOTATION, defaultJobTemplate, KubeApi } from '../../src/k8s';
import { openStore } from '../../src/storage/open-store';
import { connectWorker } from '../../src/temporal/connection';
import { installRuntime } from '../../src/temporal/runtime';
import type { WorkerConfigInput } from '../../src/temporal/worker-config';
import type { RunningWorkers } from '../../src/temporal/workers';
import { readJson, writeJson } from '../../src/storage/json-store';
import { startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { POD_EXIT, POD_HOLD } from '../support/kwok-stages';
import { startTemporal, type TemporalFixture } from '../support/temporal';
import type { OneActivityInput } from './fixtures/one-activity-workflow';
import { waitFor } from '../support/wait-for';

const ORCH = 'k8s-lifecycle-orchestration';
let cluster: KubeCluster;
let t: TemporalFixture;
let kc: KubeConfig;
let core: CoreV1Api;
let batch: BatchV1Api;
let orchestration: Worker;
let orchestrationRun: Promise<void>;

before(async () => {
  [cluster, t] = await Promise.all([startKubeCluster(), startTemporal()]);
  kc = cluster.adminConfig();
  core = kc.makeApiClient(CoreV1Api);
  batch = kc.makeApiClient(BatchV1Api);
  installRuntime({ metricsPort: 0, jsonLogs: false, handleSignals: false });
  orchestration = await Worker.create({
    connection: await connectWorker(t.target),
    namespace: t.target.namespace,
    taskQueue: ORCH,
    workflowsPath: path.join(__dirname, 'fixtures', 'one-activity-workflow.ts'),
  });
  orchestrationRun = orchestration.run();
}, { timeout: 180_000 });

after(async () => {
  orchestration?.shutdown();
  await orchestrationRun?.catch(() => undefined);
  await t?.stop();
  await cluster?.stop();
});

/** A compute worker whose heavy activities run as Jobs in `namespace` (pods held until the test exits them). */
function computeWorker(namespace: string, computeQueue: string, cfg: WorkerConfigInput = {}): Promise<RunningWorkers> {
  const template = defaultJobTemplate();
  template.spec!.template.metadata = { annotations: { [POD_HOLD]: 'true' } };
  const executor = new K8sJobExecutor({ namespace, api: new KubeApi(kc), template, image: 'spnas:test' });
  return t.workers({ role: 'compute', executor: 'k8s-job', computeQueue, shutdownGraceSeconds: 1, ...cfg }, { executors: { 'k8s-job': executor } });
}

function start(workflowId: string, computeQueue: string, runs = 1) {
  const input: OneActivityInput = { computeQueue, studyRoot: path.join(t.dir, 'store', workflowId), runs };
  return t.client.workflow.start('OneActivityWorkflow', { taskQueue: ORCH, workflowId, args: [input], workflowExecutionTimeout: '5m' });
}


const runningPods = async (namespace: string) => (await core.listNamespacedPod({ namespace })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);

/** What the Job's container does: result.json in the prefix its Job names, then exit 0. */
async function playContainer(namespace: string, pod: V1Pod): Promise<void> {
  const a = pod.metadata!.annotations!;
  await writeJson(openStore(a[ANNOTATION.inputUri]!), 'result.json', {
    job: pod.metadata!.labels!['batch.kubernetes.io/job-name'],
    runId: a['spnas.dev/run-id'] ?? null, // ANNOTATION.runId, spelled out: the documented name
    attempt: a[ANNOTATION.attempt],
  });
  const r = await cluster.kubectl(['annotate', 'pod', '-n', namespace, pod.metadata!.name!, `${POD_EXIT}=0`]);
  assert.equal(r.code, 0, r.stderr);
}

const jobs = async (namespace: string): Promise<V1Job[]> => (await batch.listNamespacedJob({ namespace })).items;

interface Played {
  job: string;
  runId: string | null;
  attempt: string;
}

test("a worker shutdown leaves the activity's Job running; the retry on the next worker adopts it and returns that Job's result", { timeout: 240_000 }, async () => {
  const ns = await cluster.createNamespace('shutdown');
  const queue = 'k8s-shutdown';
  const first = await computeWorker(ns, queue);
  const handle = await start('lifecycle-shutdown', queue);
  const pod = await waitFor('the activity Job running', async () => (await runningPods(ns))[0], 90_000);
  const jobName = pod.metadata!.labels!['batch.kubernetes.io/job-name']!;

  await first.shutdown(); // as on SIGTERM: stop polling, a grace period, then the SDK cancels the activity (WORKER_SHUTDOWN)
  const job = await batch.readNamespacedJob({ namespace: ns, name: jobName });
  assert.equal(job.metadata!.deletionTimestamp, undefined, 'the Job was not deleted');
  const still = await core.readNamespacedPod({ namespace: ns, name: pod.metadata!.name! });
  assert.equal(still.metadata!.deletionTimestamp, undefined, 'its pod keeps running');
  assert.equal(still.status!.phase, 'Running');

  await computeWorker(ns, queue);
  const started = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
  await waitFor('the retried attempt running on the new worker', async () => {
    const pa = (await handle.describe()).raw.pendingActivities?.[0];
    return pa && (pa.attempt ?? 0) >= 2 && pa.state === started;
  }, 90_000);
  await playContainer(ns, still);
  const [result] = (await handle.result()) as Played[];
  assert.deepEqual(result, { job: jobName, runId: handle.firstExecutionRunId, attempt: '1' }, "attempt 1's Job, read where it wrote");
  assert.deepEqual((await jobs(ns)).map((j) => j.metadata!.name), [jobName], 'no second Job');
  const history = await handle.fetchHistory();
  const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
  assert.ok(attempts.every((a) => (a ?? 0) >= 2), `the result came from a retried attempt: ${JSON.stringify(attempts)}`);
  // the adopting attempt's own prefix got its input, never a result
  const ownIo = path.join(t.dir, 'store', 'lifecycle-shutdown', 'activities', 'lifecycle-shutdown', handle.firstExecutionRunId!, '1', `attempt-${attempts[0]}`);
  assert.notEqual(await readJson(openStore(ownIo), 'input.json'), undefined);
  assert.equal(await readJson(openStore(ownIo), 'result.json'), undefined);
});

test('a cancelled activity deletes its Job and pods (propagation Background) before the cancellation completes', { timeout: 180_000 }, async () => {
  const ns = await cluster.createNamespace('cancel');
  const queue = 'k8s-cancel';
  await computeWorker(ns, queue);
  const handle = await start('lifecycle-cancel', queue);
  await waitFor('the activity Job running', async () => (await runningPods(ns)).length > 0, 90_000);
  await handle.cancel();
  await assert.rejects(handle.result(), /cancel/i);
  const pods = (await core.listNamespacedPod({ namespace: ns })).items;
  assert.deepEqual({ jobs: (await jobs(ns)).length, pods: pods.length }, { jobs: 0, pods: 0 });
});

test("after continue-as-new, the next run's activity (the same activity id) gets its own Job, never the earlier run's result", { timeout: 180_000 }, async () => {
  const ns = await cluster.createNamespace('runs');
  const queue = 'k8s-runs';
  await computeWorker(ns, queue);
  const handle = await start('lifecycle-runs', queue, 2);
  const played = new Set<string>();
  let done = false;
  const player = (async () => {
    while (!done) {
      for (const p of await runningPods(ns)) {
        if (played.has(p.metadata!.name!)) continue;
        played.add(p.metadata!.name!);
        await playContainer(ns, p);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    const results = (await handle.result()) as Played[];
    const lastRun = (await handle.describe()).runId;
    assert.equal(results.length, 2);
    assert.notEqual(results[1]!.job, results[0]!.job, "the second run's activity did not take the first run's Job and result");
    assert.equal(results[0]!.runId, handle.firstExecutionRunId);
    assert.equal(results[1]!.runId, lastRun, "the second run's result came from a Job of the second run");
    const all = await jobs(ns);
    assert.equal(all.length, 2, 'one Job per run');
    assert.deepEqual(new Set(all.map((j) => j.metadata!.annotations![ANNOTATION.activityId])), new Set(['1']), 'both runs scheduled activity id 1');
  } finally {
    done = true;
    await player;
  }
});

test('a k8s-job compute worker watches many Jobs at once (SPNAS_JOB_CONCURRENCY), apart from its compute concurrency', { timeout: 180_000 }, async () => {
  const ns = await cluster.createNamespace('slots');
  const queue = 'k8s-slots';
  await computeWorker(ns, queue, { computeConcurrency: 1, jobConcurrency: 8 });
  const handles = await Promise.all([1, 2, 3].map((i) => start(`lifecycle-slots-${i}`, queue)));
  const pods = await waitFor('three activity Jobs running at once', async () => {
    const running = await runningPods(ns);
    return running.length === 3 ? running : undefined;
  }, 90_000);
  for (const p of pods) await playContainer(ns, p);
  const results = (await Promise.all(handles.map((h) => h.result()))) as Played[][];
  assert.equal(new Set(results.map(([r]) => r!.job)).size, 3);
});
