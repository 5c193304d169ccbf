/**
 * `runActivityJob`: one activity attempt as one Kubernetes Job (the `k8s-job` executor).
 *
 * The Job runs `spnas run-activity <activity> --input <uri>`; the container reads `<uri>/input.json`
 * and, before exiting, writes `<uri>/result.json` (exit 0) or `<uri>/error.json` = {code, message,
 * retryable} (exit 1). Meanwhile this function watches the Job and its pod, streams the pod's log to
 * `onLog`, reports progress to `onHeartbeat`, and turns the outcome into a result URI or a typed error
 * (job-failure.ts). Aborting `signal` deletes the Job (propagationPolicy Background) and waits until
 * its pods are gone, unless `leaveJobOnAbort` says the abort is not the activity's cancellation (a
 * worker shutting down): then the Job keeps running and the next attempt adopts it. Temporal owns
 * retries of failures (backoffLimit 0, restartPolicy Never); the Job controller only replaces a pod
 * that was disrupted (podFailurePolicy, build-job.ts).
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { CancelledError, SpnasError, TransientError } from '../errors';
import { openStore, type ObjectStore } from '../storage';
import { sleep, throwIfAborted } from '../async/retry';
import { parseActivityJobSpec, type ActivityJobSpec } from './activity-job-spec';
import { ANNOTATION, buildActivityJob } from './build-job';
import { findOrCreateJob } from './find-job';
import { classifyJobFailure, classifyStuckPod, jobCondition, JobFailedError, mainStatus, parseErrorDoc, STUCK_REASONS, type ErrorDoc } from './job-failure';
import { checkJobTemplate, jobTemplateFromEnv, MAIN_CONTAINER } from './job-template';
import { JobWatch } from './job-watch';
import { KubeApi } from './kube-api';

/** What `onHeartbeat` receives: enough for Temporal's heartbeat details and a UI. */
export interface JobHeartbeat {
  jobName: string;
  podName?: string;
  /** Pod phase (Pending, Running, Succeeded, Failed), or NoPod before the Job controller made one. */
  podPhase: string;
  /** Why it is in that phase when Kubernetes says (Unschedulable, ContainerCreating, ImagePullBackOff, ...). */
  reason?: string;
  lastLogLine?: string;
  /** The Job's I/O prefix (its input.json, progress.json, result.json): an adopted Job's own. */
  ioUri: string;
}

export interface RunActivityJobOptions {
  signal?: AbortSignal;
  /**
   * Asked with `signal.reason` when `signal` aborts. True: stop waiting and leave the Job running
   * (the caller is going away, not cancelling: the next attempt adopts the Job), a retryable
   * K8S_DETACHED error. False (default): delete the Job and its pods, CancelledError.
   */
  leaveJobOnAbort?: (reason: unknown) => boolean;
  /** Each line of the pod's log (source 'pod'), and the launcher's own notes (source 'launcher'). */
  onLog?: (line: string, info: { source: 'pod' | 'launcher'; jobName: string; podName?: string }) => void;
  /** Called every `heartbeatIntervalMs` and whenever the pod's phase or reason changes. */
  onHeartbeat?: (hb: JobHeartbeat) => void;
  /** Default: in-cluster ServiceAccount, else $KUBECONFIG / ~/.kube/config. */
  api?: KubeApi;
  /** Default: the file named by SPNAS_JOB_TEMPLATE, else the built-in template. */
  template?: V1Job;
  /** Opens the store at the Job's input URI (default: openStore, S3 settings from the environment). */
  openStore?: (uri: string) => ObjectStore;
  /** Default true: wait on an earlier attempt's still-running or succeeded Job instead of starting anew. */
  adoptEarlierAttempts?: boolean;
  heartbeatIntervalMs?: number;
  /** How long an image pull or container-config error may last before it is final. Default 120 s. */
  stuckGraceMs?: number;
  /** How long the API server may be unreachable before the attempt fails (retryable). Default 120 s. */
  apiUnavailableMs?: number;
  /** How long cancellation waits for the Job's pods to disappear. Default 60 s. */
  cleanupTimeoutMs?: number;
  /** How long a finished pod's log may take to deliver its last lines. Default 5 s. */
  logDrainMs?: number;
}

export interface ActivityJobResult {
  /** `<ioUri>/result.json`, written by the container. */
  resultUri: string;
  /** The Job's I/O prefix: the spec's inputUri, or an adopted Job's own (annotation spnas.dev/input-uri). */
  ioUri: string;
  jobName: string;
  podName?: string;
  /** How the Job was found: created now, attached after a restart, or adopted from an earlier attempt. */
  how: 'created' | 'attached' | 'adopted';
}

