/**
 * A real Temporal dev server for tests (the `temporal` CLI the set-up installs, headless, on free
 * ports, with a throw-away SQLite file), workers, and helpers to inspect histories. Everything is
 * stopped by `stop()`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { connectClient, temporalTarget, type TemporalTarget } from '../../src/temporal/connection';
import { startWorkers, type RunningWorkers, type WorkerDeps } from '../../src/temporal/workers';
import { workerConfigFromEnv, type WorkerConfigInput } from '../../src/temporal/worker-config';
import { spawnComputeWorker, type ComputeProcess } from '../../src/temporal/compute-process';
import { parseStudySpec, type StudySpec, type StudySpecInput } from '../../src/study/spec';
import type { StudySummary } from '../../src/study/records';
import { studyResult } from '../../src/temporal/study-client';
import { loadStudySummary } from '../../src/usecases/study-summary-store';
import { CIFAR_DIR } from '../data/fixtures';

export interface TemporalFixture {
  server: DevServer;
  target: TemporalTarget;
  client: Client;
  dir: string;
  /** In-process workers (orchestration, and compute with the given engine). */
  workers(cfg?: WorkerConfigInput, deps?: WorkerDeps): Promise<RunningWorkers>;
  /** A compute worker in a child process (real engine unless env says otherwise). */
  computeProcess(env?: NodeJS.ProcessEnv): ComputeProcess;
  stop(): Promise<void>;
}

export async function startTemporal(): Promise<TemporalFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-temporal-'));
  const port = await freePort();
  const server = await startDevServer({ port, headless: true, dbFile: path.join(dir, 'temporal.sqlite') });
  const target = temporalTarget({ address: server.address, namespace: server.namespace });
  const client = new Client({ connection: await connectClient(target), namespace: target.namespace });
  const running: RunningWorkers[] = [];
  const children: ComputeProcess[] = [];
  return {
    server,
    target,
    client,
    dir,
    async workers(cfg = {}, deps = {}) {
      const w = await startWorkers(workerConfigFromEnv({}, { metricsPort: 0, healthPort: 0, shutdownGraceSeconds: 2, ...cfg }), target, {
        handleSignals: false,
        ...deps,
      });
      running.push(w);
      return w;
    },
    computeProcess(env = {}) {
      const c = spawnComputeWorker(target, { env: { SPNAS_SHUTDOWN_GRACE_SECONDS: '2', ...env }, log: () => undefined });
      children.push(c);
      return c;
    },
    async stop() {
      await Promise.all(children.map((c) => c.stop(10_000)));
      for (const w of running) await w.shutdown().catch(() => undefined);
      await client.connection.close();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small study on real CIFAR-10 images (cifar-tiny), fast enough for tests. */
export function tinyStudy(name: string, storage: string, over: Partial<StudySpecInput> = {}): StudySpec {
  return parseStudySpec({
    name,
    storage,
    space: 'cifar-tiny',
    data: { train: { uri: path.join(CIFAR_DIR, 'train-000000.tar'), limit: 320, valCount: 64 } },
    hpo: { sampler: 'random', trials: 3, parallelism: 2, seed: 1 },
    budget: { searchEpochs: 2, warmupEpochs: 1, retrainEpochs: 1, batchSize: 32, final: { models: 1, config: { epochs: 1 } } },
    objectives: { latency: 'predicted', latencyTargetFraction: 0.8 },
    heartbeatTimeoutSeconds: 20,
    ...over,
  });
}

/** Event types of a workflow's history, e.g. to count activities by type. */
export async function activityTypes(client: Client, workflowId: string): Promise<string[]> {
  const h = await client.workflow.getHandle(workflowId).fetchHistory();
  return (h.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name!);
}

/** Inputs and results of a workflow's activities of one type, decoded from its history (JSON payloads), in schedule order. */
export async function activityCalls(client: Client, workflowId: string, type: string): Promise<Array<{ input: unknown; result?: unknown }>> {
  const decode = (p: { data?: Uint8Array | null } | undefined) => (p?.data ? JSON.parse(Buffer.from(p.data).toString('utf8')) : undefined);
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const calls = new Map<string, { input: unknown; result?: unknown }>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name === type) calls.set(String(e.eventId), { input: decode(s.input?.payloads?.[0]) });
    const c = e.activityTaskCompletedEventAttributes;
    const call = c && calls.get(String(c.scheduledEventId));
    if (call) call.result = decode(c.result?.payloads?.[0]);
  }
  return [...calls.values()];
}

/** A finished study's summary.json (every trial's record), read from the store its compact result names. */
export async function studySummary(h: Parameters<typeof studyResult>[0]): Promise<StudySummary> {
  const r = await studyResult(h);
  return loadStudySummary(r.storage);
}

/** Polls `probe` (every 100 ms, errors counting as "not yet") until it returns a value; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
