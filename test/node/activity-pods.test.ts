/**
 * Heavy activities as real pods: the compute worker's k8s-job executor (activities/k8s-job-executor.ts
 * and src/k8s, unchanged) launches `spnas run-activity trainModel` as a Job; a real kubelet runs it as a
 * pod of the spnas image. The store is S3 (gofakes3 on the test host, reached by the pods through
 * their bridge's gateway; credentials from a Secret as the chart does), because a pod reads and writes
 * the store over the network in production too; a hostPath file:// store would skip that path.
 *
 * Temporal owns retries: a retry is the same request with the next attempt number, which is what these
 * tests send after a failure, asserting first that the failure is one Temporal would retry.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ExecutionRequest } from '../../activities/executor';
import { K8sJobExecutor } from '../../activities/k8s-job-executor';
import { KubeApi } from '../../src/k8s';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { openStore } from '../../src/storage/open-store';
import { readJson } from '../../src/usecases/json-store';
import type { TrainOutput } from '../../src/usecases/train-model';
import { SpnasError } from '../../src/errors';
import { CIFAR_DIR } from '../data/fixtures';
import { startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { startRealNode, type RealNode } from '../support/real-node';
import { createS3Secret, realNodeJobTemplate, waitForPod } from '../support/real-node-pods';
import { startS3Server, type S3TestServer } from '../support/s3-server';

const ARCH = 'k3e3,skip,k5e6+se,skip,k3e6';
let cluster: KubeCluster;
let node: RealNode;
let s3: S3TestServer;
let kc: KubeConfig;
let podEnv: Record<string, string>;
let dataUri: string;

before(async () => {
  [cluster, s3] = await Promise.all([startKubeCluster(), startS3Server()]);
  node = await startRealNode(cluster);
  kc = cluster.adminConfig();
  // The launcher (this process) reaches S3 on loopback; the pods through the bridge.
  Object.assign(process.env, s3.env);
  podEnv = { ...s3.env, AWS_ENDPOINT_URL_S3: `http://${node.hostIp}:${await node.expose(s3.port)}` };
  dataUri = `s3://${s3.bucket}/data/train-000000.tar`;
  await openStore(`s3://${s3.bucket}/data`).put('train-000000.tar', readFileSync(`${CIFAR_DIR}/train-000000.tar`));
});
after(async () => {
  await node?.stop();
  await cluster?.stop();
  await s3?.stop();
});

function trainInput(run: string, epochs: number) {
  return {
    space: 'cifar-tiny',
    architecture: ARCH,
    data: { uri: dataUri, limit: 320, valCount: 64 },
    config: { epochs, batchSize: 32, checkpointEvery: 4 },
    out: `s3://${s3.bucket}/runs/${run}`,
    measureLatency: false,
  };
}

function request(id: string, attempt: number, input: unknown): ExecutionRequest {
  return {
    name: 'trainModel',
    input,
    resources: { cpu: '1', memory: '2Gi', gpu: 0 },
    ioUri: `s3://${s3.bucket}/io/${id}/attempt-${attempt}`,
    timeoutSeconds: 900,
    labels: { 'spnas.dev/study': id },
    identity: { workflowId: `wf-${id}`, activityId: '7', attempt },
  };
}

async function setUp(prefix: string): Promise<{ ns: string; executor: K8sJobExecutor; lines: string[] }> {
  const ns = await cluster.createNamespace(prefix);
  await createS3Secret(kc, ns, podEnv);
  const executor = new K8sJobExecutor({ namespace: ns, api: new KubeApi(kc), template: realNodeJobTemplate(node), image: node.image.name });
  return { ns, executor, lines: [] };
}

/** The running pod of an attempt's Job. */
async function runningPod(ns: string, attempt: number): Promise<string> {
  const p = await waitForPod(kc, ns, `attempt ${attempt}'s pod running`, (ps) =>
    ps.find((x) => x.metadata?.labels?.['spnas.dev/attempt'] === String(attempt) && x.status?.containerStatuses?.[0]?.state?.running),
  );
  return p.metadata!.name!;
}

