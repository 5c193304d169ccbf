/**
 * Live progress of a study on stderr: trials by state, best so far, the front's size, an ETA from
 * the trials finished so far, redrawn on a terminal and printed every few seconds otherwise.
 */
import type { StudyStatus } from '../study/records';

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.round(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}` : `${m}m`;
}

/**
 * One status line: counts, best within the target, ETA. `now` is the caller's clock: the status's own
 * `now` is workflow time, which stands still between workflow tasks (a long trial).
 */
export function statusLine(s: StudyStatus, now: number = s.state === 'running' || s.state === 'stopping' || s.state === 'final' ? Date.now() : s.now): string {
  const done = s.trials.ok + s.trials.failed;
  const elapsed = (now - s.startedAt) / 1000;
  const left = Math.max(0, s.trials.planned - done);
  const eta = done > 0 && s.state === 'running' ? fmtDuration((elapsed / done) * left) : '-';
  const best = s.best ? `best ${(100 * s.best.top1).toFixed(1)}% @ ${s.best.latencyMs.toFixed(2)} ms` : 'best -';
  return `study ${s.study} [${s.state}] trials ${done}/${s.trials.planned} done (${s.trials.ok} ok, ${s.trials.failed} failed, ${s.trials.running} running) | ${best} | front ${s.front.length} | elapsed ${fmtDuration(elapsed)} | eta ${eta}`;
}

export class StudyProgress {
  private last = '';
  private lastPrinted = 0;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(s: StudyStatus): void {
    const line = statusLine(s);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
    } else if (line !== this.last || Date.now() - this.lastPrinted > 30_000) {
      this.stream.write(line + '\n');
      this.lastPrinted = Date.now();
    }
    this.last = line;
  }

  done(): void {
    if (this.stream.isTTY && this.last) this.stream.write('\n');
  }
}
