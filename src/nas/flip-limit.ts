/**
 * At most `maxFlips` decisions flip in one threshold update (`maxFlipsPerStep`).
 *
 * Why: with the 'relative' norm every layer's group norm sits near 1 and thresholds that the runtime
 * term pushes alike cross their norms in the same step, before R can respond: on the shipped cifar
 * table two to five layers were skipped at once, each skip saving ~4 ms, which is how a search at 90%
 * of the largest latency landed at 81% (docs/engine.md "Target misses"). Limiting the flips lets R
 * (and so the runtime term's push) update after every change of the architecture.
 *
 * A decision is on while norm - t >= 0 (indicator.ts). Among the thresholds whose update would flip
 * their decision, the ones that cross earliest in the step (the smallest fraction of their step needed
 * to reach the norm; ties by position) flip; the others keep their value for this step. (Moving them
 * halfway to their norm instead parked them ever closer to it, where the cross-entropy's small push later
 * flipped them after the target was met: measured, docs/engine.md "Search dynamics".)
 * The norms are those of the step's forward pass (the weights move far less than the thresholds).
 */

/** The thresholds to keep after an update from `before` to `after`, given the group norms. Pure. */
export function limitFlips(before: ArrayLike<number>, after: ArrayLike<number>, norms: ArrayLike<number>, maxFlips: number): number[] {
  const out = Array.from(after);
  const crossings: Array<{ i: number; at: number }> = [];
  for (let i = 0; i < out.length; i++) {
    const t0 = before[i]!;
    const t1 = after[i]!;
    const n = norms[i]!;
    if (n - t0 >= 0 !== n - t1 >= 0) crossings.push({ i, at: (n - t0) / (t1 - t0) });
  }
  if (crossings.length <= maxFlips) return out;
  crossings.sort((a, b) => a.at - b.at || a.i - b.i);
  for (const { i } of crossings.slice(maxFlips)) out[i] = before[i]!;
  return out;
}
