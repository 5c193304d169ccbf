/** Runs the real `spnas` binary (bin/spnas.js) in a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function spnas(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): CliRun {
  const r = spawnSync(process.execPath, [resolve(REPO, 'bin', 'spnas.js'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 300_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...opts.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The single JSON object a `--json` command prints on stdout. */
export function jsonOut(r: CliRun): Record<string, unknown> {
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}
