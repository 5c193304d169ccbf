/**
 * The test control plane itself (test/support/kube-cluster.ts) and the chart tools the set-up builds:
 * the versions the clients see, the two kwok nodes, helm's idea of the Kubernetes version, kubeconform
 * schemas generated from this API server, and that stop() leaves no process behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { CPU_NODE, GPU_NODE, GPU_TAINT, startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { tempDir } from '../support/temp-dir';

let cluster: KubeCluster;

before(async () => {
  cluster = await startKubeCluster();
}, { timeout: 120_000 });

after(async () => {
  await cluster?.stop();
});


test('the servers and kubectl report v1.36.3 (not v0.0.0-master)', { timeout: 60_000 }, async () => {
  const r = await cluster.kubectl(['version', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string; minor: string } };
  assert.equal(v.clientVersion.gitVersion, 'v1.36.3');
  assert.equal(v.serverVersion.gitVersion, 'v1.36.3');
  assert.equal(v.serverVersion.minor, '36');
});

test('two Ready kwok nodes: the GPU node advertises nvidia.com/gpu and carries the GPU taint', { timeout: 60_000 }, async () => {
  const nodes = (await cluster.adminConfig().makeApiClient(CoreV1Api).listNode()).items;
  const byName = new Map(nodes.map((n) => [n.metadata!.name!, n]));
  const gpu = byName.get(GPU_NODE)!;
  const cpu = byName.get(CPU_NODE)!;
  for (const n of [gpu, cpu]) assert.ok(n.status!.conditions!.some((c) => c.type === 'Ready' && c.status === 'True'), n.metadata!.name);
  assert.equal(gpu.status!.allocatable!['nvidia.com/gpu'], '4');
  assert.equal(cpu.status!.allocatable!['nvidia.com/gpu'], undefined);
  assert.ok(gpu.spec!.taints!.some((t) => t.key === GPU_TAINT.key && t.effect === GPU_TAINT.effect));
});

test('helm is built for Kubernetes 1.36: .Capabilities.KubeVersion and the live cluster agree', { timeout: 60_000 }, async () => {
  const chart = tempDir('spnas-chart-');
  mkdirSync(join(chart, 'templates'));
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
  writeFileSync(join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\ndata: {kube: "{{ .Capabilities.KubeVersion.Version }}"}\n');
  const offline = await cluster.tool('helm', ['template', chart]);
  assert.equal(offline.code, 0, offline.out);
  assert.match(offline.out, /kube: "v1\.36\.0"/, 'built-in default (a plain build says v1.20.0)');
  const ns = await cluster.createNamespace('helm');
  const live = await cluster.tool('helm', ['install', 'probe', chart, '-n', ns, '--wait', '--timeout', '60s']);
  assert.equal(live.code, 0, live.out);
  const cm = await cluster.kubectl(['get', 'configmap', 'probe', '-n', ns, '-o', 'jsonpath={.data.kube}']);
  assert.equal(cm.stdout, 'v1.36.3', 'helm install reads the version from the server');
});

test("kubeconform validates against schemas generated from this API server's OpenAPI", { timeout: 300_000 }, async () => {
  const dir = await cluster.generateSchemas();
  const location = `${dir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
  const work = tempDir('spnas-kc-');
  const job = (extra: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: probe}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: spnas:test${extra}}]
`;
  writeFileSync(join(work, 'good.yaml'), job(''));
  writeFileSync(join(work, 'bad.yaml'), job(', imagePullPolicyy: Always'));
  const good = await cluster.tool('kubeconform', ['-strict', '-summary', '-schema-location', location, join(work, 'good.yaml')]);
  assert.equal(good.code, 0, good.out);
  assert.match(good.out, /Valid: 1/);
  const bad = await cluster.tool('kubeconform', ['-strict', '-summary', '-schema-location', location, join(work, 'bad.yaml')]);
  assert.notEqual(bad.code, 0, bad.out);
  assert.match(bad.out, /imagePullPolicyy/);
  // A second call reuses the cached schemas (same server version and API).
  assert.equal(await cluster.generateSchemas(), dir);
});

test('stop() ends every component by PID and removes the working directory', { timeout: 120_000 }, async () => {
  const second = await startKubeCluster();
  const pids = second.pids();
  assert.equal(pids.length, 5);
  await second.stop();
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `pid ${pid} still alive`);
});
