/**
 * The kubelet's container runtime for kwok pods, which run no code: for each pod of a namespace that
 * starts Running, run the pod's own command (`spnas run-activity <use case> --input <uri>`) with this
 * checkout's `spnas`, relay its output as the pod's log, and report its exit code through the
 * `spnas.test/exit` annotation (kwok's stages turn it into the container's terminated state). When
 * a pod it runs is being deleted (an eviction, a preemption, the Job's deadline), it sends the
 * process SIGTERM, as a kubelet does, and reports the code the process exits with; pods annotated
 * `spnas.test/graceful` wait for that (test/support/kwok-stages.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { KubeCluster } from './kube-cluster';
import { POD_EXIT } from './kwok-stages';
import { REPO } from './run-cli';
import { resolve } from 'node:path';

export interface RanPod {
  pod: string;
  args: string[];
  /** Whether the process was sent SIGTERM because its pod was being deleted. */
  sigterm: boolean;
  /** Exit code once it ended (null: killed by a signal it did not handle). */
  code?: number | null;
  output: string[];
}

export interface PodRuntime {
  /** Every pod run so far, in start order. */
  readonly ran: RanPod[];
  /** Stops watching, waits for the processes it started to end. */
  stop(): Promise<void>;
}

/** This checkout's `spnas` (compiled: `node scripts/build.mjs`), not the one node_modules resolves to. */
const BIN = resolve(REPO, 'bin', 'spnas.js');

export function podRuntime(cluster: KubeCluster, kc: KubeConfig, namespace: string, env: NodeJS.ProcessEnv = {}): PodRuntime {
  const core = kc.makeApiClient(CoreV1Api);
  const ran: RanPod[] = [];
  const procs = new Map<string, { child: ChildProcess; run: RanPod; exited: Promise<void> }>();
  const neverRan = new Set<string>();
  let stopped = false;
  const start = async (pod: string, args: string[]) => {
    const run: RanPod = { pod, args, sigterm: false, output: [] };
    ran.push(run);
    const log = await cluster.podLog(namespace, pod);
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...env } });
    for (const s of [child.stdout!, child.stderr!])
      s.on('data', (b: Buffer) =>
        b
          .toString()
          .split('\n')
          .filter(Boolean)
          .forEach((l) => {
            run.output.push(l);
            log(l);
          }),
      );
    const exited = new Promise<void>((done) => {
      child.once('exit', (code) => {
        run.code = code;
        void cluster.kubectl(['annotate', 'pod', '-n', namespace, pod, `${POD_EXIT}=${code ?? 137}`]).then(() => done());
      });
    });
    procs.set(pod, { child, run, exited });
  };
  const loop = (async () => {
    while (!stopped) {
      const pods = await core.listNamespacedPod({ namespace }).catch(() => undefined);
      for (const p of pods?.items ?? []) {
        const name = p.metadata!.name!;
        const running = procs.get(name);
        if (running && p.metadata?.deletionTimestamp && !running.run.sigterm && running.run.code === undefined) {
          running.run.sigterm = true;
          running.child.kill('SIGTERM');
        }
        // deleted before its process started (a fault at the moment the Job created it): as a kubelet
        // that never started the container, report it ended, else a graceful pod waits for an exit
        // that never comes and its Job never replaces it
        if (!running && p.metadata?.deletionTimestamp && p.status?.phase === 'Running' && !neverRan.has(name)) {
          neverRan.add(name);
          await cluster.kubectl(['annotate', 'pod', '-n', namespace, name, `${POD_EXIT}=143`]).catch(() => neverRan.delete(name));
        }
        if (running || p.status?.phase !== 'Running' || p.metadata?.deletionTimestamp) continue;
        const args = p.spec!.containers.find((c) => c.name === 'main')!.args!;
        await start(name, args);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    ran,
    stop: async () => {
      stopped = true;
      await loop;
      for (const { child, run } of procs.values()) if (run.code === undefined) child.kill('SIGKILL');
      await Promise.allSettled([...procs.values()].map((p) => p.exited));
    },
  };
}
