/**
 * The test control plane's start-up and one launcher round trip, for README "Kubernetes".
 *
 *   npm run bench -- k8s-cluster [--rounds 3] [--out bench/k8s/results/cluster.json]
 *
 * Each round starts a fresh cluster (phases: PKI, etcd healthy, API server ready, both kwok nodes
 * Ready), then runs one activity through runActivityJob: create -> pod Running (kwok) -> the stand-in
 * container writes result.json and exits 0 -> the launcher returns. The machine's load average is
 * recorded with each round: on a shared machine only that context makes the times comparable.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { defaultJobTemplate, jobNameFor, KubeApi, runActivityJob } from '../../src/k8s';
import { startKubeCluster } from '../../test/support/kube-cluster';
import { POD_EXIT, POD_HOLD } from '../../test/support/kwok-stages';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

async function round(): Promise<Record<string, number>> {
  const t0 = Date.now();
  const cluster = await startKubeCluster();
  try {
    const kc = cluster.adminConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const ns = await cluster.createNamespace('bench');
    const dir = mkdtempSync(join(tmpdir(), 'spnas-bench-'));
    const inputUri = pathToFileURL(dir).href;
    const template = defaultJobTemplate();
    template.spec!.template.metadata = { annotations: { [POD_HOLD]: 'true' } };
    const t1 = Date.now();
    const run = runActivityJob(
      { namespace: ns, workflowId: 'bench', runId: 'run-1', activityId: '1', attempt: 1, activity: 'evaluate', inputUri, startToCloseTimeoutMs: 600_000 },
      { api: new KubeApi(kc), template },
    );
    const name = jobNameFor({ workflowId: 'bench', runId: 'run-1', activityId: '1', attempt: 1 });
    let pod: string | undefined;
    while (!pod) {
      const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `batch.kubernetes.io/job-name=${name}` });
      pod = pods.items.find((p) => p.status?.phase === 'Running')?.metadata?.name;
      if (!pod) await new Promise((r) => setTimeout(r, 20));
    }
    const running = Date.now() - t1;
    writeFileSync(join(dir, 'result.json'), '{}');
    const t2 = Date.now();
    await cluster.kubectl(['annotate', 'pod', '-n', ns, pod, `${POD_EXIT}=0`]);
    await run;
    return { ...cluster.startup, total: t1 - t0, launchToRunningMs: running, exitToResultMs: Date.now() - t2, loadavg1: loadavg()[0]! };
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '3'));
  const out = resolve(arg('out', join(__dirname, 'results', 'cluster.json')));
  const results: Record<string, number>[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = await round();
    results.push(r);
    console.log(JSON.stringify(r));
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), cpus: 2, rounds: results }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
