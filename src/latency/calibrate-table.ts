/**
 * A table in the unit of the device's reference. A profile times one-block models in interleaved
 * rounds; the reference (the space's largest network) is timed as whole networks are, in its own
 * calls. On the 2-core VM the two disagreed by 18-23% when the profile ran while the study's compute
 * worker was starting, so a fresh table failed its own unit check and every study re-profiled
 * (docs/runtime-model.md "A profiled table is calibrated to its reference"). Scaling the table so
 * that it predicts the reference exactly keeps its shape (the ratios between entries, which the
 * search trades on) and puts its milliseconds in the unit that measured latencies and a measured
 * target use. Pure.
 */
import { largestArchitecture } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import type { LatencyRow, LatencyTable } from './latency-table';
import { predictArchitectureLatencyExact } from './runtime-model';

/** A copy of `table` with every latency (fixed part, candidates, SE, call overhead) times `factor`. */
export function scaleTable(table: LatencyTable, factor: number): LatencyTable {
  if (!(factor > 0 && Number.isFinite(factor))) throw new RangeError(`scaleTable: factor must be positive and finite, got ${factor}`);
  const row = (r: LatencyRow): LatencyRow => ({
    k3e3: r.k3e3 * factor,
    k3e6: r.k3e6 * factor,
    k5e3: r.k5e3 * factor,
    k5e6: r.k5e6 * factor,
    ...(r.se ? { se: { e3: r.se.e3 * factor, e6: r.se.e6 * factor } } : {}),
  });
  const meta = table.meta ? { ...table.meta } : undefined;
  if (meta?.callOverheadMs !== undefined) meta.callOverheadMs *= factor;
  return { ...table, fixedMs: table.fixedMs * factor, layers: table.layers.map(row), ...(meta ? { meta } : {}) };
}

/**
 * `table` scaled to predict the space's largest network at `referenceMs`, with the factor and the
 * reference recorded in meta.calibration (a factor far from 1 says the profile and the reference saw
 * different machine speeds).
 */
export function calibrateTable(table: LatencyTable, space: SearchSpace, referenceMs: number): LatencyTable {
  const predicted = predictArchitectureLatencyExact(table, largestArchitecture(space));
  const factor = referenceMs / predicted;
  const out = scaleTable(table, factor);
  out.meta = { ...out.meta, calibration: { factor, referenceMs, predictedMs: predicted } };
  return out;
}
