/**
 * Child processes the fault harness owns (workers, servers): spawned with their output in a log file,
 * signalled by PID, and killed by PID if the harness itself exits, so a crashed campaign leaves no
 * worker training in the background.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
  /** Settles when the process has exited (its code, or the signal that ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  signal(sig: NodeJS.Signals): void;
  /** The last `n` characters of its log. */
  tail(n?: number): string;
}

const owned = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of owned)
      if (c.pid && c.exitCode === null && c.signalCode === null)
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
  });
}

export function spawnProc(name: string, cmd: string, args: string[], o: { env: NodeJS.ProcessEnv; log: string; cwd?: string }): Proc {
  hookExit();
  const fd = fs.openSync(o.log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: o.env, ...(o.cwd ? { cwd: o.cwd } : {}) });
  } finally {
    fs.closeSync(fd);
  }
  if (!child.pid) throw new Error(`cannot start ${name}: ${cmd} ${args.join(' ')}`);
  owned.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      owned.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    name,
    pid: child.pid,
    log: o.log,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    signal: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
    tail: (n = 2000) => {
      try {
        return fs.readFileSync(o.log, 'utf8').slice(-n);
      } catch {
        return '';
      }
    },
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopProc(p: Proc, graceMs = 15_000): Promise<void> {
  if (!p.alive()) return;
  p.signal('SIGTERM');
  const t = setTimeout(() => p.signal('SIGKILL'), graceMs);
  try {
    await p.exited;
  } finally {
    clearTimeout(t);
  }
}

/** Waits until `line` appears in the process's log; fails if it exits first or after `timeoutMs`. */
export async function waitForLog(p: Proc, line: RegExp, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (line.test(p.tail(1_000_000))) return;
    if (!p.alive()) throw new Error(`${p.name} (pid ${p.pid}) exited before logging ${line}:\n${p.tail()}`);
    if (Date.now() > end) throw new Error(`${p.name} (pid ${p.pid}) did not log ${line} within ${timeoutMs} ms:\n${p.tail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
