/**
 * Carries out one planned fault on a running stack and records what it hit: the target, what the
 * study was running at that moment (pending activities with their attempts), and how long the
 * injection itself took (a rolling restart waits for the new worker to poll).
 */
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { temporal } from '@temporalio/proto';
import { studyWorkflowId } from '../../src/study/names';
import type { FaultKind, PlannedFault } from './plan';
import type { Proc } from './proc';
import { sleep, type Role, type Stack } from './stack';

export interface InjectedFault {
  kind: FaultKind;
  plannedS: number;
  /** When it happened, seconds after the study started; absent: not injected. */
  atS?: number;
  target?: string;
  /** Activities pending in the study at that moment (type, attempt). */
  during: string[];
  /** Seconds the injection took (stop, down time, replacement ready). */
  tookS?: number;
  note?: string;
}

interface Pending {
  /** type@t<trial>#<attempt> */
  label: string;
  /** PID of the worker that last took it (Temporal's default identity is pid@host). */
  workerPid?: number;
}

/** Pending activities of the study's running workflows: what a fault interrupts. Best effort (the server may be the target). */
async function pending(stack: Stack, study: string): Promise<Pending[]> {
  const out: Pending[] = [];
  const work = (async () => {
    for await (const w of stack.client.workflow.list({ query: `WorkflowId STARTS_WITH '${studyWorkflowId(study)}' AND ExecutionStatus = 'Running'` })) {
      const d = await stack.client.workflow.getHandle(w.workflowId, w.runId).describe();
      const trial = /-trial-(\d+)$/.exec(w.workflowId)?.[1];
      for (const a of d.raw.pendingActivities ?? []) {
        const started = a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
        const pid = started ? Number(/^(\d+)@/.exec(a.lastWorkerIdentity ?? '')?.[1]) : 0;
        out.push({ label: `${a.activityType?.name}${trial ? `@t${trial}` : ''}#${a.attempt}`, ...(pid ? { workerPid: pid } : {}) });
      }
    }
  })();
  await Promise.race([work.catch(() => undefined), sleep(5000)]);
  return out.sort((a, b) => a.label.localeCompare(b.label));
}

const hits = (w: Proc, busy: Pending[]) => {
  const on = busy.filter((p) => p.workerPid === w.pid).map((p) => p.label);
  return on.length ? `, running ${on.join(' ')}` : ', no activity';
};

const byPick = <T>(items: T[], pick: number): T | undefined => items[Math.floor(pick * items.length)];

async function runningPods(stack: Stack): Promise<V1Pod[]> {
  const { kc, namespace } = stack.kube!;
  const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items;
  return pods.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

/** Waits (bounded) until `probe` finds a target: a fault lands on something that is there. */
async function target<T>(probe: () => Promise<T | undefined>, waitMs: number): Promise<T | undefined> {
  const end = Date.now() + waitMs;
  for (;;) {
    const t = await probe().catch(() => undefined);
    if (t !== undefined || Date.now() > end) return t;
    await sleep(1000);
  }
}

/** A worker of `role`: one running an activity when there is one (a kill of an idle worker tests little). */
async function pickWorker(stack: Stack, role: Role, f: PlannedFault, busy: Pending[]): Promise<Proc | undefined> {
  return target(async () => {
    const all = [...stack.workers[role]].sort((a, b) => a.name.localeCompare(b.name));
    const working = all.filter((w) => busy.some((p) => p.workerPid === w.pid));
    return byPick(working.length ? working : all, f.pick);
  }, 60_000);
}

async function killWorker(stack: Stack, role: Role, f: PlannedFault, busy: Pending[]): Promise<string | undefined> {
  const w = await pickWorker(stack, role, f, busy);
  if (!w) return undefined;
  stack.retire(w, 'SIGKILL');
  await w.exited;
  await sleep(f.downMs);
  await stack.startWorker(role);
  return `${w.name} (pid ${w.pid}${hits(w, busy)})`;
}

/** A rolling restart: the new worker first (it polls), then SIGTERM to the old one, which finishes or hands back its work. */
async function rollWorker(stack: Stack, role: Role, f: PlannedFault, busy: Pending[]): Promise<string | undefined> {
  const w = await pickWorker(stack, role, f, busy);
  if (!w) return undefined;
  const fresh = await stack.startWorker(role);
  stack.retire(w, 'SIGTERM');
  const { code, signal } = await w.exited;
  return `${w.name} (pid ${w.pid}${hits(w, busy)}, exit ${code ?? signal}) -> ${fresh.name}`;
}

async function disruptPod(stack: Stack, f: PlannedFault, how: 'evict' | 'delete'): Promise<string | undefined> {
  const pod = await target(async () => byPick(await runningPods(stack), f.pick), 90_000);
  if (!pod) return undefined;
  const { kc, namespace } = stack.kube!;
  const name = pod.metadata!.name!;
  if (how === 'evict') await kc.makeApiClient(CoreV1Api).createNamespacedPodEviction({ namespace, name, body: { metadata: { name, namespace } } });
  else await kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ namespace, name });
  return `pod ${name}`;
}

export async function inject(stack: Stack, study: string, f: PlannedFault, studyStart: number): Promise<InjectedFault> {
  const busy = await pending(stack, study);
  const during = busy.map((p) => p.label);
  const t0 = Date.now();
  const rec: InjectedFault = { kind: f.kind, plannedS: f.atS, during, atS: +((t0 - studyStart) / 1000).toFixed(1) };
  let target: string | undefined;
  switch (f.kind) {
    case 'kill-compute':
      target = await killWorker(stack, 'compute', f, busy);
      break;
    case 'kill-orchestration':
      target = await killWorker(stack, 'orchestration', f, busy);
      break;
    case 'restart-compute':
      target = await rollWorker(stack, 'compute', f, busy);
      break;
    case 'restart-orchestration':
      target = await rollWorker(stack, 'orchestration', f, busy);
      break;
    case 'restart-temporal':
      await stack.restartTemporal(f.downMs);
      target = `dev server (down ${f.downMs} ms)`;
      break;
    case 'restart-s3':
      await stack.restartS3(f.downMs);
      target = `gofakes3 (down ${f.downMs} ms)`;
      break;
    case 'evict-pod':
      target = await disruptPod(stack, f, 'evict');
      break;
    case 'delete-pod':
      target = await disruptPod(stack, f, 'delete');
      break;
  }
  if (!target) return { kind: f.kind, plannedS: f.atS, during, note: 'no target present' };
  return { ...rec, target, tookS: +((Date.now() - t0) / 1000).toFixed(1) };
}
