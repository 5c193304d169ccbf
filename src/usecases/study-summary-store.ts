/**
 * Use case: a study's records in the store. Each finished trial's record is written as it finishes
 * (trials/t<id>.json), so the workflow never has to hold or pass every record: summary.json is
 * assembled here from those files and the workflow's compact result. `loadStudySummary` reads a
 * finished study's summary, or rebuilds the summary of one still running from its records.
 */
import { InvalidInputError } from '../errors';
import { studyLayout } from '../study/names';
import type { StudyResult, StudySummary, TrialRecord } from '../study/records';
import { MULTI_FIDELITY_SAMPLERS } from '../study/sampler-traits';
import { parseStudySpec } from '../study/spec';
import { StudyBook } from '../study/study-book';
import { openStore } from '../storage/open-store';
import { describeTable } from './prepare-study';
import { readJson, readJsonUriIfExists, writeJsonUri } from '../storage/json-store';

const TRIAL_FILE = /^t(\d+)\.json$/;
/** Reads at a time when gathering trial records (bounded so a large study does not open hundreds of requests). */
const READ_CONCURRENCY = 16;

/** Writes one finished trial's record (idempotent: a retried write puts the same document). */
export async function recordTrial(studyRoot: string, record: TrialRecord): Promise<string> {
  if (record.state === 'running') throw new InvalidInputError(`trial ${record.trialId} is still running: only finished trials are recorded`);
  const uri = studyLayout.trial(studyRoot, record.trialId);
  await writeJsonUri(uri, record);
  return uri;
}

/** Every recorded trial of the study, by trial id. */
export async function readTrialRecords(studyRoot: string): Promise<TrialRecord[]> {
  const store = openStore(studyLayout.trials(studyRoot));
  const keys = (await store.list('')).map((o) => o.key).filter((k) => TRIAL_FILE.test(k));
  const records: TrialRecord[] = [];
  for (let i = 0; i < keys.length; i += READ_CONCURRENCY) {
    const batch = await Promise.all(keys.slice(i, i + READ_CONCURRENCY).map((k) => readJson(store, k)));
    records.push(...(batch as TrialRecord[]));
  }
  return records.sort((a, b) => a.trialId - b.trialId);
}

/** summary.json = the workflow's result + the spec + every trial's record (the store's, plus `live` ones not yet finished). */
export async function writeStudySummary(studyRoot: string, result: StudyResult, live: TrialRecord[] = []): Promise<StudySummary> {
  const stored = await readTrialRecords(studyRoot);
  const ids = new Set(stored.map((r) => r.trialId));
  const trialRecords = [...stored, ...live.filter((r) => !ids.has(r.trialId))].sort((a, b) => a.trialId - b.trialId);
  const spec = await readJsonUriIfExists(studyLayout.spec(studyRoot));
  const summary: StudySummary = { ...result, spec, trialRecords };
  await writeJsonUri(studyLayout.summary(studyRoot), summary);
  return summary;
}

/**
 * The study's summary: summary.json when the study has ended, else one rebuilt from spec.json, the
 * table and the trial records written so far (state 'running'; running trials are not in the store,
 * so `trials.running` is 0 and the compute seconds count finished trials only).
 */
export async function loadStudySummary(studyRoot: string): Promise<StudySummary> {
  const root = studyRoot.replace(/\/+$/, '');
  const done = await readJsonUriIfExists(studyLayout.summary(root));
  if (done !== undefined) return done as StudySummary;
  const rawSpec = await readJsonUriIfExists(studyLayout.spec(root));
  if (rawSpec === undefined)
    throw new InvalidInputError(`${root} is not a study: it has neither summary.json nor spec.json; give a study's root (<storage>/studies/<name>)`);
  const spec = parseStudySpec(rawSpec);
  const tableUri = studyLayout.table(root);
  const { largestMs } = await describeTable(tableUri, spec.space);
  const targetMs = spec.objectives.latencyTargetFraction * largestMs;
  const book = new StudyBook({ latency: spec.objectives.latency, targetMs, largestMs, multiFidelity: MULTI_FIDELITY_SAMPLERS.has(spec.hpo.sampler) });
  const trialRecords = await readTrialRecords(root);
  // Replayed in the order they finished, so the hypervolume curve is the one the workflow saw.
  for (const r of [...trialRecords].sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0) || a.trialId - b.trialId)) {
    book.start(r, r.startedAt);
    if (r.state === 'ok' && r.result) book.finish(r.trialId, r.result, r.endedAt ?? r.startedAt);
    else if (r.state === 'failed') book.fail(r.trialId, r.failure ?? { type: 'UNKNOWN', message: '' }, r.endedAt ?? r.startedAt);
  }
  const now = Date.now();
  const startedAt = Math.min(now, ...trialRecords.map((r) => r.startedAt));
  const sel = book.selected();
  return {
    ...book.status({ study: spec.name, state: 'running', planned: spec.hpo.trials, parallelism: spec.hpo.parallelism, startedAt, now }),
    version: 1,
    storage: root,
    summary: studyLayout.summary(root),
    table: { uri: tableUri, largestMs, targetMs },
    ...(sel?.met ? { selected: sel.member } : {}),
    final: [],
    spec,
    trialRecords,
  };
}
