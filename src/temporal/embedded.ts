/**
 * The embedded default of `spnas study run`: with no TEMPORAL_ADDRESS (or profile) set, a local dev
 * server (started or reused) and this process's own workers; with one set, that server, and this
 * process's workers unless told not to run any.
 */
import { Client } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { connectClient, temporalTarget, type TemporalTarget } from './connection';
import { startDevServer, type DevServer } from './dev-server';
import { startWorkers, type RunningWorkers } from './workers';
import { spawnComputeWorker, type ComputeProcess } from './compute-process';
import type { WorkerConfig } from './worker-config';

export interface StudyRuntime {
  client: Client;
  target: TemporalTarget;
  server?: DevServer;
  workers?: RunningWorkers;
  compute?: ComputeProcess;
  /** Stops this process's workers (the compute child first: its activities checkpoint). */
  stopWorkers(): Promise<void>;
  /** Stops the workers, closes the client, and stops the dev server if this process started it. */
  close(): Promise<void>;
}

/** True when the environment names a Temporal server (TEMPORAL_ADDRESS or a profile with an address). */
export function remoteConfigured(): boolean {
  return Boolean(process.env.TEMPORAL_ADDRESS || loadClientConnectConfig().connectionOptions.address);
}

export async function openStudyRuntime(o: { workers: boolean; worker: WorkerConfig; log: (line: string) => void }): Promise<StudyRuntime> {
  let server: DevServer | undefined;
  let target: TemporalTarget;
  if (remoteConfigured()) {
    target = temporalTarget();
  } else {
    server = await startDevServer({ port: Number(process.env.SPNAS_DEV_PORT ?? 7233) });
    target = temporalTarget({ address: server.address, namespace: server.namespace });
    o.log(`${server.started ? 'started' : 'using'} the local Temporal dev server at ${server.address}${server.uiUrl ? `; UI ${server.uiUrl}` : ''}`);
  }
  let workers: RunningWorkers | undefined;
  let compute: ComputeProcess | undefined;
  const client = new Client({ connection: await connectClient(target), namespace: target.namespace });
  try {
    if (o.workers) {
      // Orchestration here; heavy activities in a child process (see compute-process.ts).
      compute = spawnComputeWorker(target, { log: o.log });
      workers = await startWorkers({ ...o.worker, role: 'orchestration' }, target, { handleSignals: false });
    }
  } catch (err) {
    await compute?.stop();
    await client.connection.close();
    await server?.stop();
    throw err;
  }
  const stopWorkers = async () => {
    await compute?.stop();
    await workers?.shutdown();
  };
  return {
    client,
    target,
    ...(server ? { server } : {}),
    ...(workers ? { workers } : {}),
    ...(compute ? { compute } : {}),
    stopWorkers,
    async close() {
      await stopWorkers();
      await client.connection.close();
      if (server?.started) await server.stop();
    },
  };
}
