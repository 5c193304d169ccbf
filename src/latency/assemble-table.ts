/**
 * Turns raw isolated timings into a LatencyTable. Pure arithmetic, kept apart from the profiler so the
 * overhead model is testable without a backend.
 *
 * Why subtract an overhead: every isolated predict() pays a fixed per-call cost (argument checks,
 * the layers graph walk, slicing the batch, downloading the output, resolving the promise) that a
 * block inside a whole network does not pay; the whole network pays it once. Summing raw isolated
 * timings would therefore over-predict by about (number of non-skip layers) x (call overhead). We
 * measure that overhead with a do-nothing model whose output has the block's output shape (the
 * download cost scales with it), subtract it from each block, and keep it once in fixedMs (the
 * back part's own overhead is the one the whole network pays, for its logits).
 */
import { CANDIDATES, type Candidate } from '../space/architecture';
import type { LatencyRow, LatencyTable } from './latency-table';

/** Raw medians (or other statistic) of one searchable layer, ms, including the call overhead. */
export interface RawLayerTimings {
  plain: Record<Candidate, number>;
  /** The same candidates with the SE path; present iff the space has searchable SE. */
  se?: Record<Candidate, number>;
  /** Overhead of one predict call whose output has this layer's output shape. */
  overheadMs: number;
}

export interface RawProfile {
  /** Stem + first block, timed alone; frontOverheadMs = the overhead for its output shape. */
  frontMs: number;
  frontOverheadMs: number;
  /** Last block + head, timed alone: it includes the one call overhead a whole network pays. */
  backMs: number;
  /** Overhead of a do-nothing call with logits output (informational: already inside backMs). */
  callOverheadMs: number;
  layers: RawLayerTimings[];
}

export interface AssembledTable {
  table: LatencyTable;
  /** Entries that came out at or below floorMs after subtraction (measurement noise) and were floored. */
  floored: string[];
}

/**
 * Builds the table. SE cost per expansion = mean over both kernels of (with SE - without SE), since the
 * SE path sits after the depthwise conv and does not depend on the kernel. Values below `floorMs`
 * (default 0.001 ms) are floored, because the table must be positive.
 */
export function assembleTable(raw: RawProfile, head: Pick<LatencyTable, 'space' | 'device' | 'meta'>, floorMs = 0.001): AssembledTable {
  const floored: string[] = [];
  const floor = (v: number, what: string): number => {
    if (v > floorMs) return v;
    floored.push(`${what}: ${v.toFixed(4)} ms`);
    return floorMs;
  };
  const layers = raw.layers.map((l, i): LatencyRow => {
    const row = Object.fromEntries(CANDIDATES.map((c) => [c, floor(l.plain[c] - l.overheadMs, `layers[${i}].${c}`)])) as Record<Candidate, number>;
    if (!l.se) return row;
    const se = l.se;
    const added = (a: Candidate, b: Candidate) => (se[a] - l.plain[a] + (se[b] - l.plain[b])) / 2;
    return { ...row, se: { e3: floor(added('k3e3', 'k5e3'), `layers[${i}].se.e3`), e6: floor(added('k3e6', 'k5e6'), `layers[${i}].se.e6`) } };
  });
  const fixedMs = floor(raw.frontMs - raw.frontOverheadMs + raw.backMs, 'fixedMs');
  const meta = { ...head.meta, callOverheadMs: raw.callOverheadMs };
  return { table: { space: head.space, device: head.device, unit: 'ms', fixedMs, layers, meta }, floored };
}
