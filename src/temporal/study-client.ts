/**
 * Starting, attaching to and steering studies from a client (the CLI): the workflow id is the
 * study's name (`spnas-study-<name>`), so running the same spec again attaches to the running study,
 * a failed or cancelled one starts again (resuming from what its trials left in the store), and a
 * completed one is reported rather than repeated, unless the caller has found that its outputs are
 * gone from the store (`rerunCompleted`): then it runs again.
 */
import { Client, WorkflowExecutionAlreadyStartedError, type WorkflowExecutionStatusName, type WorkflowHandle } from '@temporalio/client';
import { InvalidInputError } from '../errors';
import { STUDY_WORKFLOW_TYPE, studyWorkflowId } from '../study/names';
import type { StudyResult, StudyStatus } from '../study/records';
import type { StudySpec } from '../study/spec';
import type { StudyWorkflow } from '../../workflows/study-workflow';
import { addTrialsUpdate, checkParallelism, checkTrialCount, setParallelismUpdate, statusQuery, stopUpdate } from '../../workflows/definitions';
import { failureReason } from './failure-reason';

export type StudyHandle = WorkflowHandle<typeof StudyWorkflow>;

export interface StartedStudy {
  handle: StudyHandle;
  /** 'started' a new run, 'attached' to the running one, found it 'completed' before, or started a completed one 'again' (`rerunCompleted`). */
  how: 'started' | 'attached' | 'completed' | 'again';
}

/**
 * `rerunCompleted`: the caller checked that the study's storage holds no summary (a user removed the
 * outputs to run it again); a completed run of that name is then run again instead of reported.
 */
export async function startOrAttachStudy(client: Client, spec: StudySpec, taskQueue: string, o: { rerunCompleted?: boolean } = {}): Promise<StartedStudy> {
  const workflowId = studyWorkflowId(spec.name);
  try {
    const before = await client.workflow
      .getHandle(workflowId)
      .describe()
      .catch(() => undefined);
    const handle = await client.workflow.start<typeof StudyWorkflow>(STUDY_WORKFLOW_TYPE, {
      args: [spec],
      taskQueue,
      workflowId,
      workflowIdReusePolicy: o.rerunCompleted ? 'ALLOW_DUPLICATE' : 'ALLOW_DUPLICATE_FAILED_ONLY',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const was = before?.status.name;
    return { handle, how: was === 'RUNNING' ? 'attached' : was === 'COMPLETED' ? 'again' : 'started' };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { handle: client.workflow.getHandle(workflowId), how: 'completed' };
    throw err;
  }
}

/** A study by name (`cifar-demo`) or workflow id (`spnas-study-cifar-demo`). */
export function studyHandle(client: Client, nameOrId: string): StudyHandle {
  return client.workflow.getHandle<typeof StudyWorkflow>(nameOrId.startsWith('spnas-study-') ? nameOrId : studyWorkflowId(nameOrId));
}

/** A study whose latest run has ended: how, when, its result (completed) or the reason (failed). */
export interface EndedStudy {
  status: WorkflowExecutionStatusName;
  closeTime?: Date;
  result?: StudyResult;
  reason?: string;
}

/** The study's latest run if it has ended; undefined while it runs. Throws WorkflowNotFoundError for an unknown study. */
export async function endedStudy(h: StudyHandle): Promise<EndedStudy | undefined> {
  const d = await h.describe();
  if (d.status.name === 'RUNNING') return undefined;
  const ended: EndedStudy = { status: d.status.name, ...(d.closeTime ? { closeTime: d.closeTime } : {}) };
  try {
    return { ...ended, result: await h.result() };
  } catch (err) {
    const reason = failureReason(err);
    return { ...ended, ...(reason ? { reason } : {}) };
  }
}

export async function studyStatus(h: StudyHandle): Promise<StudyStatus> {
  return h.query(statusQuery);
}

export async function addTrials(h: StudyHandle, n: number): Promise<StudyStatus> {
  guard(() => checkTrialCount(n));
  return h.executeUpdate(addTrialsUpdate, { args: [n] });
}

export async function setParallelism(h: StudyHandle, n: number): Promise<StudyStatus> {
  guard(() => checkParallelism(n));
  return h.executeUpdate(setParallelismUpdate, { args: [n] });
}

export async function stopStudy(h: StudyHandle): Promise<StudyStatus> {
  return h.executeUpdate(stopUpdate);
}

export async function studyResult(h: StudyHandle): Promise<StudyResult> {
  return h.result();
}

function guard(check: () => void): void {
  try {
    check();
  } catch (err) {
    throw new InvalidInputError((err as Error).message);
  }
}
