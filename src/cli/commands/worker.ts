/**
 * `spnas worker`: a long-lived worker process (what the Helm chart deploys). Settings come from the
 * environment (src/temporal/worker-config.ts, Temporal's TEMPORAL_* conventions for the connection);
 * flags override. SIGTERM/SIGINT shut it down gracefully.
 */
import type { CliCommand } from '../command';
import { connectClient, temporalTarget } from '../../temporal/connection';
import { startWorkers, type RunningWorkers } from '../../temporal/workers';
import { workerConfigFromEnv, type WorkerConfigInput } from '../../temporal/worker-config';
import { numberFlag, parseFlags } from '../args';

const usage = `usage: spnas worker [--role orchestration|compute|all] [--compute-concurrency <n>] [--with-parent]

Runs spnas's Temporal workers until SIGTERM/SIGINT:
  orchestration  StudyWorkflow, TrialWorkflow and the light activities (task queue SPNAS_ORCHESTRATION_QUEUE, default spnas-orchestration)
  compute        the heavy activities: search, warm-up, retraining, evaluation, profiling (SPNAS_COMPUTE_QUEUE, default spnas-compute)
  all            both (default)

--with-parent    shut down (as on SIGTERM) when stdin closes: the embedded study's compute worker,
                 whose parent holds the other end of that pipe, so it never outlives its parent

environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_CLIENT_CERT_PATH,
TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_PROFILE; SPNAS_WORKER_ROLE,
SPNAS_COMPUTE_CONCURRENCY (heavy activities at once, default 1), SPNAS_METRICS_PORT (Prometheus
/metrics, default 9464, 0 = off), SPNAS_HEALTH_PORT (/healthz, /readyz, default 8081, 0 = off),
SPNAS_EXECUTOR (local | k8s-job), SPNAS_SHUTDOWN_GRACE_SECONDS, SPNAS_JSON_LOGS; for k8s-job:
SPNAS_K8S_NAMESPACE, SPNAS_JOB_TEMPLATE, SPNAS_JOB_IMAGE, SPNAS_JOB_GPU_TEMPLATE, SPNAS_JOB_GPU_IMAGE,
SPNAS_JOB_CONCURRENCY (activity Jobs watched at once, default 64), KUBECONFIG or the in-cluster
service account.
`;

/**
 * Stops the workers when stdin reaches its end: the parent that holds the pipe's other end has exited
 * (a SIGKILL included). Graceful first (running activities get the grace time, then are cancelled and
 * checkpoint), then a hard exit, so nothing keeps training for a parent that is gone.
 */
function exitWithParent(workers: RunningWorkers, graceSeconds: number): void {
  const gone = () => {
    process.stderr.write('spnas worker: the parent process is gone; shutting down (running activities checkpoint)\n');
    setTimeout(() => process.exit(1), (graceSeconds + 60) * 1000).unref();
    void workers.shutdown().finally(() => process.exit(0));
  };
  process.stdin.once('end', gone);
  process.stdin.once('error', gone);
  process.stdin.resume();
}

export const workerCommand: CliCommand = {
  name: 'worker',
  summary: 'run Temporal workers (orchestration and/or compute) until SIGTERM',
  usage,
  async run(argv) {
    const { values: f } = parseFlags('worker', argv, {
      role: { type: 'string' },
      'compute-concurrency': { type: 'string' },
      'with-parent': { type: 'boolean' },
    });
    const overrides: WorkerConfigInput = {};
    if (f.role) overrides.role = f.role as WorkerConfigInput['role'];
    const cc = numberFlag(f, 'compute-concurrency');
    if (cc !== undefined) overrides.computeConcurrency = cc;
    // Our output goes to the parent: once it is gone, a write to the closed pipe must not crash the shutdown.
    if (f['with-parent']) for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
    const cfg = workerConfigFromEnv(process.env, overrides);
    const target = temporalTarget();
    // Fail fast (and clearly) when the server cannot be reached, before bundling workflows.
    await (await connectClient(target)).close();
    const workers = await startWorkers(cfg, target, { handleSignals: true });
    process.stderr.write(
      `spnas worker: role ${cfg.role}, queues ${cfg.orchestrationQueue} / ${cfg.computeQueue}, server ${target.address} (namespace ${target.namespace}), executor ${cfg.executor}, engine ${cfg.engine}\n`,
    );
    if (f['with-parent']) exitWithParent(workers, cfg.shutdownGraceSeconds);
    await workers.done;
    // the pipe that tells us the parent is gone would otherwise keep this process alive after its workers stopped
    if (f['with-parent']) process.stdin.destroy();
    return 0;
  },
};
