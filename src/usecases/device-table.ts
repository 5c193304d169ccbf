/**
 * Use case: the latency table for this device. A table belongs to the device it was profiled on
 * (docs/runtime-model.md "The table belongs to the device"): tables are cached by device fingerprint
 * and space (SPNAS_TABLE_CACHE, default ~/.cache/spnas/tables/<key>.json), a fresh one the median of
 * a few profiles scaled to the device's reference; a given or shipped table
 * whose fingerprint differs is checked against a few whole networks measured here, and beyond the
 * tolerance it is re-profiled (cache first), refused, or accepted, as the settings say.
 */
import * as path from 'node:path';
import { loadTf } from '../backend/tf';
import { sameDevice, type DeviceFingerprint } from '../latency/device-fingerprint';
import { calibrateTable } from '../latency/calibrate-table';
import { medianTable } from '../latency/median-table';
import { checkTableForSpace, parseLatencyTable, type LatencyTable } from '../latency/latency-table';
import { tableAccuracy } from '../latency/prediction-error';
import { predictArchitectureLatencyExact } from '../latency/runtime-model';
import { sampleArchitectures } from '../latency/sample-architectures';
import { mismatchMessage, passes, tableMismatchError, type DeviceCheckSettings, type TableCheck } from '../latency/table-check';
import { deviceFingerprint } from '../profiler/device';
import { profileSpace } from '../profiler/profiler';
import { measureNetworks } from '../profiler/whole-networks';
import { largestArchitecture } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import type { UseCaseContext } from './context';
import { deviceCacheKey, readCacheFile, tableCacheDir, writeCacheFile } from './device-cache';
import { deviceReference, type DeviceReference } from './device-reference';

export interface DeviceTableOptions {
  space: SearchSpace;
  /** A shipped or given table and how to name it in messages; absent: this device's table (cache, else profiled). */
  given?: { table: LatencyTable; source: string };
  check: DeviceCheckSettings;
  /** Timed rounds, checked networks and profiles (default DEFAULT_PROFILES, their median) when a table is profiled. */
  profile: { repeats: number; samples: number; profiles?: number };
  /** Also measure the largest network (the unit of a measured latency target), as trials' networks are measured. */
  measureLargest?: boolean;
  /** Table cache directory; default tableCacheDir(). */
  cacheDir?: string;
}

/**
 * Profiles of a fresh table, combined by their entry-wise median (median-table.ts). Three: one out of
 * proportion is outvoted; each takes ~8 s for `cifar-small` on the idle 2-core VM.
 */
export const DEFAULT_PROFILES = 3;

export interface DeviceTable {
  table: LatencyTable;
  /** 'given': the given table (same fingerprint, or it passed or was accepted); 'cache' / 'profiled': this device's. */
  source: 'given' | 'cache' | 'profiled';
  fingerprint: DeviceFingerprint;
  cacheKey: string;
  /** The check of a table from another device, or of a cached table against the device's reference (unitCheck), when one ran. */
  check?: TableCheck;
  /** The largest network on this device (its reference, deviceReference): the unit of measured latency. */
  largest?: DeviceReference;
}

