/**
 * Progress output on stderr: a redrawn bar with rate and ETA on a terminal, plain lines (every few
 * seconds) otherwise, so logs of CI, pods and Temporal workers stay readable. stdout is kept for
 * results (--json).
 */
export interface ProgressLine {
  done: number;
  total: number;
  /** Short text after the bar: loss, rate, current architecture. */
  detail: string;
}

function fmtEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export class ProgressReporter {
  private readonly tty: boolean;
  private readonly started = Date.now();
  private lastPlain = 0;
  private startDone: number | undefined;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 5000,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(p: ProgressLine): void {
    this.startDone ??= p.done - 1;
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = (p.done - this.startDone) / Math.max(elapsed, 1e-3);
    const eta = fmtEta((p.total - p.done) / rate);
    const pct = ((100 * p.done) / p.total).toFixed(0).padStart(3);
    if (this.tty) {
      const width = 24;
      const fill = Math.round((width * p.done) / p.total);
      const line = `${this.label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct}% ${p.done}/${p.total} eta ${eta} ${p.detail}`;
      this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
      if (p.done >= p.total) this.stream.write('\n');
    } else if (Date.now() - this.lastPlain >= this.plainEveryMs || p.done >= p.total) {
      this.lastPlain = Date.now();
      this.stream.write(`${this.label} ${pct}% ${p.done}/${p.total} eta ${eta} ${p.detail}\n`);
    }
  }

  log(msg: string): void {
    this.stream.write(this.tty ? `\r\x1b[K${msg}\n` : `${msg}\n`);
  }
}
