/**
 * Fills the Job template for one activity attempt. Pure: same spec and template, same Job.
 *
 * The launcher always sets what makes the Job traceable and its failures classifiable (name, labels,
 * backoffLimit 0, restartPolicy Never, the pod failure policy, the deadline, the command); the
 * template's own values win for everything else, and the security and grace defaults apply wherever
 * the template is silent.
 */
import type { V1Container, V1Job, V1PodFailurePolicy, V1PodSecurityContext, V1SecurityContext, V1Toleration } from '@kubernetes/client-node';
import { activityKeyFor, jobNameFor, labelValue } from './names';
import { MAIN_CONTAINER, SPNAS_ENTRYPOINT } from './job-template';
import type { ValidActivityJobSpec } from './activity-job-spec';

/** Label and annotation keys (labels for selectors, annotations for the exact ids). */
export const LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  activity: 'spnas.dev/activity',
  activityKey: 'spnas.dev/activity-key',
  attempt: 'spnas.dev/attempt',
  study: 'spnas.dev/study',
  trial: 'spnas.dev/trial',
} as const;
export const ANNOTATION = {
  workflowId: 'spnas.dev/workflow-id',
  runId: 'spnas.dev/run-id',
  activityId: 'spnas.dev/activity-id',
  attempt: 'spnas.dev/attempt',
  studyId: 'spnas.dev/study-id',
  trialId: 'spnas.dev/trial-id',
  inputUri: 'spnas.dev/input-uri',
} as const;
export const MANAGED_BY = 'spnas-launcher';
/** Default ttlSecondsAfterFinished: an hour to look at a failed Job and its pod, then Kubernetes cleans up. */
export const DEFAULT_TTL_SECONDS = 3600;
/** The taint GPU node pools usually carry; a GPU Job tolerates it. */
const GPU_TOLERATION: V1Toleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
/**
 * Seconds between SIGTERM and SIGKILL when the template does not say: the container stops after its
 * current step and commits a checkpoint (Kubernetes' own default, 30 s, is short for a large model
 * written to S3). The chart sets it from jobs.terminationGracePeriodSeconds.
 */
export const DEFAULT_GRACE_SECONDS = 120;

