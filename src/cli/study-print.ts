/** How `spnas study` prints a study's status, front, final models and end (one place for run and status). */
import type { StudyResult, StudyStatus } from '../study/records';
import type { EndedStudy } from '../temporal/study-client';
import { statusLine } from './study-progress';

type Out = (line: string) => void;

export function printFront(s: StudyResult | StudyStatus, out: Out): void {
  if (!s.front.length) return out('front: (no completed trial)');
  const target = s.targetMs ?? ('table' in s ? s.table.targetMs : undefined);
  out(`front (held-out top-1 vs latency${target !== undefined ? `; * within the target ${target.toFixed(2)} ms` : ''}):`);
  for (const m of s.front)
    out(
      `  trial ${String(m.trialId).padStart(3)}  ${(100 * m.top1).toFixed(2).padStart(6)}%  ${m.latencyMs.toFixed(2).padStart(8)} ms${target !== undefined && m.latencyMs <= target ? ' *' : '  '}  lambda ${m.lambda?.toFixed(2) ?? '-'}  ${m.architecture}`,
    );
}

/** A finished study: its status line, front, final models and where its summary is. */
export function printResult(r: StudyResult, out: Out): void {
  out(statusLine(r));
  printFront(r, out);
  for (const m of r.final)
    out(
      `final model of trial ${m.trialId}: ${m.architecture}: held-out top-1 ${(100 * m.top1).toFixed(2)}%${m.testTop1 !== undefined ? `, test top-1 ${(100 * m.testTop1).toFixed(2)}%` : ''}, ${m.latencyMs?.toFixed(2) ?? '-'} ms measured (${m.predictedMs.toFixed(2)} predicted); ${m.model}`,
    );
  out(`summary (every trial): ${r.summary}`);
}

const ENDED: Record<string, string> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'was cancelled',
  TERMINATED: 'was terminated',
  TIMED_OUT: 'timed out',
};

/** "study x completed at <time>" / "study x failed at <time>: <reason>". */
export function endedLine(study: string, e: EndedStudy): string {
  const when = e.closeTime ? ` at ${e.closeTime.toISOString()}` : '';
  return `study ${study} ${ENDED[e.status] ?? e.status.toLowerCase()}${when}${e.reason && e.status !== 'CANCELLED' ? `: ${e.reason}` : ''}`;
}
