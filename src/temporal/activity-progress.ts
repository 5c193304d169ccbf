/**
 * The heavy activities a study is running right now and how far each has got: the study workflow's
 * own (the shared warm-up, the final retraining and evaluation, a profiling run) and those of its
 * running trials, from their pending activities' last heartbeat details (activities/heavy-activity.ts:
 * phase, step of total, the attempt's rate origin). What `spnas study run` shows beside the trial
 * counts, with an ETA for each activity.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { trialWorkflowId } from '../study/names';
import type { StudyStatus } from '../study/records';

export interface ActivityProgress {
  /** The trial it belongs to; undefined for the study's own activities (warm-up, final phase). */
  trialId?: number;
  activity: string;
  attempt: number;
  phase?: string;
  done?: number;
  total?: number;
  /** Seconds left at this activity's rate over its attempt so far (undefined until two progress events). */
  etaSeconds?: number;
}

interface Details {
  phase?: string;
  done?: number;
  total?: number;
  at?: number;
  firstDone?: number;
  firstAt?: number;
}

/** Seconds left for `d`, at the rate its attempt has kept since its first progress event, counted from `now`. */
export function etaOf(d: Details, now: number): number | undefined {
  if (d.done === undefined || !d.total || d.at === undefined || d.firstAt === undefined || d.firstDone === undefined) return undefined;
  const rate = (d.done - d.firstDone) / Math.max(1, d.at - d.firstAt); // per ms
  if (!(rate > 0)) return undefined;
  return Math.max(0, (d.total - d.done) / rate - (now - d.at)) / 1000;
}

async function pendingOf(client: Client, workflowId: string, trialId: number | undefined, now: number): Promise<ActivityProgress[]> {
  const d = await client.workflow.getHandle(workflowId).describe();
  return (d.raw.pendingActivities ?? []).map((a) => {
    const payload = a.heartbeatDetails?.payloads?.[0];
    const details = (payload ? defaultPayloadConverter.fromPayload(payload) : {}) as Details;
    const eta = etaOf(details, now);
    return {
      ...(trialId !== undefined ? { trialId } : {}),
      activity: a.activityType?.name ?? '?',
      attempt: a.attempt ?? 1,
      ...(details.phase !== undefined ? { phase: details.phase } : {}),
      ...(details.done !== undefined ? { done: details.done, total: details.total ?? 0 } : {}),
      ...(eta !== undefined ? { etaSeconds: eta } : {}),
    };
  });
}

/** Every running heavy activity of the study (a trial that ended meanwhile is skipped). */
export async function studyActivities(client: Client, studyWorkflowId: string, status: StudyStatus, now = Date.now()): Promise<ActivityProgress[]> {
  const trials = status.runningTrials ?? [];
  const all = await Promise.all([
    pendingOf(client, studyWorkflowId, undefined, now).catch(() => []),
    ...trials.map((id) => pendingOf(client, trialWorkflowId(studyWorkflowId, id), id, now).catch(() => [])),
  ]);
  // the light activities (proposals, records) end in moments: only the heavy ones say where the study is
  return all
    .flat()
    .filter((a) => a.done !== undefined || ['warmupSupernet', 'searchArchitecture', 'trainModel', 'evaluateModel', 'profileLatency'].includes(a.activity));
}
