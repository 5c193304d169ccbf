/**
 * SIGTERM, eviction and resume, with the real engine in the Jobs' containers: a control plane with
 * kwok nodes, the k8s-job executor, and test/support/pod-runtime.ts as the kubelet's container
 * runtime (it runs each pod's `spnas run-activity` locally and sends it SIGTERM when its pod is being
 * deleted, as a kubelet does). A small architecture search is stopped mid-run:
 *
 *  - by an eviction (as in a node drain; preemption and the taint manager mark pods the same way):
 *    the pod failure policy replaces the pod inside the Job and the new pod resumes from the
 *    checkpoint the old one saved on SIGTERM: the attempt succeeds;
 *  - by a plain pod deletion (no DisruptionTarget): the container's TERMINATED error fails the
 *    attempt retryably, and the retry's new Job resumes from that checkpoint.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { K8sJobExecutor } from '../../activities/k8s-job-executor';
import type { ExecutionRequest } from '../../activities/executor';
import { defaultJobTemplate, JobFailedError, KubeApi } from '../../src/k8s';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { LocalStore } from '../../src/storage/local-store';
import type { SearchInput, SearchOutput } from '../../src/usecases';
import { CIFAR_DIR } from '../data/fixtures';
import { startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { POD_GRACEFUL, POD_HOLD } from '../support/kwok-stages';
import { podRuntime } from '../support/pod-runtime';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

let cluster: KubeCluster;
let kc: KubeConfig;
let core: CoreV1Api;

before(async () => {
  cluster = await startKubeCluster();
  kc = cluster.adminConfig();
  core = kc.makeApiClient(CoreV1Api);
}, { timeout: 120_000 });
after(async () => {
  await cluster?.stop();
});

const EVERY = 2;
/** 256 training images at batch 32: 8 steps an epoch, 24 in all; a checkpoint every 2 steps. */
function searchInput(out: string): SearchInput {
  return {
    space: 'cifar-tiny',
    data: { uri: path.join(CIFAR_DIR, 'train-000000.tar'), limit: 320, valCount: 64 },
    config: { epochs: 3, warmupEpochs: 1, batchSize: 32, checkpointEvery: EVERY, runtimeLoss: { lambda: 2 } },
    out,
  };
}

function executor(namespace: string): K8sJobExecutor {
  const template = defaultJobTemplate();
  // the runtime plays the container: its pods wait for the process's exit code, also when they are stopped
  template.spec!.template.metadata = { annotations: { [POD_HOLD]: 'true', [POD_GRACEFUL]: 'true' } };
  return new K8sJobExecutor({ namespace, api: new KubeApi(kc), template, image: 'spnas:test' });
}

function request(input: SearchInput, attempt: number, workflowId: string): ExecutionRequest {
  return {
    name: 'searchArchitecture',
    input,
    resources: { cpu: '1', memory: '2Gi', gpu: 0 },
    ioUri: pathToFileURL(tempDir(`spnas-io-a${attempt}-`)).href,
    timeoutSeconds: 900,
    labels: {},
    identity: { workflowId, runId: 'run-1', activityId: '1', attempt },
  };
}

const latestStep = async (out: string) => (await new CheckpointStore(new LocalStore(out), 'checkpoints').latest().catch(() => null))?.step;


/** The running pod of the namespace once the search in it has committed a checkpoint. */
async function podAfterFirstCheckpoint(namespace: string, out: string): Promise<{ pod: V1Pod; step: number }> {
  const step = await waitFor('the first checkpoint', () => latestStep(out), 240_000);
  const pods = (await core.listNamespacedPod({ namespace })).items.filter((p) => p.status?.phase === 'Running');
  assert.equal(pods.length, 1, 'one pod computing');
  return { pod: pods[0]!, step };
}

test("an evicted pod stops on SIGTERM with a checkpoint; the Job replaces it and the new pod resumes from that checkpoint", { timeout: 600_000 }, async () => {
  const ns = await cluster.createNamespace('evict-resume');
  const runtime = podRuntime(cluster, kc, ns);
  try {
    const out = tempDir('spnas-search-');
    const run = executor(ns).run(request(searchInput(out), 1, 'evict'), {}) as Promise<SearchOutput>;
    const { pod } = await podAfterFirstCheckpoint(ns, out);
    await core.createNamespacedPodEviction({ namespace: ns, name: pod.metadata!.name!, body: { metadata: { name: pod.metadata!.name!, namespace: ns } } });
    const result = await run;

    assert.equal(runtime.ran.length, 2, 'the evicted pod, then its replacement');
    const [stopped, replacement] = runtime.ran;
    assert.equal(stopped!.pod, pod.metadata!.name);
    assert.equal(stopped!.sigterm, true);
    assert.equal(stopped!.code, 143, `exit 143 (TERMINATED): ${stopped!.output.slice(-3).join(' | ')}`);
    const savedAt = Number(/cancelled at step (\d+); checkpoint saved/.exec(stopped!.output.join('\n'))?.[1]);
    assert.ok(savedAt > 0 && savedAt < 24, `the stopped pod saved a checkpoint mid-search: ${stopped!.output.slice(-3).join(' | ')}`);
    assert.equal(replacement!.code, 0);
    assert.equal(result.resumedFromStep, savedAt, 'the replacement resumed from the checkpoint saved on SIGTERM');
    assert.equal(result.steps, 24);
    const jobs = (await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns })).items;
    assert.equal(jobs.length, 1, 'one Job: the disruption was handled inside it');
  } finally {
    await runtime.stop();
  }
});

test('a container stopped by SIGTERM without a disruption fails its attempt retryably (TERMINATED); the retry resumes from its checkpoint', { timeout: 600_000 }, async () => {
  const ns = await cluster.createNamespace('sigterm-resume');
  const runtime = podRuntime(cluster, kc, ns);
  try {
    const out = tempDir('spnas-search-');
    const ex = executor(ns);
    const first = ex.run(request(searchInput(out), 1, 'sigterm'), {});
    const { pod } = await podAfterFirstCheckpoint(ns, out);
    const del = await cluster.kubectl(['delete', 'pod', '-n', ns, pod.metadata!.name!, '--wait=false']);
    assert.equal(del.code, 0, del.stderr);
    await assert.rejects(first, (err: unknown) => {
      assert.ok(err instanceof JobFailedError, String(err));
      assert.equal(err.code, 'TERMINATED');
      assert.equal(err.retryable, true, 'Temporal retries it');
      assert.match(err.message, /checkpoint saved/);
      return true;
    });
    const stoppedAt = await latestStep(out);
    assert.ok(stoppedAt !== undefined && stoppedAt > 0 && stoppedAt < 24, `a checkpoint mid-search (step ${stoppedAt})`);
    // the retry: attempt 2, its own Job (attempt 1's failed: never adopted)
    const result = (await ex.run(request(searchInput(out), 2, 'sigterm'), {})) as SearchOutput;
    assert.equal(result.resumedFromStep, stoppedAt, 'resumed from the checkpoint saved on SIGTERM');
    assert.equal(result.steps, 24);
    assert.deepEqual(runtime.ran.map((r) => [r.sigterm, r.code]), [[true, 143], [false, 0]]);
  } finally {
    await runtime.stop();
  }
});
