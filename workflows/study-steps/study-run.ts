/**
 * The state a study's steps share: `StudyRun` (the whole workflow run, also read and changed by the
 * query and update handlers) and `PlannedRun` (the run once its plan step has fixed the carry and the
 * ledger, with what this run's trials share). Besides state changes (a search-attribute upsert),
 * the only commands issued here are openStudy's memo and attribute upserts.
 */
import { proxyActivities, setCurrentDetails, upsertMemo, workflowInfo, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { HeavyActivities, HeavyRequest, StudyActivities } from '../../activities';
import type { FrontMember, StudyState, StudyStatus } from '../../src/study/records';
import type { StudySpec } from '../../src/study/spec';
import type { SelectionTieBreak } from '../../src/study/resolved-ranking';
import { NO_COMPUTE, StudyBook } from '../../src/study/study-book';
import { studyData, type StudyData } from '../../src/study/study-data';
import { bestLine } from '../../src/study/best-line';
import { MULTI_FIDELITY_SAMPLERS } from '../../src/study/sampler-traits';
import { objectiveLargestMs, objectiveTargetMs } from '../../src/study/latency-unit';
import type { SearchSpace } from '../../src/space/spec';
import { StudyAttributes } from '../study-attributes';
import { heavyProxy } from '../trial-workflow';
import type { StudyCarry } from './carry';

/** The study's own activities (the store, the sampler, the namespace): short, retried. */
export const light = proxyActivities<StudyActivities>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

/** The workflow run: the typed spec, the state the handlers report and steer, and the carry and ledger once planned. */
export class StudyRun {
  state: StudyState = 'running';
  /** Set by the handlers and by every trial's end: the trial loop looks again. */
  changed = false;
  carry: StudyCarry | undefined;
  book: StudyBook | undefined;
  stopRequested: boolean;
  readonly wid = workflowInfo().workflowId;
  readonly heavy: ActivityInterfaceFor<HeavyActivities>;
  readonly startedAt = Date.now();
  readonly attrs: StudyAttributes;

  constructor(
    readonly spec: StudySpec,
    readonly space: SearchSpace,
    carried: StudyCarry | undefined,
    /** patched('study-state-attribute'), taken by the workflow where it always was. */
    trackState: boolean,
    /** How the selection at the target breaks a tie: from patched('selection-tie-top1'). */
    readonly selectionTieBreak: SelectionTieBreak,
  ) {
    this.heavy = heavyProxy(spec.computeTaskQueue, spec.heartbeatTimeoutSeconds);
    this.attrs = new StudyAttributes(carried?.searchAttributes ?? false, trackState);
    this.carry = carried;
    this.stopRequested = carried?.stopping ?? false;
  }

  setState(s: StudyState, more: Parameters<StudyAttributes['state']>[1] = []): void {
    this.state = s;
    this.attrs.state(s, more);
  }

  wake(): void {
    this.changed = true;
  }

  /** Steering waits for this: the carry and the ledger exist. */
  prepared(): boolean {
    return this.carry !== undefined && this.book !== undefined;
  }

  status(): StudyStatus {
    const { spec, book, carry, state } = this;
    return book && carry
      ? book.status({ study: spec.name, state, planned: carry.planned, parallelism: carry.parallelism, startedAt: carry.startedAt, now: Date.now() })
      : {
          study: spec.name,
          state,
          trials: { total: 0, running: 0, ok: 0, failed: 0, planned: spec.hpo.trials },
          parallelism: spec.hpo.parallelism,
          front: [],
          compute: { ...NO_COMPUTE },
          hypervolume: [],
          startedAt: this.startedAt,
          now: Date.now(),
        };
  }
}

export type HeavyKind = keyof StudySpec['resources'] & ('search' | 'retrain' | 'evaluate' | 'profile');

/** A planned run: its carry and ledger, and what its trials share (running trials, warm-ups in flight). */
export class PlannedRun {
  readonly finishedAtStart: number;
  /** The data specs trials and final phase read. */
  readonly data: StudyData;
  readonly running = new Set<number>();
  readonly warmupsInFlight = new Map<string, Promise<void>>();
  readonly trialPromises: Promise<void>[] = [];
  /** This run launches no more trials; the running ones finish, then the study continues as new. */
  draining = false;

  constructor(
    readonly run: StudyRun,
    readonly carry: StudyCarry,
    readonly book: StudyBook,
  ) {
    this.finishedAtStart = book.finishedCount();
    this.data = carry.data ?? studyData(run.spec);
  }

  get spec(): StudySpec {
    return this.run.spec;
  }

  /** The member selected at the target, when it meets it. */
  bestNow(): FrontMember | undefined {
    const sel = this.book.selected();
    return sel?.met ? sel.member : undefined;
  }

  /** The line the Temporal UI shows for the study. */
  details(): void {
    const s = this.run.status();
    const { spec, state } = this.run;
    setCurrentDetails(
      `**${spec.name}** ${state}: ${s.trials.ok} ok, ${s.trials.failed} failed, ${s.trials.running} running of ${this.carry.planned} planned${s.trials.cancelled ? ` (${s.trials.cancelled} cancelled and replaced)` : ''}; ${bestLine(s)}; front ${s.front.length}; artifacts ${this.carry.studyRoot}`,
    );
  }

  /** A heavy activity's request: its input with the study's executor, resources of its kind and labels. */
  request<I>(kind: HeavyKind, input: I): HeavyRequest<I> {
    const { spec } = this;
    return {
      input,
      studyRoot: this.carry.studyRoot,
      executor: spec.resources.executor,
      resources: spec.resources[kind],
      labels: { 'spnas.io/study': spec.name },
    };
  }
}

/**
 * Opens the planned run: the stop asked for so far, the ledger in the objective's unit (target and
 * reference point measured on the device, or the table's), then the study's identity upserted and
 * shown. Synchronous, as it always ran between the plan and the first proposal.
 */
export function openStudy(run: StudyRun, carry: StudyCarry): PlannedRun {
  const { spec } = run;
  run.carry = carry;
  carry.stopping ||= run.stopRequested;
  if (carry.stopping) run.state = 'stopping';
  run.book = new StudyBook(
    {
      latency: spec.objectives.latency,
      targetMs: objectiveTargetMs(spec, carry.largestMs, carry.measuredLargestMs),
      largestMs: objectiveLargestMs(spec, carry.largestMs, carry.measuredLargestMs),
      multiFidelity: MULTI_FIDELITY_SAMPLERS.has(spec.hpo.sampler),
      selectionTieBreak: run.selectionTieBreak,
    },
    carry.book,
  );
  const study = new PlannedRun(run, carry, run.book);
  run.attrs.begin(spec.name, run.state, study.bestNow());
  upsertMemo({ spnas: { study: spec.name, sampler: spec.hpo.sampler, space: run.space.name, storage: carry.studyRoot, table: carry.tableUri } });
  study.details();
  return study;
}
