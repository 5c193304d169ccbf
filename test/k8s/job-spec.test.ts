/** The Job a launch builds (pure: no cluster): name, bounds, identity, GPU placement, hardening. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../src/errors';
import { activityKeyFor, ANNOTATION, buildActivityJob, DEFAULT_GRACE_SECONDS, defaultJobTemplate, jobNameFor, LABEL, labelValue, loadJobTemplate, parseActivityJobSpec } from '../../src/k8s';
import { tempDir } from '../support/temp-dir';

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const base = {
  namespace: 'spnas',
  workflowId: 'study-cifar/trial-0007',
  runId: '5f1c2d3e-0000-4000-8000-000000000001',
  activityId: '12',
  attempt: 1,
  activity: 'retrain',
  inputUri: 's3://bucket/studies/cifar/trial-0007/retrain',
  image: 'registry.example/spnas:1.0',
  startToCloseTimeoutMs: 3_600_500,
  studyId: 'study-cifar',
  trialId: 'trial-0007',
};

test('jobNameFor is deterministic, a DNS-1123 label of <= 63 chars, distinct per attempt, per id and per run', () => {
  const id = (workflowId: string, activityId: string, attempt: number, runId = 'run-1') => ({ workflowId, runId, activityId, attempt });
  const a = jobNameFor(id('wf', 'act', 1));
  assert.equal(a, jobNameFor(id('wf', 'act', 1)));
  assert.notEqual(a, jobNameFor(id('wf', 'act', 2)));
  assert.notEqual(a, jobNameFor(id('wf', 'act2', 1)));
  // activity ids restart in every run of a workflow (continue-as-new, a re-run): the run tells them apart
  assert.notEqual(a, jobNameFor(id('wf', 'act', 1, 'run-2')));
  assert.notEqual(activityKeyFor(id('wf', 'act', 1)), activityKeyFor(id('wf', 'act', 1, 'run-2')));
  // ids that sanitise to the same readable part still differ (the hash is over the exact ids)
  assert.notEqual(jobNameFor(id('Study_A', 'x', 1)), jobNameFor(id('study-a', 'x', 1)));
  const long = jobNameFor(id('W'.repeat(300) + '/∂ü', 'activity/with spaces', 17, 'r'.repeat(200)));
  for (const n of [a, long, jobNameFor(id('---', '...', 3))]) {
    assert.ok(n.length <= 63, n);
    assert.match(n, DNS1123);
  }
  assert.throws(() => jobNameFor(id('wf', 'act', 0)), InvalidInputError);
  assert.throws(() => jobNameFor(id('', 'act', 1)), InvalidInputError);
  assert.throws(() => jobNameFor(id('wf', 'act', 1, '')), /runId is empty/);
});

test('labelValue keeps simple ids and turns others into valid, distinct label values', () => {
  assert.equal(labelValue('trial-0007'), 'trial-0007');
  const a = labelValue('study/α β');
  const b = labelValue('study/α γ');
  assert.notEqual(a, b);
  for (const v of [a, b, labelValue('x'.repeat(200)), labelValue('///')]) {
    assert.ok(v.length <= 63 && LABEL_VALUE.test(v), v);
  }
});

test('the Job: backoffLimit 0, restartPolicy Never, deadline from start-to-close, TTL, identity labels and annotations, the run-activity command', () => {
  const job = buildActivityJob(parseActivityJobSpec(base), defaultJobTemplate());
  const spec = job.spec!;
  const pod = spec.template.spec!;
  const main = pod.containers[0]!;
  assert.equal(job.metadata!.name, jobNameFor(base));
  assert.equal(spec.backoffLimit, 0);
  assert.equal(pod.restartPolicy, 'Never');
  assert.equal(spec.activeDeadlineSeconds, 3601, 'rounded up from 3,600.5 s');
  assert.equal(spec.ttlSecondsAfterFinished, 3600);
  // The image's entrypoint spelled out (tini stays PID 1: it forwards SIGTERM and reaps), then spnas's arguments.
  assert.deepEqual([...(main.command ?? []), ...(main.args ?? [])], ['/usr/bin/tini', '--', 'spnas', 'run-activity', 'retrain', '--input', base.inputUri]);
  assert.equal(main.image, base.image);
  for (const m of [job.metadata!, spec.template.metadata!]) {
    assert.equal(m.labels![LABEL.study], 'study-cifar');
    assert.equal(m.labels![LABEL.trial], 'trial-0007');
    assert.equal(m.labels![LABEL.activity], 'retrain');
    assert.equal(m.labels![LABEL.attempt], '1');
    assert.equal(m.annotations![ANNOTATION.workflowId], base.workflowId);
    assert.equal(m.annotations![ANNOTATION.runId], base.runId);
    assert.equal(m.annotations![ANNOTATION.inputUri], base.inputUri);
  }
  assert.ok(main.env!.some((e) => e.name === 'SPNAS_ATTEMPT' && e.value === '1'));
  assert.ok(main.env!.some((e) => e.name === 'SPNAS_RUN_ID' && e.value === base.runId));
});

test('disruption is not failure: the pod failure policy replaces a disrupted pod and fails the Job on any other non-zero exit; a grace period sized to a checkpoint', () => {
  const job = buildActivityJob(parseActivityJobSpec(base), defaultJobTemplate());
  assert.deepEqual(job.spec!.podFailurePolicy, {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'NotIn', values: [0] } },
    ],
  });
  assert.equal(job.spec!.template.spec!.terminationGracePeriodSeconds, DEFAULT_GRACE_SECONDS);
  assert.ok(DEFAULT_GRACE_SECONDS > 30, "longer than Kubernetes' default of 30 s");
  // an operator's template sets its own grace period (the chart: jobs.terminationGracePeriodSeconds)
  const t = defaultJobTemplate();
  t.spec!.template.spec!.terminationGracePeriodSeconds = 300;
  t.spec!.template.spec!.containers[0]!.name = 'trainer';
  const own = buildActivityJob(parseActivityJobSpec(base), t);
  assert.equal(own.spec!.template.spec!.terminationGracePeriodSeconds, 300);
  assert.equal(own.spec!.podFailurePolicy!.rules[1]!.onExitCodes!.containerName, 'trainer', 'the rule names the container the launcher fills');
});

test('security context: non-root, read-only root filesystem, no capabilities, seccomp RuntimeDefault, no SA token', () => {
  const pod = buildActivityJob(parseActivityJobSpec(base), defaultJobTemplate()).spec!.template.spec!;
  assert.equal(pod.securityContext!.runAsNonRoot, true);
  assert.equal(pod.securityContext!.seccompProfile!.type, 'RuntimeDefault');
  assert.equal(pod.automountServiceAccountToken, false);
  const sc = pod.containers[0]!.securityContext!;
  assert.equal(sc.readOnlyRootFilesystem, true);
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.deepEqual(sc.capabilities!.drop, ['ALL']);
  // a writable scratch directory, since the root filesystem is read-only
  assert.ok(pod.containers[0]!.volumeMounts!.some((m) => m.mountPath === '/tmp'));
});

test('GPU: nvidia.com/gpu limit, node selector, the GPU taint tolerated, priority class', () => {
  const job = buildActivityJob(parseActivityJobSpec({
    ...base,
    gpu: { count: 2 },
    nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
    priorityClassName: 'spnas-trials',
    resources: { requests: { cpu: '4', memory: '16Gi' }, limits: { memory: '16Gi' } },
  }), defaultJobTemplate());
  const pod = job.spec!.template.spec!;
  const res = pod.containers[0]!.resources!;
  assert.equal(res.limits!['nvidia.com/gpu'], '2');
  assert.equal(res.requests!.cpu, '4');
  assert.deepEqual(pod.nodeSelector, { 'nvidia.com/gpu.present': 'true' });
  assert.equal(pod.priorityClassName, 'spnas-trials');
  assert.ok(pod.tolerations!.some((t) => t.key === 'nvidia.com/gpu' && t.operator === 'Exists' && t.effect === 'NoSchedule'));
  assert.ok(pod.tolerations!.some((t) => t.key === 'dedicated'));
  // a CPU activity requests no GPU and tolerates no GPU taint
  const cpu = buildActivityJob(parseActivityJobSpec(base), defaultJobTemplate()).spec!.template.spec!;
  assert.equal(cpu.containers[0]!.resources?.limits?.['nvidia.com/gpu'], undefined);
  assert.equal(cpu.tolerations, undefined);
});

test('a template file: its settings are kept, the launcher still owns retries, deadline and command', () => {
  const dir = tempDir('spnas-tpl-');
  const file = join(dir, 'job.yaml');
  writeFileSync(file, `apiVersion: batch/v1
kind: Job
metadata:
  labels: {team: ml}
spec:
  backoffLimit: 6
  ttlSecondsAfterFinished: 600
  template:
    metadata:
      annotations: {sidecar.example/inject: "false"}
    spec:
      restartPolicy: OnFailure
      serviceAccountName: spnas-trainer
      imagePullSecrets: [{name: regcred}]
      containers:
      - name: main
        image: registry.example/spnas-gpu:2.0
        envFrom: [{secretRef: {name: spnas-s3}}]
        securityContext: {runAsUser: 2000}
`);
  const template = loadJobTemplate(file);
  const noImage: Partial<typeof base> = { ...base };
  delete noImage.image;
  const job = buildActivityJob(parseActivityJobSpec(noImage), template);
  const pod = job.spec!.template.spec!;
  const main = pod.containers[0]!;
  assert.equal(job.spec!.backoffLimit, 0);
  assert.equal(pod.restartPolicy, 'Never');
  assert.equal(job.spec!.ttlSecondsAfterFinished, 600);
  assert.equal(job.metadata!.labels!.team, 'ml');
  assert.equal(job.spec!.template.metadata!.annotations!['sidecar.example/inject'], 'false');
  assert.equal(main.image, 'registry.example/spnas-gpu:2.0');
  assert.deepEqual(main.envFrom, [{ secretRef: { name: 'spnas-s3' } }]);
  assert.equal(pod.serviceAccountName, 'spnas-trainer');
  assert.equal(main.securityContext!.runAsUser, 2000);
  assert.equal(main.securityContext!.readOnlyRootFilesystem, true, 'defaults fill what the template leaves out');
  assert.equal(pod.securityContext!.runAsNonRoot, true);
  assert.deepEqual(main.command, ['/usr/bin/tini', '--', 'spnas'], 'a template without a command gets the image entrypoint');
  assert.deepEqual(main.args, ['run-activity', 'retrain', '--input', base.inputUri]);
  assert.equal(template.spec!.backoffLimit, 6, 'the template object is not modified');
});

test('bad specs and templates fail before anything is created, naming the field and the fix', () => {
  assert.throws(() => parseActivityJobSpec({ ...base, namespace: 'Bad_NS', attempt: 0, startToCloseTimeoutMs: -1 }), (err: Error) =>
    err instanceof InvalidInputError && /namespace/.test(err.message) && /attempt/.test(err.message) && /startToCloseTimeoutMs/.test(err.message));
  assert.throws(() => parseActivityJobSpec({ ...base, env: { 'not a name': 'x' } }), /env/);
  const dir = tempDir('spnas-tpl-');
  writeFileSync(join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\n');
  assert.throws(() => loadJobTemplate(join(dir, 'pod.yaml')), /must be a batch\/v1 Job/);
  writeFileSync(join(dir, 'priv.yaml'), 'apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n      - {name: main, image: x, securityContext: {privileged: true}}\n');
  assert.throws(() => loadJobTemplate(join(dir, 'priv.yaml')), /privileged/);
  assert.throws(() => loadJobTemplate(join(dir, 'missing.yaml')), /cannot read the Job template/);
});
