/**
 * Is a latency table right for this device? A table profiled on another fingerprint (a shipped one,
 * a given one) is checked against a few whole networks measured here before a study uses it; beyond
 * the tolerance the study re-profiles, refuses (a typed, non-retryable error naming the fix), or
 * accepts it on request (browser and Pixel-1 tables: explicit choices for another device). Pure.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { describeDevice, type DeviceFingerprint } from './device-fingerprint';
import type { TableAccuracy } from './prediction-error';

export const deviceCheckSchema = z
  .object({
    /** What a table from another device whose check fails leads to: re-profile here, refuse, or use it anyway (a table for another device on purpose). */
    onMismatch: z.enum(['reprofile', 'refuse', 'accept']).default('reprofile'),
    /** Largest median |predicted / measured - 1| (percent) over the checked networks that still counts as this device's table. */
    tolerancePct: z.number().positive().max(100).default(10),
    /** Whole networks measured for the check (the largest network first, then seeded random ones). */
    networks: z.number().int().min(1).max(40).default(4),
    /** Timed rounds per network. */
    repeats: z.number().int().min(3).default(15),
  })
  .strict();
export type DeviceCheckSettings = z.output<typeof deviceCheckSchema>;
export const DEFAULT_DEVICE_CHECK: DeviceCheckSettings = deviceCheckSchema.parse({});

/** The outcome of checking a table from another device against networks measured here. */
export interface TableCheck {
  /** The fingerprint recorded in the table (undefined: none recorded). */
  tableDevice?: DeviceFingerprint;
  accuracy: TableAccuracy;
  tolerancePct: number;
  passed: boolean;
  /** What followed: the table kept, re-profiled here, or used although it failed ('accept'). */
  action: 'kept' | 'reprofiled' | 'accepted';
}

export function passes(accuracy: TableAccuracy, tolerancePct: number): boolean {
  return accuracy.medianAbsErrPct <= tolerancePct;
}

/** One sentence on a failed check: what differs and by how much. */
export function mismatchMessage(source: string, check: Omit<TableCheck, 'action'>, here: DeviceFingerprint): string {
  const a = check.accuracy;
  return (
    `${source} was profiled on ${describeDevice(check.tableDevice)}, not on this device (${describeDevice(here)}), and is off here: ` +
    `median error ${a.medianAbsErrPct.toFixed(1)}% over ${a.count} whole networks (tolerance ${check.tolerancePct}%), predicted/measured ${a.ratio.toFixed(2)}x`
  );
}

/** The typed refusal of `onMismatch: 'refuse'`, naming both fixes. */
export function tableMismatchError(source: string, check: Omit<TableCheck, 'action'>, here: DeviceFingerprint): InvalidInputError {
  return new InvalidInputError(
    `${mismatchMessage(source, check, here)}. Fix: let the study profile this device (latencyTable: { device: true }, or deviceCheck.onMismatch: 'reprofile'), ` +
      `or pass a table profiled here (\`spnas profile --space <space> --out table.json\`); deviceCheck.onMismatch: 'accept' uses it anyway`,
    { code: 'LATENCY_TABLE_MISMATCH' },
  );
}
