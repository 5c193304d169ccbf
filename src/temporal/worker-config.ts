/**
 * A worker process's configuration, from its environment (the Helm chart sets these), validated in
 * one place. Temporal connection settings follow Temporal's own conventions instead (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE),
 * read by @temporalio/envconfig in connection.ts.
 */
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';
import { DEFAULT_TASK_QUEUES } from '../study/names';

const port = z.coerce.number().int().min(0).max(65535);

export const workerConfigSchema = z
  .object({
    /** Which workers this process runs: the orchestration worker (workflows + light activities), the compute worker (heavy activities), or both. */
    role: z.enum(['orchestration', 'compute', 'all']).default('all'),
    orchestrationQueue: z.string().min(1).default(DEFAULT_TASK_QUEUES.orchestration),
    computeQueue: z.string().min(1).default(DEFAULT_TASK_QUEUES.compute),
    /** Heavy activities at once in this process: one per GPU or per core group (training saturates the cores it gets). */
    computeConcurrency: z.coerce.number().int().positive().default(1),
    /**
     * With the k8s-job executor: heavy activities (activity Jobs) one compute worker launches and
     * watches at once. Watching is cheap (two watches and a log stream each) and needs no GPU, so this
     * is sized to the trials running in parallel, apart from computeConcurrency.
     */
    jobConcurrency: z.coerce.number().int().positive().default(64),
    /** The SDK's Prometheus endpoint (/metrics); 0 disables it. */
    metricsPort: port.default(9464),
    /** /healthz (liveness) and /readyz (workers running); 0 disables it. */
    healthPort: port.default(8081),
    /** Where heavy activities run when a study says 'auto'. */
    executor: z.enum(['local', 'k8s-job']).default('local'),
    /** 'noop': synthetic, instant results instead of the engine (orchestration benchmarks only). */
    engine: z.enum(['real', 'noop']).default('real'),
    /** With the no-op engine: how long each heavy activity pretends to work (ms). */
    noopDelayMs: z.coerce.number().int().min(0).default(0),
    /** Seconds a shutdown waits for running activities before cancelling them (they checkpoint and are retried elsewhere). */
    shutdownGraceSeconds: z.coerce.number().min(0).default(10),
    /** JSON log lines (for log collectors) instead of plain ones. */
    jsonLogs: z.stringbool().default(false),
    /**
     * Worker versioning: register as this Temporal Worker Deployment, at `buildId`, with studies pinned
     * to the version that started them (docs/operators.md "Upgrades"). Both or neither.
     */
    deploymentName: z.string().min(1).optional(),
    buildId: z.string().min(1).optional(),
  })
  .strict()
  .refine((c) => (c.deploymentName === undefined) === (c.buildId === undefined), {
    message: 'SPNAS_WORKER_DEPLOYMENT_NAME and SPNAS_WORKER_BUILD_ID go together: set both for worker versioning, or neither',
    path: ['deploymentName'],
  });
export type WorkerConfig = z.output<typeof workerConfigSchema>;
export type WorkerConfigInput = z.input<typeof workerConfigSchema>;

/** Environment variable of each setting. */
const ENV: Record<keyof WorkerConfig, string> = {
  role: 'SPNAS_WORKER_ROLE',
  orchestrationQueue: 'SPNAS_ORCHESTRATION_QUEUE',
  computeQueue: 'SPNAS_COMPUTE_QUEUE',
  computeConcurrency: 'SPNAS_COMPUTE_CONCURRENCY',
  jobConcurrency: 'SPNAS_JOB_CONCURRENCY',
  metricsPort: 'SPNAS_METRICS_PORT',
  healthPort: 'SPNAS_HEALTH_PORT',
  executor: 'SPNAS_EXECUTOR',
  engine: 'SPNAS_ENGINE',
  noopDelayMs: 'SPNAS_NOOP_DELAY_MS',
  shutdownGraceSeconds: 'SPNAS_SHUTDOWN_GRACE_SECONDS',
  jsonLogs: 'SPNAS_JSON_LOGS',
  deploymentName: 'SPNAS_WORKER_DEPLOYMENT_NAME',
  buildId: 'SPNAS_WORKER_BUILD_ID',
};

/** The configuration from `env`, with explicit `overrides` (CLI flags) winning. Errors name the variable. */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: WorkerConfigInput = {}): WorkerConfig {
  const fromEnv: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') fromEnv[key] = v;
  }
  const names = Object.entries(ENV)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return parseOrThrow(workerConfigSchema, { ...fromEnv, ...overrides }, `worker configuration (environment: ${names})`);
}

/**
 * Activity slots of the compute worker: Jobs to watch with the k8s-job executor (the local executor
 * then still runs only computeConcurrency at once), computeConcurrency otherwise.
 */
export function computeSlots(cfg: Pick<WorkerConfig, 'executor' | 'computeConcurrency' | 'jobConcurrency'>): number {
  return cfg.executor === 'k8s-job' ? Math.max(cfg.jobConcurrency, cfg.computeConcurrency) : cfg.computeConcurrency;
}
