/**
 * The failure table of docs/kubernetes.md, row by row, on Job and pod objects shaped as Kubernetes
 * 1.36 reports them. (The cluster tests produce several of these for real; node loss and preemption
 * need a kubelet and a scheduler under pressure, so they are checked here on their recorded shape.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { classifyJobFailure, classifyStuckPod, parseErrorDoc } from '../../src/k8s/job-failure';

const failedJob = (reason: string, message = ''): V1Job => ({
  metadata: { name: 'spnas-x-a1-0123456789' },
  spec: { template: {}, activeDeadlineSeconds: 60 },
  status: { conditions: [{ type: 'Failed', status: 'True', reason, message }] },
});

const pod = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'spnas-x-a1-0123456789-abcde' }, status });
const terminated = (exitCode: number, reason: string): V1Pod['status'] => ({
  phase: 'Failed',
  containerStatuses: [{ name: 'main', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason } } }],
});

function classify(job: V1Job, p: V1Pod | undefined, errorDoc: ReturnType<typeof parseErrorDoc> = null) {
  return classifyJobFailure({ job, pod: p, container: 'main', errorDoc });
}

test('non-retryable: OOMKilled names the memory limit', () => {
  const e = classify(failedJob('BackoffLimitExceeded'), pod(terminated(137, 'OOMKilled')));
  assert.equal(e.code, 'K8S_OOM_KILLED');
  assert.equal(e.retryable, false);
  assert.equal(e.reason, 'OOMKilled');
  assert.match(e.message, /memory/);
});

test('retryable: eviction, preemption, taint-manager and pod-GC deletions (DisruptionTarget)', () => {
  for (const reason of ['EvictionByEvictionAPI', 'PreemptionByScheduler', 'DeletionByTaintManager', 'DeletionByPodGC', 'TerminationByKubelet']) {
    const p = pod({ ...terminated(137, 'Error'), conditions: [{ type: 'DisruptionTarget', status: 'True', reason }] });
    const e = classify(failedJob('BackoffLimitExceeded'), p);
    assert.equal(e.code, 'K8S_POD_DISRUPTED', reason);
    assert.equal(e.retryable, true);
    assert.equal(e.reason, reason);
  }
});

test('retryable: node loss and kubelet eviction recorded as the pod reason; a pod that vanished', () => {
  for (const reason of ['NodeLost', 'Evicted', 'NodeShutdown']) {
    const e = classify(failedJob('BackoffLimitExceeded'), pod({ phase: 'Failed', reason }));
    assert.equal(e.retryable, true, reason);
    assert.equal(e.reason, reason);
  }
  const gone = classify(failedJob('BackoffLimitExceeded'), undefined);
  assert.equal(gone.code, 'K8S_POD_LOST');
  assert.equal(gone.retryable, true);
});

test('retryable: the deadline (activeDeadlineSeconds = start-to-close timeout)', () => {
  const e = classify(failedJob('DeadlineExceeded', 'Job was active longer than specified deadline'), undefined);
  assert.equal(e.code, 'K8S_DEADLINE_EXCEEDED');
  assert.equal(e.retryable, true);
});

test("the container's error.json decides over the exit code", () => {
  const doc = parseErrorDoc(Buffer.from(JSON.stringify({ code: 'NUMERICAL_ERROR', message: 'loss became NaN at step 40', retryable: false })));
  const e = classify(failedJob('BackoffLimitExceeded'), pod(terminated(1, 'Error')), doc);
  assert.equal(e.code, 'NUMERICAL_ERROR');
  assert.equal(e.retryable, false);
  assert.match(e.message, /NaN at step 40/);
  const transient = parseErrorDoc(Buffer.from(JSON.stringify({ code: 'TRANSIENT', message: 'S3 unreachable', retryable: true })));
  assert.equal(classify(failedJob('BackoffLimitExceeded'), pod(terminated(1, 'Error')), transient).retryable, true);
  // not the documented shape: ignored, the exit code decides
  assert.equal(parseErrorDoc(Buffer.from('{"code": 3}')), null);
  assert.equal(parseErrorDoc(Buffer.from('not json')), null);
});

test('a crash without error.json is retryable (Temporal bounds it), with the exit code in the message', () => {
  const e = classify(failedJob('BackoffLimitExceeded'), pod(terminated(139, 'Error')));
  assert.equal(e.code, 'K8S_CONTAINER_FAILED');
  assert.equal(e.retryable, true);
  assert.match(e.message, /139/);
});

test('stuck pods: image pull errors fail only after the grace period, an invalid image name at once', () => {
  const waiting = (reason: string): V1Pod => pod({ phase: 'Pending', containerStatuses: [{ name: 'main', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message: 'x' } } }] });
  const args = { jobName: 'j', container: 'main', waitingSinceMs: 0, graceMs: 60_000 };
  assert.equal(classifyStuckPod({ ...args, pod: waiting('ImagePullBackOff'), nowMs: 59_000 }), null);
  const late = classifyStuckPod({ ...args, pod: waiting('ImagePullBackOff'), nowMs: 61_000 });
  assert.equal(late?.code, 'K8S_IMAGE_PULL');
  assert.equal(late?.retryable, false);
  assert.equal(classifyStuckPod({ ...args, pod: waiting('InvalidImageName'), nowMs: 1 })?.code, 'K8S_IMAGE_PULL');
  assert.equal(classifyStuckPod({ ...args, pod: waiting('CreateContainerConfigError'), nowMs: 61_000 })?.code, 'K8S_CONTAINER_CONFIG');
  assert.equal(classifyStuckPod({ ...args, pod: waiting('ContainerCreating'), nowMs: 1e9 }), null, 'normal start-up is never stuck');
});

test('a container stopped by SIGTERM (error.json TERMINATED, or CANCELLED from older images) is retryable; the deadline and the disruption say why', () => {
  const doc = (code: string, retryable: boolean) => parseErrorDoc(Buffer.from(JSON.stringify({ code, message: 'cancelled at step 12; checkpoint saved, rerun to resume', retryable })));
  const disrupted = pod({ ...terminated(143, 'Error'), conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }] });
  for (const old of [doc('CANCELLED', false), doc('TERMINATED', true)]) {
    // preempted on a spot node: the disruption, retryable, with the container's checkpoint note
    const pre = classify(failedJob('PodFailurePolicy'), disrupted, old);
    assert.equal(pre.code, 'K8S_POD_DISRUPTED', old!.code);
    assert.equal(pre.retryable, true);
    assert.equal(pre.reason, 'PreemptionByScheduler');
    assert.match(pre.message, /checkpoint saved/);
    // the Job's deadline stopped it
    const late = classify(failedJob('DeadlineExceeded'), pod(terminated(143, 'Error')), old);
    assert.equal(late.code, 'K8S_DEADLINE_EXCEEDED', old!.code);
    assert.equal(late.retryable, true);
    // no condition says why (the pod was deleted by hand): still a stop, not the activity's failure
    const bare = classify(failedJob('PodFailurePolicy'), pod(terminated(143, 'Error')), old);
    assert.equal(bare.code, 'TERMINATED', old!.code);
    assert.equal(bare.retryable, true);
    assert.match(bare.message, /resumes from its checkpoint/);
  }
  // a typed failure that is not a stop keeps deciding, even on a disrupted pod: a retry would repeat it
  const nan = classify(failedJob('PodFailurePolicy'), disrupted, doc('NUMERICAL_ERROR', false));
  assert.equal(nan.code, 'NUMERICAL_ERROR');
  assert.equal(nan.retryable, false);
});
