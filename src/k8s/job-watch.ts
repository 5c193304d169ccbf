/**
 * Live state of one activity Job while the launcher waits: the Job and its pods through two
 * list-watches, the main container's log through the API server, and a change signal the launcher
 * waits on. Pods are matched by the Job's uid, so a recreated Job of the same name is never confused
 * with its predecessor; a deleted pod's last state is kept (it explains a failure).
 */
import type { KubeConfig, V1Job, V1Pod } from '@kubernetes/client-node';
import type { SpnasError } from '../errors';
import { sleep } from '../async/retry';
import type { KubeApi } from './kube-api';
import { listWatch } from './list-watch';
import { followLog, type LogPosition } from './pod-logs';

export interface JobWatchOptions {
  api: KubeApi;
  namespace: string;
  jobName: string;
  jobUid: string;
  container: string;
  /** The Job as found or created, until the first list answers. */
  initialJob: V1Job;
  onLine: (line: string, pod: string) => void;
  /** Launcher-side notes (log stream trouble), once per kind. */
  onNote: (msg: string) => void;
}

export class JobWatch {
  job: V1Job | undefined;
  /** False once the Job was seen deleted or missing from a list. */
  jobExists = true;
  /** Current pods by name; `lastPod` survives the pod's deletion. */
  readonly pods = new Map<string, V1Pod>();
  lastPod: V1Pod | undefined;
  lastLogLine: string | undefined;
  lastContactMs = Date.now();
  lastError: SpnasError | undefined;

  private readonly stop = new AbortController();
  private readonly followers = new Map<string, Promise<void>>();
  private readonly notes = new Set<string>();
  private wake: (() => void) | undefined;
  private readonly loops: Promise<void>[];

  constructor(private readonly o: JobWatchOptions) {
    const { api, namespace, jobName, jobUid } = o;
    this.job = o.initialJob;
    const kc: KubeConfig = api.kc;
    const contact = () => (this.lastContactMs = Date.now());
    const onError = (err: SpnasError) => {
      this.lastError = err;
      this.changed();
    };
    this.loops = [
      listWatch<V1Job>({
        kc, signal: this.stop.signal, onContact: contact, onError,
        path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
        fieldSelector: `metadata.name=${jobName}`,
        list: () => api.listJobs(namespace, { fieldSelector: `metadata.name=${jobName}` }, { attempts: 1 }),
        onSync: (items) => this.setJob(items.find((j) => j.metadata?.uid === jobUid), items.length > 0),
        onEvent: (type, job) => {
          if (job.metadata?.uid !== jobUid) return;
          this.setJob(type === 'DELETED' ? undefined : job, type !== 'DELETED');
        },
      }),
      listWatch<V1Pod>({
        kc, signal: this.stop.signal, onContact: contact, onError,
        path: `/api/v1/namespaces/${namespace}/pods`,
        labelSelector: `batch.kubernetes.io/controller-uid=${jobUid}`,
        list: () => api.listPods(namespace, { labelSelector: `batch.kubernetes.io/controller-uid=${jobUid}` }, { attempts: 1 }),
        onSync: (items) => {
          this.pods.clear();
          for (const p of items) this.setPod(p);
          this.changed();
        },
        onEvent: (type, pod) => {
          if (type === 'DELETED') {
            this.pods.delete(pod.metadata!.name!);
            this.remember(pod);
          } else this.setPod(pod);
          this.changed();
        },
      }),
    ];
  }

  /** The newest pod, present or last seen. */
  get pod(): V1Pod | undefined {
    let best: V1Pod | undefined;
    for (const p of this.pods.values()) if (!best || created(p) >= created(best)) best = p;
    return best ?? this.lastPod;
  }

  /** Resolves on the next change, or after `ms`. */
  nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Waits up to `ms` for log streams of terminated containers to deliver their last lines. */
  async drainLogs(ms: number): Promise<void> {
    const all = Promise.all(this.followers.values());
    await Promise.race([all, sleep(ms).catch(() => undefined)]);
  }

  /** Stops watches and log streams. */
  async close(): Promise<void> {
    this.stop.abort();
    this.changed();
    await Promise.allSettled([...this.loops, ...this.followers.values()]);
  }

  private setJob(job: V1Job | undefined, exists: boolean): void {
    if (job) this.job = job;
    this.jobExists = exists && job !== undefined;
    this.changed();
  }

  private setPod(pod: V1Pod): void {
    this.pods.set(pod.metadata!.name!, pod);
    this.remember(pod);
    const s = pod.status?.containerStatuses?.find((c) => c.name === this.o.container) ?? pod.status?.containerStatuses?.[0];
    if (s?.state?.running || s?.state?.terminated) this.follow(pod.metadata!.name!);
  }

  private remember(pod: V1Pod): void {
    if (!this.lastPod || created(pod) >= created(this.lastPod)) this.lastPod = pod;
  }

  private changed(): void {
    this.wake?.();
  }

  /** One follower per pod: follow again after a dropped stream until the pod is finished or gone. */
  private follow(podName: string): void {
    if (this.followers.has(podName)) return;
    const run = async () => {
      let after: LogPosition | undefined;
      let delay = 500;
      while (!this.stop.signal.aborted) {
        try {
          after = await followLog({
            kc: this.o.api.kc, namespace: this.o.namespace, pod: podName, container: this.o.container, after, signal: this.stop.signal,
            onLine: (line) => {
              this.lastLogLine = line;
              this.o.onLine(line, podName);
            },
          });
          delay = 500;
        } catch (err) {
          this.note('logs', `pod ${podName}: log stream unavailable (${(err as Error).message}); retrying`);
          delay = Math.min(5000, delay * 2);
        }
        const pod = this.pods.get(podName);
        if (!pod || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
        await sleep(delay, this.stop.signal).catch(() => undefined);
      }
    };
    this.followers.set(podName, run());
  }

  private note(kind: string, msg: string): void {
    if (this.notes.has(kind)) return;
    this.notes.add(kind);
    this.o.onNote(msg);
  }
}

function created(p: V1Pod): number {
  const t = p.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}
