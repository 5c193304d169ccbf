/**
 * What the caller asks for when it runs one activity attempt as a Job, validated in one place (zod).
 * Everything cluster-specific that is the same for every activity (image pull secrets, S3 credentials
 * by Secret reference, volumes) belongs in the Job template instead, see job-template.ts.
 */
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';

const dns1123Label = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS-1123 label: lower-case letters, digits and -, at most 63');
const quantity = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

const tolerationSchema = z
  .object({
    key: z.string().optional(),
    operator: z.enum(['Exists', 'Equal']).optional(),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .strict();

export const activityJobSpecSchema = z
  .object({
    /** Namespace the Job runs in (the worker's own, usually). */
    namespace: dns1123Label,
    /** Temporal identity of the attempt: together they name the Job (the run id because activity ids restart in every run). */
    workflowId: z.string().min(1),
    runId: z.string().min(1),
    activityId: z.string().min(1),
    attempt: z.number().int().min(1),
    /** The activity the container runs: `spnas run-activity <activity> --input <inputUri>`. */
    activity: z.string().regex(/^[a-z][A-Za-z0-9-]*$/, 'must be an activity (use case) name such as searchArchitecture, trainModel, evaluateModel'),
    /** Store URI (s3://... on a cluster) holding input.json; the container writes result.json or error.json there. */
    inputUri: z.string().min(1),
    /** Container image; falls back to the template's image. */
    image: z.string().min(1).optional(),
    /** The activity's start-to-close timeout: becomes the Job's activeDeadlineSeconds (rounded up). */
    startToCloseTimeoutMs: z.number().int().positive(),
    /** How long a finished Job (and its pod, for post-mortems) stays before Kubernetes deletes it. */
    ttlSecondsAfterFinished: z.number().int().min(0).optional(),
    studyId: z.string().min(1).optional(),
    trialId: z.string().min(1).optional(),
    gpu: z
      .object({
        count: z.number().int().min(0),
        /** The extended resource the device plugin advertises. */
        resource: z.string().min(1).default('nvidia.com/gpu'),
      })
      .strict()
      .optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(tolerationSchema).optional(),
    priorityClassName: z.string().min(1).optional(),
    resources: z
      .object({ requests: z.record(z.string(), quantity).optional(), limits: z.record(z.string(), quantity).optional() })
      .strict()
      .optional(),
    serviceAccountName: dns1123Label.optional(),
    /** Extra environment for the container (never credentials: reference Secrets from the template). */
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'), z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type ActivityJobSpec = z.input<typeof activityJobSpecSchema>;
export type ValidActivityJobSpec = z.output<typeof activityJobSpecSchema>;

/** Validates a spec, or throws InvalidInputError listing every bad field. */
export function parseActivityJobSpec(spec: unknown): ValidActivityJobSpec {
  return parseOrThrow(activityJobSpecSchema, spec, 'activity Job spec');
}
