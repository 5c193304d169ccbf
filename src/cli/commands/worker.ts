/**
 * `spnas worker`: a long-lived worker process (what the Helm chart deploys). Settings come from the
 * environment (src/temporal/worker-config.ts, Temporal's TEMPORAL_* conventions for the connection);
 * flags override. SIGTERM/SIGINT shut it down gracefully.
 */
import type { CliCommand } from '../command';
import { connectClient, temporalTarget } from '../../temporal/connection';
import { startWorkers } from '../../temporal/workers';
import { workerConfigFromEnv, type WorkerConfigInput } from '../../temporal/worker-config';
import { numberFlag, parseFlags } from '../args';

const usage = `usage: spnas worker [--role orchestration|compute|all] [--compute-concurrency <n>]

Runs spnas's Temporal workers until SIGTERM/SIGINT:
  orchestration  StudyWorkflow, TrialWorkflow and the light activities (task queue SPNAS_ORCHESTRATION_QUEUE, default spnas-orchestration)
  compute        the heavy activities: search, warm-up, retraining, evaluation, profiling (SPNAS_COMPUTE_QUEUE, default spnas-compute)
  all            both (default)

environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_CLIENT_CERT_PATH,
TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_PROFILE; SPNAS_WORKER_ROLE,
SPNAS_COMPUTE_CONCURRENCY (heavy activities at once, default 1), SPNAS_METRICS_PORT (Prometheus
/metrics, default 9464, 0 = off), SPNAS_HEALTH_PORT (/healthz, /readyz, default 8081, 0 = off),
SPNAS_EXECUTOR (local | k8s-job), SPNAS_SHUTDOWN_GRACE_SECONDS, SPNAS_JSON_LOGS; for k8s-job:
SPNAS_K8S_NAMESPACE, SPNAS_JOB_TEMPLATE, SPNAS_JOB_IMAGE, SPNAS_JOB_GPU_TEMPLATE, SPNAS_JOB_GPU_IMAGE,
SPNAS_JOB_CONCURRENCY (activity Jobs watched at once, default 64), KUBECONFIG or the in-cluster
service account.
`;

export const workerCommand: CliCommand = {
  name: 'worker',
  summary: 'run Temporal workers (orchestration and/or compute) until SIGTERM',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('worker', argv, { role: { type: 'string' }, 'compute-concurrency': { type: 'string' } });
    const overrides: WorkerConfigInput = {};
    if (f.role) overrides.role = f.role as WorkerConfigInput['role'];
    const cc = numberFlag(f, 'compute-concurrency');
    if (cc !== undefined) overrides.computeConcurrency = cc;
    const cfg = workerConfigFromEnv(process.env, overrides);
    const target = temporalTarget();
    // Fail fast (and clearly) when the server cannot be reached, before bundling workflows.
    await (await connectClient(target)).close();
    const workers = await startWorkers(cfg, target, { handleSignals: true });
    process.stderr.write(
      `spnas worker: role ${cfg.role}, queues ${cfg.orchestrationQueue} / ${cfg.computeQueue}, server ${target.address} (namespace ${target.namespace}), executor ${cfg.executor}, engine ${cfg.engine}\n`,
    );
    await workers.done;
    return 0;
  },
};
