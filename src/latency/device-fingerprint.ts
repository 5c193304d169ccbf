/**
 * What a latency table belongs to: the device fingerprint (backend, CPU and GPU model, intra-op
 * threads, tfjs and libtensorflow versions) and the space's latency-relevant shape. A table profiled
 * on one fingerprint predicts another only by luck (the shipped table was off by 1.8x on
 * another 2-core machine), so the fingerprint and the space key the table cache, and a table whose
 * fingerprint differs is checked against whole networks measured on the device before it is used.
 * Pure: the Node adapter that reads the host is src/profiler/device.ts.
 */
import { z } from 'zod';
import { contentKey } from '../study/content-key';

export const deviceFingerprintSchema = z
  .object({
    /** The tfjs backend and where it computes, e.g. 'tensorflow cpu', 'tensorflow gpu', 'cpu' (pure JS), 'webgl'. */
    backend: z.string().min(1),
    /** CPU model string as the OS reports it. */
    cpu: z.string(),
    /** Intra-op threads the backend computes with. */
    threads: z.number().int().positive(),
    tfjs: z.string(),
    libtensorflow: z.string().optional(),
    /** GPU model when the backend computes on one. */
    gpu: z.string().optional(),
  })
  .strict();
export type DeviceFingerprint = z.output<typeof deviceFingerprintSchema>;

/**
 * A study's unit of measured latency, passed to every evaluation of the study: the largest network's
 * latency measured when the study was prepared (device.json), and the device it was measured on.
 * Every pod and process of the study turns its own measured ratio into ms with this one value instead
 * of a reference it measures itself (pods share no cache; a process's speed moves 5-25% on our VMs).
 */
export const latencyUnitSchema = z
  .object({
    ms: z.number().positive().finite(),
    fingerprint: deviceFingerprintSchema.optional(),
  })
  .strict();
export type LatencyUnit = z.output<typeof latencyUnitSchema>;

/** Two fingerprints name the same device when every field agrees (a library upgrade counts as another device). */
export function sameDevice(a: DeviceFingerprint, b: DeviceFingerprint | undefined): boolean {
  return b !== undefined && contentKey(a) === contentKey(b);
}

/** The cache key of a device's table for a space: `<space name>-<16 hex digits>`. `spaceShape` is the space's latency-relevant shape. */
export function tableCacheKey(fp: DeviceFingerprint, spaceName: string, spaceShape: string): string {
  const safe = spaceName.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 40);
  return `${safe}-${contentKey({ fp, spaceShape })}`;
}

/** One line for messages: 'tensorflow cpu, Intel Xeon, 2 threads, tfjs 4.22.0, libtensorflow 2.9.1'. */
export function describeDevice(fp: DeviceFingerprint | undefined): string {
  if (!fp) return 'an unrecorded device';
  return [
    fp.backend,
    fp.cpu || 'unknown CPU',
    fp.gpu,
    `${fp.threads} thread${fp.threads > 1 ? 's' : ''}`,
    `tfjs ${fp.tfjs}`,
    fp.libtensorflow && `libtensorflow ${fp.libtensorflow}`,
  ]
    .filter(Boolean)
    .join(', ');
}
