/**
 * A small HTTP server on 127.0.0.1 for spnas's pages: the browser profiler, `spnas export --web --serve`
 * and the browser tests. It serves in-memory files and/or a directory, plus JSON POST routes.
 *
 * Safety: it listens on the loopback address only; it refuses a Host header that is not this
 * machine (a DNS-rebinding page cannot talk to it); directory paths cannot leave the directory; every
 * response forbids content sniffing and caching, and pages get a Content-Security-Policy that allows
 * nothing but this origin (so a page cannot load anything from elsewhere even by mistake).
 * With `crossOriginIsolated`, pages are served with COOP/COEP: that gives them 5 us timers instead of
 * 100 us, and SharedArrayBuffer, which the multi-threaded WASM backend needs.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { InvalidInputError } from '../errors';

export interface StaticFile {
  body: Uint8Array | string;
  /** Content type; default from the extension. */
  type?: string;
}

/** A POST route: receives the parsed JSON body, answers with a JSON value (or throws to answer 400). */
export type JsonRoute = (body: unknown) => unknown;

export interface LocalServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Files by URL path ('/index.html'); '/' serves '/index.html'. */
  files?: Map<string, StaticFile>;
  /** A directory served below '/', after `files`. */
  dir?: string;
  routes?: Record<string, JsonRoute>;
  /** Serve with COOP/COEP (see the file comment). Default true. */
  crossOriginIsolated?: boolean;
  /** Largest accepted POST body, bytes. Default 16 MiB. */
  maxBodyBytes?: number;
}

export interface LocalServer {
  /** 'http://127.0.0.1:<port>/' */
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** Same-origin only; wasm-unsafe-eval to compile WebAssembly; blob: workers and their importScripts(blob:) for the threaded WASM backend. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/** The Content-Type spnas serves (and stores in S3) for a file name. */
export function contentTypeOf(p: string): string {
  return TYPES[path.extname(p).toLowerCase()] ?? 'application/octet-stream';
}

function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

async function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) throw new InvalidInputError(`request body larger than ${max} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The file under `dir` for a URL path, or undefined when it is outside `dir` or not a file. */
function fileInDir(dir: string, urlPath: string): string | undefined {
  const root = path.resolve(dir);
  const p = path.resolve(root, '.' + path.posix.normalize(urlPath));
  if (p !== root && !p.startsWith(root + path.sep)) return undefined;
  try {
    return fs.statSync(p).isFile() ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Throws InvalidInputError unless `port` is absent or 0..65535 (0 = any free port). */
export function checkPort(port: number | undefined): void {
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
    throw new InvalidInputError(`port ${port}: must be an integer from 0 (any free port) to 65535`);
}

/** Starts the server; resolves once it listens. */
export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  checkPort(opts.port);
  const isolated = opts.crossOriginIsolated ?? true;
  const maxBody = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  let port = 0;
  const server = http.createServer((req, res) => {
    const send = (status: number, body: Uint8Array | string, type: string) => {
      const headers: http.OutgoingHttpHeaders = {
        'content-type': type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      };
      if (type.startsWith('text/html')) headers['content-security-policy'] = PAGE_CSP;
      if (isolated) {
        headers['cross-origin-opener-policy'] = 'same-origin';
        headers['cross-origin-embedder-policy'] = 'require-corp';
        headers['cross-origin-resource-policy'] = 'same-origin';
      }
      res.writeHead(status, headers);
      res.end(body);
    };
    const json = (status: number, v: unknown) => send(status, JSON.stringify(v), 'application/json');
    if (!hostAllowed(req.headers.host, port)) return json(403, { error: `host '${req.headers.host}' is not this machine` });
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method === 'POST') {
      const route = opts.routes?.[urlPath];
      if (!route) return json(404, { error: `no route ${urlPath}` });
      readBody(req, maxBody)
        .then((text) => json(200, route(JSON.parse(text)) ?? { ok: true }))
        .catch((err: unknown) => json(400, { error: (err as Error).message }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: `method ${req.method} not allowed` });
    const key = urlPath === '/' ? '/index.html' : urlPath;
    const mem = opts.files?.get(key);
    if (mem) return send(200, mem.body, mem.type ?? contentTypeOf(key));
    const file = opts.dir ? fileInDir(opts.dir, key) : undefined;
    if (file) return send(200, fs.readFileSync(file), contentTypeOf(file));
    return json(404, { error: `not found: ${urlPath}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new InvalidInputError(`port ${opts.port} on 127.0.0.1 is in use; choose another --port or 0 for any free one`, { cause: err })
          : err,
      ),
    );
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Serves a directory as it is (index.html at '/'). */
export async function serveDirectory(dir: string, opts: Omit<LocalServerOptions, 'dir'> = {}): Promise<LocalServer> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InvalidInputError(`'${dir}' is not a directory to serve`);
  return startLocalServer({ ...opts, dir });
}
