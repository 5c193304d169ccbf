/**
 * What a study's "best" is, in words: the most accurate front member within the latency target, or
 * why there is none. A front with members and no best means none of them meets the target; saying so
 * (with the most accurate and the fastest member) is what `best -` alone never told anyone. Pure:
 * the workflow's details line, `spnas study status` and the summary printout all use it.
 */
import type { FrontMember, StudyStatus } from './records';

const pct = (top1: number) => `${(100 * top1).toFixed(1)}%`;
const member = (m: FrontMember) => `${pct(m.top1)} @ ${m.latencyMs.toFixed(2)} ms (trial ${m.trialId})`;

export function bestLine(s: Pick<StudyStatus, 'best' | 'front' | 'targetMs' | 'trials'>): string {
  if (s.best) return `best ${member(s.best)}`;
  const target = s.targetMs !== undefined ? ` ${s.targetMs.toFixed(1)} ms` : '';
  if (!s.front.length) return s.trials.ok ? `best - (no completed trial on the front yet)` : `best - (no trial completed yet)`;
  const accurate = [...s.front].sort((a, b) => b.top1 - a.top1 || a.latencyMs - b.latencyMs)[0]!;
  const fastest = [...s.front].sort((a, b) => a.latencyMs - b.latencyMs || b.top1 - a.top1)[0]!;
  const also = fastest.trialId !== accurate.trialId ? `, fastest ${member(fastest)}` : '';
  return `best - (no front member meets the target${target}; most accurate ${member(accurate)}${also})`;
}
