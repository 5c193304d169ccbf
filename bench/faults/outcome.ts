/**
 * What a run left, and the checks on it: the study completed; every planned trial is recorded exactly
 * once (summary.json, trials/t<id>.json in the store, one TrialWorkflow each on the server); and the
 * records equal a fault-free run's. Training is bit-reproducible, so "equal" is exact: architectures,
 * top-1s (float for float), the front, the selected and final models, and the bytes of every exported
 * model (their manifests' sha256). Only what legitimately varies between runs is left out (VOLATILE).
 */
import type { Client } from '@temporalio/client';
import { MODEL_KIND } from '../../src/nas/model-export';
import { readArtifactManifest } from '../../src/storage/artifact';
import { openStore } from '../../src/storage/open-store';
import { studyLayout, studyWorkflowId, TRIAL_WORKFLOW_TYPE } from '../../src/study/names';
import type { StudySummary } from '../../src/study/records';
import type { StudySpec } from '../../src/study/spec';
import { readJson } from '../../src/storage/json-store';

/**
 * Fields that may differ between a faulted and a fault-free run of one spec, and why:
 * wall-clock times and durations (a fault costs time), the search's and the retraining's start
 * steps (a retried attempt resumes from its own checkpoint and records that step: src/study/records.ts), the manifests' creation time,
 * and the hypervolume curve's order (trials running in parallel may finish in another order; its
 * last value is compared). Measured latency would differ too (a noisy machine), but the study
 * optimises the table's predicted latency and records no measurement.
 */
export const VOLATILE = [
  'startedAt',
  'endedAt',
  'now',
  'compute (seconds per phase)',
  'trialRecords[].startedAt/endedAt',
  'trialRecords[].result.seconds',
  'trialRecords[].result.searchStartStep',
  'trialRecords[].result.trainStartStep',
  'final[].seconds',
  'hypervolume[] order (last value compared)',
  'model manifests: createdAt',
] as const;

export interface Collected {
  summary: StudySummary;
  /** Keys under the study's trials/ folder. */
  trialFiles: string[];
  /** TrialWorkflow executions by workflow id: their statuses. */
  trialWorkflows: Record<string, string[]>;
  /** Per model URI (trials' and final ones), its files' path -> sha256. */
  models: Record<string, Record<string, string>>;
}

/** The comparable part of a summary: everything but VOLATILE. */
export function canonical(s: StudySummary): unknown {
  return {
    study: s.study,
    state: s.state,
    trials: s.trials,
    parallelism: s.parallelism,
    best: s.best,
    front: s.front,
    selected: s.selected,
    table: s.table,
    storage: s.storage,
    summary: s.summary,
    hypervolume: s.hypervolume.at(-1)?.hv,
    final: s.final.map((f) => omit(f, ['seconds'])),
    spec: s.spec,
    trialRecords: s.trialRecords.map((r) => ({
      ...omit(r, ['startedAt', 'endedAt', 'result']),
      ...(r.result ? { result: omit(r.result, ['seconds', 'searchStartStep', 'trainStartStep']) } : {}),
    })),
  };
}

