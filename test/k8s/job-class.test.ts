/**
 * One source of truth for an activity Job's resources and GPUs (src/k8s/job-class.ts), on the Job
 * templates the chart really renders: the study asks per activity, the install's Job classes decide
 * the image and node pool and bound the request; a conflict is a non-retryable error naming the
 * study's field and the chart value, raised before anything is created.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KubeConfig, type V1Job } from '@kubernetes/client-node';
import { K8sJobExecutor } from '../../activities/k8s-job-executor';
import { InvalidInputError, SpnasError } from '../../src/errors';
import { buildActivityJob, KubeApi, parseActivityJobSpec, planActivityJob, type JobClasses } from '../../src/k8s';
import { CHART, jobTemplate, render } from '../chart/helm';
import { tempDir } from '../support/temp-dir';

const ci = (name: string) => join(CHART, 'ci', `${name}-values.yaml`);
const classesOf = (values: string): JobClasses => {
  const objs = render([ci(values)]);
  const cm = objs.find((o) => o.kind === 'ConfigMap' && String(o.metadata.name).endsWith('-job-template'))!;
  return { cpu: jobTemplate(objs) as V1Job, ...(cm.data['gpu-job.yaml'] ? { gpu: jobTemplate(objs, 'gpu-job.yaml') as V1Job } : {}) };
};
const cpuInstall = classesOf('default');
const gpuInstall = classesOf('gpu');
const field = 'resources.search (searchArchitecture)';
const main = (j: V1Job) => j.spec!.template.spec!.containers[0]!;

test('a GPU asked for on an install without GPU Jobs fails at once, naming the study field and the chart value', () => {
  assert.equal(cpuInstall.gpu, undefined, 'the default chart renders no GPU class');
  assert.throws(
    () => planActivityJob(field, { cpu: '2', memory: '4Gi', gpu: 1 }, cpuInstall),
    (err: unknown) => {
      assert.ok(err instanceof InvalidInputError, String(err));
      assert.equal(err.code, 'K8S_NO_GPU_CLASS');
      assert.equal(err.retryable, false);
      assert.match(err.message, /resources\.search \(searchArchitecture\)\.gpu asks for 1 GPU/);
      assert.match(err.message, /jobs\.gpu\.maxPerJob/);
      assert.match(err.message, /CPU image holding a GPU/);
      return true;
    },
  );
});

test('GPU activities run the GPU class (image, node pool, GPU limit = the request); CPU activities the CPU class, on the same install', () => {
  const gpu = planActivityJob(field, { cpu: '4', memory: '12Gi', gpu: 1 }, gpuInstall);
  assert.equal(gpu.template, gpuInstall.gpu);
  assert.deepEqual(gpu.gpu, { count: 1, resource: 'nvidia.com/gpu' });
  const spec = { namespace: 'spnas', workflowId: 'w', runId: 'r', activityId: '1', attempt: 1, activity: 'searchArchitecture', inputUri: 's3://b/x', startToCloseTimeoutMs: 60_000 };
  const gpuJob = buildActivityJob(parseActivityJobSpec({ ...spec, resources: gpu.resources, gpu: gpu.gpu }), gpu.template);
  assert.equal(main(gpuJob).image, 'registry.example.com/spnas:0.1.0-gpu');
  assert.deepEqual(main(gpuJob).resources, { requests: { cpu: '4', memory: '12Gi' }, limits: { memory: '12Gi', 'nvidia.com/gpu': '1' } });
  assert.deepEqual(gpuJob.spec!.template.spec!.nodeSelector, { 'nvidia.com/gpu.present': 'true' });

  const cpu = planActivityJob('resources.profile (profileLatency)', { cpu: '1', memory: '2Gi', gpu: 0 }, gpuInstall);
  assert.equal(cpu.template, gpuInstall.cpu);
  assert.equal(cpu.gpu, undefined);
  const cpuJob = buildActivityJob(parseActivityJobSpec({ ...spec, resources: cpu.resources }), cpu.template);
  assert.equal(main(cpuJob).image, 'registry.example.com/spnas:0.1.0', 'a CPU activity runs the CPU image');
  assert.deepEqual(main(cpuJob).resources, { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } });
  assert.equal(cpuJob.spec!.template.spec!.nodeSelector, undefined, 'and stays off the GPU pool');
});

test("the chart's limits are ceilings: a study asking more fails, naming both values; within them the study's request is the Job's", () => {
  // default chart: jobs.resources.limits.memory 8Gi
  assert.throws(
    () => planActivityJob(field, { cpu: '2', memory: '16Gi', gpu: 0 }, cpuInstall),
    (err: unknown) => err instanceof SpnasError && err.code === 'K8S_OVER_LIMIT' && !err.retryable && /resources\.search \(searchArchitecture\)\.memory asks for 16Gi/.test(err.message) && /8Gi: the chart's jobs\.resources\.limits\.memory/.test(err.message),
  );
  // gpu chart: jobs.gpu.maxPerJob 1, jobs.gpu.resources.limits.memory 16Gi
  assert.throws(() => planActivityJob(field, { cpu: '4', memory: '8Gi', gpu: 2 }, gpuInstall), (err: unknown) => err instanceof SpnasError && err.code === 'K8S_OVER_LIMIT' && /jobs\.gpu\.maxPerJob/.test(err.message));
  assert.throws(() => planActivityJob(field, { cpu: '4', memory: '17Gi', gpu: 1 }, gpuInstall), /jobs\.gpu\.resources\.limits\.memory/);
  assert.deepEqual(planActivityJob(field, { cpu: '500m', memory: '8192Mi', gpu: 0 }, cpuInstall).resources, { requests: { cpu: '500m', memory: '8192Mi' }, limits: { memory: '8192Mi' } });
  assert.throws(() => planActivityJob(field, { cpu: '2', memory: 'lots', gpu: 0 }, cpuInstall), /resources\.search \(searchArchitecture\)\.memory: 'lots' is not a Kubernetes quantity/);
});

test('the k8s-job executor refuses a GPU request on a CPU install before writing input or creating a Job', async () => {
  // an API server nothing listens on: any Kubernetes call would fail as retryable K8S_UNAVAILABLE
  const dead = new KubeConfig();
  dead.loadFromOptions({ clusters: [{ name: 'd', server: 'https://127.0.0.1:1', skipTLSVerify: true }], users: [{ name: 'u', token: 'x' }], contexts: [{ name: 'd', cluster: 'd', user: 'u' }], currentContext: 'd' });
  const executor = new K8sJobExecutor({ namespace: 'spnas', api: new KubeApi(dead), template: cpuInstall.cpu });
  const io = tempDir('spnas-class-');
  await assert.rejects(
    executor.run(
      { name: 'trainModel', input: {}, resources: { cpu: '2', memory: '4Gi', gpu: 1 }, ioUri: pathToFileURL(io).href, timeoutSeconds: 60, labels: {}, identity: { workflowId: 'w', runId: 'r', activityId: '1', attempt: 1 } },
      {},
    ),
    (err: unknown) => err instanceof SpnasError && err.code === 'K8S_NO_GPU_CLASS' && !err.retryable && /resources\.retrain \(trainModel\)\.gpu/.test(err.message),
  );
  assert.equal(existsSync(join(io, 'input.json')), false, 'nothing written');
});
