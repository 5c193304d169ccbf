/**
 * How a failed or stuck activity Job becomes a typed error. Pure: it reads the Job, the last state of
 * its pod and the container's own error.json (if any), and decides retryable or not:
 *
 *   the container's error.json, unless it only     its code / retryable (the activity knows best)
 *   says it was terminated
 *   OOMKilled, image pull failing past the grace,  non-retryable: the same spec fails the same way
 *   invalid spec (422), CreateContainerConfigError
 *   deadline exceeded, eviction, preemption, node  retryable: the next attempt resumes from the
 *   loss (DisruptionTarget), a pod that vanished,  checkpoint the container saved on SIGTERM
 *   a container terminated by SIGTERM
 *   any other non-zero exit                        retryable (a crash without a typed error), bounded
 *                                                  by Temporal's retry policy
 *
 * A container that receives SIGTERM checkpoints and writes error.json TERMINATED (older images:
 * CANCELLED): that says what happened to it, not why, so the deadline and the pod's DisruptionTarget
 * condition, which do say why, come first.
 */
import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import { SpnasError } from '../errors';

/** A failed activity Job, with the Kubernetes reason and the objects it concerns. */
export class JobFailedError extends SpnasError {
  readonly jobName: string;
  readonly podName: string | undefined;
  /** The Kubernetes (or container) reason, e.g. OOMKilled, EvictionByEvictionAPI, DeadlineExceeded. */
  readonly reason: string;

  constructor(code: string, message: string, o: { retryable: boolean; jobName: string; podName?: string; reason: string; cause?: unknown }) {
    super(code, message, { retryable: o.retryable, cause: o.cause });
    this.jobName = o.jobName;
    this.podName = o.podName;
    this.reason = o.reason;
  }
}

/** The typed failure a container reports in `<input>/error.json` before exiting 1. */
export interface ErrorDoc {
  code: string;
  message: string;
  retryable: boolean;
}

/** Parses error.json; null when it is not the documented shape (then the exit code decides). */
export function parseErrorDoc(bytes: Uint8Array): ErrorDoc | null {
  try {
    const d = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<ErrorDoc>;
    if (typeof d.code === 'string' && d.code !== '' && typeof d.message === 'string' && typeof d.retryable === 'boolean') {
      return { code: d.code, message: d.message, retryable: d.retryable };
    }
  } catch {
    // not JSON: fall through
  }
  return null;
}

/** What a container writes when SIGTERM stopped it (TerminatedError; CANCELLED from images before it). */
const TERMINATION_CODES = new Set(['TERMINATED', 'CANCELLED']);
/** Pod-level reasons (status.reason) that mean the node or the scheduler took the pod away. */
const LOST_POD_REASONS = new Set(['Evicted', 'NodeLost', 'NodeShutdown', 'Shutdown', 'Terminated', 'Preempting', 'UnexpectedAdmissionError', 'DeadlineExceeded']);
/** Waiting reasons that never resolve by themselves for this spec, once past the grace period. */
export const STUCK_REASONS: Record<string, { code: string; graceApplies: boolean; what: string }> = {
  ErrImagePull: { code: 'K8S_IMAGE_PULL', graceApplies: true, what: 'the image cannot be pulled' },
  ImagePullBackOff: { code: 'K8S_IMAGE_PULL', graceApplies: true, what: 'the image cannot be pulled' },
  InvalidImageName: { code: 'K8S_IMAGE_PULL', graceApplies: false, what: 'the image name is invalid' },
  CreateContainerConfigError: { code: 'K8S_CONTAINER_CONFIG', graceApplies: true, what: 'the container configuration is invalid (a missing Secret or ConfigMap key?)' },
};

export function jobCondition(job: V1Job | undefined, type: string): { reason: string; message: string } | null {
  const c = job?.status?.conditions?.find((x) => x.type === type && x.status === 'True');
  return c ? { reason: c.reason ?? type, message: c.message ?? '' } : null;
}

export function mainStatus(pod: V1Pod | undefined, container: string): V1ContainerStatus | undefined {
  const all = pod?.status?.containerStatuses ?? [];
  return all.find((s) => s.name === container) ?? all[0];
}

/**
 * The error for a Job whose Failed condition is set. `pod` is the last state seen of its pod (also
 * from a DELETED event), undefined if none was ever seen; `errorDoc` the container's error.json.
 */
