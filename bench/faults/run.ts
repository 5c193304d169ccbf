/**
 * One fault-injection run: a fresh stack, the study started, the planned faults injected at their
 * times while the study runs, then the checks (outcome.ts), the leftovers (k8s: no Job or pod still
 * running), and the stack stopped. A run with no faults is the reference the others are compared to.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { studyWorkflowId } from '../../src/study/names';
import { startOrAttachStudy } from '../../src/temporal/study-client';
import { CIFAR_DIR } from '../../test/data/fixtures';
import { inject, type InjectedFault } from './inject';
import { check, collect, retries, type Collected } from './outcome';
import { planFaults, type FaultKind, type PlannedFault } from './plan';
import { BUCKET, DATA_KEY, faultStudy, specKey, type Size } from './spec';
import { sleep, Stack, type Mode } from './stack';

export interface RunOptions {
  mode: Mode;
  size: Size;
  seed: number;
  /** Faults to inject (0: a fault-free reference run). */
  faults: number;
  kinds: readonly FaultKind[];
  /** Fault times are drawn from [fromS, toS] seconds after the study started. */
  window: [number, number];
  computeWorkers: number;
  engineEnv: Record<string, string>;
  /** A fault-free run's records to compare with (awaited after the study ended: it may run beside this one). */
  reference?: Collected | Promise<Collected | undefined>;
  /** Where the stack's logs go (kept when the run fails). */
  dir?: string;
  timeoutS?: number;
  log?: (line: string) => void;
}

export interface RunRecord {
  mode: Mode;
  size: Size;
  seed: number;
  specKey: string;
  startedAt: string;
  /** Seconds from the study's start to its end. */
  studyS: number;
  faults: InjectedFault[];
  /** Worker processes that exited without being told to (restarted by the supervisor), and other events. */
  events: Array<{ at: number; what: string }>;
  /** Activity retries by type (from the histories): what the faults cost. */
  retries: Record<string, number>;
  /** The study's compute seconds by phase (summary.json). */
  compute?: Record<string, number>;
  problems: string[];
  passed: boolean;
  comparedToReference: boolean;
  logs?: string;
  load: number[];
}

const ACTIVE = new Set(['RUNNING']);

/** Polls the study until it closes; tolerates a server that is restarting. */
async function waitClosed(stack: Stack, workflowId: string, timeoutS: number): Promise<string> {
  const end = Date.now() + timeoutS * 1000;
  for (;;) {
    const status = await stack.client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d) => d.status.name as string)
      .catch(() => 'UNKNOWN');
    if (status !== 'UNKNOWN' && !ACTIVE.has(status)) return status;
    if (Date.now() > end) return `TIMED_OUT (after ${timeoutS} s, last ${status})`;
    await sleep(2000);
  }
}

export async function runOnce(o: RunOptions): Promise<{ record: RunRecord; collected?: Collected }> {
  const log = o.log ?? (() => undefined);
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-faults-'));
  // a fresh stack: an old SQLite file would hold the study as completed already
  if (o.dir) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const spec = faultStudy(o.size);
  const stack = new Stack({ dir, mode: o.mode, computeWorkers: o.computeWorkers, bucket: BUCKET, engineEnv: o.engineEnv });
  const record: RunRecord = {
    mode: o.mode,
    size: o.size,
    seed: o.seed,
    specKey: specKey(spec, o.engineEnv),
    startedAt: new Date().toISOString(),
    studyS: 0,
    faults: [],
    events: stack.events,
    retries: {},
    problems: [],
    passed: false,
    comparedToReference: false,
    load: [],
  };
  let collected: Collected | undefined;
  try {
    await stack.start();
    await stack.upload(path.join(CIFAR_DIR, 'train-000000.tar'), DATA_KEY);
    const plan: PlannedFault[] = planFaults(o.seed, o.kinds, o.faults, o.window[0], o.window[1]);
    log(`run seed ${o.seed} (${o.mode}): stack up in ${stack.now()} s; plan ${plan.map((f) => `${f.kind}@${f.atS}s`).join(', ') || 'none'}`);
    const t0 = Date.now();
    const { how } = await startOrAttachStudy(stack.client, spec, 'spnas-orchestration');
    if (how !== 'started') throw new Error(`the study was ${how}, not started: the stack is not fresh`);
    let closed = false;
    const injector = (async () => {
      for (const f of plan) {
        const wait = t0 + f.atS * 1000 - Date.now();
        if (wait > 0) await sleep(wait);
        if (closed) {
          record.faults.push({ kind: f.kind, plannedS: f.atS, during: [], note: 'study already finished' });
          continue;
        }
        const done = await inject(stack, spec.name, f, t0).catch((err): InjectedFault => ({
          kind: f.kind,
          plannedS: f.atS,
          during: [],
          note: `injection failed: ${(err as Error).message}`,
        }));
        record.faults.push(done);
        log(
          `  ${done.kind} at ${done.atS ?? '-'} s: ${done.target ?? done.note} during [${done.during.join(', ')}]${done.tookS !== undefined ? `, took ${done.tookS} s` : ''}`,
        );
      }
    })();
    const status = await waitClosed(stack, studyWorkflowId(spec.name), o.timeoutS ?? 3600);
    closed = true;
    record.studyS = +((Date.now() - t0) / 1000).toFixed(1);
    await injector;
    log(`  study ${status} after ${record.studyS} s`);
    if (status !== 'COMPLETED') record.problems.push(`study workflow ${status}`);
    collected = await collect(stack.client, spec, stack.s3.env);
    record.compute = { ...collected.summary.compute };
    record.retries = await retries(stack.client, spec.name);
    const reference = await o.reference;
    record.comparedToReference = !!reference;
    record.problems.push(...check(collected, spec, reference));
    // a finished Job's pod may take a moment to be marked terminal
    const end = Date.now() + 60_000;
    let left = await stack.leftovers();
    while (left.length && Date.now() < end) {
      await sleep(2000);
      left = await stack.leftovers();
    }
    record.problems.push(...left.map((l) => `left behind: ${l}`));
  } catch (err) {
    record.problems.push(`harness: ${(err as Error).stack ?? err}`);
  } finally {
    record.load = os.loadavg().map((x) => +x.toFixed(1));
    await stack.stop().catch((err) => record.problems.push(`stopping the stack: ${(err as Error).message}`));
  }
  record.passed = record.problems.length === 0;
  if (record.passed && !o.dir) fs.rmSync(dir, { recursive: true, force: true });
  else record.logs = dir;
  return { record, collected };
}