function readCached(file: string, space: SearchSpace, fp: DeviceFingerprint): LatencyTable | undefined {
  const raw = readCacheFile(file);
  if (raw === undefined) return undefined; // absent or torn: profile again
  try {
    const t = checkTableForSpace(parseLatencyTable(raw, file), space, file);
    return sameDevice(fp, t.meta?.fingerprint) ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Cached table of this device for the space, else (or with `fresh`) profiled here and cached. */
async function ownTable(
  opts: DeviceTableOptions,
  fp: DeviceFingerprint,
  file: string,
  ctx: UseCaseContext,
  fresh = false,
): Promise<Pick<DeviceTable, 'table' | 'source'>> {
  const cached = fresh ? undefined : readCached(file, opts.space, fp);
  if (cached) return { table: cached, source: 'cache' };
  if (!fresh) ctx.log?.(`profiling the latency table of '${opts.space.name}' on this device (no cached table in ${path.dirname(file)})`);
  const { tf } = loadTf();
  // several profiles, their entry-wise median: one profile out of proportion is outvoted (median-table.ts)
  const count = opts.profile.profiles ?? DEFAULT_PROFILES;
  const profiles: LatencyTable[] = [];
  for (let k = 0; k < count; k++) {
    const phase = count > 1 ? `profile ${k + 1}/${count}` : 'profile';
    const r = await profileSpace(tf, opts.space, {
      repeats: opts.profile.repeats,
      samples: opts.profile.samples,
      fingerprint: fp,
      onProgress: (p) => ctx.onProgress?.({ phase: `${phase} ${p.phase}`, done: p.done, total: p.total }),
    });
    profiles.push(r.table);
  }
  // the unit of measured latency, measured right after the table; the table is scaled to it, so that a
  // fresh table passes its own unit check (below) and the next study reuses it (calibrate-table.ts)
  const reference = await deviceReference(opts.space, { cacheDir: path.dirname(file), refresh: true });
  const table = calibrateTable(medianTable(profiles, opts.space), opts.space, reference.ms);
  const { factor, predictedMs } = table.meta!.calibration!;
  if (Math.abs(factor - 1) * 100 > opts.check.tolerancePct)
    ctx.log?.(
      `the profile predicts the largest network at ${predictedMs.toFixed(2)} ms and its reference measures ` +
        `${reference.ms.toFixed(2)} ms (x${factor.toFixed(3)}): the machine's speed changed between them; the table is scaled to the reference`,
    );
  writeCacheFile(file, table);
  return { table, source: 'profiled' };
}

/**
 * A cached table of this device against the device's reference (the largest network, the unit of
 * measured latency). A table profiled here is scaled to the reference measured right after it
 * (ownTable), so the two agree until one of them is replaced: a table cached under one machine load
 * and a reference measured under another (a table profiled under the load of parallel benches
 * predicted 1.9x an idle reference). No measurement: both values are at hand.
 */
function unitCheck(table: LatencyTable, space: SearchSpace, reference: DeviceReference, tolerancePct: number): Omit<TableCheck, 'action'> {
  const accuracy = tableAccuracy([{ measuredMs: reference.ms, predictedMs: predictArchitectureLatencyExact(table, largestArchitecture(space)) }])!;
  return { ...(table.meta?.fingerprint ? { tableDevice: table.meta.fingerprint } : {}), accuracy, tolerancePct, passed: passes(accuracy, tolerancePct) };
}

/** Whole networks measured here against the table's predictions. */
async function checkOnDevice(table: LatencyTable, space: SearchSpace, check: DeviceCheckSettings): Promise<Omit<TableCheck, 'action'>> {
  const archs = [largestArchitecture(space), ...sampleArchitectures(space, check.networks - 1, 7)];
  const measured = await measureNetworks(loadTf().tf, space, archs, { repeats: check.repeats });
  const accuracy = tableAccuracy(measured.map((m) => ({ measuredMs: m.ms, predictedMs: predictArchitectureLatencyExact(table, m.arch) })))!;
  return {
    ...(table.meta?.fingerprint ? { tableDevice: table.meta.fingerprint } : {}),
    accuracy,
    tolerancePct: check.tolerancePct,
    passed: passes(accuracy, check.tolerancePct),
  };
}

export async function deviceTable(opts: DeviceTableOptions, ctx: UseCaseContext = {}): Promise<DeviceTable> {
  const loaded = loadTf();
  const fp = deviceFingerprint(loaded);
  const cacheKey = deviceCacheKey(opts.space, fp);
  const file = path.join(opts.cacheDir ?? tableCacheDir(), `${cacheKey}.json`);
  let out: DeviceTable;
  if (!opts.given) out = { ...(await ownTable(opts, fp, file, ctx)), fingerprint: fp, cacheKey };
  else if (sameDevice(fp, opts.given.table.meta?.fingerprint)) out = { table: opts.given.table, source: 'given', fingerprint: fp, cacheKey };
  else {
    const c = await checkOnDevice(opts.given.table, opts.space, opts.check);
    if (c.passed) out = { table: opts.given.table, source: 'given', fingerprint: fp, cacheKey, check: { ...c, action: 'kept' } };
    else if (opts.check.onMismatch === 'refuse') throw tableMismatchError(opts.given.source, c, fp);
    else if (opts.check.onMismatch === 'accept') {
      ctx.log?.(`${mismatchMessage(opts.given.source, c, fp)}; used anyway (deviceCheck.onMismatch: 'accept')`);
      out = { table: opts.given.table, source: 'given', fingerprint: fp, cacheKey, check: { ...c, action: 'accepted' } };
    } else {
      ctx.log?.(`${mismatchMessage(opts.given.source, c, fp)}; using this device's table instead`);
      out = { ...(await ownTable(opts, fp, file, ctx)), fingerprint: fp, cacheKey, check: { ...c, action: 'reprofiled' } };
    }
  }
  if (opts.measureLargest) {
    const reference = () => deviceReference(opts.space, { cacheDir: path.dirname(file) });
    out.largest = await reference();
    const c = out.source === 'cache' ? unitCheck(out.table, opts.space, out.largest, opts.check.tolerancePct) : undefined;
    if (c && !c.passed) {
      const predicted = c.accuracy.ratio * out.largest.ms;
      ctx.log?.(
        `the cached latency table of this device (profiled ${out.table.meta?.date ?? 'at an unrecorded time'}) predicts the largest network at ` +
          `${predicted.toFixed(2)} ms, and its reference measures ${out.largest.ms.toFixed(2)} ms (${c.accuracy.medianAbsErrPct.toFixed(1)}% off, ` +
          `tolerance ${c.tolerancePct}%): they were measured at different machine speeds; profiling the table again, with its reference`,
      );
      // a given table's failed check (which led to the cache) stays the record; else this one is
      const check = out.check ?? { ...c, action: 'reprofiled' as const };
      out = { ...(await ownTable(opts, fp, file, ctx, true)), fingerprint: fp, cacheKey, check };
      out.largest = await reference();
    }
  }
  return out;
}
