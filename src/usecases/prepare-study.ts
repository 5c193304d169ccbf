/**
 * Use case: everything a study checks and writes before any compute. Validates the spec (every
 * field, with its path), checks that the data exists, records the spec in the store (a second study
 * of the same name with another spec is refused), makes the study's one data plan (stored once, beside
 * the spec), and fixes the study's latency table as a URI: one that belongs to this device (checked,
 * or profiled here), with the largest network measured here as the unit of a measured latency target
 * (device.json).
 */
import { formatTop1 } from '../study/accuracy';
import { InvalidInputError } from '../errors';
import { defaultTableFor } from '../latency/default-tables';
import { checkTableForSpace, parseLatencyTable, type LatencyTable } from '../latency/latency-table';
import { predictArchitectureLatencyExact } from '../latency/runtime-model';
import { largestArchitecture } from '../space/architecture';
import { studyLayout } from '../study/names';
import { canonicalJson } from '../study/content-key';
import { parseStudySpec, type StudySpec } from '../study/spec';
import { makeDataPlan } from '../study/data-plan';
import { dataPlanCounts, studyData, type StudyData } from '../study/study-data';
import { openSampleSource } from '../data/source';
import { openStore } from '../storage/open-store';
import { splitParent } from '../storage/uri';
import type { StudySummary } from '../study/records';
import { readJsonUri, resolveSpaceRef } from './inputs';
import { readJsonUriIfExists, writeJson, writeJsonUri } from '../storage/json-store';
import { loadTf } from '../backend/tf';
import { DEFAULT_DEVICE_CHECK } from '../latency/table-check';
import type { DeviceFingerprint } from '../latency/device-fingerprint';
import { deviceFingerprint } from '../profiler/device';
import type { SearchSpace } from '../space/spec';
import type { DeviceTableRecord } from '../study/records';
import type { UseCaseContext } from './context';
import { deviceTable } from './device-table';
import { deviceReference, type DeviceReference } from './device-reference';

export interface PreparedStudy {
  studyRoot: string;
  specUri: string;
  /** The table's URI, or undefined when the study profiles it first (`latencyTable.profile`). */
  tableUri?: string;
  /** The data specs of trials and final phase (from the stored data plan when the spec has one); absent in results recorded before the data plan. */
  data?: StudyData;
  /** The largest network measured on the device (measured latency): a measured target is a fraction of it. */
  measuredLargestMs?: number;
  /** The device it was measured on: evaluations elsewhere say so (their ms stay in this unit). */
  measuredDevice?: DeviceFingerprint;
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
    ? `; selected trial ${done.selected.trialId}, ${formatTop1(done.selected.top1, done.selected.images)} at ${done.selected.latencyMs.toFixed(2)} ms`
    : '';
  throw new InvalidInputError(
    `study '${spec.name}' has already completed (${done.trials.ok} ok trials${sel}; summary ${studyLayout.summary(studyRoot)}): it is not run again, which would repeat its trials and overwrite its records. See it with 'spnas study status ${spec.name}' or 'spnas report ${studyRoot}'; for more trials or a new run, give the spec another name (or storage), or delete ${studyRoot} first`,
    { code: 'STUDY_COMPLETED' },
  );
}

/** Reads (without decoding) up to `total` samples: a plan over more images than the source has is refused before any compute. */
async function requireImages(uri: string, total: number): Promise<void> {
  const source = await openSampleSource(uri);
  let n = 0;
  for await (const sample of source.samples()) if (sample && ++n >= total) return;
  throw new InvalidInputError(
    `data.train.limit ${total}: the data plan covers the first ${total} images of ${uri}, but it has ${n}; plan for at most ${n} images`,
  );
}

/** The study's data plan, made from the spec and written once: a retried or restarted prepare finds the same plan. */
async function planData(spec: StudySpec, studyRoot: string): Promise<StudyData> {
  const counts = dataPlanCounts(spec);
  if (!counts) return studyData(spec);
  await requireImages(counts.uri, counts.total);
  const plan = makeDataPlan(counts);
  const uri = studyLayout.dataPlan(studyRoot);
  await writeOnce(uri, plan, 'data plan');
  return studyData(spec, { uri, plan });
}

