/**
 * At most `maxFlips` decisions flip in one threshold update (`maxFlipsPerStep`).
 *
 * Why: with the 'relative' norm every layer's group norm sits near 1 and thresholds that the runtime
 * term pushes alike cross their norms in the same step, before R can respond: on the shipped tables two
 * or three decisions flipped in one update, each skip saving ~4 ms, which is how a search at 90% of the
 * largest latency landed at 81% (docs/engine.md "Search dynamics"). Limiting the flips lets R
 * (and so the runtime term's push) update after every change of the architecture.
 *
 * A decision is on while norm - t >= 0 (indicator.ts). Among the thresholds whose update would flip
 * their decision, the ones that cross earliest in the step (the smallest fraction of their step needed
 * to reach the norm; ties by position) flip; the others keep their value for this step. (Moving them
 * halfway to their norm instead parked them ever closer to it, where the cross-entropy's small push later
 * flipped them after the target was met: measured, docs/engine.md "Search dynamics".)
 * The norms are those of the step's forward pass (the weights move far less than the thresholds).
 */
import type { IndicatorValues } from './derive';

/** Whether moving a threshold from t0 to t1 flips the decision 1(norm - t >= 0). */
export function crosses(norm: number, t0: number, t1: number): boolean {
  return norm - t0 >= 0 !== norm - t1 >= 0;
}

/** One step of a search trace: the group norms and the thresholds they were compared with, per layer. */
export interface NormsAndThresholds {
  norms: IndicatorValues[];
  thresholds: Array<Partial<IndicatorValues>>;
}

const KINDS = ['d5x5', 'd50c', 'd100c', 'dse'] as const;

/** Decisions each threshold update of a trace flipped (step s's norms against its thresholds before and after). */
export function flipsPerUpdate(steps: NormsAndThresholds[]): number[] {
  const out: number[] = [];
  for (let s = 0; s + 1 < steps.length; s++) {
    let n = 0;
    steps[s]!.norms.forEach((norm, l) => {
      for (const k of KINDS) {
        const t0 = steps[s]!.thresholds[l]![k];
        const t1 = steps[s + 1]!.thresholds[l]![k];
        if (t0 !== undefined && t1 !== undefined && crosses(norm[k], t0, t1)) n++;
      }
    });
    out.push(n);
  }
  return out;
}

/** The thresholds to keep after an update from `before` to `after`, given the group norms. Pure. */
export function limitFlips(before: ArrayLike<number>, after: ArrayLike<number>, norms: ArrayLike<number>, maxFlips: number): number[] {
  const out = Array.from(after);
  const crossings: Array<{ i: number; at: number }> = [];
  for (let i = 0; i < out.length; i++) {
    const t0 = before[i]!;
    const t1 = after[i]!;
    const n = norms[i]!;
    if (crosses(n, t0, t1)) crossings.push({ i, at: (n - t0) / (t1 - t0) });
  }
  if (crossings.length <= maxFlips) return out;
  crossings.sort((a, b) => a.at - b.at || a.i - b.i);
  for (const { i } of crossings.slice(maxFlips)) out[i] = before[i]!;
  return out;
}