function omit<T extends object, K extends keyof T>(o: T, keys: K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

export async function collect(client: Client, spec: StudySpec, s3env: Record<string, string>): Promise<Collected> {
  const root = studyLayout.root(spec.storage, spec.name);
  const store = openStore(root, { env: s3env });
  const summary = (await readJson(store, 'summary.json')) as StudySummary | undefined;
  if (!summary) throw new Error(`no summary.json under ${root}`);
  const trialFiles = (await store.list('trials/')).map((o) => o.key);
  const trialWorkflows: Record<string, string[]> = {};
  const query = `WorkflowType = '${TRIAL_WORKFLOW_TYPE}' AND WorkflowId STARTS_WITH '${studyWorkflowId(spec.name)}'`;
  for await (const w of client.workflow.list({ query })) (trialWorkflows[w.workflowId] ??= []).push(w.status.name);
  const models: Collected['models'] = {};
  const uris = [...summary.trialRecords.map((r) => r.result?.model), ...summary.final.map((f) => f.model)].filter((u): u is string => !!u);
  for (const uri of uris) {
    const m = await readArtifactManifest(openStore(uri, { env: s3env }), '', MODEL_KIND);
    models[uri] = m ? Object.fromEntries(m.files.map((f) => [f.path, f.sha256])) : {};
  }
  return { summary, trialFiles, trialWorkflows, models };
}

/**
 * Activity retries in the study's histories, by activity type: what the faults cost. (A retried
 * activity's ActivityTaskStarted event carries the attempt that finished it.)
 */
export async function retries(client: Client, study: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const w of client.workflow.list({ query: `WorkflowId STARTS_WITH '${studyWorkflowId(study)}'` })) {
    const events = (await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory()).events ?? [];
    const types = new Map<string, string>();
    for (const e of events) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) types.set(String(e.eventId), s.activityType?.name ?? '?');
      const st = e.activityTaskStartedEventAttributes;
      if (st && (st.attempt ?? 1) > 1) {
        const type = types.get(String(st.scheduledEventId)) ?? '?';
        out[type] = (out[type] ?? 0) + (st.attempt ?? 1) - 1;
      }
    }
  }
  return out;
}

/** Problems found, as sentences (empty: the run passed). */
export function check(c: Collected, spec: StudySpec, reference?: Collected): string[] {
  const problems: string[] = [];
  const s = c.summary;
  const n = spec.hpo.trials;
  const want = Array.from({ length: n }, (_, i) => i);
  if (s.state !== 'completed') problems.push(`study state ${s.state}, not completed`);
  const ids = s.trialRecords.map((r) => r.trialId);
  if (JSON.stringify(ids) !== JSON.stringify(want)) problems.push(`summary.json trial ids [${ids}], expected [${want}] (lost or duplicated)`);
  const notOk = s.trialRecords
    .filter((r) => r.state !== 'ok')
    .map((r) => `${r.trialId}:${r.state}${r.failure ? ` (${r.failure.type}: ${r.failure.message})` : ''}`);
  if (notOk.length) problems.push(`trials not ok: ${notOk.join('; ')}`);
  const t = s.trials;
  if (t.total !== n || t.ok !== n || t.running !== 0 || t.failed !== 0 || t.planned !== n)
    problems.push(`status counts ${JSON.stringify(t)}, expected ${n} ok of ${n}`);
  const files = want.map((i) => `trials/t${i}.json`);
  if (JSON.stringify(c.trialFiles) !== JSON.stringify(files)) problems.push(`trial records in the store [${c.trialFiles}], expected [${files}]`);
  const wfIds = Object.keys(c.trialWorkflows).sort();
  const wantWf = want.map((i) => `${studyWorkflowId(spec.name)}-trial-${i}`).sort();
  if (JSON.stringify(wfIds) !== JSON.stringify(wantWf)) problems.push(`trial workflows [${wfIds}], expected [${wantWf}]`);
  for (const [id, runs] of Object.entries(c.trialWorkflows))
    if (runs.length !== 1 || runs[0] !== 'COMPLETED') problems.push(`trial workflow ${id} ran ${runs.length} time(s): ${runs.join(',')}`);
  if (s.final.length !== spec.budget.final.models) problems.push(`${s.final.length} final models, expected ${spec.budget.final.models}`);
  for (const [uri, files] of Object.entries(c.models)) if (Object.keys(files).length === 0) problems.push(`model ${uri} has no manifest`);
  if (reference) problems.push(...differences(canonical(reference.summary), canonical(s), 'summary'), ...differences(reference.models, c.models, 'models'));
  return problems;
}

/** Paths at which two JSON values differ, with both values (at most 20). */
export function differences(want: unknown, got: unknown, at = ''): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, p: string) => {
    if (out.length >= 20) return;
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${p}.${k}`);
    } else if (!Object.is(a, b) && JSON.stringify(a) !== JSON.stringify(b)) {
      out.push(`${p}: fault-free ${JSON.stringify(a)?.slice(0, 120)}, this run ${JSON.stringify(b)?.slice(0, 120)}`);
    }
  };
  walk(want, got, at);
  return out;
}
