/**
 * One table from several profiles of one space on one device: each entry the median of the profiles'
 * entries, after every profile is scaled to one speed. Why: a profile's shape (its entries' ratios,
 * what the search trades on) is the part of a table a reference cannot correct (calibrate-table.ts),
 * and one idle profile of 13 put a layer out of proportion (its 3x3 entries above its 5x5 ones; 85%
 * of 40 networks within +-10% against 98-100% for the other 12). The profile's own whole networks do
 * not reveal it (bench/latency/profile-order.ts, 8 Dec: their shape error ran 6-13% on profiles that
 * all scored 98-100%), so instead of a check, a vote: an entry that one profile of three puts out of
 * proportion does not move the median. The speeds differ between profiles of one process by up to 20%
 * (factors 0.84-1.03 a few seconds apart), so each profile is first scaled to predict the space's
 * largest network at the median of their predictions of it. Pure.
 */
import { largestArchitecture } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import { scaleTable } from './calibrate-table';
import type { LatencyRow, LatencyTable } from './latency-table';
import { predictArchitectureLatencyExact } from './runtime-model';
import { quantile } from './statistic';

const median = (xs: readonly number[]) => quantile(xs, 0.5);

/**
 * The entry-wise median of `tables` (same space and layer count), each first scaled to the median
 * speed; the first table's labels, with meta.profiles set to their count. One table is returned as is.
 */
export function medianTable(tables: readonly LatencyTable[], space: SearchSpace): LatencyTable {
  if (!tables.length) throw new RangeError('medianTable: no tables');
  if (tables.length === 1) return tables[0]!;
  const rows = tables[0]!.layers.length;
  if (tables.some((t) => t.layers.length !== rows || t.space !== tables[0]!.space))
    throw new RangeError(`medianTable: the tables are of different spaces (${tables.map((t) => `${t.space}/${t.layers.length} layers`).join(', ')})`);
  const largest = largestArchitecture(space);
  const predicted = tables.map((t) => predictArchitectureLatencyExact(t, largest));
  const unit = median(predicted);
  const scaled = tables.map((t, i) => scaleTable(t, unit / predicted[i]!));
  const at = (f: (t: LatencyTable) => number) => median(scaled.map(f));
  const row = (i: number): LatencyRow => {
    const r = (t: LatencyTable) => t.layers[i]!;
    const se = scaled.every((t) => r(t).se) ? { se: { e3: at((t) => r(t).se!.e3), e6: at((t) => r(t).se!.e6) } } : {};
    return { k3e3: at((t) => r(t).k3e3), k3e6: at((t) => r(t).k3e6), k5e3: at((t) => r(t).k5e3), k5e6: at((t) => r(t).k5e6), ...se };
  };
  const first = scaled[0]!;
  const overheads = scaled.map((t) => t.meta?.callOverheadMs);
  const meta = {
    ...first.meta,
    ...(overheads.every((o) => o !== undefined) ? { callOverheadMs: median(overheads as number[]) } : {}),
    profiles: tables.length,
  };
  return { ...first, fixedMs: at((t) => t.fixedMs), layers: Array.from({ length: rows }, (_, i) => row(i)), meta };
}
