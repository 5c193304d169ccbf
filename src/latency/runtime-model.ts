/**
 * The differentiable runtime model of Single-Path NAS (Stamoulis et al., ECML-PKDD 2019, section 3
 * "Runtime model"), as plain numbers. This file is the reference that the tensor version in the NAS
 * engine is tested against: same formula, same argument order.
 *
 * For one searchable layer with LUT row L and indicator values d5x5, d50c, d100c (each in [0, 1];
 * hard 0/1 in the forward pass, but any value is accepted so fractional inputs can be checked):
 *
 *   Rc      = d50c * (L.k5e3 + d100c * (L.k5e6 - L.k5e3))      // expansion picks the k5 column
 *   rho     = L.k3e6 / L.k5e6                                    // kernel-3 / kernel-5 ratio
 *   R_layer = Rc * rho + Rc * (1 - rho) * d5x5                   // kernel picks the scale
 *           + dse * d50c * (se.e3 + d100c * (se.e6 - se.e3))     // searchable SE (our extension)
 *
 * and R = fixedMs + sum of R_layer. Skip (d50c = 0) costs 0.
 *
 * The formula reproduces k3e6, k5e3 and k5e6 exactly but APPROXIMATES k3e3 by L.k5e3 * rho (it
 * assumes the kernel ratio is the same at both expansions). For a discrete architecture,
 * `predictArchitectureLatencyExact` looks up the k3e3 column instead. On the Pixel-1 table the two
 * differ by under 0.2 ms in total (all-k3e3: 65.64 vs 65.69 ms); the published anchors (all k3e3
 * ~65.6, minimum ~30.8) are the formula's values.
 */
import { InvalidInputError } from '../errors';
import type { Architecture, LayerOp } from '../space/architecture';
import type { LatencyRow, LatencyTable } from './latency-table';

/** Indicator values of one searchable layer (the superkernel's d5x5, d50c, d100c and the SE indicator). */
export interface LayerIndicators {
  /** 1 = kernel 5x5, 0 = 3x3. */
  d5x5: number;
  /** 1 = layer present (e3 channels on), 0 = skip. */
  d50c: number;
  /** 1 = expansion 6, 0 = expansion 3 (only matters when d50c = 1). */
  d100c: number;
  /** 1 = SE on. Default 0. */
  dse?: number;
}

/** Differentiable runtime of one layer in ms (see the file comment for the formula). */
export function layerRuntime(row: LatencyRow, ind: LayerIndicators): number {
  const rc = ind.d50c * (row.k5e3 + ind.d100c * (row.k5e6 - row.k5e3));
  const rho = row.k3e6 / row.k5e6;
  let r = rc * rho + rc * (1 - rho) * ind.d5x5;
  const dse = ind.dse ?? 0;
  if (dse !== 0) {
    if (!row.se) throw new InvalidInputError('SE indicator is on but the latency table has no SE costs; profile the space with `spnas profile`');
    r += dse * ind.d50c * (row.se.e3 + ind.d100c * (row.se.e6 - row.se.e3));
  }
  return r;
}

function checkLength(table: LatencyTable, n: number, what: string): void {
  if (n !== table.layers.length) {
    throw new InvalidInputError(`${what} has ${n} layers but the latency table for '${table.space}' has ${table.layers.length} rows`);
  }
}

/** Total differentiable runtime R = fixedMs + sum of layerRuntime, in ms. `inds` is in layout order. */
export function totalRuntime(table: LatencyTable, inds: readonly LayerIndicators[]): number {
  checkLength(table, inds.length, 'indicator list');
  return inds.reduce((sum, ind, i) => sum + layerRuntime(table.layers[i]!, ind), table.fixedMs);
}

/** The hard indicator values that decode to `op` (skip: d50c = 0, the rest don't matter and are 0). */
export function indicatorsOf(op: LayerOp): LayerIndicators {
  if (op.op === 'skip') return { d5x5: 0, d50c: 0, d100c: 0, dse: 0 };
  return { d5x5: op.kernel === 5 ? 1 : 0, d50c: 1, d100c: op.expansion === 6 ? 1 : 0, dse: op.se ? 1 : 0 };
}

/** Latency of a discrete architecture with the differentiable formula (what the search optimises), ms. */
export function predictArchitectureLatency(table: LatencyTable, arch: Architecture): number {
  return totalRuntime(table, arch.layers.map(indicatorsOf));
}

/** Exact LUT lookup for one discrete layer: the candidate's column plus its SE cost; skip is 0. */
export function layerLatencyExact(row: LatencyRow, op: LayerOp): number {
  if (op.op === 'skip') return 0;
  const base = row[`k${op.kernel}e${op.expansion}`];
  if (!op.se) return base;
  if (!row.se) throw new InvalidInputError('architecture uses SE but the latency table has no SE costs; profile the space with `spnas profile`');
  return base + (op.expansion === 6 ? row.se.e6 : row.se.e3);
}

/** Latency of a discrete architecture by exact lookup (uses the k3e3 column), ms. */
export function predictArchitectureLatencyExact(table: LatencyTable, arch: Architecture): number {
  checkLength(table, arch.layers.length, 'architecture');
  return arch.layers.reduce((sum, op, i) => sum + layerLatencyExact(table.layers[i]!, op), table.fixedMs);
}
