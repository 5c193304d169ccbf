/**
 * The study's light activities (orchestration queue): checks and records before any compute, the
 * sampler's proposals (model fitting stays out of workflow code), trial records and the summary in the store, and
 * whether the server knows spnas's search attributes.
 */
import type { Connection } from '@temporalio/client';
import { log } from '@temporalio/activity';
import { SEARCH_ATTRIBUTES, studyLayout } from '../src/study/names';
import type { StudyResult, TrialRecord } from '../src/study/records';
import { proposeTrials as propose, type LegacyProposalInput, type StoredProposalInput, type StoredProposalOutput } from '../src/usecases/propose-trials';
import { describeTable as describe, prepareStudy as prepare, type PreparedStudy, type TableInfo } from '../src/usecases/prepare-study';
import { recordTrial, writeStudySummary as writeSummary } from '../src/usecases/study-summary-store';
import { toFailure } from './failure';

export interface StudyActivityDeps {
  /** For the search-attribute check; absent: search attributes are not used. */
  connection?: Connection;
  namespace: string;
}

async function typed<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toFailure(err);
  }
}

export function createStudyActivities(deps: StudyActivityDeps) {
  return {
    async prepareStudy(spec: unknown): Promise<PreparedStudy> {
      return typed(() => prepare(spec, { log: (line) => log.warn(line) }));
    },
    async describeTable(tableUri: string, space: string | Record<string, unknown>): Promise<TableInfo> {
      return typed(() => describe(tableUri, space));
    },
    async proposeTrials(input: StoredProposalInput | LegacyProposalInput): Promise<StoredProposalOutput> {
      return typed(() => propose(input));
    },
    async recordTrial(studyRoot: string, record: TrialRecord): Promise<string> {
      return typed(() => recordTrial(studyRoot, record));
    },
    /** Writes summary.json from the result and the stored trial records; returns its URI (the summary itself stays out of the history). */
    async writeStudySummary(studyRoot: string, result: StudyResult, live: TrialRecord[]): Promise<string> {
      return typed(async () => {
        await writeSummary(studyRoot, result, live);
        return studyLayout.summary(studyRoot);
      });
    },
    /** True when every spnas search attribute is registered in the namespace (else the workflows skip them). */
    async searchAttributesReady(): Promise<boolean> {
      if (!deps.connection) return false;
      try {
        const r = await deps.connection.operatorService.listSearchAttributes({ namespace: deps.namespace });
        const known = new Set(Object.keys(r.customAttributes ?? {}));
        const missing = Object.values(SEARCH_ATTRIBUTES)
          .filter((a) => !known.has(a.name))
          .map((a) => a.name);
        if (missing.length) log.warn(`search attributes not registered (${missing.join(', ')}): run 'spnas temporal setup'; the study runs without them`);
        return missing.length === 0;
      } catch (err) {
        log.warn(`cannot list search attributes: ${(err as Error).message}; the study runs without them`);
        return false;
      }
    },
  };
}
