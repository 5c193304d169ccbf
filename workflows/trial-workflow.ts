/**
 * TrialWorkflow: one trial of a study. search (from the shared warm-up, or continuing its
 * configuration's earlier search for a promoted trial) -> derive (part of the search result) ->
 * retrain -> evaluate (held-out top-1 and measured latency) -> result. Heavy activities run on the
 * compute queue; only URIs and small metrics pass through the history.
 */
import {
  ActivityCancellationType,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { HeavyActivities, HeavyRequest } from '../activities';
import type { DataSpec } from '../src/config/data-spec';
import type { LatencyUnit } from '../src/latency/device-fingerprint';
import type { Params } from '../src/hpo/space';
import { LATENCY_PAIRS } from '../src/latency/statistic';
import { formatTop1, top1Fields } from '../src/study/accuracy';
import { latencyInterval } from '../src/study/latency-interval';
import { contentKey } from '../src/study/content-key';
import { studyLayout } from '../src/study/names';
import type { TrialResult } from '../src/study/records';
import type { StudySpec } from '../src/study/spec';
import type { TrialPlan } from '../src/study/trial-plan';
import { SA } from './definitions';

export interface TrialInput {
  study: string;
  studyRoot: string;
  trialId: number;
  configId: number;
  budget?: number;
  fidelity: number;
  params: Params;
  plan: TrialPlan;
  space: StudySpec['space'];
  data: DataSpec;
  tableUri: string;
  warmStart?: { run: string; step: number };
  /** A multi-fidelity promotion: the search continues the configuration's earlier run, the retraining too unless the plan restarts it. */
  promotion?: boolean;
  latency: 'measured' | 'predicted';
  /** The study's unit of measured latency (study-steps/carry.ts latencyReference); absent: each evaluation's own device reference. */
  reference?: LatencyUnit;
  executor: StudySpec['resources']['executor'];
  resources: Pick<StudySpec['resources'], 'search' | 'retrain' | 'evaluate'>;
  computeTaskQueue: string;
  heartbeatTimeoutSeconds: number;
  searchAttributes: boolean;
}

/** Activity options of heavy work: long, heartbeating, retried on transient faults, cancelled cleanly. */
export function heavyProxy(taskQueue: string, heartbeatTimeoutSeconds: number): ActivityInterfaceFor<HeavyActivities> {
  return proxyActivities<HeavyActivities>({
    taskQueue,
    startToCloseTimeout: '24h',
    heartbeatTimeout: `${heartbeatTimeoutSeconds}s`,
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 6 },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

export async function TrialWorkflow(input: TrialInput): Promise<TrialResult> {
  const heavy = heavyProxy(input.computeTaskQueue, input.heartbeatTimeoutSeconds);
  const labels = { 'spnas.io/study': input.study, 'spnas.io/trial': String(input.trialId) };
  const req = <I>(kind: keyof TrialInput['resources'], i: I): HeavyRequest<I> => ({
    input: i,
    studyRoot: input.studyRoot,
    executor: input.executor,
    resources: input.resources[kind],
    labels,
  });
  const attrs = (pairs: Parameters<typeof upsertSearchAttributes>[0]) => {
    if (input.searchAttributes && pairs.length) upsertSearchAttributes(pairs);
  };
  const lambda = typeof input.params.lambda === 'number' ? input.params.lambda : undefined;
  attrs([
    { key: SA.study, value: input.study },
    { key: SA.kind, value: 'trial' },
    { key: SA.trialState, value: 'running' },
    ...(lambda !== undefined ? [{ key: SA.lambda, value: lambda }] : []),
  ]);
  const say = (line: string) => setCurrentDetails(`**trial ${input.trialId}** (${workflowInfo().workflowId}): ${line}`);
  try {
    say(`searching (fidelity ${input.fidelity.toFixed(2)}, params ${JSON.stringify(input.params)})`);
    const from = input.promotion
      ? `, continuing configuration ${input.configId}'s search`
      : input.warmStart
        ? `, from the shared warm-up at step ${input.warmStart.step}`
        : '';
    const search = await heavy.searchArchitecture.executeWithOptions(
      { summary: `search, trial ${input.trialId} (fidelity ${input.fidelity.toFixed(2)}${from})` },
      [
        req('search', {
          space: input.space,
          data: input.data,
          config: input.plan.search,
          table: { uri: input.tableUri },
          out: studyLayout.search(input.studyRoot, input.configId),
          ...(input.warmStart ? { warmStart: input.warmStart } : {}),
        }),
      ],
    );
    say(`retraining ${search.architectureString} (predicted ${search.predictedMsExact.toFixed(2)} ms)`);
    const train = await heavy.trainModel.executeWithOptions({ summary: `retrain, trial ${input.trialId}: ${search.architectureString}` }, [
      req('retrain', {
        space: input.space,
        architecture: search.architecture,
        data: input.data,
        config: input.plan.retrain,
        measureLatency: false,
        // a restarting promotion gets a directory of its own rung (a run's inputs are fixed once it starts)
        out: studyLayout.train(input.studyRoot, input.configId, contentKey(search.architecture), input.plan.restartRetraining ? input.budget : undefined),
        search: { lambda: search.lambda, kind: input.plan.search.runtimeLoss, trial: input.trialId, uri: search.out },
      }),
    ]);
    say(`evaluating ${search.architectureString}`);
    const evaluation = await heavy.evaluateModel.executeWithOptions({ summary: `evaluate, trial ${input.trialId} (held-out top-1, latency)` }, [
      req('evaluate', {
        model: train.model,
        latencyRepeats: input.latency === 'measured' ? LATENCY_PAIRS : 0,
        ...(input.latency === 'measured' && input.reference ? { reference: input.reference } : {}),
      }),
    ]);
    const result: TrialResult = {
      architecture: search.architectureString,
      predictedMs: search.predictedMsExact,
      top1: evaluation.top1,
      // the sample size travels with the accuracy (an older worker's results lack it: then no interval)
      ...top1Fields(evaluation.top1, evaluation.count),
      supernetTop1: search.supernetTop1,
      ...supernetFields(search.supernetTop1, search.supernetImages),
      macs: search.macs,
      ...(evaluation.latencyMs !== undefined ? { measuredMs: evaluation.latencyMs, ...latencyInterval(evaluation, 'measuredIntervalMs') } : {}),
      search: search.out,
      train: train.out,
      model: train.model,
      trace: search.traceUri,
      searchStartStep: search.resumedFromStep,
      trainStartStep: train.resumedFromStep,
      seconds: { search: search.seconds, retrain: train.seconds, evaluate: evaluation.seconds },
    };
    attrs([
      { key: SA.trialState, value: 'ok' },
      { key: SA.top1, value: result.top1 },
      { key: SA.latencyMs, value: result.measuredMs ?? result.predictedMs },
    ]);
    say(`done: ${result.architecture}, top-1 ${formatTop1(result.top1, result.images)}, ${(result.measuredMs ?? result.predictedMs).toFixed(2)} ms`);
    return result;
  } catch (err) {
    attrs([{ key: SA.trialState, value: isCancellation(err) ? 'cancelled' : 'failed' }]);
    throw err;
  }
}

/** The supernet's top-1 sample size and interval, named for the supernet. */
function supernetFields(top1: number, images: number | undefined): Pick<TrialResult, 'supernetImages' | 'supernetInterval'> {
  const f = top1Fields(top1, images);
  return f.interval ? { supernetImages: f.images!, supernetInterval: f.interval } : {};
}
