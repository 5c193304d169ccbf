/**
 * SIGINT/SIGTERM -> AbortSignal: long commands checkpoint and exit cleanly (exit 130) instead of
 * dying mid-write. A second signal exits at once. The signal's reason is a `StopSignal` naming the
 * signal: `spnas run-activity` in a Job's container tells a SIGTERM (the pod is being stopped:
 * preemption, eviction, drain, deadline; retryable) from a cancellation.
 */
export class StopSignal extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`received ${signal}`);
    // What an AbortSignal's default reason is called: APIs that rethrow the reason stay recognisable.
    this.name = 'AbortError';
  }
}

/** The signal that stopped `signal`'s owner, when it was one of ours. */
export function stopSignalOf(signal: AbortSignal | undefined): NodeJS.Signals | undefined {
  return signal?.aborted && signal.reason instanceof StopSignal ? signal.reason.signal : undefined;
}

export function abortOnSignals(): { signal: AbortSignal; release: () => void } {
  const ctrl = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (ctrl.signal.aborted) process.exit(130);
    process.stderr.write(`\n${sig}: stopping after the current step and saving a checkpoint (send again to exit now)\n`);
    ctrl.abort(new StopSignal(sig));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ctrl.signal,
    release: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