export async function runActivityJob(rawSpec: ActivityJobSpec, opts: RunActivityJobOptions = {}): Promise<ActivityJobResult> {
  const spec = parseActivityJobSpec(rawSpec);
  const template = opts.template ? checkJobTemplate(opts.template) : jobTemplateFromEnv();
  const desired = buildActivityJob(spec, template);
  const api = opts.api ?? KubeApi.fromDefault();
  const open = opts.openStore ?? ((uri: string) => openStore(uri));
  throwIfAborted(opts.signal, `activity Job ${desired.metadata!.name}`);

  const found = await findOrCreateJob({
    api, desired, store: open(spec.inputUri), adoptEarlierAttempts: opts.adoptEarlierAttempts ?? true,
    signal: opts.signal, deletingTimeoutMs: opts.cleanupTimeoutMs ?? 60_000,
  }).catch(async (err: unknown) => {
    // Cancelled while creating: the create may have reached the server, so delete what may exist.
    if (opts.signal?.aborted && !opts.leaveJobOnAbort?.(opts.signal.reason)) await api.deleteJob(spec.namespace, desired.metadata!.name!).catch(() => undefined);
    throw err;
  });
  const job = found.job;
  const jobName = job.metadata!.name!;
  const inputUri = job.metadata?.annotations?.[ANNOTATION.inputUri] ?? spec.inputUri;
  const note = (msg: string) => opts.onLog?.(msg, { source: 'launcher', jobName });
  note(`${found.how} Job ${spec.namespace}/${jobName}${found.how === 'adopted' ? ` (attempt ${job.metadata?.annotations?.[ANNOTATION.attempt]}, still usable)` : ''}`);

  const container = (job.spec?.template?.spec?.containers ?? []).find((c) => c.name === MAIN_CONTAINER)?.name ?? job.spec?.template?.spec?.containers?.[0]?.name ?? MAIN_CONTAINER;
  const watch = new JobWatch({
    api, namespace: spec.namespace, jobName, jobUid: job.metadata!.uid!, container, initialJob: job,
    onLine: (line, podName) => opts.onLog?.(line, { source: 'pod', jobName, podName }),
    onNote: note,
  });
  const store = open(inputUri);
  try {
    const podName = await waitForJob({ api, watch, jobName, namespace: spec.namespace, container, store, opts, note });
    return { resultUri: `${store.uri}/result.json`, ioUri: store.uri, jobName, how: found.how, ...(podName ? { podName } : {}) };
  } finally {
    await watch.close();
  }
}

interface WaitContext {
  api: KubeApi;
  watch: JobWatch;
  jobName: string;
  namespace: string;
  container: string;
  store: ObjectStore;
  opts: RunActivityJobOptions;
  note: (msg: string) => void;
}

/** Waits for the Job's outcome; resolves with the pod name on success, throws the typed failure. */
async function waitForJob(c: WaitContext): Promise<string | undefined> {
  const { watch, opts } = c;
  const beatEvery = opts.heartbeatIntervalMs ?? 10_000;
  const waitingSince = new Map<string, number>();
  let lastBeat = 0;
  let lastKey = '';
  const disrupted = new Set<string>();
  for (;;) {
    if (opts.signal?.aborted) {
      const reason: unknown = opts.signal.reason;
      if (opts.leaveJobOnAbort?.(reason)) {
        c.note(`stopped waiting for Job ${c.jobName} (${describe(reason)}); the Job keeps running for the next attempt to adopt`);
        throw new TransientError(`stopped waiting for activity Job ${c.namespace}/${c.jobName} (${describe(reason)}); the Job keeps running and the next attempt adopts it`, { code: 'K8S_DETACHED', cause: reason });
      }
      await deleteAndWait(c, 'cancelled');
      throw new CancelledError(`activity Job ${c.namespace}/${c.jobName} cancelled; the Job and its pods were deleted`, { cause: reason });
    }
    noteDisruptions(c, disrupted);
    const job = watch.job;
    if (jobCondition(job, 'Complete')) {
      await watch.drainLogs(opts.logDrainMs ?? 5000);
      await requireResult(c);
      return watch.pod?.metadata?.name;
    }
    if (jobCondition(job, 'Failed')) {
      await watch.drainLogs(opts.logDrainMs ?? 5000);
      throw classifyJobFailure({ job: job!, pod: watch.pod, container: c.container, errorDoc: await readErrorDoc(c.store) });
    }
    if (!watch.jobExists) {
      throw new JobFailedError('K8S_JOB_DELETED', `Job ${c.namespace}/${c.jobName} was deleted by someone else before it finished`, { retryable: true, jobName: c.jobName, reason: 'Deleted' });
    }
    const now = Date.now();
    const pod = watch.pod;
    if (pod) {
      const stuck = classifyStuckPod({ jobName: c.jobName, pod, container: c.container, waitingSinceMs: since(waitingSince, pod, c.container, now), nowMs: now, graceMs: opts.stuckGraceMs ?? 120_000 });
      if (stuck) {
        c.note(`${stuck.message}; deleting the Job`);
        await deleteAndWait(c, stuck.reason);
        throw stuck;
      }
    }
    if (now - watch.lastContactMs > (opts.apiUnavailableMs ?? 120_000)) {
      throw new TransientError(`the Kubernetes API server has been unreachable for ${Math.round((now - watch.lastContactMs) / 1000)} s while waiting for Job ${c.namespace}/${c.jobName} (${watch.lastError?.message ?? 'no answer'}); the Job keeps running and the next attempt adopts it`, { code: 'K8S_UNAVAILABLE', cause: watch.lastError });
    }
    const hb = heartbeat(c.jobName, pod, c.container, watch.lastLogLine, c.store.uri);
    const key = `${hb.podName}/${hb.podPhase}/${hb.reason}`;
    if (opts.onHeartbeat && (key !== lastKey || now - lastBeat >= beatEvery)) {
      opts.onHeartbeat(hb);
      lastBeat = now;
      lastKey = key;
    }
    await watch.nextChange(Math.min(1000, beatEvery));
  }
}

