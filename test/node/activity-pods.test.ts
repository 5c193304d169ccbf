/**
 * Heavy activities as real pods: the compute worker's k8s-job executor (activities/k8s-job-executor.ts
 * and src/k8s, unchanged) launches `spnas run-activity trainModel` as a Job; a real kubelet runs it as a
 * pod of the spnas image. What test/k8s/disruption.test.ts shows with kwok and a stand-in runtime, here
 * with the kubelet's own SIGTERM, grace period and pod status.
 *
 * The store is S3 (gofakes3 on the test host, reached by the pods through their bridge's gateway;
 * credentials from a Secret, as the chart does): a pod reads and writes the store over the network in
 * production too; a hostPath file:// store would skip that path. Temporal owns retries: a retry is the
 * same request with the next attempt number, which is what these tests send after a retryable failure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ExecutionRequest } from '../../activities/executor';
import { K8sJobExecutor } from '../../activities/k8s-job-executor';
import { JobFailedError, KubeApi } from '../../src/k8s';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { openStore } from '../../src/storage/open-store';
import { readJson } from '../../src/storage/json-store';
import type { TrainOutput } from '../../src/usecases/train-model';
import { CIFAR_DIR } from '../data/fixtures';
import { startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { startRealNode, type RealNode } from '../support/real-node';
import { createS3Secret, realNodeJobTemplate, recordPods, waitForPod } from '../support/real-node-pods';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { waitFor } from '../support/wait-for';

const ARCH = 'k3e3,skip,k5e6+se,skip,k3e6';
/** 256 training images at batch 32: 8 steps an epoch; a checkpoint every 4 steps. */
const STEPS = 160;
let cluster: KubeCluster;
let node: RealNode;
let s3: S3TestServer;
let kc: KubeConfig;
let core: CoreV1Api;
let podEnv: Record<string, string>;
let dataUri: string;

before(async () => {
  [cluster, s3] = await Promise.all([startKubeCluster(), startS3Server()]);
  node = await startRealNode(cluster);
  kc = cluster.adminConfig();
  core = kc.makeApiClient(CoreV1Api);
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
    identity: { workflowId: `wf-${id}`, runId: 'run-1', activityId: '7', attempt },
  };
}

async function setUp(prefix: string): Promise<{ ns: string; executor: K8sJobExecutor; lines: string[] }> {
  const ns = await cluster.createNamespace(prefix);
  await createS3Secret(kc, ns, podEnv);
  const executor = new K8sJobExecutor({ namespace: ns, api: new KubeApi(kc), template: realNodeJobTemplate(node), image: node.image.name });
  return { ns, executor, lines: [] };
}

/** A pod of the namespace whose main container runs. */
async function runningPod(ns: string, except: string[] = []): Promise<string> {
  const p = await waitForPod(kc, ns, 'a running pod', (ps) =>
    ps.find((x) => !except.includes(x.metadata!.name!) && x.status?.containerStatuses?.[0]?.state?.running),
  );
  return p.metadata!.name!;
}

const latestCheckpoint = async (run: string) =>
  (await new CheckpointStore(openStore(`s3://${s3.bucket}/runs/${run}`), 'checkpoints').latest().catch(() => null))?.step;
/** Waits until the run has committed a checkpoint at or after `step`. */
const checkpointAtLeast = (run: string, step: number) =>
  waitFor(`a checkpoint of ${run} at step >= ${step}`, async () => ((await latestCheckpoint(run)) ?? -1) >= step, 300_000, 200);

