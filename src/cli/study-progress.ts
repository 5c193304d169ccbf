/**
 * Live progress of a study on stderr: trials by state, best so far (or why there is none), the
 * front's size, what is running now (each heavy activity's step and ETA, from its heartbeat details)
 * and an ETA for the study in every phase, redrawn on a terminal and printed every few seconds otherwise.
 */
import { bestLine } from '../study/best-line';
import type { StudyStatus } from '../study/records';
import type { ActivityProgress } from '../temporal/activity-progress';

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.round(s / 60);
  if (m === 0) return s > 0 ? '<1m' : '0m';
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}` : `${m}m`;
}

const STUDY_ACTIVITY: Record<string, string> = {
  warmupSupernet: 'shared warm-up',
  trainModel: 'final retraining',
  evaluateModel: 'final evaluation',
  profileLatency: 'profiling',
};
const TRIAL_ACTIVITY: Record<string, string> = { searchArchitecture: 'search', trainModel: 'retrain', evaluateModel: 'evaluate' };

/** `trial 3 search 40/96 eta 2m` or `final retraining 300/1056 eta 20m`. */
export function activityLine(a: ActivityProgress): string {
  const what = a.trialId !== undefined ? `trial ${a.trialId} ${TRIAL_ACTIVITY[a.activity] ?? a.activity}` : (STUDY_ACTIVITY[a.activity] ?? a.activity);
  const step = a.done !== undefined && a.total ? ` ${a.done}/${a.total}` : a.phase ? ` (${a.phase})` : ' (starting)';
  const attempt = a.attempt > 1 ? ` attempt ${a.attempt}` : '';
  return `${what}${step}${attempt}${a.etaSeconds !== undefined ? ` eta ${fmtDuration(a.etaSeconds)}` : ''}`;
}

/**
 * The study's ETA: while trials run, the trials left at the pace of those finished (or, before the
 * first finishes, at least the running activities' time, marked '+'); in the final phase, the final
 * retraining's own ETA; when stopping, the running activities' time and the final phase after it ('+').
 */
function studyEta(s: StudyStatus, elapsed: number, activities: ActivityProgress[]): string {
  const done = s.trials.ok + s.trials.failed;
  const longest = activities.reduce<number | undefined>((m, a) => (a.etaSeconds === undefined ? m : Math.max(m ?? 0, a.etaSeconds)), undefined);
  if (s.state === 'running' && done > 0) return fmtDuration((elapsed / done) * Math.max(0, s.trials.planned - done));
  if (s.state === 'final') return longest !== undefined ? fmtDuration(longest) : '-';
  if ((s.state === 'running' || s.state === 'stopping') && longest !== undefined) return `${fmtDuration(longest)}+`;
  return '-';
}

/**
 * One status line: counts, best within the target (or why none), ETA, what runs now. `now` is the
 * caller's clock: the status's own `now` is workflow time, which stands still between workflow tasks (a
 * long trial).
 */
export function statusLine(
  s: StudyStatus,
  now: number = s.state === 'running' || s.state === 'stopping' || s.state === 'final' ? Date.now() : s.now,
  activities: ActivityProgress[] = [],
): string {
  const done = s.trials.ok + s.trials.failed;
  const elapsed = (now - s.startedAt) / 1000;
  const cancelled = s.trials.cancelled ? `, ${s.trials.cancelled} cancelled and replaced` : '';
  const shown = activities.slice(0, 3).map(activityLine);
  if (activities.length > 3) shown.push(`+${activities.length - 3} more`);
  return (
    `study ${s.study} [${s.state}] trials ${done}/${s.trials.planned} done (${s.trials.ok} ok, ${s.trials.failed} failed, ${s.trials.running} running${cancelled}) | ${bestLine(s)} | front ${s.front.length} | elapsed ${fmtDuration(elapsed)} | eta ${studyEta(s, elapsed, activities)}` +
    (shown.length ? ` | ${shown.join('; ')}` : '')
  );
}

export class StudyProgress {
  private last = '';
  private lastKey = '';
  private lastPrinted = 0;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(s: StudyStatus, activities: ActivityProgress[] = []): void {
    const line = statusLine(s, undefined, activities);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
    } else {
      // a log, not a screen: at once when the trials or the state change, else every 30 s at most
      const key = `${s.state} ${s.trials.ok} ${s.trials.failed} ${s.trials.running} ${s.trials.planned} ${s.front.length}`;
      const since = Date.now() - this.lastPrinted;
      if (key !== this.lastKey || (line !== this.last && since > 30_000) || since > 120_000) {
        this.stream.write(line + '\n');
        this.lastPrinted = Date.now();
        this.lastKey = key;
      }
    }
    this.last = line;
  }

  done(): void {
    if (this.stream.isTTY && this.last) this.stream.write('\n');
  }
}
