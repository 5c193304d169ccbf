/**
 * Runs a use case as one Kubernetes Job per activity attempt: writes the input to the attempt's I/O
 * prefix in the store, launches `spnas run-activity <use case> --input <prefix>` from the install's
 * Job template for the activity's class (CPU or GPU, src/k8s/job-class.ts), relays the pod's log and
 * phase as progress, and reads the result the container wrote in the Job's own prefix (an adopted
 * earlier attempt's Job wrote it in its prefix, not this attempt's). The container runs exactly what
 * LocalExecutor runs in-process.
 *
 * A cancellation of the activity deletes the Job; a worker that stops (shutdown, lost heartbeat)
 * leaves it running, and the next attempt adopts it.
 */
import type { V1Job } from '@kubernetes/client-node';
import { CancelledFailure } from '@temporalio/common';
import { InvalidInputError } from '../src/errors';
import { jobTemplateFromEnv, KubeApi, loadJobTemplate, runActivityJob, type RunActivityJobOptions } from '../src/k8s';
import { planActivityJob, withImage, type JobClasses } from '../src/k8s/job-class';
import { openStore } from '../src/storage/open-store';
import type { UseCaseName } from '../src/usecases';
import type { UseCaseContext, UseCaseProgress } from '../src/usecases/context';
import { readJson, writeJson } from '../src/storage/json-store';
import type { ExecutionRequest, Executor } from './executor';

export interface K8sJobExecutorOptions {
  /** Namespace the Jobs run in (SPNAS_K8S_NAMESPACE; the chart sets the release's). */
  namespace: string;
  /** Image of CPU Jobs (SPNAS_JOB_IMAGE); falls back to the CPU template's. */
  image?: string;
  /** Image of GPU Jobs (SPNAS_JOB_GPU_IMAGE); falls back to the GPU template's. With no GPU template, it makes one from the CPU template. */
  gpuImage?: string;
  api?: KubeApi;
  /** The CPU Job template (SPNAS_JOB_TEMPLATE, else the built-in one). */
  template?: V1Job;
  /** The GPU Job template (SPNAS_JOB_GPU_TEMPLATE); absent (and no gpuImage): this install runs no GPU Jobs. */
  gpuTemplate?: V1Job;
  /** Passed to the launcher as is (tests shorten the grace periods). */
  launcher?: Omit<RunActivityJobOptions, 'api' | 'template' | 'signal' | 'onLog' | 'onHeartbeat' | 'leaveJobOnAbort'>;
}

/** The study spec's resources key of each heavy use case, for error messages. */
const SPEC_KEY: Partial<Record<UseCaseName, string>> = {
  searchArchitecture: 'search',
  warmupSupernet: 'search',
  trainModel: 'retrain',
  evaluateModel: 'evaluate',
  profileLatency: 'profile',
};

/**
 * Temporal's cancel reasons (the SDK aborts the activity's signal with CancelledFailure(reason)) after
 * which the Job must outlive the activity: the worker is going away or lost the attempt, and the next
 * attempt adopts the Job. Only a requested cancellation (CANCELLED), a pause or a reset deletes it.
 */
const LEAVE_JOB_REASONS = new Set(['WORKER_SHUTDOWN', 'TIMED_OUT', 'NOT_FOUND', 'HEARTBEAT_DETAILS_CONVERSION_FAILED']);

export function jobOutlivesAbort(reason: unknown): boolean {
  return reason instanceof CancelledFailure && LEAVE_JOB_REASONS.has(reason.message);
}

export class K8sJobExecutor implements Executor {
  readonly kind = 'k8s-job' as const;
  private readonly api: KubeApi;
  private readonly classes: JobClasses;

  constructor(private readonly o: K8sJobExecutorOptions) {
    this.api = o.api ?? KubeApi.fromDefault();
    const cpu = o.template ?? jobTemplateFromEnv();
    const gpu = o.gpuTemplate ?? (o.gpuImage ? cpu : undefined);
    this.classes = {
      cpu: o.image ? withImage(cpu, o.image) : cpu,
      ...(gpu ? { gpu: o.gpuImage ? withImage(gpu, o.gpuImage) : gpu } : {}),
    };
  }

  /** From the worker's environment (what the chart sets). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): K8sJobExecutor {
    const namespace = env.SPNAS_K8S_NAMESPACE;
    if (!namespace)
      throw new InvalidInputError('SPNAS_EXECUTOR=k8s-job needs SPNAS_K8S_NAMESPACE: the namespace the activity Jobs run in (the Helm chart sets it)');
    return new K8sJobExecutor({
      namespace,
      template: jobTemplateFromEnv(env),
      ...(env.SPNAS_JOB_GPU_TEMPLATE ? { gpuTemplate: loadJobTemplate(env.SPNAS_JOB_GPU_TEMPLATE) } : {}),
      ...(env.SPNAS_JOB_IMAGE ? { image: env.SPNAS_JOB_IMAGE } : {}),
      ...(env.SPNAS_JOB_GPU_IMAGE ? { gpuImage: env.SPNAS_JOB_GPU_IMAGE } : {}),
    });
  }

  async run(req: ExecutionRequest, ctx: UseCaseContext): Promise<unknown> {
    const plan = planActivityJob(`resources.${SPEC_KEY[req.name] ?? req.name} (${req.name})`, req.resources, this.classes);
    const io = openStore(req.ioUri);
    await writeJson(io, 'input.json', req.input);
    const r = await runActivityJob(
      {
        namespace: this.o.namespace,
        ...req.identity,
        activity: req.name,
        inputUri: req.ioUri,
        startToCloseTimeoutMs: req.timeoutSeconds * 1000,
        resources: plan.resources,
        ...(plan.gpu ? { gpu: plan.gpu } : {}),
        labels: req.labels,
      },
      {
        ...this.o.launcher,
        api: this.api,
        template: plan.template,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        leaveJobOnAbort: jobOutlivesAbort,
        onLog: (line, info) => ctx.log?.(info.source === 'pod' ? `[${info.podName ?? info.jobName}] ${line}` : line),
        // The pod's phase, with the container's last progress.json (its checkpoint) in the Job's own prefix, as heartbeat details.
        onHeartbeat: (hb) => void this.relayProgress(hb.ioUri, `job ${hb.podPhase}${hb.reason ? ` (${hb.reason})` : ''}`, ctx),
      },
    );
    const result = await readJson(openStore(r.ioUri), 'result.json');
    if (result === undefined) throw new InvalidInputError(`Job ${r.jobName} succeeded but wrote no ${r.resultUri}`);
    return result;
  }

  private async relayProgress(ioUri: string, phase: string, ctx: UseCaseContext): Promise<void> {
    const p = (await readJson(openStore(ioUri), 'progress.json').catch(() => undefined)) as UseCaseProgress | undefined;
    ctx.onProgress?.(p ? { ...p, phase: `${phase}: ${p.phase}` } : { phase, done: 0, total: 0 });
  }
}
