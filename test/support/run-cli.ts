/**
 * Runs the real `spnas` binary (bin/spnas.js) in a child process, as a user would. Every run has a
 * deadline: a child that hangs or never prints is killed (SIGKILL) and the run reports it, so a test
 * fails instead of hanging the suite.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
const BIN = resolve(REPO, 'bin', 'spnas.js');
const DEFAULT_TIMEOUT_MS = 300_000;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The signal that ended the child (e.g. 'SIGKILL'), if any. */
  signal?: NodeJS.Signals | null;
  /** True when the deadline passed and the child was killed. */
  timedOut?: boolean;
}

export interface CliOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
}

const childEnv = (env?: Record<string, string>) => ({ ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...env });

export function spnas(args: string[], opts: CliOptions = {}): CliRun {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', env: childEnv(opts.env) });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return {
    code: r.status ?? -1,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (timedOut ? `\n[test: spnas ${args[0]} killed after ${timeoutMs} ms]` : ''),
    signal: r.signal,
    timedOut,
  };
}

/** A `spnas` process running in the background. */
export interface RunningCli {
  child: ChildProcess;
  /** Settles when the process has exited (or was killed at its deadline). */
  done: Promise<CliRun>;
  /** Everything the process printed on stderr so far. */
  stderr(): string;
}

export function startSpnas(args: string[], opts: CliOptions = {}): RunningCli {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise<CliRun>((res) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      res({ code: code ?? -1, stdout, stderr: stderr + (timedOut ? `\n[test: spnas ${args[0]} killed after ${timeoutMs} ms]` : ''), signal, timedOut });
    });
  });
  return { child, done, stderr: () => stderr };
}

/**
 * Polls `check` every `intervalMs` until it returns a value, the process ends, or `timeoutMs` passes.
 * @throws naming `what` and the process's stderr when it never happens.
 */
export async function waitWhileRunning<T>(
  run: RunningCli,
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  o: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let exited = false;
  void run.done.then(() => {
    exited = true;
  });
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (exited) throw new Error(`spnas exited before ${what}:\n${run.stderr()}`);
    if (Date.now() > deadline) {
      run.child.kill('SIGKILL');
      throw new Error(`timed out waiting for ${what}:\n${run.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 20));
  }
}

/** The single JSON object a `--json` command prints on stdout. */
export function jsonOut(r: CliRun): Record<string, unknown> {
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}