export async function prepareStudy(raw: unknown, ctx: UseCaseContext = {}): Promise<PreparedStudy> {
  const spec: StudySpec = parseStudySpec(raw);
  const space = resolveSpaceRef(spec.space, 'study spec.space');
  const studyRoot = studyLayout.root(spec.storage, spec.name);
  await refuseCompleted(spec, studyRoot);
  await requireData(spec.data.train.uri, 'data.train.uri');
  if (spec.data.test) await requireData(spec.data.test.uri, 'data.test.uri');
  const specUri = studyLayout.spec(studyRoot);
  await writeOnce(specUri, spec, 'study spec');
  const data = await planData(spec, studyRoot);
  const tableUri = studyLayout.table(studyRoot);
  const lt = spec.latencyTable;
  const device = await studyDeviceTable(spec, space, studyRoot, tableUri, ctx);
  const unit = device?.largest ? { measuredLargestMs: device.largest.ms, measuredDevice: device.fingerprint } : {};
  if ('profile' in lt) return { studyRoot, specUri, data, ...unit };
  await writeOnce(tableUri, device?.table ?? (await givenTable(spec, space)).table, 'latency table');
  return { studyRoot, specUri, tableUri, data, ...unit };
}

/** The spec's table (a URI's or the shipped one) and how messages name it; undefined for `device` and `profile`. */
async function givenTable(spec: StudySpec, space: SearchSpace): Promise<{ table: LatencyTable; source: string }> {
  const lt = spec.latencyTable;
  if ('uri' in lt) {
    const source = `latencyTable.uri ${lt.uri}`;
    return { table: checkTableForSpace(parseLatencyTable(await readJsonUri(lt.uri, 'latency table'), source), space, source), source };
  }
  return { table: defaultTableFor(space), source: `the shipped latency table of '${space.name}'` };
}

/**
 * The device side of the prepare step (docs/runtime-model.md "The table belongs to the device"): with a
 * measured objective, or `device: true`, or an explicit `deviceCheck`, it resolves the table on this
 * device (cache, check, profile) and measures the largest network, the unit of a measured target; the
 * result is device.json. Once written, a retried or continued prepare step reuses it, so the study keeps
 * the table and the unit it started with. Undefined when nothing is measured (predicted latency with a
 * given table and no deviceCheck: the table is the device, e.g. the Pixel-1 or a browser table).
 */
async function studyDeviceTable(
  spec: StudySpec,
  space: SearchSpace,
  studyRoot: string,
  tableUri: string,
  ctx: UseCaseContext,
): Promise<(Omit<DeviceTableRecord, 'largest'> & { table?: LatencyTable; largest?: { ms: number } }) | undefined> {
  const lt = spec.latencyTable;
  const measured = spec.objectives.latency === 'measured';
  const explicit = 'device' in lt || (('uri' in lt || 'shipped' in lt) && lt.deviceCheck !== undefined);
  if (!measured && !explicit) return undefined;
  const deviceUri = studyLayout.device(studyRoot);
  const stored = (await readJsonUriIfExists(deviceUri)) as DeviceTableRecord | undefined;
  if (stored) {
    const table = 'profile' in lt ? undefined : ((await readJsonUriIfExists(tableUri)) as LatencyTable | undefined);
    if ('profile' in lt || table) return { ...stored, ...(table ? { table } : {}) };
  }
  if ('profile' in lt) {
    // the profile activity measures the table; this step measures the unit of the target
    const largest = await deviceReference(space);
    const rec: DeviceTableRecord = { fingerprint: deviceFingerprint(loadTf()), source: 'profile-activity', cacheKey: '', largest: largestOf(largest) };
    await writeJsonUri(deviceUri, rec);
    return rec;
  }
  const given = 'device' in lt ? undefined : await givenTable(spec, space);
  const r = await deviceTable(
    {
      space,
      ...(given ? { given } : {}),
      check: 'device' in lt ? DEFAULT_DEVICE_CHECK : (lt.deviceCheck ?? DEFAULT_DEVICE_CHECK),
      profile: 'device' in lt ? { repeats: lt.repeats, samples: lt.samples, profiles: lt.profiles } : { repeats: 15, samples: 10 },
      measureLargest: measured,
    },
    ctx,
  );
  const rec: DeviceTableRecord = {
    fingerprint: r.fingerprint,
    source: r.source,
    cacheKey: r.cacheKey,
    ...(r.check ? { check: r.check } : {}),
    ...(r.largest ? { largest: largestOf(r.largest) } : {}),
  };
  // the table first: device.json marks the step as done
  await writeOnce(tableUri, r.table, 'latency table');
  await writeJsonUri(deviceUri, rec);
  return { ...rec, table: r.table };
}

function largestOf(l: DeviceReference): NonNullable<DeviceTableRecord['largest']> {
  return { ms: l.ms, intervalMs: l.intervalMs, repeats: l.repeats, reference: l.source, measuredAt: l.measuredAt };
}

export async function describeTable(tableUri: string, spaceRef: StudySpec['space']): Promise<TableInfo> {
  const space = resolveSpaceRef(spaceRef, 'study spec.space');
  const table = checkTableForSpace(parseLatencyTable(await readJsonUri(tableUri, 'latency table'), tableUri), space, tableUri);
  return { tableUri, largestMs: predictArchitectureLatencyExact(table, largestArchitecture(space)) };
}
