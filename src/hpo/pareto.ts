/**
 * Pareto utilities: dominance, non-dominated sorting (Deb, Pratap, Agarwal & Meyarivan, NSGA-II,
 * IEEE TEVC 2002), the 2-D front, exact 2-D hypervolume (Zitzler & Thiele 1998) and the selection of
 * one model for a latency target.
 */
import { InvalidInputError } from '../errors';
import type { Direction } from './sampler';

function checkPoints(points: readonly (readonly number[])[], directions: readonly Direction[]): void {
  points.forEach((p, i) => {
    if (p.length !== directions.length) throw new InvalidInputError(`points[${i}]: has ${p.length} objectives, expected ${directions.length}`);
    p.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new InvalidInputError(`points[${i}][${j}]: objective value is ${v}`);
    });
  });
}

/** True if a is at least as good as b in every objective and strictly better in one. */
export function dominates(a: readonly number[], b: readonly number[], directions: readonly Direction[]): boolean {
  let strictly = false;
  for (let j = 0; j < directions.length; j++) {
    const s = directions[j] === 'minimize' ? 1 : -1;
    const d = s * (a[j]! - b[j]!);
    if (d > 0) return false;
    if (d < 0) strictly = true;
  }
  return strictly;
}

/**
 * Fronts of indices: front 0 is the non-dominated set, front 1 is non-dominated once front 0 is
 * removed, and so on. Each front is in ascending index order. O(M N^2).
 */
export function nonDominatedSort(points: readonly (readonly number[])[], directions: readonly Direction[]): number[][] {
  checkPoints(points, directions);
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominatesList: number[][] = points.map(() => []);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (dominates(points[a]!, points[b]!, directions)) {
        dominatesList[a]!.push(b);
        dominatedBy[b]!++;
      } else if (dominates(points[b]!, points[a]!, directions)) {
        dominatesList[b]!.push(a);
        dominatedBy[a]!++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = points.map((_, i) => i).filter((i) => dominatedBy[i] === 0);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const a of current) for (const b of dominatesList[a]!) if (--dominatedBy[b]! === 0) next.push(b);
    current = next.sort((x, y) => x - y);
  }
  return fronts;
}

/**
 * Indices of the 2-D non-dominated points, sorted by the first objective from best to worst.
 * Exact duplicates are all kept (neither dominates the other).
 */
export function paretoFront2d(points: readonly (readonly number[])[], directions: readonly [Direction, Direction]): number[] {
  const front = nonDominatedSort(points, directions)[0] ?? [];
  const s0 = directions[0] === 'minimize' ? 1 : -1;
  return front.sort((a, b) => s0 * (points[a]![0]! - points[b]![0]!) || a - b);
}

/**
 * Exact hypervolume of the region dominated by `points` and bounded by `reference` in 2-D. Points that
 * do not strictly beat the reference in both objectives contribute nothing.
 */
export function hypervolume2d(
  points: readonly (readonly number[])[],
  reference: readonly [number, number],
  directions: readonly [Direction, Direction],
): number {
  checkPoints(points, directions);
  checkPoints([reference], directions);
  // Convert to minimisation of both, then sweep along the first objective.
  const s = directions.map((d) => (d === 'minimize' ? 1 : -1));
  const ref = [s[0]! * reference[0], s[1]! * reference[1]];
  const pts = points.map((p) => [s[0]! * p[0]!, s[1]! * p[1]!] as const).filter(([a, b]) => a < ref[0]! && b < ref[1]!);
  pts.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  let volume = 0;
  let bestY = ref[1]!;
  for (const [x, y] of pts) {
    if (y >= bestY) continue; // dominated by an earlier point
    volume += (ref[0]! - x) * (bestY - y);
    bestY = y;
  }
  return volume;
}

/** A candidate model for selection. */
export interface ModelCandidate {
  readonly accuracy: number;
  readonly latencyMs: number;
}

/** Result of {@link selectForLatencyTarget}. */
export type LatencySelection<T extends ModelCandidate> =
  { readonly met: true; readonly model: T; readonly index: number } | { readonly met: false; readonly fastest: T; readonly index: number };

/**
 * "The" model for a latency target T: the most accurate model with latency <= T. Ties in accuracy go
 * to the lower latency, then to the earlier index. If no model meets T, nothing is selected
 * (`met: false`) and the fastest model (ties: more accurate, then earlier) is returned for reporting,
 * so a caller cannot mistake an over-budget model for a compliant one.
 */
export function selectForLatencyTarget<T extends ModelCandidate>(models: readonly T[], targetMs: number): LatencySelection<T> {
  if (!(Number.isFinite(targetMs) && targetMs > 0)) throw new InvalidInputError(`targetMs: must be a positive number, got ${targetMs}`);
  if (models.length === 0) throw new InvalidInputError('models: at least one model is needed to select from');
  models.forEach((m, i) => {
    if (!Number.isFinite(m.accuracy)) throw new InvalidInputError(`models[${i}].accuracy: must be finite, got ${m.accuracy}`);
    if (!(Number.isFinite(m.latencyMs) && m.latencyMs >= 0))
      throw new InvalidInputError(`models[${i}].latencyMs: must be a finite non-negative number, got ${m.latencyMs}`);
  });
  let best = -1;
  models.forEach((m, i) => {
    if (m.latencyMs > targetMs) return;
    const b = models[best];
    if (!b || m.accuracy > b.accuracy || (m.accuracy === b.accuracy && m.latencyMs < b.latencyMs)) best = i;
  });
  if (best >= 0) return { met: true, model: models[best]!, index: best };
  let fastest = 0;
  models.forEach((m, i) => {
    const f = models[fastest]!;
    if (m.latencyMs < f.latencyMs || (m.latencyMs === f.latencyMs && m.accuracy > f.accuracy)) fastest = i;
  });
  return { met: false, fastest: models[fastest]!, index: fastest };
}
