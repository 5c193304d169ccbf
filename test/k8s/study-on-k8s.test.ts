/**
 * A whole study with every heavy activity as a Kubernetes Job: Temporal dev server, the workflows,
 * the compute worker's k8s-job executor, a real control plane (Job controller, scheduler, RBAC) with
 * kwok nodes. kwok runs no containers, so this test is the kubelet's container runtime
 * (test/support/pod-runtime.ts): for each pod that starts it runs the pod's own command
 * (`spnas run-activity <use case> --input <uri>`) with the local `spnas`, relays its output as the
 * pod's log, and sets the pod's exit code from the process's.
 * Everything else is the real code path, the real engine included.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import { K8sJobExecutor } from '../../activities/k8s-job-executor';
import { defaultJobTemplate, KubeApi, LABEL } from '../../src/k8s';
import { startOrAttachStudy } from '../../src/temporal/study-client';
import { CPU_NODE, startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { POD_HOLD } from '../support/kwok-stages';
import { podRuntime } from '../support/pod-runtime';
import { startTemporal, studySummary, tinyStudy, type TemporalFixture } from '../support/temporal';

let cluster: KubeCluster;
let t: TemporalFixture;
let kc: KubeConfig;

before(async () => {
  [cluster, t] = await Promise.all([startKubeCluster(), startTemporal()]);
  kc = cluster.adminConfig();
});
after(async () => {
  await t?.stop();
  await cluster?.stop();
});

test('a study whose heavy activities all run as Jobs completes, one Job per activity attempt', { timeout: 600_000 }, async () => {
  const ns = await cluster.createNamespace('study');
  const template: V1Job = defaultJobTemplate();
  template.spec!.template.metadata = { annotations: { [POD_HOLD]: 'true' } };
  const executor = new K8sJobExecutor({ namespace: ns, api: new KubeApi(kc), template, image: 'spnas:test' });
  await t.workers({ role: 'all', executor: 'k8s-job' }, { executors: { 'k8s-job': executor } });
  const runtime = podRuntime(cluster, kc, ns);
  try {
    const spec = tinyStudy('on-k8s', path.join(t.dir, 'store'), { hpo: { sampler: 'random', trials: 2, parallelism: 2, seed: 6, space: { warmupFraction: null } } });
    const s = await studySummary((await startOrAttachStudy(t.client, spec, 'spnas-orchestration')).handle);
    assert.equal(s.state, 'completed');
    assert.deepEqual(s.trialRecords.map((r) => r.state), ['ok', 'ok']);
    assert.equal(s.final.length, 1);

    const jobs = (await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: ns })).items;
    const byActivity = (a: string) => jobs.filter((j) => j.metadata!.labels![LABEL.activity] === a).length;
    const listing = jobs.map((j) => `${j.metadata!.name} ${j.metadata!.labels![LABEL.activity]} ${JSON.stringify(j.metadata!.annotations)} ${JSON.stringify(j.status?.conditions?.map((c) => c.type + ':' + c.reason))}`).join('\n');
    // one shared warm-up; per trial a search, a retraining and an evaluation; the final retraining and evaluation
    assert.equal(byActivity('warmupSupernet'), 1, listing);
    assert.equal(byActivity('searchArchitecture'), 2);
    assert.equal(byActivity('trainModel'), 3);
    assert.equal(byActivity('evaluateModel'), 3);
    assert.equal(jobs.length, runtime.ran.length, 'every Job ran exactly one pod');
    for (const r of runtime.ran) assert.match(r.args.join(' '), /^run-activity [a-zA-Z]+ --input \S+\/activities\/\S+\/attempt-1$/);
    const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns })).items;
    for (const p of pods) {
      assert.equal(p.spec!.nodeName, CPU_NODE);
      assert.equal(p.spec!.securityContext?.runAsNonRoot, true);
      assert.equal(p.spec!.automountServiceAccountToken, false);
    }
  } finally {
    await runtime.stop();
  }
});