export function classifyJobFailure(o: { job: V1Job; pod: V1Pod | undefined; container: string; errorDoc: ErrorDoc | null }): JobFailedError {
  const jobName = o.job.metadata?.name ?? '?';
  const podName = o.pod?.metadata?.name;
  const base = { jobName, ...(podName ? { podName } : {}) };
  const where = podName ? `Job ${jobName} (pod ${podName})` : `Job ${jobName}`;
  const failed = jobCondition(o.job, 'Failed');
  const term = mainStatus(o.pod, o.container)?.state?.terminated;

  const doc = o.errorDoc;
  const terminated = doc !== null && TERMINATION_CODES.has(doc.code);
  const said = doc ? ` (the container: ${doc.message})` : '';
  if (doc && !terminated) {
    return new JobFailedError(doc.code, `${where}: ${doc.message}`, { ...base, retryable: doc.retryable, reason: doc.code });
  }
  if (term?.reason === 'OOMKilled') {
    return new JobFailedError('K8S_OOM_KILLED', `${where}: the container was killed for exceeding its memory limit (OOMKilled, exit ${term.exitCode}); raise resources.limits.memory or lower the batch size`, { ...base, retryable: false, reason: 'OOMKilled' });
  }
  if (failed?.reason === 'DeadlineExceeded') {
    return new JobFailedError('K8S_DEADLINE_EXCEEDED', `${where}: ran past activeDeadlineSeconds=${o.job.spec?.activeDeadlineSeconds} (the activity's start-to-close timeout)${said}`, { ...base, retryable: true, reason: 'DeadlineExceeded' });
  }
  const disruption = o.pod?.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  if (disruption) {
    const reason = disruption.reason ?? 'DisruptionTarget';
    return new JobFailedError('K8S_POD_DISRUPTED', `${where}: the pod was disrupted (${reason}${disruption.message ? `: ${disruption.message}` : ''}); another attempt may run elsewhere${said}`, { ...base, retryable: true, reason });
  }
  if (doc) {
    return new JobFailedError('TERMINATED', `${where}: the container was terminated (SIGTERM) and stopped: ${doc.message}; a retry resumes from its checkpoint`, { ...base, retryable: true, reason: doc.code });
  }
  const podReason = o.pod?.status?.reason;
  if (podReason && LOST_POD_REASONS.has(podReason)) {
    return new JobFailedError('K8S_NODE_LOST', `${where}: the pod was lost (${podReason}${o.pod?.status?.message ? `: ${o.pod.status.message}` : ''})`, { ...base, retryable: true, reason: podReason });
  }
  if (!o.pod) {
    return new JobFailedError('K8S_POD_LOST', `${where} failed (${failed?.reason ?? 'unknown'}${failed?.message ? `: ${failed.message}` : ''}) and its pod is gone without a recorded exit (node loss or deletion)`, { ...base, retryable: true, reason: failed?.reason ?? 'PodLost' });
  }
  if (term && term.exitCode !== 0) {
    const reason = term.reason ?? 'Error';
    return new JobFailedError('K8S_CONTAINER_FAILED', `${where}: the container exited with code ${term.exitCode} (${reason}) without writing error.json${term.message ? `: ${term.message}` : ''}`, { ...base, retryable: true, reason });
  }
  const r = failed?.reason ?? 'Failed';
  return new JobFailedError('K8S_JOB_FAILED', `${where} failed (${r}${failed?.message ? `: ${failed.message}` : ''})`, { ...base, retryable: true, reason: r });
}

/**
 * A pod stuck on a reason that will not fix itself: the error to fail with, or null to keep waiting.
 * `waitingSinceMs` is when this launcher first saw the container waiting with this reason.
 */
export function classifyStuckPod(o: { jobName: string; pod: V1Pod; container: string; waitingSinceMs: number; nowMs: number; graceMs: number }): JobFailedError | null {
  const waiting = mainStatus(o.pod, o.container)?.state?.waiting;
  const known = waiting?.reason ? STUCK_REASONS[waiting.reason] : undefined;
  if (!waiting || !known) return null;
  if (known.graceApplies && o.nowMs - o.waitingSinceMs < o.graceMs) return null;
  const podName = o.pod.metadata?.name ?? '?';
  const waited = known.graceApplies ? ` for ${Math.round((o.nowMs - o.waitingSinceMs) / 1000)} s` : '';
  return new JobFailedError(known.code, `Job ${o.jobName} (pod ${podName}): ${known.what}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}${waited}`, { jobName: o.jobName, podName, retryable: false, reason: waiting.reason! });
}
