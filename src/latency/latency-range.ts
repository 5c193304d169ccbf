/**
 * The predicted-latency range of a space under a table, and latency targets expressed as a fraction
 * of its largest network: what "a target at 70% of the largest network" means everywhere (CLI,
 * quick start, benches, tests).
 */
import { InvalidInputError } from '../errors';
import { largestArchitecture, type Architecture, type LayerOp } from '../space/architecture';
import { layoutOf } from '../space/layers';
import type { SearchSpace } from '../space/spec';
import type { LatencyTable } from './latency-table';
import { layerLatencyExact, predictArchitectureLatencyExact } from './runtime-model';

export interface LatencyRange {
  /** The largest network (k5e6, SE where searchable, in every layer), exact lookup, ms. */
  largestMs: number;
  /** The cheapest network (per layer the cheapest allowed op, skip where allowed), ms. */
  smallestMs: number;
  smallest: Architecture;
}

export function latencyRange(space: SearchSpace, table: LatencyTable): LatencyRange {
  const layout = layoutOf(space);
  const layers = layout.searchable.map((l, i): LayerOp => {
    if (l.skipAllowed) return { op: 'skip' };
    const ops: LayerOp[] = [3, 5].flatMap((kernel) =>
      [3, 6].map((expansion) => ({ op: 'mbconv' as const, kernel: kernel as 3 | 5, expansion: expansion as 3 | 6, se: false })),
    );
    return ops.reduce((best, op) => (layerLatencyExact(table.layers[i]!, op) < layerLatencyExact(table.layers[i]!, best) ? op : best));
  });
  const smallest: Architecture = { space: space.name, layers };
  return {
    largestMs: predictArchitectureLatencyExact(table, largestArchitecture(space)),
    smallestMs: predictArchitectureLatencyExact(table, smallest),
    smallest,
  };
}

/** `fraction` of the largest network's predicted latency, in ms; refuses targets below the smallest network. */
export function targetAtFraction(space: SearchSpace, table: LatencyTable, fraction: number): number {
  if (!(fraction > 0 && fraction <= 1)) throw new InvalidInputError(`target fraction ${fraction}: must be in (0, 1]`);
  const r = latencyRange(space, table);
  const t = fraction * r.largestMs;
  if (t < r.smallestMs) {
    throw new InvalidInputError(
      `a target of ${(100 * fraction).toFixed(0)}% of the largest network (${t.toFixed(2)} ms) is below the smallest network of '${space.name}' (${r.smallestMs.toFixed(2)} ms); choose at least ${(r.smallestMs / r.largestMs).toFixed(2)}`,
    );
  }
  return t;
}
