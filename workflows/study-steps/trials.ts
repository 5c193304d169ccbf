/**
 * The run-trials step: ask the sampler for as many proposals as there is room for (an activity: model
 * fitting never runs in workflow code), run each as a TrialWorkflow (after its warm-up), record each
 * finished trial and keep its outcome for the next proposal. The loop itself is in StudyWorkflow:
 * these functions are synchronous or return the activity's own promise, so no await is added between
 * a trial's end, a handler and the next command (the command order every history recorded).
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  executeChild,
  isCancellation,
  patched,
} from '@temporalio/workflow';
import type { StudyActivities } from '../../activities';
import type { Trial } from '../../src/hpo/sampler';
import { trialWorkflowId } from '../../src/study/names';
import type { TrialRecord } from '../../src/study/records';
import { vectorObjective } from '../../src/study/sampler-traits';
import { planTrial } from '../../src/study/trial-plan';
import { trialSummary } from '../summaries';
import { TrialWorkflow, type TrialInput } from '../trial-workflow';
import { latencyReference } from './carry';
import { drainDue } from './continue';
import { light, type PlannedRun } from './study-run';
import { promotionWarmStart, sharedWarmup } from './warmup';

type Proposal = Awaited<ReturnType<StudyActivities['proposeTrials']>>;

/** How many trials to propose now (0: none), deciding first whether this run drains. */
export function trialsToLaunch(study: PlannedRun): number {
  const { carry } = study;
  study.draining ||= drainDue(study);
  const free = carry.parallelism - study.running.size;
  return !carry.stopping && !study.draining && free > 0 && carry.launched < carry.planned ? Math.min(free, carry.planned - carry.launched) : 0;
}

/** No trial runs and none will start in this run (stopping, draining, or all planned launched). */
export function trialsOver(study: PlannedRun): boolean {
  const { carry } = study;
  return study.running.size === 0 && (carry.stopping || study.draining || carry.launched >= carry.planned);
}

/** n proposals from the sampler's state in the store, told the outcomes since the last proposal (the activity reads only spec.hpo). */
export function proposeTrials(study: PlannedRun, n: number): Promise<Proposal> {
  const { carry } = study;
  return light.proposeTrials.executeWithOptions({ summary: `propose ${n} trial${n > 1 ? 's' : ''} (proposal ${carry.proposals})` }, [
    { hpo: study.spec.hpo, studyRoot: carry.studyRoot, samplerState: carry.sampler, proposal: carry.proposals, tells: carry.outbox, n },
  ]);
}

/** Keeps the proposal's sampler state and starts its trials (each settles on its own; see runTrial). */
export function launchTrials(study: PlannedRun, proposal: Proposal): void {
  const { carry } = study;
  carry.proposals++;
  carry.outbox = [];
  carry.sampler = proposal.samplerState;
  for (const t of proposal.trials) {
    carry.launched++;
    study.running.add(t.trialId);
    const p = runTrial(study, t);
    p.catch(() => undefined); // settled by the cancellation step; a cancelled trial must not count as an unhandled rejection
    study.trialPromises.push(p);
  }
  study.details();
}

/** One trial: warm-up, its TrialWorkflow, then its record in the store and its outcome in the outbox. */
async function runTrial(study: PlannedRun, t: Trial): Promise<void> {
  const { spec, carry, book, run } = study;
  const fidelity = t.budget !== undefined ? Math.min(1, t.budget / spec.hpo.maxBudget) : 1;
  const configId = t.configId ?? t.trialId;
  // A promotion (multi-fidelity) continues its configuration's search (and its retraining, unless the plan restarts it) with a larger budget.
  const promotion = book.hasConfig(configId);
  book.start({ trialId: t.trialId, configId, ...(t.budget !== undefined ? { budget: t.budget } : {}), fidelity, params: t.params }, Date.now());
  let done: TrialRecord | undefined;
  try {
    const plan = planTrial(spec, t.params, carry.largestMs, fidelity);
    const reference = latencyReference(carry);
    // Studies that promoted before this fix passed no warm start (and their promotions failed).
    const warmStart = promotion ? (patched('promotion-keeps-warm-start') ? promotionWarmStart(study, plan) : undefined) : await sharedWarmup(study, plan);
    const input: TrialInput = {
      study: spec.name,
      studyRoot: carry.studyRoot,
      trialId: t.trialId,
      configId,
      fidelity,
      params: t.params,
      plan,
      ...(t.budget !== undefined ? { budget: t.budget } : {}),
      space: spec.space,
      data: study.data.trial,
      tableUri: carry.tableUri,
      ...(reference ? { reference } : {}),
      ...(warmStart ? { warmStart } : {}),
      ...(promotion ? { promotion } : {}),
      latency: spec.objectives.latency,
      executor: spec.resources.executor,
      resources: { search: spec.resources.search, retrain: spec.resources.retrain, evaluate: spec.resources.evaluate },
      computeTaskQueue: spec.computeTaskQueue,
      heartbeatTimeoutSeconds: spec.heartbeatTimeoutSeconds,
      searchAttributes: carry.searchAttributes,
    };
    const result = await executeChild(TrialWorkflow, {
      args: [input],
      workflowId: trialWorkflowId(run.wid, t.trialId),
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
      staticSummary: trialSummary({ trialId: t.trialId, configId, fidelity, params: t.params, promotion }),
      staticDetails: `study **${spec.name}**, trial ${t.trialId}, configuration ${configId}, fidelity ${fidelity}\n\nparameters: \`${JSON.stringify(t.params)}\``,
    });
    done = book.finish(t.trialId, result, Date.now());
  } catch (err) {
    if (isCancellation(err)) {
      // The study's own cancellation ends it (the cancellation step); a trial workflow cancelled on its
      // own (an operator's `temporal workflow cancel`) is recorded, told to the sampler and replaced.
      if (CancellationScope.current().consideredCancelled || !patched('cancelled-trial-replaced')) throw err;
      done = book.cancel(t.trialId, 'its trial workflow was cancelled; the study runs a replacement trial', Date.now());
      carry.launched--;
    } else done = book.fail(t.trialId, failureOf(err), Date.now());
  } finally {
    if (done) {
      carry.outbox.push({ trialId: t.trialId, outcome: book.outcomeOf(done, vectorObjective(spec)) });
      // In the store before the trial counts as done: the book may already have released it, and a
      // continue-as-new waits for no running trial. Not cancellable: a study cancelled just now
      // still lists this finished trial in its summary.
      const record = done;
      await CancellationScope.nonCancellable(() =>
        light.recordTrial.executeWithOptions({ summary: `record trial ${record.trialId} (${record.state})` }, [carry.studyRoot, record]),
      );
      run.attrs.best(study.bestNow());
    }
    study.running.delete(t.trialId);
    run.wake();
    study.details();
  }
}

/** A failed trial's reason, from the activity's typed failure when there is one. */
function failureOf(err: unknown): { type: string; message: string } {
  let e: unknown = err;
  while (e instanceof Error) {
    if (e instanceof ApplicationFailure) return { type: e.type ?? 'ApplicationFailure', message: e.message };
    e = (e as { cause?: unknown }).cause;
  }
  return { type: 'UNKNOWN', message: err instanceof Error ? err.message : String(err) };
}
