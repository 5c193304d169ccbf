/**
 * A compute worker in its own process (`spnas worker --role compute`): the embedded study runs its
 * heavy activities there, so a training step (synchronous native code, seconds on a loaded machine)
 * never holds up the orchestration worker's event loop, and a crashed or killed trainer costs one
 * activity retry, not the study.
 *
 * The child never outlives its parent: it holds the read end of a pipe on its stdin (`--with-parent`),
 * which the kernel closes when the parent exits however it exits (SIGKILL and crashes included, where
 * no handler of the parent runs); the child then shuts down as on SIGTERM (its activities checkpoint)
 * and exits, instead of training on under PID 1 beside the next `spnas study run`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TemporalTarget } from './connection';

export interface ComputeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** SIGTERM (graceful: running activities checkpoint) and wait; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The `spnas` entry of this installation: bin/spnas.js in the first folder above this module that has
 * one (the checkout, from src/ and from dist/). Not found through node_modules: in a git worktree that
 * links another checkout's node_modules, that would run the other checkout's code.
 */
export function spnasBin(): string {
  for (let d = __dirname; path.dirname(d) !== d; d = path.dirname(d)) {
    const bin = path.join(d, 'bin', 'spnas.js');
    if (fs.existsSync(bin) && fs.existsSync(path.join(d, 'package.json'))) return bin;
  }
  return path.resolve(path.dirname(require.resolve('@temporalio/client/package.json')), '..', '..', '..', 'bin', 'spnas.js');
}

export function spawnComputeWorker(target: TemporalTarget, o: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): ComputeProcess {
  const child = spawn(process.execPath, [spnasBin(), 'worker', '--role', 'compute', '--with-parent'], {
    env: {
      ...process.env,
      ...o.env,
      TEMPORAL_ADDRESS: target.address,
      TEMPORAL_NAMESPACE: target.namespace,
      SPNAS_METRICS_PORT: o.env?.SPNAS_METRICS_PORT ?? '0',
      SPNAS_HEALTH_PORT: o.env?.SPNAS_HEALTH_PORT ?? '0',
    },
    // stdin: the pipe whose closing tells the child that this process is gone (never written to)
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin!.on('error', () => undefined);
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
