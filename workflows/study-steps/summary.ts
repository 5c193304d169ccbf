/** The summary step: the compact result, and summary.json (every trial's record, read from the store) written by the activity; also when cancelled. */
import { allHandlersFinished, CancellationScope, condition } from '@temporalio/workflow';
import { studyLayout } from '../../src/study/names';
import type { FinalModel, StudyResult } from '../../src/study/records';
import { SA } from '../definitions';
import { light, type PlannedRun } from './study-run';

/** Completes the study: the summary, the selected model's attributes, then the handlers finish. */
export async function completeStudy(study: PlannedRun, final: FinalModel[]): Promise<StudyResult> {
  const { run } = study;
  run.state = 'completed';
  const summary = await writeSummary(study, final);
  const best = summary.selected;
  const selected = best
    ? [
        { key: SA.top1, value: best.top1 },
        { key: SA.latencyMs, value: best.latencyMs },
      ]
    : [];
  if (run.attrs.tracked) run.attrs.state('completed', selected);
  else run.attrs.upsert(selected);
  study.details();
  await condition(allHandlersFinished);
  return summary;
}

/** Cancelled: waits until every trial has stopped (their activities checkpoint and end), then records it. */
export function recordCancellation(study: PlannedRun): Promise<void> {
  return CancellationScope.nonCancellable(async () => {
    await Promise.allSettled(study.trialPromises);
    study.run.setState('cancelled');
    await writeSummary(study, []);
  });
}

async function writeSummary(study: PlannedRun, final: FinalModel[]): Promise<StudyResult> {
  const { book, carry, run } = study;
  const sel = book.selected();
  const result: StudyResult = {
    ...run.status(),
    version: 1,
    storage: carry.studyRoot,
    summary: studyLayout.summary(carry.studyRoot),
    table: {
      uri: carry.tableUri,
      largestMs: carry.largestMs,
      targetMs: book.options.targetMs,
      ...(carry.measuredLargestMs !== undefined ? { measuredLargestMs: carry.measuredLargestMs } : {}),
    },
    ...(sel?.met ? { selected: sel.member } : {}),
    final,
    endedAt: Date.now(),
  };
  const running = book.liveRecords().filter((r) => r.state === 'running');
  await light.writeStudySummary.executeWithOptions({ summary: `write summary.json (${run.state})` }, [carry.studyRoot, result, running]);
  return result;
}