test(
  'a run-activity Job runs as a real pod of the image: uid 10001, read-only root, tini as PID 1, log streamed, result.json read',
  { timeout: 600_000 },
  async () => {
    const { ns, executor, lines } = await setUp('pod');
    const run = executor.run(request('plain', 1, trainInput('plain', 3)), { log: (l) => lines.push(l) });
    const pod = await runningPod(ns);
    // The container's first process as the node's kernel sees it.
    const { pid } = await node.container(ns, pod);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const rootMount = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
      .split('\n')
      .find((l) => l.split(' ')[4] === '/');
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const childCmdlines = await waitFor(
      `PID 1 of the container (${cmdline.join(' ')}) to have started a child`,
      async () => {
        const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        return children.length > 0 && children.map((c) => readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '));
      },
      30_000,
    );
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
    const spec = (await core.readNamespacedPod({ namespace: ns, name: pod })).spec!;
    assert.equal(spec.nodeName, node.name);
    assert.equal(spec.containers[0]!.securityContext?.readOnlyRootFilesystem, true);
    // A Job container's `command` replaces the image's ENTRYPOINT: the Job builder spells it out, so
    // tini (forwards SIGTERM, reaps zombies) is PID 1 and node its child. It failed with command [spnas].
    assert.deepEqual(
      cmdline.slice(0, 6),
      ['/usr/bin/tini', '--', 'spnas', 'run-activity', 'trainModel', '--input'],
      `PID 1 of the container: ${cmdline.join(' ')}`,
    );
    assert.ok(
      childCmdlines.length === 1 && /^node \S*spnas run-activity trainModel --input /.test(childCmdlines[0]!),
      `node, tini's one child: ${JSON.stringify(childCmdlines)}`,
    );
  },
);

test(
  'a pod deleted mid-training: the kubelet SIGTERMs it, it checkpoints and exits 143, the attempt fails retryably, the retry resumes from that checkpoint',
  { timeout: 900_000 },
  async (t) => {
    const { ns, executor, lines } = await setUp('sigterm');
    const pods = await recordPods(kc, ns);
    try {
      const input = trainInput('sigterm', 20);
      const first = executor.run(request('sigterm', 1, input), { log: (l) => lines.push(l) });
      const pod = await runningPod(ns);
      await checkpointAtLeast('sigterm', 8);
      const deletedAt = Date.now();
      await core.deleteNamespacedPod({ namespace: ns, name: pod });
      const err = await first.then(
        () => undefined,
        (e: unknown) => e,
      );
      const saved = await latestCheckpoint('sigterm');
      const out = (await executor.run(request('sigterm', 2, input), { log: (l) => lines.push(l) })) as TrainOutput;

      const term = pods.last.get(pod)?.status?.containerStatuses?.[0]?.state?.terminated;
      t.diagnostic(
        `deleted after a checkpoint >= 8; the container stopped ${((Date.parse(String(term?.finishedAt)) - deletedAt) / 1000).toFixed(1)} s later, at step ${saved}`,
      );
      assert.equal(term?.exitCode, 143, `the container's exit after SIGTERM: ${JSON.stringify(term)}`);
      assert.ok(
        lines.some((l) => l.includes(`[${pod}]`) && /SIGTERM: stopping after the current step/.test(l)),
        `the container got SIGTERM:\n${lines.join('\n')}`,
      );
      assert.ok(err instanceof JobFailedError, `attempt 1 failed with a typed error: ${String(err)}`);
      assert.equal(err.code, 'TERMINATED', err.message);
      assert.equal(err.retryable, true, 'Temporal retries it');
      assert.ok(saved !== undefined && saved >= 8 && saved < STEPS, `a checkpoint mid-training (step ${saved})`);
      assert.equal(out.resumedFromStep, saved, 'the retry resumed from the checkpoint saved on SIGTERM');
      assert.equal(out.steps, STEPS);
    } finally {
      pods.stop();
    }
  },
);

test(
  'eviction through the API (policy/v1): the kubelet stops the pod with DisruptionTarget kept, the Job replaces it, the new pod resumes from the checkpoint',
  { timeout: 900_000 },
  async (t) => {
    const { ns, executor, lines } = await setUp('evict');
    const pods = await recordPods(kc, ns);
    try {
      const run = executor.run(request('evict', 1, trainInput('evict', 20)), { log: (l) => lines.push(l) });
      const pod = await runningPod(ns);
      await checkpointAtLeast('evict', 8);
      const evictedAt = Date.now();
      await core.createNamespacedPodEviction({
        namespace: ns,
        name: pod,
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns } },
      });
      // Before the replacement can write: the evicted container has stopped and released the run.
      await waitFor('the evicted container to stop', async () => pods.last.get(pod)?.status?.containerStatuses?.[0]?.state?.terminated, 300_000, 200);
      const saved = await latestCheckpoint('evict');
      const replacement = await runningPod(ns, [pod]);
      const out = (await run) as TrainOutput;

      // The evicted pod's last state, as the kubelet left it for the Job controller's pod failure policy.
      const last = pods.last.get(pod)!;
      const term = last.status?.containerStatuses?.[0]?.state?.terminated;
      const disruption = last.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
      assert.equal(last.status?.phase, 'Failed');
      // 143, not 137: it stopped within the grace period, before the kubelet's SIGKILL (the time is a diagnostic only).
      assert.equal(term?.exitCode, 143, `exit after SIGTERM: ${JSON.stringify(term)}`);
      assert.equal(disruption?.status, 'True');
      assert.equal(disruption?.reason, 'EvictionByEvictionAPI');
      const stopSeconds = (Date.parse(String(term!.finishedAt)) - evictedAt) / 1000;
      const grace = last.spec?.terminationGracePeriodSeconds ?? 30;
      t.diagnostic(`evicted; the container stopped ${stopSeconds.toFixed(1)} s later at step ${saved} (grace period ${grace} s)`);

      assert.deepEqual(pods.names, [pod, replacement], 'the evicted pod, then its replacement in the same Job');
      assert.equal((await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns })).items.length, 1, 'one Job: the disruption was handled inside it');
      assert.ok(saved !== undefined && saved >= 8 && saved < STEPS, `a checkpoint mid-training (step ${saved})`);
      assert.equal(out.resumedFromStep, saved, 'the replacement resumed from the checkpoint the evicted pod saved on SIGTERM');
      assert.equal(out.steps, STEPS);
    } finally {
      pods.stop();
    }
  },
);
