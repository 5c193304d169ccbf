/**
 * The Helm chart against the real control plane: every tested values file renders to objects that
 * kubeconform accepts with schemas generated from this API server (strict), the plain manifests in
 * k8s/ pass `kubectl apply --dry-run=server`, `helm install --wait` creates the expected objects and
 * they become available (kwok plays the kubelets), and the ServiceAccount may do exactly what the Job
 * launcher needs (`kubectl auth can-i --as`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import type { V1Job } from '@kubernetes/client-node';
import { buildActivityJob, parseActivityJobSpec, planActivityJob } from '../../src/k8s';
import { CHART, helm, helmBinary, jobTemplate, render, ROOT } from '../chart/helm';
import { tempDir } from '../support/temp-dir';

let cluster: KubeCluster;

before(async () => {
  cluster = await startKubeCluster();
}, { timeout: 120_000 });
after(async () => {
  await cluster?.stop();
});


const VALUES = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('.yaml')).sort();

test('every ci/ values file renders to objects valid against this API server\'s schemas (kubeconform -strict)', { timeout: 300_000 }, async () => {
  const location = `${await cluster.generateSchemas()}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
  const work = tempDir('spnas-chart-kc-');
  for (const v of VALUES) {
    const r = helm(['template', 'spnas', CHART, '-n', 'spnas', '-f', join(CHART, 'ci', v)]);
    assert.equal(r.status, 0, r.stderr);
    const file = join(work, v);
    writeFileSync(file, r.stdout);
    // CRDs of optional add-ons (KEDA, Prometheus operator) are not in a bare API server: skipped by kind
    const kc = await cluster.tool('kubeconform', ['-strict', '-summary', '-skip', 'ScaledObject,TriggerAuthentication,ServiceMonitor', '-schema-location', location, file]);
    assert.equal(kc.code, 0, `${v}: ${kc.out}`);
    assert.match(kc.out, /Invalid: 0, Errors: 0/, `${v}: ${kc.out}`);
  }
});

test("every ci/ values file's Job classes, filled by the launcher, are Jobs this API server accepts (pod failure policy, grace period, GPU limit)", { timeout: 120_000 }, async () => {
  const ns = await cluster.createNamespace('classes');
  for (const v of VALUES) {
    const objs = render([join(CHART, 'ci', v)]);
    const cm = objs.find((o) => o.kind === 'ConfigMap' && String(o.metadata.name).endsWith('-job-template'));
    if (!cm) continue; // nobody launches Jobs (compute workers with the local executor)
    for (const key of Object.keys(cm.data as object) as Array<'job.yaml' | 'gpu-job.yaml'>) {
      const gpu = key === 'gpu-job.yaml' ? 1 : 0;
      const plan = planActivityJob('resources.search', { cpu: '1', memory: '2Gi', gpu }, { cpu: jobTemplate(objs) as V1Job, ...(gpu ? { gpu: jobTemplate(objs, key) as V1Job } : {}) });
      const job = buildActivityJob(
        parseActivityJobSpec({ namespace: ns, workflowId: 'w', runId: 'r', activityId: '1', attempt: 1, activity: 'searchArchitecture', inputUri: 's3://b/p', startToCloseTimeoutMs: 60_000, resources: plan.resources, ...(plan.gpu ? { gpu: plan.gpu } : {}) }),
        plan.template,
      );
      const r = await cluster.kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: JSON.stringify(job) });
      assert.equal(r.code, 0, `${v} ${key}: ${r.stderr}`);
      const created = JSON.parse(r.stdout) as V1Job;
      assert.equal(created.spec!.podFailurePolicy!.rules[0]!.action, 'Ignore', `${v} ${key}`);
      assert.ok(created.spec!.template.spec!.terminationGracePeriodSeconds! >= 120, `${v} ${key}`);
    }
  }
});

test('k8s/spnas.yaml and k8s/spnas-gpu.yaml pass kubectl apply --dry-run=server', { timeout: 120_000 }, async () => {
  // a server-side dry run does not persist the Namespace the files start with: create it first
  const ns = await cluster.kubectl(['create', 'namespace', 'spnas']);
  assert.equal(ns.code, 0, ns.stderr);
  for (const f of ['spnas.yaml', 'spnas-gpu.yaml']) {
    const r = await cluster.kubectl(['apply', '--dry-run=server', '-f', join(ROOT, 'k8s', f)]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    assert.match(r.stdout, /deployment\.apps\/\S+ created \(server dry run\)/);
  }
});

test('helm install --wait: the objects exist and the Deployments become available; the ServiceAccount may do what the launcher needs, nothing more', { timeout: 300_000 }, async () => {
  const ns = await cluster.createNamespace('chart');
  const r = await cluster.tool(helmBinary(), ['install', 'spnas', CHART, '-n', ns, '-f', join(CHART, 'ci', 'default-values.yaml'), '--wait', '--timeout', '180s']);
  assert.equal(r.code, 0, r.out);
  const deployments = (await cluster.adminConfig().makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: ns })).items;
  assert.ok(deployments.length >= 1);
  for (const d of deployments) {
    assert.ok(d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True'), `${d.metadata!.name} available`);
    assert.equal(d.spec!.template.spec!.securityContext?.runAsNonRoot, true);
  }
  const objects = await cluster.kubectl(['get', 'serviceaccount,role,rolebinding,configmap', '-n', ns, '-o', 'name']);
  for (const kind of ['serviceaccount/', 'role.rbac.authorization.k8s.io/', 'rolebinding.rbac.authorization.k8s.io/', 'configmap/']) assert.ok(objects.stdout.includes(kind), `${kind} in ${objects.stdout}`);

  const sa = (await cluster.kubectl(['get', 'serviceaccount', '-n', ns, '-l', 'app.kubernetes.io/instance=spnas', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
  const can = async (verb: string, resource: string) => (await cluster.kubectl(['auth', 'can-i', verb, resource, '-n', ns, '--as', `system:serviceaccount:${ns}:${sa}`])).stdout.trim();
  for (const [verb, res] of [['create', 'jobs.batch'], ['get', 'jobs.batch'], ['list', 'jobs.batch'], ['watch', 'jobs.batch'], ['delete', 'jobs.batch'], ['get', 'pods'], ['list', 'pods'], ['watch', 'pods'], ['get', 'pods/log']] as const) {
    assert.equal(await can(verb, res), 'yes', `${verb} ${res}`);
  }
  for (const [verb, res] of [['update', 'jobs.batch'], ['create', 'pods'], ['delete', 'pods'], ['get', 'secrets'], ['list', 'secrets'], ['create', 'pods/exec'], ['create', 'deployments.apps'], ['get', 'configmaps']] as const) {
    assert.equal(await can(verb, res), 'no', `${verb} ${res}`);
  }
  const other = await cluster.kubectl(['auth', 'can-i', 'create', 'jobs.batch', '-n', 'default', '--as', `system:serviceaccount:${ns}:${sa}`]);
  assert.equal(other.stdout.trim(), 'no', 'only in its own namespace');
});
