/**
 * StudyWorkflow: a NAS-hyperparameter study. Asks the sampler for proposals (an activity: model
 * fitting never runs in workflow code), runs each as a TrialWorkflow with bounded parallelism, tells
 * the outcomes back, keeps the accuracy-latency front, and at the end retrains the front's best
 * architectures with the final budget and writes the summary next to the artifacts.
 *
 * Shared warm-up: trials whose warm-up inputs are equal (content key, src/study/warmup-key.ts) start
 * their search from one warm-up run, extended on demand to the longest warm-up asked for.
 * Continue-as-new: after `trialsPerRun` finished trials (or when the server suggests it) the study
 * stops launching, lets the running trials finish, and continues with its ledger, the URI of the
 * sampler's state and the untold outcomes, so no trial is killed or repeated and proposals continue
 * exactly. What grows with the study stays in the store (trial records, the sampler's state), so the
 * history per trial and the carry stay bounded (docs/orchestration.md "Bounded state").
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ContinueAsNew,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { HeavyRequest, StudyActivities } from '../activities';
import { parseSearchConfig } from '../src/config/training-config';
import type { Trial, TrialOutcome } from '../src/hpo/sampler';
import { SpnasError } from '../src/errors';
import { studyLayout, trialWorkflowId } from '../src/study/names';
import type { FinalModel, StudyResult, StudyState, StudyStatus, TrialRecord } from '../src/study/records';
import { MULTI_FIDELITY_SAMPLERS, vectorObjective } from '../src/study/sampler-traits';
import { parseStudySpec, type StudySpec } from '../src/study/spec';
import { StudyBook, type StudyBookState } from '../src/study/study-book';
import { studyRetrainConfig } from '../src/study/retrain-config';
import { planTrial, type TrialPlan } from '../src/study/trial-plan';
import { warmupKey } from '../src/study/warmup-key';
import { getPreset, PRESET_NAMES } from '../src/space/presets';
import { parseSearchSpace, type SearchSpace } from '../src/space/spec';
import { addTrialsUpdate, checkParallelism, checkSteerable, checkTrialCount, SA, setParallelismUpdate, statusQuery, stopUpdate } from './definitions';
import { StudyAttributes } from './study-attributes';
import { bestLine } from '../src/study/best-line';
import { trialSummary } from './summaries';
import { heavyProxy, TrialWorkflow, type TrialInput } from './trial-workflow';

/** What a study carries into its next run (continue-as-new). */
export interface StudyCarry {
  studyRoot: string;
  tableUri: string;
  largestMs: number;
  searchAttributes: boolean;
  book: StudyBookState;
  /** URI of the sampler's state in the store (it grows with the trials, so it never travels through the history); null before the first proposal. */
  sampler: string | null;
  /** Proposals made so far (names the next sampler state). */
  proposals: number;
  /** Outcomes not yet told to the sampler. */
  outbox: Array<{ trialId: number; outcome: TrialOutcome }>;
  /** Shared warm-ups by content key: run directory, steps at each epoch boundary, seconds per epoch. */
  warmups: Record<string, { run: string; epochSteps: number[]; secondsPerEpoch: number }>;
  planned: number;
  parallelism: number;
  launched: number;
  stopping: boolean;
  startedAt: number;
  runs: number;
}

const light = proxyActivities<StudyActivities>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

function invalidSpec(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  throw ApplicationFailure.create({ type: err instanceof SpnasError ? err.code : 'INVALID_INPUT', message, nonRetryable: true });
}

function spaceOf(spec: StudySpec): SearchSpace {
  if (typeof spec.space !== 'string') return parseSearchSpace(spec.space, 'study spec.space');
  if (!PRESET_NAMES.includes(spec.space)) throw new SpnasError('INVALID_INPUT', `study spec.space: unknown preset '${spec.space}'`);
  return getPreset(spec.space);
}

