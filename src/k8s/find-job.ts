/**
 * Which Job an attempt waits on: its own (created now, or found after a worker restart), or an
 * earlier attempt's Job that is still running or already succeeded (the worker that launched it died
 * or shut down, so Temporal retried the activity, but the pod itself was fine: waiting on it wastes no
 * GPU time). An adopted Job keeps its own I/O prefix (annotation spnas.dev/input-uri): its result is
 * read there, not in the adopting attempt's.
 */
import type { V1Job } from '@kubernetes/client-node';
import { SpnasError } from '../errors';
import type { ObjectStore } from '../storage';
import { sleep } from '../async/retry';
import { ANNOTATION, LABEL } from './build-job';
import { jobCondition } from './job-failure';
import type { KubeApi } from './kube-api';

export interface FoundJob {
  job: V1Job;
  /** How it was found: created by this call, attached (same attempt), or adopted (earlier attempt). */
  how: 'created' | 'attached' | 'adopted';
}

export interface FindJobOptions {
  api: KubeApi;
  desired: V1Job;
  /** Store at the attempt's input URI: stale outputs are removed before a new Job is created. */
  store: ObjectStore;
  adoptEarlierAttempts: boolean;
  signal?: AbortSignal;
  /** How long to wait for a Job of the same name that is being deleted (a cancelled run) to go. */
  deletingTimeoutMs: number;
}

export async function findOrCreateJob(o: FindJobOptions): Promise<FoundJob> {
  const ns = o.desired.metadata!.namespace!;
  const name = o.desired.metadata!.name!;
  const call = { signal: o.signal };
  if (o.adoptEarlierAttempts) {
    const earlier = await findEarlierAttempt(o);
    if (earlier) return { job: earlier, how: 'adopted' };
  }
  const deadline = Date.now() + o.deletingTimeoutMs;
  for (;;) {
    const existing = await o.api.readJob(ns, name, call);
    if (existing && !existing.metadata?.deletionTimestamp) return { job: checkIdentity(existing, o.desired), how: 'attached' };
    if (existing) {
      if (Date.now() > deadline) {
        throw new SpnasError('K8S_JOB_DELETING', `Job ${ns}/${name} is still being deleted after ${o.deletingTimeoutMs} ms; it cannot be recreated yet`, { retryable: true });
      }
      await sleep(500, o.signal, `wait for Job ${name} to be deleted`);
      continue;
    }
    // A new run: outputs left by an earlier attempt at this URI must not be mistaken for this one's.
    await o.store.delete('result.json', call);
    await o.store.delete('error.json', call);
    const created = await o.api.createJob(ns, o.desired, call);
    if (created) return { job: created, how: 'created' };
    // 409: another worker created it between our read and our create; loop to attach to it.
  }
}

/** An earlier attempt's Job of the same activity of the same run that is running or succeeded, newest first. */
async function findEarlierAttempt(o: FindJobOptions): Promise<V1Job | null> {
  const ns = o.desired.metadata!.namespace!;
  const key = o.desired.metadata!.labels![LABEL.activityKey]!;
  const attempt = Number(o.desired.metadata!.labels![LABEL.attempt]);
  const { items } = await o.api.listJobs(ns, { labelSelector: `${LABEL.activityKey}=${key}` }, { signal: o.signal });
  const candidates = items
    .filter((j) => !j.metadata?.deletionTimestamp && Number(j.metadata?.labels?.[LABEL.attempt]) < attempt)
    .filter((j) => !jobCondition(j, 'Failed') && !jobCondition(j, 'FailureTarget'))
    .filter((j) => sameActivity(j, o.desired))
    .sort((a, b) => Number(b.metadata?.labels?.[LABEL.attempt]) - Number(a.metadata?.labels?.[LABEL.attempt]));
  return candidates[0] ?? null;
}

/** Same workflow run and activity (the activity key label is a hash of these; the annotations are exact). */
function sameActivity(a: V1Job, b: V1Job): boolean {
  const x = a.metadata?.annotations ?? {};
  const y = b.metadata?.annotations ?? {};
  return ([ANNOTATION.workflowId, ANNOTATION.runId, ANNOTATION.activityId] as const).every((k) => x[k] === y[k]);
}

/** A same-name Job must be this attempt's (the name has a hash, so anything else is a collision). */
function checkIdentity(existing: V1Job, desired: V1Job): V1Job {
  const x = existing.metadata?.annotations ?? {};
  const y = desired.metadata!.annotations!;
  if (!sameActivity(existing, desired) || x[ANNOTATION.attempt] !== y[ANNOTATION.attempt]) {
    throw new SpnasError('K8S_NAME_COLLISION', `Job ${existing.metadata?.namespace}/${existing.metadata?.name} exists but belongs to workflow '${x[ANNOTATION.workflowId]}' run '${x[ANNOTATION.runId]}' activity '${x[ANNOTATION.activityId]}' attempt ${x[ANNOTATION.attempt]}; delete it or use another namespace`, { retryable: false });
  }
  return existing;
}
