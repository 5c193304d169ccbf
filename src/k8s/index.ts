/** The `k8s-job` executor: heavy activities as Kubernetes Jobs. */
export { runActivityJob, type ActivityJobResult, type JobHeartbeat, type RunActivityJobOptions } from './launcher';
export { jobNameFor, activityKeyFor, labelValue, type AttemptIdentity } from './names';
export { activityJobSpecSchema, parseActivityJobSpec, type ActivityJobSpec } from './activity-job-spec';
export { buildActivityJob, LABEL, ANNOTATION, DEFAULT_GRACE_SECONDS } from './build-job';
export { planActivityJob, gpuLimitOf, withImage, type JobClasses, type ActivityResources, type JobPlan } from './job-class';
export { defaultJobTemplate, loadJobTemplate, jobTemplateFromEnv, MAIN_CONTAINER } from './job-template';
export { JobFailedError, type ErrorDoc } from './job-failure';
export { KubeApi } from './kube-api';
export { LAUNCHER_ROLE_RULES } from './rbac';