/** When this launcher first saw the pod waiting with a stuck reason of the same kind. */
function since(map: Map<string, number>, pod: V1Pod, container: string, now: number): number {
  const reason = mainStatus(pod, container)?.state?.waiting?.reason;
  const kind = reason ? STUCK_REASONS[reason]?.code : undefined;
  const key = `${pod.metadata?.name}/${kind}`;
  if (!kind) return now;
  if (!map.has(key)) map.set(key, now);
  return map.get(key)!;
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/**
 * Says once per pod when one was disrupted (eviction, preemption, node drain) while its Job goes on:
 * the Job controller replaces it (podFailurePolicy) and the new pod resumes from the checkpoint.
 */
function noteDisruptions(c: WaitContext, seen: Set<string>): void {
  for (const p of [...c.watch.pods.values(), ...(c.watch.lastPod ? [c.watch.lastPod] : [])]) {
    const name = p.metadata?.name ?? '?';
    const d = p.status?.conditions?.find((x) => x.type === 'DisruptionTarget' && x.status === 'True');
    if (!d || seen.has(name)) continue;
    seen.add(name);
    c.note(`pod ${name} of Job ${c.jobName} was disrupted (${d.reason ?? 'DisruptionTarget'}${d.message ? `: ${d.message}` : ''}); the Job replaces it and the new pod resumes from the last checkpoint`);
  }
}

function heartbeat(jobName: string, pod: V1Pod | undefined, container: string, lastLogLine: string | undefined, ioUri: string): JobHeartbeat {
  if (!pod) return { jobName, podPhase: 'NoPod', ioUri, ...(lastLogLine ? { lastLogLine } : {}) };
  const state = mainStatus(pod, container)?.state;
  const unscheduled = pod.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
  const reason = state?.waiting?.reason ?? state?.terminated?.reason ?? pod.status?.reason ?? unscheduled?.reason;
  return {
    jobName,
    podName: pod.metadata?.name,
    podPhase: pod.status?.phase ?? 'Pending',
    ioUri,
    ...(reason ? { reason } : {}),
    ...(lastLogLine ? { lastLogLine } : {}),
  };
}

/** Deletes the Job (pods through the garbage collector) and waits until neither is left. */
async function deleteAndWait(c: WaitContext, why: string): Promise<void> {
  // Not the caller's signal: it may be the one that was just aborted.
  await c.api.deleteJob(c.namespace, c.jobName);
  const deadline = Date.now() + (c.opts.cleanupTimeoutMs ?? 60_000);
  while (c.watch.jobExists || c.watch.pods.size > 0) {
    if (Date.now() > deadline) {
      c.note(`Job ${c.jobName} (${why}): deleted, but ${c.watch.pods.size} pod(s) still terminating after ${c.opts.cleanupTimeoutMs ?? 60_000} ms`);
      return;
    }
    await c.watch.nextChange(500);
  }
  c.note(`Job ${c.jobName} (${why}): deleted with its pods`);
}

/** result.json must exist once the pod succeeded; a short grace covers a store that lags. */
async function requireResult(c: WaitContext): Promise<void> {
  for (let i = 0; i < 3; i++) {
    if (await c.store.head('result.json')) return;
    await sleep(500 * (i + 1));
  }
  throw new JobFailedError('K8S_RESULT_MISSING', `Job ${c.namespace}/${c.jobName} succeeded but ${c.store.uri}/result.json does not exist: the container must write it before exiting 0`, { retryable: false, jobName: c.jobName, reason: 'ResultMissing' });
}

async function readErrorDoc(store: ObjectStore): Promise<ErrorDoc | null> {
  try {
    return parseErrorDoc(await store.get('error.json'));
  } catch (err) {
    if (err instanceof SpnasError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}
