/**
 * The study workflow's public surface, shared by the workflows, the CLI and any client: the status
 * query, the steering updates and the typed search-attribute keys. Plain definitions, safe to import
 * outside workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { StudyStatus } from '../src/study/records';
import { SEARCH_ATTRIBUTES } from '../src/study/names';

export const statusQuery = defineQuery<StudyStatus>('status');
/** Plans n more trials; returns the new status. Rejected while stopping or with a bad n. */
export const addTrialsUpdate = defineUpdate<StudyStatus, [number]>('addTrials');
/** Sets how many trials run at once (running trials are never interrupted). */
export const setParallelismUpdate = defineUpdate<StudyStatus, [number]>('setParallelism');
/** Graceful stop: no new trials; running ones finish; the final phase and summary follow. */
export const stopUpdate = defineUpdate<StudyStatus, []>('stop');

const A = SEARCH_ATTRIBUTES;
export const SA = {
  study: defineSearchAttributeKey(A.study.name, SearchAttributeType.KEYWORD),
  kind: defineSearchAttributeKey(A.kind.name, SearchAttributeType.KEYWORD),
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
