/**
 * Helpers for tests that run the spnas image as real pods (test/node/): the activity Job template
 * for the real node, the S3 Secret its pods read their store credentials from (as the chart's
 * `envFrom`), a bare pod run to completion, and a record of every state a namespace's pods went
 * through (a deleted pod's last state is in its DELETED event only).
 */
import { CoreV1Api, Watch, type KubeConfig, type V1Job, type V1Pod, type V1PodSpec } from '@kubernetes/client-node';
import { defaultJobTemplate } from '../../src/k8s';
import { REAL_NODE_LABEL, type RealNode } from './real-node';
import { waitFor } from './wait-for';

export const S3_SECRET = 'spnas-s3';

/**
 * The built-in Job template (non-root, read-only root, emptyDir /tmp, no token) with the image that the
 * node imported, pulled never (IfNotPresent: it is present), the store's credentials from a Secret, and
 * a nodeSelector for the real node (the kwok nodes run nothing).
 */
export function realNodeJobTemplate(node: RealNode): V1Job {
  const t = defaultJobTemplate();
  const pod = t.spec!.template.spec!;
  pod.nodeSelector = { [REAL_NODE_LABEL]: 'true' };
  const main = pod.containers[0]!;
  main.image = node.image.name;
  main.imagePullPolicy = 'IfNotPresent';
  main.envFrom = [{ secretRef: { name: S3_SECRET } }];
  return t;
}

/** The S3 settings a pod needs, as a Secret (what the chart's `s3.existingSecret` holds). */
export async function createS3Secret(kc: KubeConfig, namespace: string, env: Record<string, string>): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace, body: { metadata: { name: S3_SECRET }, stringData: env } });
}

/** Waits until `pick` finds a pod in the namespace. */
export async function waitForPod(kc: KubeConfig, namespace: string, what: string, pick: (pods: V1Pod[]) => V1Pod | undefined, ms = 300_000): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  return waitFor(what, async () => pick((await core.listNamespacedPod({ namespace })).items), ms, 250);
}

export interface PodRun {
  phase: string;
  exitCode: number | undefined;
  log: string;
}

/** Runs a bare pod (restartPolicy Never) with `spec` to completion on the real node; returns its exit and log. */
export async function runPod(kc: KubeConfig, namespace: string, name: string, spec: Omit<V1PodSpec, 'nodeSelector' | 'restartPolicy'>): Promise<PodRun> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name }, spec: { ...spec, restartPolicy: 'Never', nodeSelector: { [REAL_NODE_LABEL]: 'true' } } },
  });
  const pod = await waitForPod(kc, namespace, `pod ${name} to finish`, (ps) =>
    ps.find((p) => p.metadata?.name === name && ['Succeeded', 'Failed'].includes(p.status?.phase ?? '')),
  );
  const log = await core.readNamespacedPodLog({ namespace, name });
  return { phase: pod.status!.phase!, exitCode: pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, log };
}

export interface PodRecord {
  /** Pod names in the order they appeared. */
  names: string[];
  /** Each pod's last state seen (for a deleted pod: the object of its DELETED event). */
  last: Map<string, V1Pod>;
  stop(): void;
}

/** Watches a namespace's pods from now on and keeps each one's last state. */
export async function recordPods(kc: KubeConfig, namespace: string): Promise<PodRecord> {
  const rec: PodRecord = { names: [], last: new Map(), stop: () => undefined };
  const req = await new Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    {},
    (_type: string, pod: V1Pod) => {
      const name = pod.metadata!.name!;
      if (!rec.last.has(name)) rec.names.push(name);
      rec.last.set(name, pod);
    },
    () => undefined,
  );
  rec.stop = () => req.abort();
  return rec;
}
