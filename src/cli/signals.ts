/**
 * SIGINT/SIGTERM -> AbortSignal: long commands checkpoint and exit cleanly (exit 130) instead of
 * dying mid-write. A second signal exits at once.
 */
export function abortOnSignals(): { signal: AbortSignal; release: () => void } {
  const ctrl = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (ctrl.signal.aborted) process.exit(130);
    process.stderr.write(`\n${sig}: stopping after the current step and saving a checkpoint (send again to exit now)\n`);
    ctrl.abort();
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
