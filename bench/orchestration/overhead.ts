/**
 * Orchestration overhead with the no-op engine (heavy activities return at once): what Temporal and
 * the workflows add per trial, independent of the engine. Runs one study of N trials on a throw-away
 * dev server and reads its histories:
 *   - activity schedule-to-start (queue latency of every activity), median and p95;
 *   - child-workflow start (initiated -> started in the study's history), median and p95;
 *   - per-trial wall time of the TrialWorkflow (start -> close: pure overhead, the engine takes 0 ms);
 *   - the study's wall time, runs (continue-as-new) and history sizes (events, bytes);
 *   - payload sizes against Temporal's limits: the study's result, and the largest single event of
 *     its histories (a continue-as-new carry or an activity's input), both of which must stay far below 2 MB.
 *
 *   npm run bench -- orchestration-overhead [--trials 500] [--parallelism 8] [--real-trial-seconds 200]
 * Writes bench/orchestration/results/overhead-<trials>.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { studyWorkflowId } from '../../src/study/names';
import { startOrAttachStudy, studyResult } from '../../src/temporal/study-client';
import { startTemporal, tinyStudy } from '../../test/support/temporal';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '500' },
    parallelism: { type: 'string', default: '8' },
    'real-trial-seconds': { type: 'string', default: '200' },
  },
});
const trials = Number(values.trials);
const parallelism = Number(values.parallelism);
const realTrialSeconds = Number(values['real-trial-seconds']);

const ms = (t: unknown): number => {
  // proto Timestamps arrive as {seconds: Long, nanos}
  const ts = t as { seconds?: { toNumber(): number } | number; nanos?: number };
  const s = typeof ts.seconds === 'number' ? ts.seconds : (ts.seconds?.toNumber() ?? 0);
  return s * 1000 + (ts.nanos ?? 0) / 1e6;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
};
const summary = (xs: number[]) => ({ n: xs.length, medianMs: +quantile(xs, 0.5).toFixed(1), p95Ms: +quantile(xs, 0.95).toFixed(1) });

async function main(): Promise<void> {
  const t = await startTemporal();
  /** A run's events, fetched in small pages (a page of large events could exceed the client's 4 MB message limit). */
  const historyEvents = async (workflowId: string, runId: string) => {
    const events: NonNullable<Awaited<ReturnType<typeof t.client.workflowService.getWorkflowExecutionHistory>>['history']>['events'] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await t.client.workflowService.getWorkflowExecutionHistory({
        namespace: t.client.options.namespace,
        execution: { workflowId, runId },
        maximumPageSize: 100,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      events!.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return events!;
  };
  try {
    await t.workers({ engine: 'noop', noopDelayMs: 0, computeConcurrency: 16 });
    const name = `overhead-${trials}`;
    const spec = tinyStudy(name, path.join(t.dir, 'store'), { hpo: { sampler: 'random', trials, parallelism, seed: 1 } });
    const t0 = Date.now();
    const s = await studyResult((await startOrAttachStudy(t.client, spec, 'spnas-orchestration')).handle);
    const wallSeconds = (Date.now() - t0) / 1000;

    const scheduleToStart: number[] = [];
    const childStart: number[] = [];
    const trialWall: number[] = [];
    const studyRuns: Array<{ events: number; bytes: number; largestEvent: number }> = [];
    const trialEvents: number[] = [];
    for await (const w of t.client.workflow.list({ query: `WorkflowId STARTS_WITH '${studyWorkflowId(name)}'` })) {
      const events = await historyEvents(w.workflowId, w.runId);
      const h = { events };
      const scheduled = new Map<string, number>();
      const initiated = new Map<string, number>();
      for (const e of events) {
        const id = String(e.eventId);
        if (e.activityTaskScheduledEventAttributes) scheduled.set(id, ms(e.eventTime));
        if (e.activityTaskStartedEventAttributes)
          scheduleToStart.push(ms(e.eventTime) - scheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId))!);
        if (e.startChildWorkflowExecutionInitiatedEventAttributes) initiated.set(id, ms(e.eventTime));
        if (e.childWorkflowExecutionStartedEventAttributes)
          childStart.push(ms(e.eventTime) - initiated.get(String(e.childWorkflowExecutionStartedEventAttributes.initiatedEventId))!);
      }
      if (w.type === 'StudyWorkflow')
        studyRuns.push({ events: events.length, bytes: JSON.stringify(h).length, largestEvent: Math.max(...events.map((e) => JSON.stringify(e).length)) });
      else {
        trialEvents.push(events.length);
        trialWall.push(ms(events.at(-1)!.eventTime) - ms(events[0]!.eventTime));
      }
    }
    const perTrial = summary(trialWall);
    const result = {
      trials,
      parallelism,
      completed: s.trials.ok,
      resultBytes: JSON.stringify(s).length,
      summaryJsonBytes: fs.statSync(s.summary.startsWith('file:') ? new URL(s.summary) : s.summary).size,
      wallSeconds: +wallSeconds.toFixed(1),
      trialsPerSecond: +(trials / wallSeconds).toFixed(2),
      activityScheduleToStart: summary(scheduleToStart),
      childWorkflowStart: summary(childStart),
      trialWorkflowWall: perTrial,
      overheadShareOfRealTrial: {
        realTrialSeconds,
        median: +(perTrial.medianMs / 1000 / realTrialSeconds).toFixed(5),
        p95: +(perTrial.p95Ms / 1000 / realTrialSeconds).toFixed(5),
      },
      studyRuns: studyRuns.length,
      studyHistory: {
        maxEvents: Math.max(...studyRuns.map((r) => r.events)),
        maxBytes: Math.max(...studyRuns.map((r) => r.bytes)),
        largestEventBytes: Math.max(...studyRuns.map((r) => r.largestEvent)),
      },
      trialHistoryEvents: { median: quantile(trialEvents, 0.5), p95: quantile(trialEvents, 0.95) },
      machine: { cpus: (await import('node:os')).cpus().length, load: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)) },
    };
    const out = path.join(__dirname, 'results', `overhead-${trials}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await t.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
