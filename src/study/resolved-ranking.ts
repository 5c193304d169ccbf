/**
 * Front and selection that decide only on differences the intervals resolve (docs/report.md
 * "Accuracy with its uncertainty"). Two trials' top-1s are tied when the 95% Newcombe interval of
 * their difference contains 0 (compareTop1). On the front, ties are broken by, in order: lower
 * latency, more images (the better-measured accuracy), lower trial id (the earlier trial). At the
 * latency target, where latency is a constraint and not an objective, a tie goes first to the higher
 * top-1 estimate (the best guess of the final model's accuracy: over 70 tied pairs of recorded
 * networks it picked the better final model 41 times, lower latency 31; bench/evidence/report-tie-break.ts),
 * then as on the front. Each decision records which rule made it. When any contender's image count is
 * unknown (records from before counts were kept) both fall back to the point estimates, as before.
 */
import { paretoFront2d, selectForLatencyTarget } from '../hpo/pareto';
import { compareTop1, type MeasuredTop1 } from './accuracy';

/** What decided between two trials: their intervals, a tie-break, or (counts unknown) the point estimates. */
export type Decision = 'resolved' | 'top-1' | 'latency' | 'images' | 'trial id' | 'point estimate';
export type TieBreak = Extract<Decision, 'latency' | 'images' | 'trial id'>;
/**
 * How the selection breaks a tie: 'top-1', the higher top-1 estimate first, then the front's order;
 * 'latency', the front's order alone (studies recorded before the change, which replay as they ran).
 */
export type SelectionTieBreak = 'top-1' | 'latency';

export interface Contender extends MeasuredTop1 {
  trialId: number;
  latencyMs: number;
}

/** Tie-break order: lower latency, then more images, then the earlier trial. */
function precedes(a: Contender, b: Contender): number {
  return a.latencyMs - b.latencyMs || (b.images ?? 0) - (a.images ?? 0) || a.trialId - b.trialId;
}

/** The rule that put `winner` before `loser` when their top-1s are tied. */
function tieBreak(winner: Contender, loser: Contender): TieBreak {
  if (winner.latencyMs !== loser.latencyMs) return 'latency';
  if ((winner.images ?? 0) !== (loser.images ?? 0)) return 'images';
  return 'trial id';
}

const countsKnown = (c: readonly Contender[]) => c.every((t) => t.images !== undefined);

export interface ResolvedFront<T extends Contender> {
  /** Members, most accurate (point estimate) first. */
  members: T[];
  /** Per member: the tied trials it kept off the front and the tie-break that did. */
  ties: Map<number, Array<{ trialId: number; by: TieBreak }>>;
}

/**
 * The accuracy-latency front at the intervals' resolution: walking from the fastest trial, a trial
 * joins only when its top-1 is resolvably higher than every member so far; a trial tied with a member
 * is kept off by the tie-break. Walking from the fastest keeps the relation's non-transitivity
 * harmless: a trial is judged against members only, never against a trial that is itself off.
 */
export function resolvedFront<T extends Contender>(contenders: readonly T[]): ResolvedFront<T> {
  const ties = new Map<number, Array<{ trialId: number; by: TieBreak }>>();
  if (!countsKnown(contenders)) {
    const idx = paretoFront2d(
      contenders.map((t) => [t.top1, t.latencyMs]),
      ['maximize', 'minimize'],
    );
    return { members: idx.map((i) => contenders[i]!), ties };
  }
  let members: T[] = [];
  for (const x of [...contenders].sort(precedes)) {
    const blocker = members.find((m) => compareTop1(x, m) !== 1);
    if (!blocker) {
      // x beats every member; a member as fast as x is then dominated outright.
      members = members.filter((m) => m.latencyMs < x.latencyMs);
      members.push(x);
      continue;
    }
    if (compareTop1(x, blocker) === 0) {
      const list = ties.get(blocker.trialId) ?? [];
      list.push({ trialId: x.trialId, by: tieBreak(blocker, x) });
      ties.set(blocker.trialId, list);
    }
  }
  for (const id of [...ties.keys()]) if (!members.some((m) => m.trialId === id)) ties.delete(id);
  members.sort((a, b) => b.top1 - a.top1 || a.trialId - b.trialId);
  return { members, ties };
}

export interface ResolvedSelection<T extends Contender> {
  /** Whether a contender meets the latency target; else `chosen` is the fastest. */
  met: boolean;
  chosen: T;
  /** 'resolved': no contender within the target is tied with the most accurate one. */
  decidedBy: Decision;
  /** The other contenders whose top-1 is tied with the most accurate one's (the tie the rule broke). */
  tiedWith: number[];
}

/**
 * The model for a latency target: among the contenders within it, those whose top-1 is tied with the
 * most accurate one's; of these the first by the tie-break. None within the target: the fastest.
 */
export function resolvedSelection<T extends Contender>(contenders: readonly T[], targetMs: number, by: SelectionTieBreak = 'top-1'): ResolvedSelection<T> {
  const sel = selectForLatencyTarget(
    contenders.map((t) => ({ accuracy: t.top1, latencyMs: t.latencyMs, t })),
    targetMs,
  );
  if (!sel.met) return { met: false, chosen: sel.fastest.t, decidedBy: 'latency', tiedWith: [] };
  if (!countsKnown(contenders)) return { met: true, chosen: sel.model.t, decidedBy: 'point estimate', tiedWith: [] };
  const top = sel.model.t;
  const byTop1 = by === 'top-1';
  const tied = contenders
    .filter((t) => t.latencyMs <= targetMs && (t === top || compareTop1(t, top) === 0))
    .sort((a, b) => (byTop1 ? b.top1 - a.top1 : 0) || precedes(a, b));
  const chosen = tied[0]!;
  const tiedWith = tied.filter((t) => t !== chosen).map((t) => t.trialId);
  const runnerUp = tied[1];
  const decidedBy = !runnerUp ? 'resolved' : byTop1 && chosen.top1 !== runnerUp.top1 ? 'top-1' : tieBreak(chosen, runnerUp);
  return { met: true, chosen, decidedBy, tiedWith };
}
