/**
 * What a study's "best" is, in words: the most accurate front member within the latency target, or
 * why there is none. A front with members and no best means none of them meets the target; saying so
 * (with the most accurate and the fastest member) is what `best -` alone never told anyone. Pure:
 * the workflow's details line, `spnas study status` and the summary printout all use it.
 */
import { formatTop1 } from './accuracy';
import type { FrontMember, StudyStatus } from './records';

const member = (m: FrontMember) => `${formatTop1(m.top1, m.images)} @ ${m.latencyMs.toFixed(2)} ms (trial ${m.trialId})`;

/** How the model at the target was chosen: "selected trial 3: resolved" / "... tied with trials 1, 5 on top-1; decided by latency". */
export function selectionLine(s: Pick<StudyStatus, 'selection'>): string | undefined {
  const d = s.selection;
  if (!d) return undefined;
  if (d.decidedBy === 'resolved') return `selected trial ${d.trialId}: its top-1 is resolvably the highest within the target (95% intervals)`;
  if (d.decidedBy === 'point estimate') return `selected trial ${d.trialId}: highest top-1 point estimate (image counts unknown, no intervals to compare)`;
  const tied = d.tiedWith.length ? `tied on top-1 within the 95% intervals with trial${d.tiedWith.length > 1 ? 's' : ''} ${d.tiedWith.join(', ')}` : 'tied';
  return `selected trial ${d.trialId}: ${tied}; decided by ${d.decidedBy === 'top-1' ? 'the higher top-1 estimate' : d.decidedBy}`;
}

export function bestLine(s: Pick<StudyStatus, 'best' | 'front' | 'targetMs' | 'trials'>): string {
  if (s.best) return `best ${member(s.best)}`;
  const target = s.targetMs !== undefined ? ` ${s.targetMs.toFixed(1)} ms` : '';
  if (!s.front.length) return s.trials.ok ? `best - (no completed trial on the front yet)` : `best - (no trial completed yet)`;
  const accurate = [...s.front].sort((a, b) => b.top1 - a.top1 || a.latencyMs - b.latencyMs)[0]!;
  const fastest = [...s.front].sort((a, b) => a.latencyMs - b.latencyMs || b.top1 - a.top1)[0]!;
  const also = fastest.trialId !== accurate.trialId ? `, fastest ${member(fastest)}` : '';
  return `best - (no front member meets the target${target}; most accurate ${member(accurate)}${also})`;
}
