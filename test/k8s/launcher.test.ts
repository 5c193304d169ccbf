/**
 * The Job-per-activity launcher against a real control plane (etcd, kube-apiserver with RBAC,
 * controller-manager, scheduler) whose nodes are kwok's: one advertising nvidia.com/gpu, one CPU.
 *
 * The one boundary stood in for: kwok runs no containers. Where `spnas run-activity` would write
 * result.json / error.json and print its log, the test does it itself, then sets the pod's exit
 * through an annotation that kwok's stages turn into the container's terminated state (see
 * test/support/kwok-stages.ts). Everything else (Job controller, scheduler, GC, RBAC, eviction,
 * deadlines, pod logs through the API server) is the real Kubernetes code.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { CancelledError, SpnasError, TransientError } from '../../src/errors';
import { defaultJobTemplate, JobFailedError, jobNameFor, KubeApi, LAUNCHER_ROLE_RULES, runActivityJob, type ActivityJobSpec, type JobHeartbeat, type RunActivityJobOptions } from '../../src/k8s';
import { CPU_NODE, GPU_NODE, GPU_NODE_LABEL, startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { POD_EXIT, POD_GRACEFUL, POD_HOLD, POD_WAITING } from '../support/kwok-stages';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

let cluster: KubeCluster;
let kc: KubeConfig;
let core: CoreV1Api;
let batch: BatchV1Api;
let wf = 0;

before(async () => {
  cluster = await startKubeCluster();
  kc = cluster.adminConfig();
  core = kc.makeApiClient(CoreV1Api);
  batch = kc.makeApiClient(BatchV1Api);
}, { timeout: 120_000 });

after(async () => {
  await cluster?.stop();
});

/** Launches still running when a test ends (it failed) are cancelled, so none outlives the cluster. */
const inFlight = new Set<{ ac: AbortController; run: Promise<unknown> }>();
afterEach(async () => {
  for (const l of inFlight) l.ac.abort();
  await Promise.allSettled([...inFlight].map((l) => l.run));
});

/** runActivityJob as admin (unless `api` says otherwise), tracked for afterEach. */
function launch(spec: ActivityJobSpec, opts: RunActivityJobOptions = {}): ReturnType<typeof runActivityJob> {
  const ac = new AbortController();
  const run = runActivityJob(spec, { api: new KubeApi(kc), ...opts, signal: opts.signal ? AbortSignal.any([opts.signal, ac.signal]) : ac.signal });
  const entry = { ac, run };
  inFlight.add(entry);
  run.then(() => inFlight.delete(entry), () => inFlight.delete(entry));
  return run;
}

/** A fresh store directory (file:// URI) holding input.json, as the use case would write it. */
function storeDir(): string {
  const dir = tempDir('spnas-k8s-store-');
  writeFileSync(join(dir, 'input.json'), JSON.stringify({ trial: 7 }));
  return pathToFileURL(dir).href;
}

function specFor(namespace: string, over: Partial<ActivityJobSpec> = {}): ActivityJobSpec {
  return {
    namespace, workflowId: `study-k8s/trial-${++wf}`, runId: `run-${wf}`, activityId: '5', attempt: 1, activity: 'retrain',
    inputUri: storeDir(), image: 'spnas:test', startToCloseTimeoutMs: 600_000, studyId: 'study-k8s', trialId: `trial-${wf}`,
    ...over,
  };
}

/** The default template with pod annotations for kwok's stages. */
function template(podAnnotations: Record<string, string>): V1Job {
  const t = defaultJobTemplate();
  t.spec!.template.metadata = { annotations: podAnnotations };
  return t;
}
const HOLD = { [POD_HOLD]: 'true' };


