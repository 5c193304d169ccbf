/**
 * The per-layer latency lookup table (LUT) of Single-Path NAS: for every searchable layer the
 * latency of each MBConv candidate (k3e3, k3e6, k5e3, k5e6), optionally the added latency of the
 * squeeze-and-excitation path per expansion, plus the fixed part of the network (stem, fixed blocks,
 * head). Latencies are milliseconds on one device and backend; a table is only valid for the space
 * (and device) it was profiled on, so it is checked against the space before use.
 */
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';
import { InvalidInputError } from '../errors';
import { layoutOf } from '../space/layers';
import { deviceFingerprintSchema } from './device-fingerprint';
import type { SearchSpace } from '../space/spec';

/** A latency in ms: positive and finite (a zero or negative cost would let the search cheat). */
const ms = z.number().positive().finite();

export const latencyRowSchema = z
  .object({
    k3e3: ms,
    k3e6: ms,
    k5e3: ms,
    k5e6: ms,
    /** Latency ADDED by the SE path on top of the MBConv of that expansion (independent of the kernel). */
    se: z.object({ e3: ms, e6: ms }).strict().optional(),
  })
  .strict();
export type LatencyRow = z.output<typeof latencyRowSchema>;

export const latencyTableSchema = z
  .object({
    /** Name of the search space the table was profiled for. */
    space: z.string().min(1),
    /** Free-form device label, e.g. 'pixel1' or 'tfjs-node cpu (Intel Xeon, 2 threads)'. */
    device: z.string().min(1),
    unit: z.literal('ms'),
    /** Stem, fixed first and last blocks, head, and (for profiled tables) one per-call overhead. */
    fixedMs: ms,
    /** One row per searchable layer, in layout order (the paper's layers 1..20). */
    layers: z.array(latencyRowSchema).min(1),
    /** How the table was measured; informational only (every field optional). */
    meta: z
      .object({
        /** e.g. 'tfjs-node tensorflow' or 'tflite'. */
        backend: z.string(),
        threads: z.number().int().positive(),
        batch: z.number().int().positive(),
        repeats: z.number().int().positive(),
        warmup: z.number().int().nonnegative(),
        /** ISO date of the measurement. */
        date: z.string(),
        host: z.string(),
        /** Per-predict-call overhead subtracted from each isolated timing and added once to fixedMs. */
        callOverheadMs: z.number().nonnegative().finite(),
        /** Where the numbers come from (paper, repository, command line). */
        source: z.string(),
        /** The device it was profiled on (absent on tables profiled before fingerprints, and on the Pixel-1 table). */
        fingerprint: deviceFingerprintSchema,
        /** Scaled to predict the device's reference (its largest network) exactly: the factor, that latency, the raw prediction (calibrate-table.ts). */
        calibration: z.object({ factor: z.number().positive().finite(), referenceMs: ms, predictedMs: ms }).strict(),
        /** Profiles whose entry-wise median this table is (median-table.ts); absent: one profile. */
        profiles: z.number().int().positive(),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();
export type LatencyTable = z.output<typeof latencyTableSchema>;

/** Parses table JSON (schema only); every bad field is named by its path. Throws InvalidInputError. */
export function parseLatencyTable(value: unknown, source = 'latency table'): LatencyTable {
  return parseOrThrow(latencyTableSchema, value, source);
}

/**
 * Checks that `table` fits `space`: one row per searchable layer, and SE costs on every row when the
 * space has searchable SE. Returns the table; throws InvalidInputError listing every problem with the
 * fix (re-profile with `spnas profile`).
 */
export function checkTableForSpace(table: LatencyTable, space: SearchSpace, source = 'latency table'): LatencyTable {
  const n = layoutOf(space).searchable.length;
  const problems: string[] = [];
  if (table.space !== space.name) problems.push(`  - space: table is for '${table.space}', not '${space.name}'`);
  if (table.layers.length !== n) {
    problems.push(`  - layers: ${table.layers.length} rows, but space '${space.name}' has ${n} searchable layers`);
  }
  if (space.search.se) {
    table.layers.forEach((row, i) => {
      if (!row.se) problems.push(`  - layers[${i}].se: missing SE costs (row ${i + 1}), but space '${space.name}' has searchable SE`);
    });
  }
  if (problems.length) {
    throw new InvalidInputError(
      `${source} does not fit search space '${space.name}':\n${problems.join('\n')}\n` +
        `  fix: profile the space on the target backend with \`spnas profile --space ${space.name} --out table.json\``,
    );
  }
  return table;
}

/** parseLatencyTable + checkTableForSpace. */
export function parseLatencyTableFor(space: SearchSpace, value: unknown, source = 'latency table'): LatencyTable {
  return checkTableForSpace(parseLatencyTable(value, source), space, source);
}
