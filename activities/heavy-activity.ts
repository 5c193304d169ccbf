/**
 * A heavy activity (search, warm-up, retraining, evaluation, profiling): runs its use case on the
 * configured executor, heartbeats with progress and the last checkpoint (and on a timer, so a long
 * data load still proves the worker alive), turns Temporal cancellation into the use case's
 * AbortSignal (the engine stops after the current step with a checkpoint), and maps errors to typed
 * failures. A retry after a lost worker finds the checkpoints in the run directory and resumes; the
 * previous attempt's heartbeat details say where it was.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { UseCaseName } from '../src/usecases';
import type { UseCaseProgress } from '../src/usecases/context';
import { studyLayout } from '../src/study/names';
import type { Executor } from './executor';
import { toFailure } from './failure';

export type ExecutorChoice = 'auto' | 'local' | 'k8s-job';

/** What the workflow sends to a heavy activity: the use case's input plus where and how to run it. */
export interface HeavyRequest<I> {
  input: I;
  studyRoot: string;
  executor: ExecutorChoice;
  resources: { cpu: string; memory: string; gpu: number };
  labels: Record<string, string>;
}

/**
 * Heartbeat details: the last progress event (phase, step, checkpoint), when it happened (`at`, ms)
 * and this attempt's first progress event (`firstDone` at `firstAt`), so that a client can show the
 * step and an ETA from one heartbeat: the rate over this attempt, loading time and resumed steps excluded.
 */
export type HeartbeatDetails = UseCaseProgress & { attempt: number; at?: number; firstDone?: number; firstAt?: number };

export interface Executors {
  local: Executor;
  'k8s-job'?: Executor;
  /** What 'auto' means on this worker (SPNAS_EXECUTOR). */
  auto: 'local' | 'k8s-job';
}

function pick(executors: Executors, choice: ExecutorChoice): Executor {
  const kind = choice === 'auto' ? executors.auto : choice;
  const e = kind === 'local' ? executors.local : executors[kind];
  if (!e) {
    throw ApplicationFailure.create({
      type: 'EXECUTOR_UNAVAILABLE',
      nonRetryable: true,
      message: `the study asks for executor '${kind}' but this compute worker has none (start it with SPNAS_EXECUTOR=${kind} and its settings, or set resources.executor to 'local')`,
    });
  }
  return e;
}

export function heavyActivity<I, O>(executors: Executors, name: UseCaseName): (req: HeavyRequest<I>) => Promise<O> {
  return async (req) => {
    const ctx = Context.current();
    const info = ctx.info;
    const workflowId = info.workflowExecution?.workflowId ?? 'standalone';
    // Activity ids restart in every run of a workflow (continue-as-new, a re-run): the run is part of an attempt's identity.
    const runId = info.workflowExecution?.runId ?? 'standalone';
    const owner = `${workflowId}/${info.activityId}/attempt-${info.attempt}`;
    const prior = info.heartbeatDetails as HeartbeatDetails | undefined;
    if (prior)
      log.info(
        `${name}: attempt ${info.attempt} after attempt ${prior.attempt} stopped at ${prior.phase} ${prior.done}/${prior.total}${prior.checkpoint ? `, checkpoint ${prior.checkpoint.uri}` : ''}`,
      );
    let details: HeartbeatDetails = {
      phase: 'start',
      done: 0,
      total: 0,
      attempt: info.attempt,
      ...(prior?.checkpoint ? { checkpoint: prior.checkpoint } : {}),
    };
    const beat = () => ctx.heartbeat(details);
    const timer = setInterval(beat, Math.max(1000, Math.min(10_000, (info.heartbeatTimeoutMs ?? 30_000) / 4)));
    beat();
    try {
      const executor = pick(executors, req.executor);
      return (await executor.run(
        {
          name,
          input: req.input,
          resources: req.resources,
          labels: req.labels,
          ioUri: studyLayout.activityIo(req.studyRoot, { workflowId, runId, activityId: info.activityId, attempt: info.attempt }),
          timeoutSeconds: Math.round(info.startToCloseTimeoutMs / 1000),
          identity: { workflowId, runId, activityId: info.activityId, attempt: info.attempt },
        },
        {
          signal: ctx.cancellationSignal,
          owner,
          log: (line) => log.info(`${name}: ${line}`),
          onProgress: (p) => {
            const at = Date.now();
            // the rate's origin: this attempt's first event of the phase (a new phase starts it again)
            const first =
              details.phase === p.phase && details.firstAt !== undefined
                ? { firstDone: details.firstDone!, firstAt: details.firstAt }
                : { firstDone: p.done, firstAt: at };
            const checkpoint = p.checkpoint ?? details.checkpoint;
            details = { ...p, attempt: info.attempt, at, ...first, ...(checkpoint ? { checkpoint } : {}) };
            beat();
          },
        },
      )) as O;
    } catch (err) {
      throw toFailure(err, ctx.cancellationSignal);
    } finally {
      clearInterval(timer);
    }
  };
}
