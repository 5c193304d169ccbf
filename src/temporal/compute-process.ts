/**
 * A compute worker in its own process (`spnas worker --role compute`): the embedded study runs its
 * heavy activities there, so a training step (synchronous native code, seconds on a loaded machine)
 * never holds up the orchestration worker's event loop, and a crashed or killed trainer costs one
 * activity retry, not the study.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { TemporalTarget } from './connection';

export interface ComputeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** SIGTERM (graceful: running activities checkpoint) and wait; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The `spnas` entry of this installation (bin/spnas.js beside src/ or dist/). */
export function spnasBin(): string {
  return path.resolve(path.dirname(require.resolve('@temporalio/client/package.json')), '..', '..', '..', 'bin', 'spnas.js');
}

export function spawnComputeWorker(target: TemporalTarget, o: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): ComputeProcess {
  const child = spawn(process.execPath, [spnasBin(), 'worker', '--role', 'compute'], {
    env: {
      ...process.env,
      ...o.env,
      TEMPORAL_ADDRESS: target.address,
      TEMPORAL_NAMESPACE: target.namespace,
      SPNAS_METRICS_PORT: o.env?.SPNAS_METRICS_PORT ?? '0',
      SPNAS_HEALTH_PORT: o.env?.SPNAS_HEALTH_PORT ?? '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  for (const stream of [child.stdout!, child.stderr!]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.trim()) log(`[compute ${child.pid}] ${l}`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    async stop(graceMs = 60_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
