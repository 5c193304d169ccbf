/**
 * The drain-and-continue step: after `trialsPerRun` finished trials (or when the server suggests it)
 * the run launches no more trials, lets the running ones finish, and continues as new with its ledger,
 * the URI of the sampler's state and the untold outcomes, so no trial is killed or repeated and
 * proposals continue exactly. What grows with the study stays in the store, so the history per trial
 * and the carry stay bounded (docs/orchestration.md "Bounded state").
 */
import { workflowInfo } from '@temporalio/workflow';
import type { StudyCarry } from './carry';
import type { PlannedRun } from './study-run';

/** This run has finished its share of trials, or the server suggests a new run. */
export function drainDue(study: PlannedRun): boolean {
  return study.book.finishedCount() - study.finishedAtStart >= study.spec.trialsPerRun || workflowInfo().continueAsNewSuggested;
}

/** The run drained with trials still to launch (a stopping study goes to its final phase instead). */
export function continuesAsNew(study: PlannedRun): boolean {
  const { carry } = study;
  return study.draining && !carry.stopping && carry.launched < carry.planned;
}

/** The carry of the next run: this run's, with its ledger and one more run counted. */
export function nextRunCarry(study: PlannedRun): StudyCarry {
  const { carry } = study;
  return { ...carry, book: study.book.toJSON(), runs: carry.runs + 1 };
}