export async function StudyWorkflow(rawSpec: unknown, carried?: StudyCarry): Promise<StudyResult> {
  let spec: StudySpec;
  let space: SearchSpace;
  try {
    spec = parseStudySpec(rawSpec);
    space = spaceOf(spec);
  } catch (err) {
    invalidSpec(err);
  }
  const wid = workflowInfo().workflowId;
  const heavy = heavyProxy(spec.computeTaskQueue, spec.heartbeatTimeoutSeconds);
  const startedAt = Date.now();
  // Studies recorded before the state attribute existed replay without its upserts and with the old order of begin().
  const attrs = new StudyAttributes(carried?.searchAttributes ?? false, patched('study-state-attribute'));
  let state: StudyState = 'running';
  const setState = (s: StudyState, more: Parameters<StudyAttributes['state']>[1] = []) => {
    state = s;
    attrs.state(s, more);
  };
  let changed = false;
  const wake = () => {
    changed = true;
  };
  // Handlers first: updates and queries may arrive while the study is still being prepared.
  let carry: StudyCarry | undefined = carried;
  let book: StudyBook | undefined;
  let stopRequested = carried?.stopping ?? false;
  const status = (): StudyStatus =>
    book && carry
      ? book.status({ study: spec.name, state, planned: carry.planned, parallelism: carry.parallelism, startedAt: carry.startedAt, now: Date.now() })
      : {
          study: spec.name,
          state,
          trials: { total: 0, running: 0, ok: 0, failed: 0, planned: spec.hpo.trials },
          parallelism: spec.hpo.parallelism,
          front: [],
          compute: { profile: 0, warmup: 0, search: 0, retrain: 0, evaluate: 0, final: 0, savedByWarmup: 0 },
          hypervolume: [],
          startedAt,
          now: Date.now(),
        };
  const prepared = () => carry !== undefined && book !== undefined;
  setHandler(statusQuery, status);
  setHandler(
    addTrialsUpdate,
    async (n) => {
      await condition(prepared);
      carry!.planned += n;
      wake();
      return status();
    },
    {
      validator: (n) => {
        checkTrialCount(n);
        checkSteerable('addTrials', state, stopRequested);
      },
    },
  );
  setHandler(
    setParallelismUpdate,
    async (n) => {
      await condition(prepared);
      carry!.parallelism = n;
      wake();
      return status();
    },
    {
      validator: (n) => {
        checkParallelism(n);
        checkSteerable('setParallelism', state, stopRequested);
      },
    },
  );
  setHandler(stopUpdate, async () => {
    stopRequested = true;
    await condition(prepared);
    carry!.stopping = true;
    if (state === 'running') setState('stopping');
    wake();
    return status();
  });

  try {
    carry ??= await begin(spec);
    carry.stopping ||= stopRequested;
    if (carry.stopping) state = 'stopping';
    book = new StudyBook(
      {
        latency: spec.objectives.latency,
        targetMs: spec.objectives.latencyTargetFraction * carry.largestMs,
        largestMs: carry.largestMs,
        multiFidelity: MULTI_FIDELITY_SAMPLERS.has(spec.hpo.sampler),
      },
      carry.book,
    );
    return await runStudy(carry, book);
  } catch (err) {
    // A failure of the study itself (not a failed trial: those are recorded and the study goes on).
    if (!isCancellation(err) && !(err instanceof ContinueAsNew)) setState('failed');
    throw err;
  }

  async function runStudy(carry: StudyCarry, book: StudyBook): Promise<StudyResult> {
    const finishedAtStart = book.finishedCount();
    const running = new Set<number>();
    const warmupsInFlight = new Map<string, Promise<void>>();

    const bestNow = () => {
      const sel = book.selected();
      return sel?.met ? sel.member : undefined;
    };
    attrs.begin(spec.name, state, bestNow());
    upsertMemo({ spnas: { study: spec.name, sampler: spec.hpo.sampler, space: space.name, storage: carry.studyRoot, table: carry.tableUri } });
    const details = () => {
      const s = status();
      setCurrentDetails(
        `**${spec.name}** ${state}: ${s.trials.ok} ok, ${s.trials.failed} failed, ${s.trials.running} running of ${carry.planned} planned${s.trials.cancelled ? ` (${s.trials.cancelled} cancelled and replaced)` : ''}; ${bestLine(s)}; front ${s.front.length}; artifacts ${carry.studyRoot}`,
      );
    };
    details();

    /** The shared warm-up of a trial's plan, run or extended once and awaited by every trial that needs it. */
    async function sharedWarmup(plan: TrialPlan): Promise<{ run: string; step: number } | undefined> {
      if (!spec.sharedWarmup || plan.warmupEpochs < 1) return undefined;
      const key = warmupKey(space, spec.data.train, parseSearchConfig(plan.search));
      for (;;) {
        const have = carry.warmups[key];
        if (have && have.epochSteps.length >= plan.warmupEpochs) {
          book.addSeconds({ savedByWarmup: have.secondsPerEpoch * plan.warmupEpochs });
          return { run: have.run, step: have.epochSteps[plan.warmupEpochs - 1]! };
        }
        const inFlight = warmupsInFlight.get(key);
        if (inFlight) {
          await inFlight;
          continue;
        }
        const run = studyLayout.warmup(carry.studyRoot, key);
        const job = heavy.warmupSupernet
          .executeWithOptions({ summary: `shared warm-up ${key.slice(0, 8)} to epoch ${plan.warmupEpochs}` }, [
            request('search', {
              space: spec.space,
              data: spec.data.train,
              config: plan.search,
              epochs: plan.warmupEpochs,
              table: { uri: carry.tableUri },
              out: run,
            }),
          ])
          .then((w) => {
            const before = have?.epochSteps.length ?? 0;
            const ran = Math.max(1, w.epochSteps.length - before);
            carry.warmups[key] = { run, epochSteps: w.epochSteps, secondsPerEpoch: w.seconds > 0 ? w.seconds / ran : (have?.secondsPerEpoch ?? 0) };
            book.addSeconds({ warmup: w.seconds });
          })
          .finally(() => warmupsInFlight.delete(key));
        warmupsInFlight.set(key, job);
        await job;
      }
    }

    /**
     * The warm start a promotion passes: the one its configuration's first rung started from (same key,
     * same warm-up epochs: neither depends on the fidelity). The search's run directory recorded it
     * among its inputs, so the promotion must pass it again to continue that search; it is not used
     * (the directory's own checkpoint is newer) and costs nothing.
     */
    function promotionWarmStart(plan: TrialPlan): { run: string; step: number } | undefined {
      if (!spec.sharedWarmup || plan.warmupEpochs < 1) return undefined;
      const have = carry.warmups[warmupKey(space, spec.data.train, parseSearchConfig(plan.search))];
      return have && have.epochSteps.length >= plan.warmupEpochs ? { run: have.run, step: have.epochSteps[plan.warmupEpochs - 1]! } : undefined;
    }

    function request<I>(kind: keyof StudySpec['resources'] & ('search' | 'retrain' | 'evaluate' | 'profile'), input: I): HeavyRequest<I> {
      return { input, studyRoot: carry.studyRoot, executor: spec.resources.executor, resources: spec.resources[kind], labels: { 'spnas.io/study': spec.name } };
    }

    async function runTrial(t: Trial): Promise<void> {
      const fidelity = t.budget !== undefined ? Math.min(1, t.budget / spec.hpo.maxBudget) : 1;
      const configId = t.configId ?? t.trialId;
      // A promotion (multi-fidelity) continues its configuration's search and retraining with a larger budget.
      const promotion = book.hasConfig(configId);
      book.start({ trialId: t.trialId, configId, ...(t.budget !== undefined ? { budget: t.budget } : {}), fidelity, params: t.params }, Date.now());
      let done: TrialRecord | undefined;
      try {
        const plan = planTrial(spec, t.params, carry.largestMs, fidelity);
        // Studies that promoted before this fix passed no warm start (and their promotions failed).
        const warmStart = promotion ? (patched('promotion-keeps-warm-start') ? promotionWarmStart(plan) : undefined) : await sharedWarmup(plan);
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
          data: spec.data.train,
          tableUri: carry.tableUri,
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
          workflowId: trialWorkflowId(wid, t.trialId),
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
          staticSummary: trialSummary({ trialId: t.trialId, configId, fidelity, params: t.params, promotion }),
          staticDetails: `study **${spec.name}**, trial ${t.trialId}, configuration ${configId}, fidelity ${fidelity}\n\nparameters: \`${JSON.stringify(t.params)}\``,
        });
        done = book.finish(t.trialId, result, Date.now());
      } catch (err) {
        if (isCancellation(err)) {
          // The study's own cancellation ends it (below); a trial workflow cancelled on its own (an
          // operator's `temporal workflow cancel`) is recorded, told to the sampler and replaced.
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
          attrs.best(bestNow());
        }
        running.delete(t.trialId);
        wake();
        details();
      }
    }

    const trialPromises: Promise<void>[] = [];
    try {
      const drainFor = () => book.finishedCount() - finishedAtStart >= spec.trialsPerRun || workflowInfo().continueAsNewSuggested;
      let draining = false;
      for (;;) {
        draining ||= drainFor();
        const free = carry.parallelism - running.size;
        if (!carry.stopping && !draining && free > 0 && carry.launched < carry.planned) {
          const n = Math.min(free, carry.planned - carry.launched);
          const proposal = await light.proposeTrials.executeWithOptions({ summary: `propose ${n} trial${n > 1 ? 's' : ''} (proposal ${carry.proposals})` }, [
            {
              spec,
              studyRoot: carry.studyRoot,
              samplerState: carry.sampler,
              proposal: carry.proposals,
              tells: carry.outbox,
              n,
            },
          ]);
          carry.proposals++;
          carry.outbox = [];
          carry.sampler = proposal.samplerState;
          for (const t of proposal.trials) {
            carry.launched++;
            running.add(t.trialId);
            const p = runTrial(t);
            p.catch(() => undefined); // settled below; a cancelled trial must not count as an unhandled rejection
            trialPromises.push(p);
          }
          details();
          continue;
        }
        if (running.size === 0 && (carry.stopping || draining || carry.launched >= carry.planned)) break;
        await condition(() => changed);
        changed = false;
      }
      if (draining && !carry.stopping && carry.launched < carry.planned) {
        await condition(allHandlersFinished);
        return await continueAsNew<typeof StudyWorkflow>(spec, { ...carry, book: book.toJSON(), runs: carry.runs + 1 });
      }

      setState('final');
      details();
      const final = await finalPhase();
      state = 'completed';
      const summary = await writeSummary(final);
      const best = summary.selected;
      const selected = best
        ? [
            { key: SA.top1, value: best.top1 },
            { key: SA.latencyMs, value: best.latencyMs },
          ]
        : [];
      if (attrs.tracked) attrs.state('completed', selected);
      else attrs.upsert(selected);
      details();
      await condition(allHandlersFinished);
      return summary;
    } catch (err) {
      if (!isCancellation(err)) throw err;
      // Cancelled: wait until every trial has stopped (their activities checkpoint and end), then record it.
      await CancellationScope.nonCancellable(async () => {
        await Promise.allSettled(trialPromises);
        setState('cancelled');
        await writeSummary([]);
      });
      throw err;
    }

    /** Retrains the selected member and the front's most accurate with the final budget and evaluates them (test set when given). */
    async function finalPhase(): Promise<FinalModel[]> {
      // studies that reached this point before the change keep retraining the most accurate members
      const chosen = patched('final-selected-first')
        ? book.finalMembers(spec.budget.final.models)
        : [...book.front()].sort((a, b) => b.top1 - a.top1).slice(0, spec.budget.final.models);
      return Promise.all(
        chosen.map(async (m) => {
          const rec = book.get(m.trialId)!;
          const data = spec.budget.final.data ?? spec.data.train;
          const train = await heavy.trainModel.executeWithOptions({ summary: `final retraining of trial ${m.trialId}: ${m.architecture}` }, [
            request('retrain', {
              space: spec.space,
              architecture: m.architecture,
              data,
              measureLatency: false,
              // the same batch-size rule as the trials' retraining (src/study/retrain-config.ts)
              config: {
                seed: spec.budget.seed,
                ...studyRetrainConfig({ recipe: spec.budget.final.recipe, ...spec.budget.final.config }, spec.budget.batchSize),
              },
              out: studyLayout.final(carry.studyRoot, m.trialId),
              search: { trial: m.trialId, uri: rec.result!.search, ...(m.lambda !== undefined ? { lambda: m.lambda } : {}) },
            }),
          ]);
          const evalReq = { model: train.model, latencyRepeats: spec.objectives.latency === 'measured' ? 30 : 0 };
          const heldOut = await heavy.evaluateModel.executeWithOptions({ summary: `final evaluation of trial ${m.trialId} (held-out)` }, [
            request('evaluate', evalReq),
          ]);
          const test = spec.data.test
            ? await heavy.evaluateModel.executeWithOptions({ summary: `final evaluation of trial ${m.trialId} (test set)` }, [
                request('evaluate', { ...evalReq, test: spec.data.test, latencyRepeats: 0 }),
              ])
            : undefined;
          const seconds = train.seconds + heldOut.seconds + (test?.seconds ?? 0);
          book.addSeconds({ final: seconds });
          return {
            trialId: m.trialId,
            architecture: m.architecture,
            top1: heldOut.top1,
            ...(test ? { testTop1: test.top1 } : {}),
            ...(heldOut.latencyMs !== undefined ? { latencyMs: heldOut.latencyMs } : {}),
            predictedMs: rec.result!.predictedMs,
            model: train.model,
            seconds,
          };
        }),
      );
    }

    /** The compact result; summary.json (with every trial's record, read from the store) is written by the activity. */
    async function writeSummary(final: FinalModel[]): Promise<StudyResult> {
      const sel = book.selected();
      const result: StudyResult = {
        ...status(),
        version: 1,
        storage: carry.studyRoot,
        summary: studyLayout.summary(carry.studyRoot),
        table: { uri: carry.tableUri, largestMs: carry.largestMs, targetMs: book.options.targetMs },
        ...(sel?.met ? { selected: sel.member } : {}),
        final,
        endedAt: Date.now(),
      };
      const running = book.liveRecords().filter((r) => r.state === 'running');
      await light.writeStudySummary.executeWithOptions({ summary: `write summary.json (${state})` }, [carry.studyRoot, result, running]);
      return result;
    }
  }

  /**
   * Checks the search attributes (first, so that the study is listed by state while it is prepared),
   * validates, records the spec, fixes the latency table (profiling it first if asked).
   */
  async function begin(s: StudySpec): Promise<StudyCarry> {
    if (attrs.tracked) {
      attrs.enabled = await light.searchAttributesReady();
      attrs.begin(s.name, state, undefined);
    }
    const prepared = await light.prepareStudy.executeWithOptions({ summary: `prepare study ${s.name}: spec, data, latency table` }, [s]);
    let tableUri = prepared.tableUri;
    if (!tableUri) {
      const lt = s.latencyTable as { repeats: number; samples: number };
      const profiled = await heavyProxy(s.computeTaskQueue, s.heartbeatTimeoutSeconds).profileLatency.executeWithOptions(
        { summary: `profile the latency table of ${typeof s.space === 'string' ? s.space : 'the space'}` },
        [
          {
            input: { space: s.space, out: studyLayout.table(prepared.studyRoot), repeats: lt.repeats, samples: lt.samples },
            studyRoot: prepared.studyRoot,
            executor: s.resources.executor,
            resources: s.resources.profile,
            labels: { 'spnas.io/study': s.name },
          },
        ],
      );
      tableUri = profiled.out;
    }
    const info = await light.describeTable(tableUri, s.space);
    const searchAttributes = attrs.tracked ? attrs.enabled : await light.searchAttributesReady();
    attrs.enabled = searchAttributes;
    return {
      studyRoot: prepared.studyRoot,
      tableUri,
      largestMs: info.largestMs,
      searchAttributes,
      book: { trials: [], compute: { profile: 0, warmup: 0, search: 0, retrain: 0, evaluate: 0, final: 0, savedByWarmup: 0 }, hypervolume: [] },
      sampler: null,
      proposals: 0,
      outbox: [],
      warmups: {},
      planned: s.hpo.trials,
      parallelism: s.hpo.parallelism,
      launched: 0,
      stopping: false,
      startedAt: Date.now(),
      runs: 1,
    };
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
