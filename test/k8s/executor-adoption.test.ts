/**
 * Adoption through the k8s-job executor after a worker crash: attempt 1 runs in a worker process
 * that is SIGKILLed (no cleanup runs, its Job keeps running); attempt 2, with its own I/O prefix,
 * adopts that Job and must return what the adopted Job's container wrote in the Job's own prefix
 * (annotation spnas.dev/input-uri), not look in attempt 2's. (activity-lifecycle.test.ts shows the
 * same after a graceful worker shutdown, through Temporal.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ExecutionRequest } from '../../activities/executor';
import { K8sJobExecutor } from '../../activities/k8s-job-executor';
import { defaultJobTemplate, KubeApi } from '../../src/k8s';
import { startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { POD_EXIT, POD_HOLD } from '../support/kwok-stages';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

let cluster: KubeCluster;
let kc: KubeConfig;
before(async () => {
  cluster = await startKubeCluster();
  kc = cluster.adminConfig();
}, { timeout: 120_000 });
after(async () => {
  await cluster?.stop();
});

const request = (attempt: number): ExecutionRequest => ({
  name: 'evaluateModel',
  input: { model: 'played-by-the-test' },
  resources: { cpu: '100m', memory: '64Mi', gpu: 0 },
  ioUri: pathToFileURL(tempDir(`spnas-io-a${attempt}-`)).href,
  timeoutSeconds: 600,
  labels: {},
  identity: { workflowId: 'wf-crash', runId: 'run-1', activityId: '1', attempt },
});

test("after a worker crash, attempt 2 adopts attempt 1's running Job and returns the result that Job wrote in its own prefix", { timeout: 180_000 }, async () => {
  const ns = await cluster.createNamespace('adopt');
  const template = defaultJobTemplate();
  template.spec!.template.metadata = { annotations: { [POD_HOLD]: 'true' } };
  const first = request(1);
  const dir = tempDir('spnas-child-');
  writeFileSync(join(dir, 'request.json'), JSON.stringify(first));
  writeFileSync(join(dir, 'template.json'), JSON.stringify(template));
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'executor-child.ts'), cluster.kubeconfigPath, ns, join(dir, 'request.json'), join(dir, 'template.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const core = kc.makeApiClient(CoreV1Api);
  const pod = await waitFor(
    'attempt 1 running',
    async () => {
      if (child.exitCode !== null) throw new Error(`the worker process exited early: ${out}`);
      return (await core.listNamespacedPod({ namespace: ns })).items.find((p) => p.status?.phase === 'Running');
    },
    90_000,
  );
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;

  const notes: string[] = [];
  const second = new K8sJobExecutor({ namespace: ns, api: new KubeApi(kc), template }).run(request(2), { log: (l) => notes.push(l) });
  await waitFor('attempt 2 to adopt the Job', async () => notes.some((n) => n.startsWith('adopted Job')), 30_000);
  // the adopted Job's container writes where its Job says: attempt 1's prefix
  writeFileSync(new URL(`${first.ioUri}/result.json`), '{"from":"attempt 1"}');
  const r = await cluster.kubectl(['annotate', 'pod', '-n', ns, pod.metadata!.name!, `${POD_EXIT}=0`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await second, { from: 'attempt 1' });
});
