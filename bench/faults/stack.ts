/**
 * Everything one fault-injection run needs, each part a separate process that a fault can stop: a
 * Temporal dev server (SQLite file, restartable on the same port and file), gofakes3 with its
 * filesystem backend (restartable with its data), `spnas worker` processes per role (supervised: one
 * that exits unbidden is restarted, as a Deployment would, and the exit is recorded), and for the
 * `k8s` mode a control plane with kwok nodes whose pods test/support/pod-runtime.ts runs locally, the
 * compute worker launching every heavy activity as a Job there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { defaultJobTemplate } from '../../src/k8s';
import { openStore } from '../../src/storage/open-store';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { startKubeCluster, type KubeCluster } from '../../test/support/kube-cluster';
import { POD_GRACEFUL, POD_HOLD } from '../../test/support/kwok-stages';
import { podRuntime, type PodRuntime } from '../../test/support/pod-runtime';
import { startS3Server, type S3TestServer } from '../../test/support/s3-server';
import { spawnProc, stopProc, waitForLog, type Proc } from './proc';

export type Mode = 'local' | 'k8s';
export type Role = 'orchestration' | 'compute';

const REPO = path.resolve(__dirname, '..', '..');
const BIN = path.join(REPO, 'bin', 'spnas.js');
/** Printed by `spnas worker` once its workers run. */
const WORKER_READY = /spnas worker: role/;

export interface StackEvent {
  at: number;
  what: string;
}

export interface StackOptions {
  dir: string;
  mode: Mode;
  /** Compute worker processes (each runs one heavy activity at a time with the local executor). */
  computeWorkers: number;
  bucket: string;
  /** Environment every engine process gets (the thread count that bit-reproducibility needs). */
  engineEnv: Record<string, string>;
}

export class Stack {
  temporal!: DevServer;
  client!: Client;
  s3!: S3TestServer;
  kube?: { cluster: KubeCluster; kc: KubeConfig; namespace: string; runtime: PodRuntime; template: string };
  readonly workers: Record<Role, Proc[]> = { orchestration: [], compute: [] };
  /** Unbidden worker exits and other things the supervisor saw. */
  readonly events: StackEvent[] = [];
  private port = 0;
  private readonly retiring = new Set<Proc>();
  private stopping = false;
  private counter = 0;
  private readonly t0 = Date.now();

  constructor(readonly o: StackOptions) {
    // the servers are this process's children too: never leave them behind (workers: proc.ts)
    process.once('exit', () => {
      for (const pid of [this.temporal?.pid, this.s3?.pid()])
        if (pid)
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
    });
  }

  get dbFile(): string {
    return path.join(this.o.dir, 'temporal.sqlite');
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const [kube] = await Promise.all([this.o.mode === 'k8s' ? this.startKube() : Promise.resolve(undefined), this.startTemporal(), this.startS3()]);
    this.kube = kube;
    this.client = new Client({ connection: await Connection.connect({ address: this.temporal.address }), namespace: this.temporal.namespace });
    if (this.kube) this.kube.runtime = podRuntime(this.kube.cluster, this.kube.kc, this.kube.namespace, { ...this.s3.env, ...this.o.engineEnv });
    await Promise.all([this.startWorker('orchestration'), ...Array.from({ length: this.o.computeWorkers }, () => this.startWorker('compute'))]);
  }

  private async startTemporal(): Promise<void> {
    this.temporal = await startDevServer({ port: this.port, headless: true, dbFile: this.dbFile, logFile: path.join(this.o.dir, 'temporal.log') });
  }

  private async startS3(): Promise<void> {
    this.s3 = await startS3Server({ bucket: this.o.bucket });
  }

  private async startKube(): Promise<NonNullable<Stack['kube']>> {
    const cluster = await startKubeCluster();
    const kc = cluster.adminConfig();
    const namespace = await cluster.createNamespace('faults');
    const job = defaultJobTemplate();
    // pod-runtime plays the container: its pods wait for the process's exit code, also when stopped
    job.spec!.template.metadata = { annotations: { [POD_HOLD]: 'true', [POD_GRACEFUL]: 'true' } };
    const template = path.join(this.o.dir, 'job-template.json');
    fs.writeFileSync(template, JSON.stringify(job));
    return { cluster, kc, namespace, template, runtime: undefined as unknown as PodRuntime };
  }

