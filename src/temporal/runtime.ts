/**
 * The process-wide Temporal runtime: structured logs (plain or JSON lines) and the SDK's Prometheus
 * metrics endpoint. Installed once per process, before the first connection.
 */
import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { failureReason } from './failure-reason';

let installed: { metricsPort: number } | undefined;

function line(json: boolean) {
  return (entry: { level: LogLevel; message: string; meta?: LogMetadata; timestampNanos: bigint }) => {
    const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    const meta = entry.meta ?? {};
    const reason = meta.error !== undefined ? failureReason(meta.error) : undefined;
    if (json) {
      const rest = Object.fromEntries(Object.entries(meta).filter(([k]) => k !== 'error'));
      process.stderr.write(JSON.stringify({ time, level: entry.level.toLowerCase(), msg: entry.message, ...rest, ...(reason ? { reason } : {}) }) + '\n');
    } else {
      const ctx = ['workflowId', 'activityType', 'attempt'].filter((k) => meta[k] !== undefined).map((k) => `${k}=${String(meta[k])}`);
      process.stderr.write(`${time} ${entry.level.padEnd(5)} ${entry.message}${reason ? `: ${reason}` : ''}${ctx.length ? ` (${ctx.join(' ')})` : ''}\n`);
    }
  };
}

/**
 * Installs the runtime (idempotent: a second call with other settings keeps the first).
 * @param handleSignals let the SDK shut workers down on SIGINT/SIGTERM (a worker process); false when
 *   the caller owns the signals (the embedded study).
 */
export function installRuntime(o: { metricsPort: number; jsonLogs: boolean; handleSignals: boolean }): void {
  if (installed) return;
  Runtime.install({
    logger: new DefaultLogger('INFO', line(o.jsonLogs)),
    shutdownSignals: o.handleSignals ? ['SIGINT', 'SIGTERM'] : [],
    ...(o.metricsPort > 0 ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${o.metricsPort}` } } } } : {}),
  });
  installed = { metricsPort: o.metricsPort };
}
