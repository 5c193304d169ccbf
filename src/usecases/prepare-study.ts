/**
 * Use case: everything a study checks and writes before any compute. Validates the spec (every
 * field, with its path), checks that the data exists, records the spec in the store (a second study
 * of the same name with another spec is refused), and fixes the study's latency table as a URI.
 */
import { InvalidInputError } from '../errors';
import { defaultTableFor } from '../latency/default-tables';
import { checkTableForSpace, parseLatencyTable, type LatencyTable } from '../latency/latency-table';
import { predictArchitectureLatencyExact } from '../latency/runtime-model';
import { largestArchitecture } from '../space/architecture';
import { studyLayout } from '../study/names';
import { canonicalJson } from '../study/content-key';
import { parseStudySpec, type StudySpec } from '../study/spec';
import { openStore } from '../storage/open-store';
import { splitParent } from '../storage/uri';
import type { StudySummary } from '../study/records';
import { readJsonUri, resolveSpaceRef } from './inputs';
import { readJsonUriIfExists, writeJson } from '../storage/json-store';

export interface PreparedStudy {
  studyRoot: string;
  specUri: string;
  /** The table's URI, or undefined when the study profiles it first (`latencyTable.profile`). */
  tableUri?: string;
}

export interface TableInfo {
  tableUri: string;
  /** Predicted latency of the largest network (k5e6, SE where searchable): the unit of relative targets. */
  largestMs: number;
}

async function requireData(uri: string, what: string): Promise<void> {
  // a folder or prefix of shards (listed from itself, so a symlinked folder counts), else a file or a name prefix in its parent
  if ((await openStore(uri).list('')).length) return;
  const [parent, name] = splitParent(uri);
  const objects = await openStore(parent).list(name);
  if (!objects.length) throw new InvalidInputError(`${what} ${uri}: no such file or prefix (or it is empty); check the spec's ${what}`);
}

async function writeOnce(uri: string, value: unknown, what: string): Promise<void> {
  const [parent, name] = splitParent(uri);
  const store = openStore(parent);
  if (await store.head(name)) {
    const old = await readJsonUri(uri, what);
    if (canonicalJson(old) !== canonicalJson(value))
      throw new InvalidInputError(`${uri} already holds another ${what}: a study of this name exists with another spec; choose another name or storage`);
    return;
  }
  await writeJson(store, name, value);
}

/** The summary of a study that has completed at `studyRoot`, if one has (cancelled studies continue when started again). */
export async function completedStudy(studyRoot: string): Promise<StudySummary | undefined> {
  const summary = (await readJsonUriIfExists(studyLayout.summary(studyRoot))) as StudySummary | undefined;
  return summary?.state === 'completed' ? summary : undefined;
}

/**
 * The id-reuse policy: a completed study is never run again under the same name and storage (a second
 * run would repeat every activity and overwrite its summary and trial records). Starting its workflow
 * again (`temporal workflow start` with the same id, or after the server forgot it) fails here, before
 * anything is written, naming the summary and what to do instead.
 */
async function refuseCompleted(spec: StudySpec, studyRoot: string): Promise<void> {
  const done = await completedStudy(studyRoot);
  if (!done) return;
  const sel = done.selected
    ? `; selected trial ${done.selected.trialId}, ${(100 * done.selected.top1).toFixed(1)}% at ${done.selected.latencyMs.toFixed(2)} ms`
    : '';
  throw new InvalidInputError(
    `study '${spec.name}' has already completed (${done.trials.ok} ok trials${sel}; summary ${studyLayout.summary(studyRoot)}): it is not run again, which would repeat its trials and overwrite its records. See it with 'spnas study status ${spec.name}' or 'spnas report ${studyRoot}'; for more trials or a new run, give the spec another name (or storage), or delete ${studyRoot} first`,
    { code: 'STUDY_COMPLETED' },
  );
}

export async function prepareStudy(raw: unknown): Promise<PreparedStudy> {
  const spec: StudySpec = parseStudySpec(raw);
  const space = resolveSpaceRef(spec.space, 'study spec.space');
  const studyRoot = studyLayout.root(spec.storage, spec.name);
  await refuseCompleted(spec, studyRoot);
  await requireData(spec.data.train.uri, 'data.train.uri');
  if (spec.data.test) await requireData(spec.data.test.uri, 'data.test.uri');
  const specUri = studyLayout.spec(studyRoot);
  await writeOnce(specUri, spec, 'study spec');
  const tableUri = studyLayout.table(studyRoot);
  const lt = spec.latencyTable;
  if ('profile' in lt) return { studyRoot, specUri };
  const table: LatencyTable =
    'uri' in lt
      ? checkTableForSpace(parseLatencyTable(await readJsonUri(lt.uri, 'latency table'), `latencyTable.uri ${lt.uri}`), space, `latencyTable.uri ${lt.uri}`)
      : defaultTableFor(space);
  await writeOnce(tableUri, table, 'latency table');
  return { studyRoot, specUri, tableUri };
}

export async function describeTable(tableUri: string, spaceRef: StudySpec['space']): Promise<TableInfo> {
  const space = resolveSpaceRef(spaceRef, 'study spec.space');
  const table = checkTableForSpace(parseLatencyTable(await readJsonUri(tableUri, 'latency table'), tableUri), space, tableUri);
  return { tableUri, largestMs: predictArchitectureLatencyExact(table, largestArchitecture(space)) };
}
