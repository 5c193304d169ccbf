/**
 * A small study whose heavy activities all run as real pods of the spnas image on a real node: the
 * Temporal dev server and the workflows, the compute worker's k8s-job executor, the control plane, a
 * kubelet with containerd and runc, and S3 for every byte the workers and the pods share (the study's
 * store, the data, each Job's input and result). test/k8s/study-on-k8s.test.ts runs the same with kwok
 * nodes and a stand-in runtime; here nothing stands in.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { K8sJobExecutor } from '../../activities/k8s-job-executor';
import { KubeApi, LABEL } from '../../src/k8s';
import { readJsonUriIfExists } from '../../src/storage/json-store';
import { openStore } from '../../src/storage/open-store';
import { studyLayout, studyWorkflowId, trialWorkflowId } from '../../src/study/names';
import type { DeviceTableRecord } from '../../src/study/records';
import { startOrAttachStudy } from '../../src/temporal/study-client';
import { CIFAR_DIR } from '../data/fixtures';
import { startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { startRealNode, type RealNode } from '../support/real-node';
import { createS3Secret, realNodeJobTemplate } from '../support/real-node-pods';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { activityCalls, startTemporal, studySummary, tinyStudy, type TemporalFixture } from '../support/temporal';

let cluster: KubeCluster;
let node: RealNode;
let s3: S3TestServer;
let t: TemporalFixture;
let kc: KubeConfig;

before(async () => {
  [cluster, s3, t] = await Promise.all([startKubeCluster(), startS3Server(), startTemporal()]);
  node = await startRealNode(cluster);
  kc = cluster.adminConfig();
  Object.assign(process.env, s3.env);
  await openStore(`s3://${s3.bucket}/data`).put('train-000000.tar', readFileSync(`${CIFAR_DIR}/train-000000.tar`));
});
after(async () => {
  await t?.stop();
  await node?.stop();
  await cluster?.stop();
  await s3?.stop();
});

test(
  'a study whose heavy activities all run as pods of the image on a real node completes, one Job and one pod per activity',
  { timeout: 1_500_000 },
  async () => {
    const ns = await cluster.createNamespace('study');
    await createS3Secret(kc, ns, { ...s3.env, AWS_ENDPOINT_URL_S3: `http://${node.hostIp}:${await node.expose(s3.port)}` });
    const executor = new K8sJobExecutor({ namespace: ns, api: new KubeApi(kc), template: realNodeJobTemplate(node), image: node.image.name });
    await t.workers({ role: 'all', executor: 'k8s-job' }, { executors: { 'k8s-job': executor } });
    const spec = tinyStudy('on-node', `s3://${s3.bucket}/studies`, {
      data: { train: { uri: `s3://${s3.bucket}/data/train-000000.tar`, limit: 320, valCount: 64 } },
      hpo: { sampler: 'random', trials: 1, parallelism: 1, seed: 6, space: { warmupFraction: null } },
      objectives: { latency: 'measured', latencyTargetFraction: 0.8 },
    });
    const s = await studySummary((await startOrAttachStudy(t.client, spec, 'spnas-orchestration')).handle);

    assert.equal(s.state, 'completed');
    assert.deepEqual(
      s.trialRecords.map((r) => r.state),
      ['ok'],
    );
    assert.equal(s.final.length, 1);
    const jobs = (await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns })).items;
    const byActivity = (a: string) => jobs.filter((j) => j.metadata!.labels![LABEL.activity] === a).length;
    const listing = jobs
      .map((j) => `${j.metadata!.name} ${j.metadata!.labels![LABEL.activity]} ${JSON.stringify(j.status?.conditions?.map((c) => c.type))}`)
      .join('\n');
    // the warm-up; the trial's search, retraining and evaluation; the final retraining and evaluation
    assert.equal(byActivity('warmupSupernet'), 1, listing);
    assert.equal(byActivity('searchArchitecture'), 1, listing);
    assert.equal(byActivity('trainModel'), 2, listing);
    assert.equal(byActivity('evaluateModel'), 2, listing);
    for (const j of jobs)
      assert.ok(
        j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'),
        `${j.metadata!.name} completed:\n${listing}`,
      );
    const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns })).items;
    assert.equal(pods.length, jobs.length, 'one pod per Job');
    for (const p of pods) {
      assert.equal(p.spec!.nodeName, node.name);
      assert.equal(p.status?.phase, 'Succeeded');
      assert.equal(p.status?.containerStatuses?.[0]?.image, node.image.name, 'the image the node imported');
    }
    // measured latency in one unit: every evaluation pod (trial and final) turned its ratio into ms with
    // the study's reference (device.json, measured when the study was prepared), not one of its own
    const device = (await readJsonUriIfExists(studyLayout.device(studyLayout.root(spec.storage, spec.name)))) as DeviceTableRecord;
    const wid = studyWorkflowId(spec.name);
    const evaluations = [
      ...(await activityCalls(t.client, trialWorkflowId(wid, 0), 'evaluateModel')),
      ...(await activityCalls(t.client, wid, 'evaluateModel')),
    ];
    assert.equal(evaluations.length, 2);
    for (const e of evaluations) {
      const req = e.input as { input: { reference?: { ms: number } } };
      const out = e.result as { latencyMs: number; latencyReferenceMs: number; latencyUnit: string; latencyRatio: number };
      assert.equal(req.input.reference?.ms, device.largest!.ms, JSON.stringify(req.input));
      assert.deepEqual([out.latencyUnit, out.latencyReferenceMs], ['study', device.largest!.ms], JSON.stringify(out));
      assert.ok(Math.abs(out.latencyMs - out.latencyRatio * device.largest!.ms) < 1e-9);
    }
    // each measured latency is recorded with its own 95% interval, the trial's and the final model's
    type Measured = { latencyMs: number; latencyLowMs: number; latencyHighMs: number };
    const [trialEval, finalEval] = evaluations.map((e) => e.result as Measured);
    assert.equal(s.trialRecords[0]!.result!.measuredMs, trialEval!.latencyMs);
    assert.deepEqual(s.trialRecords[0]!.result!.measuredIntervalMs, [trialEval!.latencyLowMs, trialEval!.latencyHighMs]);
    assert.deepEqual([s.final[0]!.latencyMs, s.final[0]!.latencyIntervalMs], [finalEval!.latencyMs, [finalEval!.latencyLowMs, finalEval!.latencyHighMs]]);
    assert.ok(finalEval!.latencyLowMs <= finalEval!.latencyMs && finalEval!.latencyMs <= finalEval!.latencyHighMs, JSON.stringify(finalEval));
  },
);