  /** Seconds since the stack started (for event times). */
  now(): number {
    return +((Date.now() - this.t0) / 1000).toFixed(1);
  }

  private workerEnv(role: Role): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.s3.env,
      ...this.o.engineEnv,
      TF_CPP_MIN_LOG_LEVEL: '2',
      TEMPORAL_ADDRESS: this.temporal.address,
      TEMPORAL_NAMESPACE: this.temporal.namespace,
      SPNAS_METRICS_PORT: '0',
      SPNAS_HEALTH_PORT: '0',
      SPNAS_SHUTDOWN_GRACE_SECONDS: '5',
    };
    if (role === 'compute' && this.kube) {
      Object.assign(env, {
        SPNAS_EXECUTOR: 'k8s-job',
        SPNAS_K8S_NAMESPACE: this.kube.namespace,
        SPNAS_JOB_TEMPLATE: this.kube.template,
        SPNAS_JOB_IMAGE: 'spnas:test',
        KUBECONFIG: this.kube.cluster.kubeconfigPath,
      });
    }
    return env;
  }

  /** Starts a worker of `role` and waits until it polls; the supervisor replaces it if it exits unbidden. */
  async startWorker(role: Role): Promise<Proc> {
    const n = ++this.counter;
    const p = spawnProc(`${role}-${n}`, process.execPath, [BIN, 'worker', '--role', role], {
      env: this.workerEnv(role),
      log: path.join(this.o.dir, `worker-${role}-${n}.log`),
      cwd: REPO,
    });
    this.workers[role].push(p);
    void p.exited.then(({ code, signal }) => {
      this.workers[role] = this.workers[role].filter((w) => w !== p);
      if (this.stopping || this.retiring.delete(p)) return;
      this.events.push({ at: this.now(), what: `${p.name} exited unbidden (code ${code}, signal ${signal}): ${p.tail(400).replace(/\s+/g, ' ')}` });
      void this.startWorker(role).catch((err) => this.events.push({ at: this.now(), what: `restarting ${role} failed: ${(err as Error).message}` }));
    });
    await waitForLog(p, WORKER_READY, 180_000);
    return p;
  }

  /** Marks a worker as stopped on purpose (no supervisor restart), then signals it. */
  retire(p: Proc, sig: NodeJS.Signals): void {
    this.retiring.add(p);
    p.signal(sig);
  }

  /** SIGTERM and wait for the PID to exit (it answers for seconds after), then start it on the same port and SQLite file. */
  async restartTemporal(downMs: number): Promise<void> {
    await this.temporal.stop();
    await sleep(downMs);
    await this.startTemporal();
  }

  /** SIGKILL (a crash), then start on the same port with the same data directory. */
  async restartS3(downMs: number): Promise<void> {
    await this.s3.kill();
    await sleep(downMs);
    await this.s3.start();
  }

  /** Copies a data shard into the bucket (the study reads its data from S3 too). */
  async upload(local: string, key: string): Promise<string> {
    const store = openStore(`s3://${this.o.bucket}`, { env: this.s3.env });
    await store.put(key, fs.readFileSync(local));
    return `s3://${this.o.bucket}/${key}`;
  }

  /** Jobs not finished and pods not terminal in the namespace (k8s mode); none is expected after a run. */
  async leftovers(): Promise<string[]> {
    if (!this.kube) return [];
    const { kc, namespace } = this.kube;
    const jobs = (await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace })).items;
    const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items;
    const done = (c?: Array<{ type: string; status: string }>) => (c ?? []).some((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
    return [
      ...jobs.filter((j) => !done(j.status?.conditions)).map((j) => `job ${j.metadata!.name} not finished`),
      ...pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').map((p) => `pod ${p.metadata!.name} ${p.status?.phase}`),
      ...this.kube.runtime.ran.filter((r) => r.code === undefined).map((r) => `container of pod ${r.pod} still running`),
    ];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.workers.orchestration, ...this.workers.compute].map((w) => stopProc(w, 15_000)));
    await this.kube?.runtime?.stop();
    await this.client?.connection.close().catch(() => undefined);
    await this.temporal?.stop();
    await this.s3?.stop();
    await this.kube?.cluster.stop();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