const POD_SECURITY_DEFAULTS: V1PodSecurityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY_DEFAULTS: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/** Builds the Job for `spec` from `template` (not modified). */
export function buildActivityJob(spec: ValidActivityJobSpec, template: V1Job): V1Job {
  const job = structuredClone(template);
  const name = jobNameFor(spec);
  const labels: Record<string, string> = {
    ...job.metadata?.labels,
    ...spec.labels,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.activity]: spec.activity,
    [LABEL.activityKey]: activityKeyFor(spec),
    [LABEL.attempt]: String(spec.attempt),
    ...(spec.studyId ? { [LABEL.study]: labelValue(spec.studyId) } : {}),
    ...(spec.trialId ? { [LABEL.trial]: labelValue(spec.trialId) } : {}),
  };
  const annotations: Record<string, string> = {
    ...job.metadata?.annotations,
    ...spec.annotations,
    [ANNOTATION.workflowId]: spec.workflowId,
    [ANNOTATION.runId]: spec.runId,
    [ANNOTATION.activityId]: spec.activityId,
    [ANNOTATION.attempt]: String(spec.attempt),
    [ANNOTATION.inputUri]: spec.inputUri,
    ...(spec.studyId ? { [ANNOTATION.studyId]: spec.studyId } : {}),
    ...(spec.trialId ? { [ANNOTATION.trialId]: spec.trialId } : {}),
  };
  job.apiVersion = 'batch/v1';
  job.kind = 'Job';
  job.metadata = { ...job.metadata, name, namespace: spec.namespace, labels, annotations };
  delete job.metadata.generateName;
  delete job.metadata.resourceVersion;
  delete job.metadata.uid;

  const jobSpec = job.spec!;
  const podTemplate = jobSpec.template;
  jobSpec.backoffLimit = 0; // Temporal owns retries: one pod per attempt
  jobSpec.activeDeadlineSeconds = Math.ceil(spec.startToCloseTimeoutMs / 1000);
  jobSpec.ttlSecondsAfterFinished = spec.ttlSecondsAfterFinished ?? jobSpec.ttlSecondsAfterFinished ?? DEFAULT_TTL_SECONDS;
  // The pod carries the same identity, so `kubectl get pods -l spnas.dev/study=...` works too.
  podTemplate.metadata = {
    ...podTemplate.metadata,
    labels: { ...podTemplate.metadata?.labels, ...labels },
    annotations: { ...podTemplate.metadata?.annotations, ...annotations },
  };

  const pod = podTemplate.spec!;
  pod.restartPolicy = 'Never';
  pod.terminationGracePeriodSeconds ??= DEFAULT_GRACE_SECONDS;
  pod.securityContext = { ...POD_SECURITY_DEFAULTS, ...pod.securityContext };
  if (spec.serviceAccountName) pod.serviceAccountName = spec.serviceAccountName;
  if (spec.priorityClassName) pod.priorityClassName = spec.priorityClassName;
  const gpus = spec.gpu?.count ?? 0;
  if (spec.nodeSelector) pod.nodeSelector = { ...pod.nodeSelector, ...spec.nodeSelector };
  const tolerations = [...(pod.tolerations ?? []), ...(spec.tolerations ?? []), ...(gpus > 0 ? [GPU_TOLERATION] : [])];
  if (tolerations.length > 0) pod.tolerations = dedupeTolerations(tolerations);

  const main = pod.containers.find((c) => c.name === MAIN_CONTAINER) ?? pod.containers[0]!;
  fillMainContainer(main, spec, name, gpus);
  jobSpec.podFailurePolicy = podFailurePolicy(main.name);
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    c.securityContext = { ...CONTAINER_SECURITY_DEFAULTS, ...c.securityContext };
  }
  return job;
}

function fillMainContainer(main: V1Container, spec: ValidActivityJobSpec, jobName: string, gpus: number): void {
  if (spec.image) main.image = spec.image;
  if (!main.command || main.command.length === 0) main.command = [...SPNAS_ENTRYPOINT];
  main.args = ['run-activity', spec.activity, '--input', spec.inputUri];
  const ours: Record<string, string> = {
    ...spec.env,
    SPNAS_JOB_NAME: jobName,
    SPNAS_WORKFLOW_ID: spec.workflowId,
    SPNAS_RUN_ID: spec.runId,
    SPNAS_ACTIVITY_ID: spec.activityId,
    SPNAS_ATTEMPT: String(spec.attempt),
  };
  main.env = [...(main.env ?? []).filter((e) => !(e.name in ours)), ...Object.entries(ours).map(([name, value]) => ({ name, value }))];
  const requests = { ...main.resources?.requests, ...spec.resources?.requests };
  const limits = { ...main.resources?.limits, ...spec.resources?.limits };
  if (gpus > 0) {
    // Extended resources are set as limits; Kubernetes copies them to requests.
    limits[spec.gpu!.resource] = String(gpus);
    delete requests[spec.gpu!.resource];
  }
  main.resources = {
    ...main.resources,
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

/**
 * A disruption (eviction, preemption, node drain or loss: the pod's DisruptionTarget condition) is
 * not the activity's fault: the Job controller replaces the pod, which resumes from the last
 * committed checkpoint, and the attempt goes on (bounded by activeDeadlineSeconds). Any other
 * non-zero exit of the main container fails the Job at once, and the launcher classifies it.
 */
function podFailurePolicy(container: string): V1PodFailurePolicy {
  return {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: container, operator: 'NotIn', values: [0] } },
    ],
  };
}

function dedupeTolerations(ts: V1Toleration[]): V1Toleration[] {
  const seen = new Set<string>();
  return ts.filter((t) => {
    const k = JSON.stringify([t.key, t.operator, t.value, t.effect, t.tolerationSeconds]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
