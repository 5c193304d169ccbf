/**
 * Runs a use case as one Kubernetes Job per activity attempt: writes the input to the attempt's I/O
 * prefix in the store, launches `spnas run-activity <use case> --input <prefix>` from the
 * operator's Job template (src/k8s), relays the pod's log and phase as progress, and reads the
 * result the container wrote. The container runs exactly what LocalExecutor runs in-process.
 */
import type { V1Job } from '@kubernetes/client-node';
import { InvalidInputError } from '../src/errors';
import { jobTemplateFromEnv, KubeApi, runActivityJob, type RunActivityJobOptions } from '../src/k8s';
import { openStore } from '../src/storage/open-store';
import type { UseCaseContext, UseCaseProgress } from '../src/usecases/context';
import { readJson, writeJson } from '../src/storage/json-store';
import type { ExecutionRequest, Executor } from './executor';

export interface K8sJobExecutorOptions {
  /** Namespace the Jobs run in (SPNAS_K8S_NAMESPACE; the chart sets the release's). */
  namespace: string;
  /** Container image (SPNAS_JOB_IMAGE); falls back to the template's. */
  image?: string;
  api?: KubeApi;
  template?: V1Job;
  /** Passed to the launcher as is (tests shorten the grace periods). */
  launcher?: Omit<RunActivityJobOptions, 'api' | 'template' | 'signal' | 'onLog' | 'onHeartbeat'>;
}

export class K8sJobExecutor implements Executor {
  readonly kind = 'k8s-job' as const;
  private readonly api: KubeApi;
  private readonly template: V1Job;

  constructor(private readonly o: K8sJobExecutorOptions) {
    this.api = o.api ?? KubeApi.fromDefault();
    this.template = o.template ?? jobTemplateFromEnv();
  }

  /** From the worker's environment (what the chart sets). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): K8sJobExecutor {
    const namespace = env.SPNAS_K8S_NAMESPACE;
    if (!namespace)
      throw new InvalidInputError('SPNAS_EXECUTOR=k8s-job needs SPNAS_K8S_NAMESPACE: the namespace the activity Jobs run in (the Helm chart sets it)');
    return new K8sJobExecutor({ namespace, ...(env.SPNAS_JOB_IMAGE ? { image: env.SPNAS_JOB_IMAGE } : {}) });
  }

  async run(req: ExecutionRequest, ctx: UseCaseContext): Promise<unknown> {
    const io = openStore(req.ioUri);
    await writeJson(io, 'input.json', req.input);
    const { cpu, memory, gpu } = req.resources;
    const r = await runActivityJob(
      {
        namespace: this.o.namespace,
        workflowId: req.identity.workflowId,
        activityId: req.identity.activityId,
        attempt: req.identity.attempt,
        activity: req.name,
        inputUri: req.ioUri,
        startToCloseTimeoutMs: req.timeoutSeconds * 1000,
        resources: { requests: { cpu, memory }, limits: { memory } },
        ...(gpu > 0 ? { gpu: { count: gpu } } : {}),
        ...(this.o.image ? { image: this.o.image } : {}),
        labels: req.labels,
      },
      {
        ...this.o.launcher,
        api: this.api,
        template: this.template,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onLog: (line, info) => ctx.log?.(info.source === 'pod' ? `[${info.podName ?? info.jobName}] ${line}` : line),
        // The pod's phase, with the container's last progress.json (its checkpoint), as heartbeat details.
        onHeartbeat: (hb) => void this.relayProgress(io, `job ${hb.podPhase}${hb.reason ? ` (${hb.reason})` : ''}`, ctx),
      },
    );
    const result = await readJson(io, 'result.json');
    if (result === undefined) throw new InvalidInputError(`Job ${r.jobName} succeeded but wrote no ${r.resultUri}`);
    return result;
  }

  private async relayProgress(io: ReturnType<typeof openStore>, phase: string, ctx: UseCaseContext): Promise<void> {
    const p = (await readJson(io, 'progress.json').catch(() => undefined)) as UseCaseProgress | undefined;
    ctx.onProgress?.(p ? { ...p, phase: `${phase}: ${p.phase}` } : { phase, done: 0, total: 0 });
  }
}
