/**
 * A real S3-compatible server for tests: gofakes3 (built by scripts/setup.d/gofakes3.sh) on a free
 * loopback port with a filesystem backend in a temp dir, so data survives `restart()`.
 *
 * gofakes3 does not verify request signatures. `requireAccessKeyId` puts a small HTTP gateway in
 * front of it that answers 403 InvalidAccessKeyId (S3's own XML error) for any other access key id,
 * as a real server would; requests with the right key are proxied unchanged.
 *
 * gofakes3 (v1.2.0) honours If-None-Match / If-Match on PUT. `ignoreConditionalWrites` makes the
 * gateway drop those headers, so the server behaves like an S3-compatible server without
 * conditional writes (the PUT overwrites), for the run lease's refusal / best-effort tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createNetServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');
/** Where scripts/setup.d/gofakes3.sh installs the binary. */
export const GOFAKES3_BIN = join(REPO, '.tools', 'bin', 'gofakes3');

/** A running server and the AWS environment that points the SDK at it. */
export interface S3TestServer {
  endpoint: string;
  port: number;
  bucket: string;
  /** AWS_* variables for openStore(uri, { env }). */
  env: Record<string, string>;
  /** Kills the server (SIGKILL: like a crash); the data directory stays. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
  /** The server process's PID while it runs. */
  pid(): number | undefined;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gofakes3 exited with code ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((res) => {
      const sock = connect(port, '127.0.0.1', () => {
        sock.destroy();
        res(true);
      });
      sock.once('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gofakes3 did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${log()}`);
}

function gateway(target: number, opts: { accessKeyId?: string; ignoreConditionalWrites?: boolean }): Server {
  return createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const m = /Credential=([^/]+)\//.exec(auth);
    if (opts.accessKeyId !== undefined && (!m || m[1] !== opts.accessKeyId)) {
      req.resume();
      const body =
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>';
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const headers = { ...req.headers };
    if (opts.ignoreConditionalWrites && req.method === 'PUT') {
      delete headers['if-match'];
      delete headers['if-none-match'];
    }
    const up = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
}

/**
 * Starts gofakes3 and creates `bucket` (default 'spnas-test').
 * @throws when the binary is missing: run scripts/setup.sh (tests fail rather than skip).
 */
export async function startS3Server(opts: { bucket?: string; requireAccessKeyId?: string; ignoreConditionalWrites?: boolean } = {}): Promise<S3TestServer> {
  if (!existsSync(GOFAKES3_BIN)) {
    throw new Error(`gofakes3 not found at ${GOFAKES3_BIN}: run scripts/setup.sh (it builds the test S3 server via scripts/setup.d/gofakes3.sh)`);
  }
  const bucket = opts.bucket ?? 'spnas-test';
  const dir = mkdtempSync(join(tmpdir(), 'spnas-s3-'));
  const s3Port = await freePort();
  let child: ChildProcess | undefined;
  let stderr = '';
  const start = async () => {
    stderr = '';
    child = spawn(GOFAKES3_BIN, ['-backend', 'fs', '-fs.path', dir, '-fs.create', '-host', `127.0.0.1:${s3Port}`, '-initialbucket', bucket, '-quiet'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    await waitForPort(s3Port, child, () => stderr);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((res) => {
      c.once('exit', () => res());
      c.kill('SIGKILL');
    });
  };
  await start();
  let gw: Server | undefined;
  let port = s3Port;
  if (opts.requireAccessKeyId || opts.ignoreConditionalWrites) {
    const g = gateway(s3Port, {
      ...(opts.requireAccessKeyId ? { accessKeyId: opts.requireAccessKeyId } : {}),
      ...(opts.ignoreConditionalWrites ? { ignoreConditionalWrites: true } : {}),
    });
    gw = g;
    port = await new Promise<number>((res) => g.listen(0, '127.0.0.1', () => res((g.address() as { port: number }).port)));
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: opts.requireAccessKeyId ?? 'spnas-test',
      AWS_SECRET_ACCESS_KEY: 'spnas-test-secret',
      SPNAS_S3_FORCE_PATH_STYLE: 'true',
    },
    kill,
    start,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    async stop() {
      await kill();
      if (gw) await new Promise<void>((res) => gw!.close(() => res()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
