/**
 * Use case: the device's reference network (the space's largest) and measuring a network against it.
 *
 * Absolute batch-1 timings on our VMs move by 5-25% between processes while the ratio of two networks
 * timed in alternation stays within a few percent (docs/runtime-model.md "Stable measured latency").
 * So a measured latency is a ratio to the reference, timed now, turned into ms with the reference's
 * latency on this device; that latency is measured once per device fingerprint and space and cached
 * beside the device's tables, so two studies on one device use the same unit and a measured target
 * (a fraction of the largest network) is in that unit too.
 */
import * as path from 'node:path';
import { z } from 'zod';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../backend/tf';
import { describeDevice, deviceFingerprintSchema, sameDevice, type DeviceFingerprint, type LatencyUnit } from '../latency/device-fingerprint';
import { LATENCY_PAIRS } from '../latency/statistic';
import { buildChild } from '../nas/child-builder';
import { latencyWarning, measureAgainstReference, measureModelLatency, type MeasuredLatency } from '../nas/measure-latency';
import { deviceFingerprint } from '../profiler/device';
import { timingBackend } from '../nas/timing-backend';
import { largestArchitecture } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import { deviceCacheKey, readCacheFile, tableCacheDir, writeCacheFile } from './device-cache';

/** Timed calls of the reference when it is measured (its mean over 300 calls has a ~1% interval here). */
export const REFERENCE_CALLS = 300;

const referenceSchema = z
  .object({
    fingerprint: deviceFingerprintSchema,
    space: z.string(),
    /** Mean batch-1 latency of the space's largest network (ms), and its 95% bootstrap interval. */
    ms: z.number().positive().finite(),
    intervalMs: z.tuple([z.number(), z.number()]),
    repeats: z.number().int().positive(),
    measuredAt: z.string(),
  })
  .strict();

export interface DeviceReference extends z.output<typeof referenceSchema> {
  /** 'cache': measured by an earlier process on this device; 'measured': now. */
  source: 'cache' | 'measured';
}

function referenceFile(space: SearchSpace, fp: DeviceFingerprint, cacheDir: string): string {
  return path.join(cacheDir, `${deviceCacheKey(space, fp)}.reference.json`);
}

function buildReference(tf: typeof TF, space: SearchSpace): TF.LayersModel {
  return buildChild(tf, space, largestArchitecture(space), { seed: 0 });
}

/**
 * The reference's latency on this device: cached, else measured now and cached. `refresh`: measured
 * now whatever is cached (when the device's table is profiled, so that table and unit share the
 * moment's machine speed).
 */
export async function deviceReference(space: SearchSpace, opts: { cacheDir?: string; pairs?: number; refresh?: boolean } = {}): Promise<DeviceReference> {
  const loaded = loadTf();
  const native = timingBackend(loaded.tf).native;
  const fp = deviceFingerprint(loaded);
  const file = referenceFile(space, fp, opts.cacheDir ?? tableCacheDir());
  const cached = referenceSchema.safeParse(readCacheFile(file));
  if (!opts.refresh && cached.success && sameDevice(fp, cached.data.fingerprint) && cached.data.space === space.name)
    return { ...cached.data, source: 'cache' };
  const model = buildReference(loaded.tf, space);
  let l: MeasuredLatency;
  try {
    // on the pure-JS fallback nothing is cached (it says nothing about the device): as many calls as the pairs
    const calls = native ? REFERENCE_CALLS : Math.max(10, Math.min(REFERENCE_CALLS, opts.pairs ?? REFERENCE_CALLS));
    l = await measureModelLatency(loaded.tf, model, [space.inputSize, space.inputSize, space.inputChannels], calls);
  } finally {
    model.dispose();
  }
  const rec = {
    fingerprint: fp,
    space: space.name,
    ms: l.latencyMs,
    intervalMs: [l.latencyLowMs, l.latencyHighMs] as [number, number],
    repeats: l.latencyRepeats,
    measuredAt: new Date().toISOString(),
  };
  if (native)
    try {
      writeCacheFile(file, rec);
    } catch {
      // a read-only home (a pod's root file system): the next process on this device measures it again
    }
  return { ...rec, source: 'measured' };
}

/**
 * The reference latency a measurement is turned into ms with: the study's when given (a device that
 * is not the one it was measured on is named in the log: its ratios are its own, the ms the study's
 * unit), else this device's (cached or measured now).
 */
async function referenceMs(
  space: SearchSpace,
  opts: { cacheDir?: string; study?: LatencyUnit; log?: (line: string) => void },
): Promise<{ ms: number; unit: 'study' | 'device' }> {
  if (!opts.study) return { ms: (await deviceReference(space, opts)).ms, unit: 'device' };
  const here = deviceFingerprint(loadTf());
  if (opts.study.fingerprint && !sameDevice(here, opts.study.fingerprint))
    opts.log?.(
      `latency: this device (${describeDevice(here)}) is not the one the study's unit was measured on ` +
        `(${describeDevice(opts.study.fingerprint)}): the ratio to the largest network is this device's, its ms are the study's unit`,
    );
  return { ms: opts.study.ms, unit: 'study' };
}

/**
 * A model's batch-1 latency on this device, timed against the reference (`pairs` alternating calls):
 * what the evaluate and train steps report as measured latency. `study`: the study's unit (above).
 */
export async function measureOnDevice(
  space: SearchSpace,
  model: TF.LayersModel,
  opts: { pairs?: number; cacheDir?: string; log?: (line: string) => void; study?: LatencyUnit } = {},
): Promise<MeasuredLatency> {
  const { tf } = loadTf();
  const ref = await referenceMs(space, opts);
  const refModel = buildReference(tf, space);
  try {
    const l = await measureAgainstReference(
      tf,
      model,
      { model: refModel, ms: ref.ms },
      [space.inputSize, space.inputSize, space.inputChannels],
      opts.pairs ?? LATENCY_PAIRS,
    );
    const warning = latencyWarning(l);
    if (warning) opts.log?.(warning);
    return { ...l, latencyUnit: ref.unit };
  } finally {
    refModel.dispose();
  }
}
