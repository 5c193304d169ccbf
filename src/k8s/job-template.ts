/**
 * The Job template: a batch/v1 Job that an operator owns (the Helm chart mounts it from a ConfigMap;
 * `SPNAS_JOB_TEMPLATE` names the file) and the launcher fills per attempt. The template carries what
 * is the same for every activity (image, pull secrets, S3 credentials by Secret reference, volumes,
 * security context); the launcher sets what identifies and bounds one attempt. Without a file, the
 * defaults below apply.
 */
import { readFileSync } from 'node:fs';
import { loadYaml, type V1Job } from '@kubernetes/client-node';
import { InvalidInputError } from '../errors';

/** The container the launcher fills: the one named `main`, else the first. */
export const MAIN_CONTAINER = 'main';

/**
 * The spnas images' ENTRYPOINT, spelled out. A container's `command` replaces the image's entrypoint,
 * so `[spnas]` alone made node PID 1: nothing reaped zombies, and a SIGTERM before node installed its
 * handler was ignored until the grace period's SIGKILL (seen on a real node, docs/real-node.md).
 */
export const SPNAS_ENTRYPOINT: readonly string[] = ['/usr/bin/tini', '--', 'spnas'];

/**
 * The default template. Hardened like the chart's pods: non-root, read-only root filesystem (an
 * emptyDir on /tmp for scratch), no capabilities, no privilege escalation, seccomp RuntimeDefault;
 * no service-account token (the activity talks to the store, not to the API server).
 */
export function defaultJobTemplate(): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { labels: { 'app.kubernetes.io/name': 'spnas', 'app.kubernetes.io/component': 'activity' } },
    spec: {
      template: {
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: MAIN_CONTAINER,
              image: 'spnas:latest',
              command: [...SPNAS_ENTRYPOINT],
              env: [{ name: 'HOME', value: '/tmp' }],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

/**
 * Reads a Job template (YAML or JSON). Checks only the shape the launcher relies on; the API server
 * validates the rest when the Job is created (a bad field there is a non-retryable K8S_INVALID_SPEC).
 * @throws InvalidInputError naming the file and the fix.
 */
export function loadJobTemplate(file: string): V1Job {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidInputError(`cannot read the Job template '${file}' (SPNAS_JOB_TEMPLATE): ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (err) {
    throw new InvalidInputError(`the Job template '${file}' is not valid YAML/JSON: ${(err as Error).message}`, { cause: err });
  }
  return checkJobTemplate(doc, `the Job template '${file}'`);
}

/** Checks a parsed template; `what` names it in errors. */
export function checkJobTemplate(doc: unknown, what = 'the Job template'): V1Job {
  const job = doc as V1Job | null;
  if (job === null || typeof job !== 'object' || job.kind !== 'Job' || job.apiVersion !== 'batch/v1') {
    throw new InvalidInputError(`${what} must be a batch/v1 Job (apiVersion: batch/v1, kind: Job)`);
  }
  const containers = job.spec?.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new InvalidInputError(`${what} has no spec.template.spec.containers: give it at least the '${MAIN_CONTAINER}' container`);
  }
  for (const c of [...containers, ...(job.spec?.template?.spec?.initContainers ?? [])]) {
    if (c.securityContext?.privileged === true) {
      throw new InvalidInputError(`${what}: container '${c.name}' is privileged; activity pods never need that: remove securityContext.privileged`);
    }
  }
  return job;
}

/** The template named by `SPNAS_JOB_TEMPLATE`, or the defaults. */
export function jobTemplateFromEnv(env: NodeJS.ProcessEnv = process.env): V1Job {
  const file = env.SPNAS_JOB_TEMPLATE;
  return file ? loadJobTemplate(file) : defaultJobTemplate();
}
