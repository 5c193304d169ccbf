/**
 * The worker process: an orchestration worker (StudyWorkflow, TrialWorkflow and the light
 * activities) and a compute worker (the heavy activities, `computeConcurrency` at a time), on their
 * own task queues so heavy work can run on other machines (GPU nodes, or Kubernetes Jobs through the
 * `k8s-job` executor) while the orchestration stays small. `spnas worker` and the embedded
 * `spnas study run` both start workers through this.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import { Connection } from '@temporalio/client';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createHeavyActivities, createStudyActivities, type Executors } from '../../activities';
import { K8sJobExecutor } from '../../activities/k8s-job-executor';
import { LimitedExecutor } from '../../activities/limited-executor';
import { LocalExecutor } from '../../activities/local-executor';
import { NoopExecutor } from '../../activities/noop-executor';
import { connectWorker, type TemporalTarget } from './connection';
import { startHealthServer } from './health-server';
import { installRuntime } from './runtime';
import { computeSlots, type WorkerConfig } from './worker-config';

export interface RunningWorkers {
  readonly workers: Worker[];
  /** Settles when every worker has stopped (after shutdown(), or a fatal error). */
  readonly done: Promise<void>;
  ready(): boolean;
  /** Graceful: stop polling, let running activities finish within the grace time, then cancel them (they checkpoint). */
  shutdown(): Promise<void>;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflows' bundle, built once per process (webpack takes seconds). Works from sources and from dist/. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  const dir = path.resolve(__dirname, '../../workflows');
  const entry = ['index.ts', 'index.js'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!entry) throw new Error(`workflows not found next to ${__dirname}`);
  bundle ??= bundleWorkflowCode({ workflowsPath: entry });
  return bundle;
}

export interface WorkerDeps {
  /** Executors to use instead of the configured ones (k8s-job is added by the caller when configured). */
  executors?: Partial<Executors>;
  /** Runtime installation is the process's business; tests share one runtime. */
  handleSignals?: boolean;
}

export async function startWorkers(cfg: WorkerConfig, target: TemporalTarget, deps: WorkerDeps = {}): Promise<RunningWorkers> {
  installRuntime({ metricsPort: cfg.metricsPort, jsonLogs: cfg.jsonLogs, handleSignals: deps.handleSignals ?? true });
  const connection = await connectWorker(target);
  const workers: Worker[] = [];
  const shutdownGraceTime = cfg.shutdownGraceSeconds * 1000;
  // Pinned: a running study stays on the build that started it; new studies go to the current version.
  const versioning =
    cfg.deploymentName && cfg.buildId
      ? {
          workerDeploymentOptions: {
            version: { deploymentName: cfg.deploymentName, buildId: cfg.buildId },
            useWorkerVersioning: true as const,
            defaultVersioningBehavior: 'PINNED' as const,
          },
        }
      : {};
  if (cfg.role !== 'compute') {
    const client = await Connection.connect(target.connectionOptions as Parameters<typeof Connection.connect>[0]);
    workers.push(
      await Worker.create({
        connection,
        namespace: target.namespace,
        taskQueue: cfg.orchestrationQueue,
        shutdownGraceTime,
        ...versioning,
        workflowBundle: await workflowBundle(),
        activities: createStudyActivities({ connection: client, namespace: target.namespace }),
      }),
    );
  }
  if (cfg.role !== 'orchestration') {
    const inProcess = cfg.engine === 'noop' ? new NoopExecutor(cfg.noopDelayMs) : new LocalExecutor();
    const slots = computeSlots(cfg);
    // Slots sized for watching Jobs: in-process compute still runs computeConcurrency at a time.
    const local = slots > cfg.computeConcurrency ? new LimitedExecutor(inProcess, cfg.computeConcurrency) : inProcess;
    const executors: Executors = {
      local,
      auto: cfg.executor,
      ...(cfg.executor === 'k8s-job' && !deps.executors?.['k8s-job'] ? { 'k8s-job': K8sJobExecutor.fromEnv() } : {}),
      ...deps.executors,
    };
    workers.push(
      await Worker.create({
        connection,
        namespace: target.namespace,
        taskQueue: cfg.computeQueue,
        shutdownGraceTime,
        ...versioning,
        activities: createHeavyActivities(executors),
        maxConcurrentActivityTaskExecutions: slots,
      }),
    );
  }
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  const ready = () => workers.every((w) => w.getState() === 'RUNNING');
  let health: http.Server | undefined;
  if (cfg.healthPort > 0) health = await startHealthServer(cfg.healthPort, ready);
  const finished = done.finally(async () => {
    health?.close();
    await connection.close().catch(() => undefined);
  });
  return {
    workers,
    done: finished,
    ready,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await finished;
    },
  };
}
