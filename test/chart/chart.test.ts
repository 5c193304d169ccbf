/**
 * The Helm chart helm/spnas, with the real helm binary: lint and render every ci/ configuration, then
 * check what matters in the rendered objects (least-privilege RBAC, credentials only by Secret
 * reference, the pod security context everywhere, the Job template, GPU and KEDA settings), and that
 * bad values fail with a message naming the value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHART, KUBE_VERSION, envOf, find, get, helm, jobTemplate, podSpecs, render, tryRender, type Obj } from './helm';

const CI = join(CHART, 'ci');
const ciFiles = readdirSync(CI)
  .filter((f) => f.endsWith('-values.yaml'))
  .sort();
const ci = (name: string) => join(CI, `${name}-values.yaml`);
const SECRET_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'TEMPORAL_API_KEY'];

test('ci/ holds the four tested configurations', () => {
  assert.deepEqual(ciFiles, ['compute-workers-values.yaml', 'default-values.yaml', 'gpu-values.yaml', 'keda-servicemonitor-values.yaml']);
});

for (const file of ciFiles) {
  test(`helm lint --strict passes with ci/${file}`, () => {
    const r = helm(['lint', CHART, '--strict', '--kube-version', KUBE_VERSION, '-f', join(CI, file)]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test(`ci/${file}: every pod runs non-root, read-only, no capabilities, seccomp RuntimeDefault`, () => {
    const objs = render([join(CI, file)]);
    const pods = podSpecs(objs);
    assert.ok(pods.length >= 1);
    for (const { where, spec } of pods) {
      assert.equal(spec.securityContext.runAsNonRoot, true, where);
      assert.equal(spec.securityContext.runAsUser, 10001, where);
      assert.equal(spec.securityContext.seccompProfile.type, 'RuntimeDefault', where);
      const tmp = (spec.volumes as Obj[]).find((v) => v.name === 'tmp');
      assert.ok(tmp?.emptyDir, `${where}: /tmp is an emptyDir`);
      for (const c of spec.containers as Obj[]) {
        assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${where}/${c.name}`);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, `${where}/${c.name}`);
        assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], `${where}/${c.name}`);
        assert.ok(
          (c.volumeMounts as Obj[]).some((m) => m.name === 'tmp' && m.mountPath === '/tmp'),
          `${where}/${c.name} mounts /tmp`,
        );
      }
    }
  });

  test(`ci/${file}: credentials only as Secret references, never values`, () => {
    const objs = render([join(CI, file)]);
    assert.equal(find(objs, 'Secret'), undefined, 'the chart creates no Secret');
    for (const { where, spec } of podSpecs(objs)) {
      for (const c of spec.containers as Obj[]) {
        for (const name of SECRET_ENV) {
          const e = envOf(c).get(name);
          if (e) {
            assert.equal(e.value, undefined, `${where}: ${name} has a plain value`);
            assert.ok(e.valueFrom?.secretKeyRef?.name, `${where}: ${name} comes from a Secret`);
          }
        }
      }
    }
    const config = get(objs, 'ConfigMap', '-config').data as Record<string, string>;
    for (const k of Object.keys(config)) assert.ok(!SECRET_ENV.includes(k) && !/SECRET|PASSWORD|TOKEN/.test(k), `ConfigMap key ${k}`);
  });
}

test('defaults: one orchestration worker, role all, heavy activities as Jobs, least-privilege Role', () => {
  const objs = render([ci('default')]);
  const kinds = objs.map((o) => o.kind).sort();
  assert.deepEqual(kinds, ['ConfigMap', 'ConfigMap', 'Deployment', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
  for (const o of objs) assert.equal(o.metadata.namespace, 'spnas', `${o.kind}/${o.metadata.name} carries the namespace`);

  const orch = get(objs, 'Deployment', '-orchestrator');
  const pod = orch.spec.template.spec;
  const c = pod.containers[0];
  assert.deepEqual(c.args, ['worker', '--role', 'all']);
  assert.equal(envOf(c).get('SPNAS_EXECUTOR')?.value, 'k8s-job');
  assert.equal(pod.automountServiceAccountToken, true, 'the Job launcher needs its API token');
  assert.equal(c.envFrom[0].configMapRef.name, get(objs, 'ConfigMap', '-config').metadata.name);
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.deepEqual(
    (c.ports as Obj[]).map((p) => [p.name, p.containerPort]),
    [
      ['metrics', 9464],
      ['health', 8081],
    ],
  );
  assert.ok((c.volumeMounts as Obj[]).some((m) => m.mountPath === '/etc/spnas/job-template'));

  const config = get(objs, 'ConfigMap', '-config').data;
  assert.equal(config.TEMPORAL_ADDRESS, 'temporal-frontend.temporal.svc.cluster.local:7233');
  assert.equal(config.SPNAS_ORCHESTRATION_QUEUE, 'spnas-orchestration');
  assert.equal(config.SPNAS_COMPUTE_QUEUE, 'spnas-compute');
  assert.equal(config.SPNAS_K8S_NAMESPACE, 'spnas');
  assert.equal(config.SPNAS_JOB_TEMPLATE, '/etc/spnas/job-template/job.yaml');
  assert.equal(config.SPNAS_JOB_IMAGE, 'registry.example.com/spnas:0.1.0');
  assert.equal(config.SPNAS_JOB_GPU_TEMPLATE, undefined, 'no GPU Job class by default');
  // the orchestrator (role all, executor k8s-job) watches many Jobs, whatever its (absent) GPUs
  assert.equal(config.SPNAS_JOB_CONCURRENCY, '64');
  assert.equal(envOf(c).get('SPNAS_COMPUTE_CONCURRENCY'), undefined, 'in-process compute stays at 1');
  // activities get the pod's grace period minus a margin to checkpoint before the kill
  assert.equal(config.SPNAS_SHUTDOWN_GRACE_SECONDS, '50');
  assert.equal(pod.terminationGracePeriodSeconds, 60);
  assert.equal(config.SPNAS_JSON_LOGS, 'false');

  const role = get(objs, 'Role');
  assert.deepEqual(role.rules, [
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  ]);
  const binding = get(objs, 'RoleBinding');
  assert.equal(binding.roleRef.name, role.metadata.name);
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: get(objs, 'ServiceAccount').metadata.name, namespace: 'spnas' }]);
  assert.equal(pod.serviceAccountName, get(objs, 'ServiceAccount').metadata.name);

  const svc = get(objs, 'Service', '-metrics');
  assert.equal(svc.spec.ports[0].port, 9464);
  for (const [k, v] of Object.entries(svc.spec.selector as Record<string, string>))
    assert.equal(orch.spec.template.metadata.labels[k], v, `metrics Service selects the worker (${k})`);
});

test('the Job template: batch/v1, Temporal owns retries, no API token, the image entrypoint, CPU image, a grace period for a checkpoint', () => {
  const objs = render([ci('default')]);
  const job = jobTemplate(objs);
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.kind, 'Job');
  assert.equal(job.spec.backoffLimit, 0);
  assert.equal(job.spec.ttlSecondsAfterFinished, 3600);
  assert.deepEqual(Object.keys(get(objs, 'ConfigMap', '-job-template').data), ['job.yaml'], 'one class: CPU');
  const pod = job.spec.template.spec;
  assert.equal(pod.restartPolicy, 'Never');
  assert.equal(pod.terminationGracePeriodSeconds, 120);
  assert.equal(pod.automountServiceAccountToken, false);
  const main = pod.containers[0];
  assert.equal(main.name, 'main');
  assert.deepEqual(main.command, ['/usr/bin/tini', '--', 'spnas']);
  assert.equal(main.image, 'registry.example.com/spnas:0.1.0');
  assert.equal(main.resources.limits.memory, '8Gi');
  assert.equal(main.resources.limits['nvidia.com/gpu'], undefined);
  assert.equal(envOf(main).get('AWS_SECRET_ACCESS_KEY')?.valueFrom.secretKeyRef.name, 'spnas-s3');
  assert.equal(envOf(main).get('TEMPORAL_API_KEY'), undefined, 'activity pods do not talk to Temporal');
});

test('gpu: a GPU Job class (GPU image, pool, limit = the most a study may ask) beside the CPU one; TLS files mounted', () => {
  const objs = render([ci('gpu')]);
  const config = get(objs, 'ConfigMap', '-config').data;
  assert.equal(config.SPNAS_JOB_GPU_TEMPLATE, '/etc/spnas/job-template/gpu-job.yaml');
  assert.equal(config.SPNAS_JOB_GPU_IMAGE, 'registry.example.com/spnas:0.1.0-gpu');
  assert.equal(config.SPNAS_JOB_IMAGE, 'registry.example.com/spnas:0.1.0', 'CPU activities keep the CPU image');
  assert.equal(config.SPNAS_S3_FORCE_PATH_STYLE, 'true');

  const gpu = jobTemplate(objs, 'gpu-job.yaml').spec.template.spec;
  const main = gpu.containers[0];
  assert.equal(main.resources.limits['nvidia.com/gpu'], 1);
  assert.equal(main.resources.limits.memory, '16Gi');
  assert.equal(main.image, 'registry.example.com/spnas:0.1.0-gpu');
  assert.deepEqual(gpu.nodeSelector, { 'nvidia.com/gpu.present': 'true' });
  assert.deepEqual(gpu.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  assert.equal(gpu.priorityClassName, 'spnas-trials');
  assert.deepEqual(gpu.imagePullSecrets, [{ name: 'spnas-registry' }]);

  const cpu = jobTemplate(objs).spec.template.spec;
  assert.equal(cpu.containers[0].image, 'registry.example.com/spnas:0.1.0');
  assert.equal(cpu.containers[0].resources.limits['nvidia.com/gpu'], undefined);
  assert.equal(cpu.containers[0].resources.limits.memory, '8Gi');
  assert.equal(cpu.nodeSelector, undefined, 'CPU Jobs stay off the GPU pool');
  assert.equal(cpu.tolerations, undefined);
  assert.equal(cpu.priorityClassName, 'spnas-trials');

  const worker = get(objs, 'Deployment', '-orchestrator').spec.template.spec;
  const c = worker.containers[0];
  assert.equal(c.image, 'registry.example.com/spnas:0.1.0', 'the orchestrator needs no GPU image');
  assert.equal(c.resources.limits['nvidia.com/gpu'], undefined);
  assert.deepEqual(worker.volumes.find((v: Obj) => v.name === 'temporal-tls').secret.secretName, 'spnas-temporal-tls');
  assert.equal(envOf(c).get('TEMPORAL_TLS_CLIENT_CERT_PATH')?.value, '/etc/spnas/temporal-tls/tls.crt');
  assert.equal(envOf(c).get('TEMPORAL_TLS_CLIENT_KEY_PATH')?.value, '/etc/spnas/temporal-tls/tls.key');
  assert.equal(envOf(c).get('TEMPORAL_TLS_SERVER_CA_CERT_PATH')?.value, '/etc/spnas/temporal-tls/ca.crt');
});

test('compute workers with the local executor: orchestrator role orchestration, no Role, no API tokens, GPU workers', () => {
  const objs = render([ci('compute-workers')]);
  assert.equal(find(objs, 'Role'), undefined, 'nobody launches Jobs: no RBAC');
  assert.equal(find(objs, 'RoleBinding'), undefined);
  assert.equal(find(objs, 'ConfigMap', '-job-template'), undefined);
  assert.equal(get(objs, 'ConfigMap', '-config').data.SPNAS_JOB_TEMPLATE, undefined);
  const orch = get(objs, 'Deployment', '-orchestrator');
  assert.equal(orch.spec.replicas, 2);
  assert.deepEqual(orch.spec.template.spec.containers[0].args, ['worker', '--role', 'orchestration']);
  const compute = get(objs, 'Deployment', '-compute');
  const pod = compute.spec.template.spec;
  const c = pod.containers[0];
  assert.deepEqual(c.args, ['worker', '--role', 'compute']);
  assert.equal(envOf(c).get('SPNAS_EXECUTOR')?.value, 'local');
  assert.equal(envOf(c).get('SPNAS_COMPUTE_CONCURRENCY')?.value, '1');
  assert.equal(c.image, 'registry.example.com/spnas:0.1.0-gpu');
  assert.equal(c.resources.limits['nvidia.com/gpu'], 1);
  assert.equal(pod.priorityClassName, 'spnas-trials');
  for (const d of [orch, compute]) assert.equal(d.spec.template.spec.automountServiceAccountToken, false, d.metadata.name);
  assert.deepEqual(compute.spec.selector.matchLabels['app.kubernetes.io/component'], 'compute');
  assert.notDeepEqual(compute.spec.selector.matchLabels, orch.spec.selector.matchLabels, 'the Deployments do not share pods');
});

test('keda + servicemonitor: ScaledObject on the compute queue backlog, TriggerAuthentication, ServiceMonitor', () => {
  const objs = render([ci('keda-servicemonitor')]);
  const compute = get(objs, 'Deployment', '-compute');
  assert.equal(compute.spec.replicas, undefined, 'KEDA owns the replica count');
  assert.equal(compute.spec.template.spec.automountServiceAccountToken, true, 'these compute workers launch Jobs');
  assert.equal(get(objs, 'ConfigMap', '-config').data.SPNAS_JOB_CONCURRENCY, '64', 'and watch many at once');
  assert.equal(get(objs, 'Deployment', '-orchestrator').spec.template.spec.automountServiceAccountToken, false);
  assert.ok(find(objs, 'Role'));

  const so = get(objs, 'ScaledObject');
  assert.equal(so.apiVersion, 'keda.sh/v1alpha1');
  assert.equal(so.spec.scaleTargetRef.name, compute.metadata.name);
  assert.equal(so.spec.minReplicaCount, 0);
  assert.equal(so.spec.maxReplicaCount, 8);
  const trigger = so.spec.triggers[0];
  assert.equal(trigger.type, 'temporal');
  assert.deepEqual(trigger.metadata, {
    endpoint: 'spnas.a1b2c.tmprl.cloud:7233',
    namespace: 'spnas.a1b2c',
    taskQueue: 'spnas-compute',
    queueTypes: 'activity',
    targetQueueSize: '1',
    activationTargetQueueSize: '0',
  });
  const auth = get(objs, 'TriggerAuthentication');
  assert.equal(trigger.authenticationRef.name, auth.metadata.name);
  assert.deepEqual(auth.spec.secretTargetRef, [{ parameter: 'apiKey', name: 'spnas-temporal-api-key', key: 'api-key' }]);

  const sm = get(objs, 'ServiceMonitor');
  assert.equal(sm.metadata.labels.release, 'kube-prometheus-stack');
  assert.deepEqual(sm.spec.endpoints, [{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  const svc = get(objs, 'Service', '-metrics');
  for (const [k, v] of Object.entries(sm.spec.selector.matchLabels as Record<string, string>))
    assert.equal(svc.metadata.labels[k], v, `ServiceMonitor selects the metrics Service (${k})`);
  assert.equal(get(objs, 'ServiceAccount').metadata.annotations['eks.amazonaws.com/role-arn'], 'arn:aws:iam::123456789012:role/spnas');
  const c = compute.spec.template.spec.containers[0];
  assert.equal(envOf(c).get('TEMPORAL_API_KEY')?.valueFrom.secretKeyRef.name, 'spnas-temporal-api-key');
  assert.equal(envOf(c).get('AWS_ACCESS_KEY_ID'), undefined, 'IRSA: no key pair');
});

test('a changed configuration rolls the workers (config checksum on the pod template)', () => {
  const a = get(render([ci('default')]), 'Deployment', '-orchestrator').spec.template.metadata.annotations['checksum/config'];
  const b = get(render([ci('default')], ['temporal.namespace=other']), 'Deployment', '-orchestrator').spec.template.metadata.annotations['checksum/config'];
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(a, b);
});

test('bad values fail before anything is applied, naming the value', () => {
  const cases: [string[], RegExp][] = [
    // values.schema.json names the value by its JSON pointer
    [['storage.root=my-bucket/studies'], /\/storage\/root/],
    [['storage.credentials.accessKeyId=AKIA123'], /\/storage\/credentials.*accessKeyId/s], // no plain credentials: unknown key
    [['temporal.address=temporal'], /\/temporal\/address/],
    [['jobs.gpu.maxPerJob=-1'], /\/jobs\/gpu\/maxPerJob/],
    [['jobs.gpu.count=1'], /jobs\.gpu\.count was removed: a study now chooses GPUs per activity .*jobs\.gpu\.maxPerJob/],
    [['jobs.concurrency=0'], /\/jobs\/concurrency/],
    [['jobs.terminationGracePeriodSeconds=0'], /\/jobs\/terminationGracePeriodSeconds/],
    [['executor.type=docker'], /\/executor\/type/],
    [
      ['computeWorkers.enabled=true', 'keda.enabled=true', 'keda.minReplicas=5', 'keda.maxReplicas=2'],
      /keda\.minReplicas \(5\) is above keda\.maxReplicas \(2\)/,
    ],
    [['keda.enabled=true'], /keda\.enabled scales the compute workers: set computeWorkers\.enabled=true/],
    [['serviceAccount.create=false'], /serviceAccount\.name/],
  ];
  for (const [sets, message] of cases) {
    const r = tryRender([ci('default')], sets);
    assert.notEqual(r.status, 0, `--set ${sets.join(' ')} should fail`);
    assert.match(r.stderr, message, `--set ${sets.join(' ')}`);
  }
});

test('jobs.* values reach the Job classes and the launching worker: grace period, Job concurrency, GPU class resources and pool', () => {
  const objs = render(
    [ci('default')],
    [
      'jobs.terminationGracePeriodSeconds=300',
      'jobs.concurrency=12',
      'jobs.gpu.maxPerJob=2',
      'jobs.gpu.resourceName=nvidia.com/mig-1g.10gb',
      'jobs.gpu.nodeSelector.pool=gpu',
      'jobs.nodeSelector.zone=a',
    ],
  );
  assert.equal(get(objs, 'ConfigMap', '-config').data.SPNAS_JOB_CONCURRENCY, '12');
  const cpu = jobTemplate(objs).spec.template.spec;
  const gpu = jobTemplate(objs, 'gpu-job.yaml').spec.template.spec;
  assert.equal(cpu.terminationGracePeriodSeconds, 300);
  assert.equal(gpu.terminationGracePeriodSeconds, 300);
  assert.deepEqual(cpu.nodeSelector, { zone: 'a' });
  assert.deepEqual(gpu.nodeSelector, { zone: 'a', pool: 'gpu' });
  assert.equal(gpu.containers[0].resources.limits['nvidia.com/mig-1g.10gb'], 2);
  assert.deepEqual(gpu.containers[0].resources.requests, cpu.containers[0].resources.requests, 'no jobs.gpu.resources: the GPU class has jobs.resources');
});