/** Waits until the container has written a checkpoint at or after `step` (run-activity's progress.json). */
async function checkpointAtLeast(ioUri: string, step: number): Promise<number> {
  const io = openStore(ioUri);
  for (;;) {
    const p = (await readJson(io, 'progress.json').catch(() => undefined)) as { checkpoint?: { step: number } } | undefined;
    if (p?.checkpoint && p.checkpoint.step >= step) return p.checkpoint.step;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const latestCheckpoint = async (run: string) => (await new CheckpointStore(openStore(`s3://${s3.bucket}/runs/${run}`), 'checkpoints').latest())?.step;

test(
  'a run-activity Job runs as a real pod of the image: uid 10001, read-only root, tini as PID 1, log streamed, result.json read',
  { timeout: 600_000 },
  async () => {
    const { ns, executor, lines } = await setUp('pod');
    const run = executor.run(request('plain', 1, trainInput('plain', 3)), { log: (l) => lines.push(l) });
    const pod = await runningPod(ns, 1);
    // The container's first process as the node's kernel sees it.
    const { pid } = await node.container(ns, pod);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const rootMount = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
      .split('\n')
      .find((l) => l.split(' ')[4] === '/');
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const out = (await run) as TrainOutput;

    assert.match(status, /^Uid:\s+10001\s+10001\s+10001\s+10001$/m);
    assert.match(status, /^Gid:\s+10001\s+10001\s+10001\s+10001$/m);
    assert.match(status, /^CapEff:\s+0+$/m, 'no capabilities');
    assert.match(status, /^NoNewPrivs:\s+1$/m);
      assert.ok(rootMount?.split(' ')[5]?.split(',').includes('ro'), `root mounted read-only: ${rootMount}`);
    assert.ok(environ.includes('SPNAS_TF_BACKEND=cpu'));

    assert.equal(out.architecture, ARCH);
    assert.equal(out.steps, 24, '3 epochs of 256 training images at batch 32');
    assert.equal(out.resumedFromStep, 0);
    assert.ok(out.valCount === 64 && out.valTop1 >= 0 && out.valTop1 <= 1);
    assert.deepEqual(await readJson(openStore(request('plain', 1, null).ioUri), 'result.json'), out);
    assert.ok(
      lines.some((l) => l.includes(`[${pod}]`) && l.includes(`train: ${ARCH} on 256 images`)),
      `the pod's log reached the launcher:\n${lines.join('\n')}`,
    );

    const p = (await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace: ns, name: pod })).spec!;
    assert.equal(p.nodeName, node.name);
    assert.equal(p.containers[0]!.securityContext?.readOnlyRootFilesystem, true);
  // Last, as it fails today: the image's ENTRYPOINT is tini (forwards SIGTERM, reaps zombies), but a
  // Job container's `command` replaces the ENTRYPOINT, and the built-in template sets command [spnas].
  assert.deepEqual(cmdline.slice(0, 6), ['/usr/bin/tini', '--', 'spnas', 'run-activity', 'trainModel', '--input'], `PID 1 of the container: ${cmdline.join(' ')}`);
  },
);

test(
  'SIGTERM to the pod: the container checkpoints and exits, the failure is retryable, and the retry resumes from that checkpoint',
  { timeout: 900_000 },
  async () => {
    const { ns, executor, lines } = await setUp('sigterm');
    const input = trainInput('sigterm', 20);
    const first = executor.run(request('sigterm', 1, input), { log: (l) => lines.push(l) }).then(
      () => undefined,
      (err: unknown) => err,
    );
    const pod = await runningPod(ns, 1);
    const seen = await checkpointAtLeast(request('sigterm', 1, null).ioUri, 8);
    await node.signal(ns, pod, 'SIGTERM');
    const err = await first;
    const saved = await latestCheckpoint('sigterm');
    const term = (await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace: ns, name: pod })).status?.containerStatuses?.[0]?.state?.terminated;

    // The retry, as Temporal would send it; it must find the checkpoint the SIGTERM'd container saved.
    const out = (await executor.run(request('sigterm', 2, input), { log: (l) => lines.push(l) })) as TrainOutput;
    assert.ok(saved !== undefined && saved >= seen, `a checkpoint at or after step ${seen} (saved: ${saved})`);
    assert.ok(saved! < 160, 'stopped before the end of training');
    assert.equal(out.resumedFromStep, saved, 'the retry resumed from the checkpoint written on SIGTERM');
    assert.equal(out.steps, 160);
    assert.ok(
      lines.some((l) => /SIGTERM: stopping after the current step and saving a checkpoint/.test(l)),
      `the container reported SIGTERM:\n${lines.join('\n')}`,
    );
    assert.equal(term?.exitCode, 130, 'exit code 130 after a clean stop on SIGTERM');
    assert.ok(err instanceof SpnasError, `attempt 1 failed with a typed error: ${String(err)}`);
    assert.equal(err.retryable, true, `a SIGTERM'd pod is a retryable failure (Temporal must retry it), got ${err.code}: ${err.message}`);
  },
);

test(
  'eviction through the API (policy/v1): the pod checkpoints, the failure is a retryable disruption, and the retry resumes',
  { timeout: 900_000 },
  async () => {
    const { ns, executor, lines } = await setUp('evict');
    const input = trainInput('evict', 20);
    const first = executor.run(request('evict', 1, input), { log: (l) => lines.push(l) }).then(
      () => undefined,
      (err: unknown) => err,
    );
    const pod = await runningPod(ns, 1);
    const seen = await checkpointAtLeast(request('evict', 1, null).ioUri, 8);
    await kc.makeApiClient(CoreV1Api).createNamespacedPodEviction({
      namespace: ns,
      name: pod,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns } },
    });
    const err = await first;
    const saved = await latestCheckpoint('evict');
    const jobs1 = (await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns })).items;

    const out = (await executor.run(request('evict', 2, input), { log: (l) => lines.push(l) })) as TrainOutput;
    const jobs2 = (await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns })).items;
    assert.ok(saved !== undefined && saved >= seen && saved < 160, `a checkpoint between step ${seen} and the end (saved: ${saved})`);
    assert.equal(out.resumedFromStep, saved, 'the retry resumed from the checkpoint written when the kubelet stopped the evicted pod');
    assert.equal(out.steps, 160);
    assert.equal(jobs1.length, 1);
    assert.equal(
      jobs1[0]!.status?.conditions?.find((c) => c.type === 'Failed')?.status,
      'True',
      "the evicted attempt's Job failed (backoffLimit 0), so the retry cannot adopt it",
    );
    assert.equal(jobs2.length, 2, 'the retry ran in a Job of its own');
    assert.ok(err instanceof SpnasError, `attempt 1 failed with a typed error: ${String(err)}`);
    assert.equal(err.code, 'K8S_POD_DISRUPTED', `an evicted pod is a disruption (${err.message})`);
    assert.equal(err.retryable, true);
  },
);