async function runningPod(namespace: string, jobName: string): Promise<V1Pod> {
  return waitFor(`a running pod of ${jobName}`, async () => {
    const pods = await core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/job-name=${jobName}` });
    return pods.items.find((p) => p.status?.phase === 'Running');
  });
}

/** Stands in for the container's exit (see the file comment). */
async function exitPod(namespace: string, pod: string, exit: string): Promise<void> {
  const r = await cluster.kubectl(['annotate', 'pod', '-n', namespace, pod, `${POD_EXIT}=${exit}`]);
  assert.equal(r.code, 0, r.stderr);
}

async function jobsAndPods(namespace: string): Promise<{ jobs: string[]; pods: string[] }> {
  const [jobs, pods] = await Promise.all([batch.listNamespacedJob({ namespace }), core.listNamespacedPod({ namespace })]);
  return { jobs: jobs.items.map((j) => j.metadata!.name!), pods: pods.items.map((p) => p.metadata!.name!) };
}

test('a GPU activity: the Job has the right spec, lands on the GPU node, streams its log, and its result is read', { timeout: 120_000 }, async () => {
  const ns = await cluster.createNamespace('gpu');
  const spec = specFor(ns, { gpu: { count: 1 }, nodeSelector: { [GPU_NODE_LABEL]: 'true' }, startToCloseTimeoutMs: 1_800_000 });
  const lines: string[] = [];
  const beats: JobHeartbeat[] = [];
  const run = launch(spec, {
    template: template(HOLD), heartbeatIntervalMs: 200,
    onLog: (line, info) => info.source === 'pod' && lines.push(line),
    onHeartbeat: (hb) => beats.push(hb),
  });
  const name = jobNameFor(spec);
  const pod = await runningPod(ns, name);

  const job = await batch.readNamespacedJob({ namespace: ns, name });
  assert.equal(job.spec!.backoffLimit, 0);
  assert.equal(job.spec!.activeDeadlineSeconds, 1800);
  assert.equal(job.spec!.template.spec!.restartPolicy, 'Never');
  assert.ok(job.spec!.ttlSecondsAfterFinished! > 0);
  assert.equal(job.metadata!.labels!['spnas.dev/study'], 'study-k8s');
  assert.equal(job.metadata!.labels!['spnas.dev/trial'], spec.trialId);
  assert.equal(job.metadata!.annotations!['spnas.dev/workflow-id'], spec.workflowId);
  assert.equal(pod.spec!.nodeName, GPU_NODE, 'scheduled onto the node that advertises nvidia.com/gpu (tolerating its taint)');
  const main = pod.spec!.containers[0]!;
  assert.equal(main.resources!.limits!['nvidia.com/gpu'], '1');
  assert.equal(main.resources!.requests!['nvidia.com/gpu'], '1', 'the API server defaults requests from limits for extended resources');
  assert.deepEqual(main.args, ['run-activity', 'retrain', '--input', spec.inputUri]);
  assert.equal(pod.spec!.securityContext!.runAsNonRoot, true);
  assert.equal(pod.spec!.securityContext!.seccompProfile!.type, 'RuntimeDefault');
  assert.equal(main.securityContext!.readOnlyRootFilesystem, true);
  assert.deepEqual(main.securityContext!.capabilities!.drop, ['ALL']);

  // The container's work: log lines, result.json, exit 0.
  const log = await cluster.podLog(ns, pod.metadata!.name!);
  log('epoch 1/2 loss=2.31');
  log('epoch 2/2 loss=1.87');
  await waitFor('the log lines to reach the launcher', async () => lines.length >= 2, 30_000);
  writeFileSync(new URL(`${spec.inputUri}/result.json`), JSON.stringify({ top1: 0.61 }));
  await exitPod(ns, pod.metadata!.name!, '0');

  const result = await run;
  assert.equal(result.how, 'created');
  assert.equal(result.jobName, name);
  assert.equal(result.resultUri, `${spec.inputUri}/result.json`);
  assert.deepEqual(JSON.parse(readFileSync(new URL(result.resultUri), 'utf8')), { top1: 0.61 });
  assert.deepEqual(lines, ['epoch 1/2 loss=2.31', 'epoch 2/2 loss=1.87']);
  assert.ok(beats.some((b) => b.podPhase === 'Running' && b.podName === pod.metadata!.name), JSON.stringify(beats));
  assert.ok(beats.some((b) => b.lastLogLine === 'epoch 2/2 loss=1.87'));
});

test('OOMKilled: a typed, non-retryable failure with the reason', { timeout: 60_000 }, async () => {
  const ns = await cluster.createNamespace('oom');
  const spec = specFor(ns);
  await assert.rejects(launch(spec, { template: template({ [POD_EXIT]: 'OOMKilled' }) }), (err: unknown) => {
    assert.ok(err instanceof JobFailedError, String(err));
    assert.equal(err.code, 'K8S_OOM_KILLED');
    assert.equal(err.retryable, false);
    assert.equal(err.reason, 'OOMKilled');
    return true;
  });
});

test("a container's error.json decides the failure's code and retryability", { timeout: 60_000 }, async () => {
  const ns = await cluster.createNamespace('errjson');
  const spec = specFor(ns);
  const run = launch(spec, { template: template(HOLD) });
  const pod = await runningPod(ns, jobNameFor(spec));
  writeFileSync(new URL(`${spec.inputUri}/error.json`), JSON.stringify({ code: 'NUMERICAL_ERROR', message: 'loss became NaN at step 12', retryable: false }));
  await exitPod(ns, pod.metadata!.name!, '1');
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof SpnasError);
    assert.equal(err.code, 'NUMERICAL_ERROR');
    assert.equal(err.retryable, false);
    assert.match(err.message, /NaN at step 12/);
    return true;
  });
});

test('an evicted pod (Eviction API, as in a node drain) is replaced inside its Job, and the attempt goes on to its result', { timeout: 90_000 }, async () => {
  const ns = await cluster.createNamespace('evict');
  const spec = specFor(ns);
  const notes: string[] = [];
  const run = launch(spec, { template: template(HOLD), onLog: (l, i) => i.source === 'launcher' && notes.push(l) });
  const name = jobNameFor(spec);
  const first = await runningPod(ns, name);
  await core.createNamespacedPodEviction({ namespace: ns, name: first.metadata!.name!, body: { metadata: { name: first.metadata!.name!, namespace: ns } } });
  // the pod failure policy: DisruptionTarget -> Ignore, so the Job controller starts a replacement pod
  const second = await waitFor('a replacement pod', async () => {
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `batch.kubernetes.io/job-name=${name}` });
    return pods.items.find((p) => p.metadata!.name !== first.metadata!.name && p.status?.phase === 'Running');
  });
  writeFileSync(new URL(`${spec.inputUri}/result.json`), '{"resumed":true}');
  await exitPod(ns, second.metadata!.name!, '0');
  const result = await run;
  assert.equal(result.how, 'created');
  assert.equal(result.podName, second.metadata!.name);
  const job = await batch.readNamespacedJob({ namespace: ns, name });
  assert.ok(job.status!.conditions!.some((c) => c.type === 'Complete' && c.status === 'True'), 'the Job completed: the eviction did not fail it');
  assert.ok(notes.some((n) => n.includes(`pod ${first.metadata!.name} of Job ${name} was disrupted (EvictionByEvictionAPI`)), notes.join('\n'));
});

test('a container stopped by SIGTERM without a disruption (its pod deleted by hand) reports TERMINATED: retryable', { timeout: 60_000 }, async () => {
  const ns = await cluster.createNamespace('sigterm');
  const spec = specFor(ns);
  const run = launch(spec, { template: template({ ...HOLD, [POD_GRACEFUL]: 'true' }) });
  const pod = (await runningPod(ns, jobNameFor(spec))).metadata!.name!;
  const del = await cluster.kubectl(['delete', 'pod', '-n', ns, pod, '--wait=false']);
  assert.equal(del.code, 0, del.stderr);
  // the container's SIGTERM handling (spnas run-activity): checkpoint, error.json, exit
  writeFileSync(new URL(`${spec.inputUri}/error.json`), JSON.stringify({ code: 'TERMINATED', message: 'run-activity stopped on SIGTERM: cancelled at step 12; checkpoint saved, rerun to resume', retryable: true }));
  await exitPod(ns, pod, '143');
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof JobFailedError, String(err));
    assert.equal(err.code, 'TERMINATED');
    assert.equal(err.retryable, true);
    assert.match(err.message, /checkpoint saved/);
    return true;
  });
});

test('the deadline (start-to-close timeout) fails the Job: retryable', { timeout: 60_000 }, async () => {
  const ns = await cluster.createNamespace('deadline');
  const spec = specFor(ns, { startToCloseTimeoutMs: 2000 });
  await assert.rejects(launch(spec, { template: template(HOLD) }), (err: unknown) => {
    assert.ok(err instanceof JobFailedError, String(err));
    assert.equal(err.code, 'K8S_DEADLINE_EXCEEDED');
    assert.equal(err.retryable, true);
    return true;
  });
});

test('an image that cannot be pulled fails non-retryably after the grace period, and nothing is left running', { timeout: 60_000 }, async () => {
  const ns = await cluster.createNamespace('pull');
  const spec = specFor(ns);
  const notes: string[] = [];
  await assert.rejects(launch(spec, { template: template({ [POD_WAITING]: 'ImagePullBackOff' }), stuckGraceMs: 1500, onLog: (l, i) => i.source === 'launcher' && notes.push(l) }), (err: unknown) => {
    assert.ok(err instanceof JobFailedError, String(err));
    assert.equal(err.code, 'K8S_IMAGE_PULL');
    assert.equal(err.retryable, false);
    assert.equal(err.reason, 'ImagePullBackOff');
    return true;
  });
  assert.deepEqual(await jobsAndPods(ns), { jobs: [], pods: [] });
  assert.ok(notes.some((n) => /deleted with its pods/.test(n)), notes.join('\n'));
});

test('a spec the API server rejects (422) is a non-retryable K8S_INVALID_SPEC naming the field', { timeout: 60_000 }, async () => {
  const ns = await cluster.createNamespace('invalid');
  const spec = specFor(ns, { resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } });
  await assert.rejects(launch(spec, { template: template(HOLD) }), (err: unknown) => {
    assert.ok(err instanceof SpnasError, String(err));
    assert.equal(err.code, 'K8S_INVALID_SPEC');
    assert.equal(err.retryable, false);
    assert.match(err.message, /cpu/);
    return true;
  });
});

test('cancel deletes the Job and waits until no Job or pod is left', { timeout: 60_000 }, async () => {
  const ns = await cluster.createNamespace('cancel');
  const spec = specFor(ns);
  const ac = new AbortController();
  const run = launch(spec, { template: template(HOLD), signal: ac.signal });
  await runningPod(ns, jobNameFor(spec));
  ac.abort();
  await assert.rejects(run, CancelledError);
  // the launcher returned only after the pods were gone: nothing to wait for here
  assert.deepEqual(await jobsAndPods(ns), { jobs: [], pods: [] });
});

/** Starts a launcher in its own process, waits until it created the Job, then SIGKILLs it. */
async function launchAndKill(spec: ActivityJobSpec, tpl: V1Job): Promise<void> {
  const dir = tempDir('spnas-child-');
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  writeFileSync(join(dir, 'template.json'), JSON.stringify(tpl));
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'fixtures', 'launch-child.ts'), cluster.kubeconfigPath, join(dir, 'spec.json'), join(dir, 'template.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor('the child launcher to create its Job', async () => {
      if (child.exitCode !== null) throw new Error(`child launcher exited early: ${out}`);
      return /created Job/.test(out);
    }, 90_000);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

test('a launcher killed and restarted attaches to its Job instead of creating a second', { timeout: 150_000 }, async () => {
  const ns = await cluster.createNamespace('restart');
  const spec = specFor(ns);
  const tpl = template(HOLD);
  await launchAndKill(spec, tpl);
  const name = jobNameFor(spec);
  const pod = await runningPod(ns, name);
  assert.equal(pod.spec!.nodeName, CPU_NODE, 'a CPU activity stays off the tainted GPU node');

  const run = launch(spec, { template: tpl });
  await new Promise((r) => setTimeout(r, 500));
  writeFileSync(new URL(`${spec.inputUri}/result.json`), '{"ok":true}');
  await exitPod(ns, pod.metadata!.name!, '0');
  const result = await run;
  assert.equal(result.how, 'attached');
  assert.equal(result.jobName, name);
  assert.deepEqual((await jobsAndPods(ns)).jobs, [name], 'still exactly one Job');
});

test("a retried attempt after a worker crash adopts the earlier attempt's running Job, and reads the result in that Job's own prefix", { timeout: 150_000 }, async () => {
  const ns = await cluster.createNamespace('adopt');
  const spec = specFor(ns);
  const tpl = template(HOLD);
  await launchAndKill(spec, tpl);
  const first = jobNameFor(spec);
  const pod = await runningPod(ns, first);
  // Temporal retries the activity (attempt 2, with its own I/O prefix) after the heartbeat timeout; the pod never failed.
  const run = launch({ ...spec, attempt: 2, inputUri: storeDir() }, { template: tpl });
  await new Promise((r) => setTimeout(r, 500));
  // the adopted Job's container writes where its Job says: attempt 1's prefix
  writeFileSync(new URL(`${spec.inputUri}/result.json`), '{"ok":true}');
  await exitPod(ns, pod.metadata!.name!, '0');
  const result = await run;
  assert.equal(result.how, 'adopted');
  assert.equal(result.jobName, first);
  assert.equal(result.ioUri, spec.inputUri);
  assert.equal(result.resultUri, `${spec.inputUri}/result.json`);
  assert.deepEqual((await jobsAndPods(ns)).jobs, [first], 'no Job for attempt 2');
});

test('an abort that is not a cancellation (a worker shutting down) leaves the Job running for the next attempt', { timeout: 90_000 }, async () => {
  const ns = await cluster.createNamespace('detach');
  const spec = specFor(ns);
  const ac = new AbortController();
  const reasons: unknown[] = [];
  const run = launch(spec, { template: template(HOLD), signal: ac.signal, leaveJobOnAbort: (r) => (reasons.push(r), true) });
  const pod = await runningPod(ns, jobNameFor(spec));
  const shutdown = new Error('WORKER_SHUTDOWN');
  ac.abort(shutdown);
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof TransientError, String(err));
    assert.equal(err.code, 'K8S_DETACHED');
    assert.equal(err.retryable, true);
    return true;
  });
  assert.deepEqual(reasons, [shutdown], 'asked with the abort reason');
  const still = await core.readNamespacedPod({ namespace: ns, name: pod.metadata!.name! });
  assert.equal(still.metadata!.deletionTimestamp, undefined, 'the pod was not deleted');
  assert.equal(still.status!.phase, 'Running');
  const next = launch({ ...spec, attempt: 2, inputUri: storeDir() }, { template: template(HOLD) });
  await new Promise((r) => setTimeout(r, 500));
  writeFileSync(new URL(`${spec.inputUri}/result.json`), '{}');
  await exitPod(ns, pod.metadata!.name!, '0');
  assert.equal((await next).how, 'adopted');
});

test("a later run of the same workflow never attaches to or adopts an earlier run's Job (activity ids restart in every run)", { timeout: 90_000 }, async () => {
  const ns = await cluster.createNamespace('runs');
  const runA = specFor(ns);
  void launch(runA, { template: template(HOLD) });
  const podA = await runningPod(ns, jobNameFor(runA));
  // the same workflow id, activity id and attempt in the next run (continue-as-new)
  const runB = { ...runA, runId: 'run-b', inputUri: storeDir() };
  const b1 = launch(runB, { template: template(HOLD) });
  const nameB = jobNameFor(runB);
  assert.notEqual(nameB, jobNameFor(runA));
  const podB = await runningPod(ns, nameB);
  // attempt 2 of run B adopts run B's attempt-1 Job, not run A's (which is newer in nothing but equally alive)
  const b2 = launch({ ...runB, attempt: 2, inputUri: storeDir() }, { template: template(HOLD) });
  await new Promise((r) => setTimeout(r, 500));
  writeFileSync(new URL(`${runB.inputUri}/result.json`), '{"run":"b"}');
  await exitPod(ns, podB.metadata!.name!, '0');
  const [r1, r2] = await Promise.all([b1, b2]);
  assert.equal(r1.how, 'created');
  assert.equal(r2.how, 'adopted');
  assert.equal(r2.jobName, nameB);
  assert.equal(r2.ioUri, runB.inputUri);
  const a = await core.readNamespacedPod({ namespace: ns, name: podA.metadata!.name! });
  assert.equal(a.status!.phase, 'Running', "run A's Job is untouched");
});

test('least privilege: the launcher works under the Role alone, and the ServiceAccount can do nothing else', { timeout: 120_000 }, async () => {
  const ns = await cluster.createNamespace('rbac');
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'spnas-worker' } } });
  await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'spnas-launcher' }, rules: [...LAUNCHER_ROLE_RULES] } });
  await rbac.createNamespacedRoleBinding({ namespace: ns, body: {
    metadata: { name: 'spnas-launcher' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'spnas-launcher' },
    subjects: [{ kind: 'ServiceAccount', name: 'spnas-worker', namespace: ns }],
  } });
  const sa = `system:serviceaccount:${ns}:spnas-worker`;

  // The whole launch (create, watch, log, heartbeat, cancel-delete) with the ServiceAccount's own token.
  const saApi = new KubeApi(await cluster.serviceAccountConfig(ns, 'spnas-worker'));
  const spec = specFor(ns);
  const lines: string[] = [];
  const run = launch(spec, { api: saApi, template: template(HOLD), onLog: (l, i) => i.source === 'pod' && lines.push(l) });
  const pod = await runningPod(ns, jobNameFor(spec));
  (await cluster.podLog(ns, pod.metadata!.name!))('hello from the pod');
  await waitFor('a log line through pods/log', async () => lines.length > 0, 30_000);
  writeFileSync(new URL(`${spec.inputUri}/result.json`), '{}');
  await exitPod(ns, pod.metadata!.name!, '0');
  assert.equal((await run).how, 'created');
  const ac = new AbortController();
  const cancelled = launch(specFor(ns), { api: saApi, template: template(HOLD), signal: ac.signal, adoptEarlierAttempts: true });
  await waitFor('the second Job', async () => (await jobsAndPods(ns)).pods.length >= 2);
  ac.abort();
  await assert.rejects(cancelled, CancelledError);

  const can = async (...args: string[]) => (await cluster.kubectl(['auth', 'can-i', ...args, `--as=${sa}`])).stdout.trim();
  for (const v of ['create', 'get', 'list', 'watch', 'delete']) assert.equal(await can(v, 'jobs.batch', '-n', ns), 'yes', `${v} jobs`);
  for (const v of ['get', 'list', 'watch']) assert.equal(await can(v, 'pods', '-n', ns), 'yes', `${v} pods`);
  assert.equal(await can('get', 'pods', '--subresource=log', '-n', ns), 'yes');
  const denied: string[][] = [
    ['update', 'jobs.batch'], ['patch', 'jobs.batch'], ['deletecollection', 'jobs.batch'], ['update', 'jobs.batch', '--subresource=status'],
    ['create', 'pods'], ['delete', 'pods'], ['patch', 'pods'], ['create', 'pods', '--subresource=exec'], ['create', 'pods', '--subresource=eviction'],
    ['get', 'secrets'], ['list', 'configmaps'], ['create', 'cronjobs.batch'], ['create', 'deployments.apps'], ['create', 'roles.rbac.authorization.k8s.io'],
  ];
  for (const d of denied) assert.equal(await can(...d, '-n', ns), 'no', d.join(' '));
  assert.equal(await can('create', 'jobs.batch', '-n', 'default'), 'no', 'no rights outside its namespace');
  assert.equal(await can('list', 'nodes'), 'no');
  // The full list, as the API server computes it, holds exactly the Role's rules plus the
  // self-review and discovery rights every authenticated user has.
  const list = (await cluster.kubectl(['auth', 'can-i', '--list', '-n', ns, `--as=${sa}`])).stdout;
  const rows = list.split('\n').slice(1).filter((r) => r.trim() !== '').map((r) => r.trim().split(/\s+/)[0]!);
  const expected = new Set(['jobs.batch', 'pods', 'pods/log', 'selfsubjectreviews.authentication.k8s.io', 'selfsubjectaccessreviews.authorization.k8s.io', 'selfsubjectrulesreviews.authorization.k8s.io', '']);
  for (const r of rows) assert.ok(expected.has(r) || r.startsWith('['), `unexpected permission row: ${r}\n${list}`);
});

test('an API server that cannot be reached: a retryable TransientError, after a few retries', { timeout: 60_000 }, async () => {
  const dead = new KubeConfig();
  dead.loadFromOptions({
    clusters: [{ name: 'dead', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'dead', cluster: 'dead', user: 'u' }],
    currentContext: 'dead',
  });
  await assert.rejects(launch(specFor('spnas'), { api: new KubeApi(dead), template: template(HOLD) }), (err: unknown) => {
    assert.ok(err instanceof TransientError, String(err));
    assert.equal(err.code, 'K8S_UNAVAILABLE');
    assert.equal(err.retryable, true);
    return true;
  });
});
