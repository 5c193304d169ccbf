/** A use case's context for a CLI command: progress bar on stderr, SIGINT/SIGTERM as cancellation. */
import * as os from 'node:os';
import type { UseCaseContext } from '../usecases/context';
import { ProgressReporter } from './progress';
import { abortOnSignals } from './signals';

export interface CliContext {
  ctx: UseCaseContext;
  /** Prints a line on stderr (progress-safe). */
  log(line: string): void;
  /** Stops listening for signals. */
  release(): void;
}

export function cliContext(label: string): CliContext {
  const progress = new Map<string, ProgressReporter>();
  const reporter = (phase: string): ProgressReporter => {
    let r = progress.get(phase);
    if (!r) progress.set(phase, (r = new ProgressReporter(phase === label ? label : `${label}: ${phase}`)));
    return r;
  };
  const main = reporter(label);
  const { signal, release } = abortOnSignals();
  const log = (line: string) => main.log(line);
  return {
    ctx: {
      signal,
      log,
      owner: `cli:${os.hostname()}:${process.pid}`,
      onProgress: (p) => reporter(p.phase === label ? label : p.phase).update({ done: p.done, total: p.total, detail: p.detail ?? '' }),
    },
    log,
    release,
  };
}
