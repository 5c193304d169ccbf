/**
 * The study workflow's public surface, shared by the workflows, the CLI and any client: the status
 * query, the steering updates and the typed search-attribute keys. Plain definitions, safe to import
 * outside workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { StudyState, StudyStatus } from '../src/study/records';
import { SEARCH_ATTRIBUTES } from '../src/study/names';

export const statusQuery = defineQuery<StudyStatus>('status');
/** Plans n more trials; returns the new status. Rejected with a bad n, and once the trials are over (stopping, final phase, ended). */
export const addTrialsUpdate = defineUpdate<StudyStatus, [number]>('addTrials');
/** Sets how many trials run at once (running trials are never interrupted). Rejected once no trial can start any more. */
export const setParallelismUpdate = defineUpdate<StudyStatus, [number]>('setParallelism');
/** Graceful stop: no new trials; running ones finish; the final phase and summary follow. */
export const stopUpdate = defineUpdate<StudyStatus, []>('stop');

const A = SEARCH_ATTRIBUTES;
export const SA = {
  study: defineSearchAttributeKey(A.study.name, SearchAttributeType.KEYWORD),
  kind: defineSearchAttributeKey(A.kind.name, SearchAttributeType.KEYWORD),
  state: defineSearchAttributeKey(A.state.name, SearchAttributeType.KEYWORD),
  trialState: defineSearchAttributeKey(A.trialState.name, SearchAttributeType.KEYWORD),
  lambda: defineSearchAttributeKey(A.lambda.name, SearchAttributeType.DOUBLE),
  top1: defineSearchAttributeKey(A.top1.name, SearchAttributeType.DOUBLE),
  latencyMs: defineSearchAttributeKey(A.latencyMs.name, SearchAttributeType.DOUBLE),
};

/** Validators shared by the workflow's update handlers and the CLI (a bad argument fails before it is sent). */
export function checkTrialCount(n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10_000)
    throw new RangeError(`addTrials: n must be an integer from 1 to 10000, got ${JSON.stringify(n)}`);
}

export function checkParallelism(n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 256)
    throw new RangeError(`setParallelism: n must be an integer from 1 to 256, got ${JSON.stringify(n)}`);
}

/**
 * Whether trials can still be added or their parallelism changed: not once the study is stopping
 * (running trials finish, none start), in its final phase (the trials are over; the selected model is
 * being retrained) or ended. The update validators throw this, so a late update is refused with the
 * reason instead of being accepted and never acted on.
 */
export function checkSteerable(what: 'addTrials' | 'setParallelism', state: StudyState, stopRequested: boolean): void {
  const why: Partial<Record<StudyState, string>> = {
    stopping: 'the study is stopping: its running trials finish and no new trial starts',
    final: 'the trials are over: the study is in its final phase (retraining the selected model)',
    completed: 'the study has completed',
    cancelled: 'the study was cancelled',
    failed: 'the study has failed',
  };
  const reason = why[state] ?? (stopRequested ? why.stopping : undefined);
  if (reason) throw new RangeError(`${what}: refused: ${reason}; start a new study (another name) for more trials`);
}
