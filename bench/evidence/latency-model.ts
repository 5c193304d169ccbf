/**
 * The latency model as the evidence benches use it: the profiled table (results/table.json), the
 * largest network, predictions and random architectures. Every import of the latency model's modules
 * is in this file, so that moving them touches one place here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { predictArchitectureLatencyExact, parseLatencyTableFor, type LatencyTable } from '../../src';
import { defaultTableFor } from '../../src/latency/default-tables';
import { latencyRange } from '../../src/latency/latency-range';
import { sampleArchitectures } from '../../src/latency/sample-architectures';
import { architectureFromString, architectureToString, largestArchitecture } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import type { SearchSpace } from '../../src/space/spec';
import { RESULTS, SPACE } from './problem';

export const TABLE_FILE = path.join(RESULTS, 'table.json');

export function space(): SearchSpace {
  return getPreset(SPACE);
}

/** The table shipped for the space (profiled on this machine type when idle). */
export function shippedTable(): LatencyTable {
  return defaultTableFor(space());
}

/** The table every search of the benches uses (bench/evidence/latency.ts --profile / --use). */
export function profiledTable(): LatencyTable {
  if (!fs.existsSync(TABLE_FILE)) throw new Error(`${TABLE_FILE} is missing: run 'node --import tsx bench/evidence/latency.ts --profile' first`);
  return parseLatencyTableFor(space(), JSON.parse(fs.readFileSync(TABLE_FILE, 'utf8')), TABLE_FILE);
}

export function largestString(): string {
  return architectureToString(largestArchitecture(space()));
}

/** Predicted latency of the largest network on the profiled table. */
export function largestPredictedMs(table = profiledTable()): number {
  return latencyRange(space(), table).largestMs;
}

export function predictedMs(arch: string, table = profiledTable()): number {
  return predictArchitectureLatencyExact(table, architectureFromString(space(), arch));
}

/**
 * Random architectures (each layer uniform over its ops, seeded: the engine's sampler) spanning a
 * latency range: for each bin of predicted latency, the first sample that falls in it.
 */
export function randomArchitecturesInBins(bins: Array<[number, number]>, seed: number, table = profiledTable()): string[] {
  const out: string[] = [];
  const samples = sampleArchitectures(space(), 20_000, seed);
  for (const [lo, hi] of bins) {
    const hit = samples.find((a) => {
      const ms = predictArchitectureLatencyExact(table, a);
      return ms >= lo && ms < hi && !out.includes(architectureToString(a));
    });
    if (!hit) throw new Error(`no random architecture with predicted latency in [${lo.toFixed(2)}, ${hi.toFixed(2)}) ms among 20,000 samples`);
    out.push(architectureToString(hit));
  }
  return out;
}
