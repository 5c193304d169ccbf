// The pages' HTTP server: loopback only, this machine's Host names only, no path outside its
// directory, isolation and CSP headers on, JSON routes with a size limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { serveDirectory, startLocalServer } from '../../src/browser/local-server';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request (fetch would not let us forge the Host header or send '..' unnormalised). */
function request(port: number, urlPath: string, opts: { method?: string; host?: string; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: opts.method ?? 'GET',
        headers: { host: opts.host ?? `127.0.0.1:${port}`, 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

test('serves a directory with isolation and CSP headers, and nothing outside it or to other hosts', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-srv-'));
  const site = path.join(root, 'site');
  fs.mkdirSync(path.join(site, 'wasm'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><p>hi</p>');
  fs.writeFileSync(path.join(site, 'wasm', 'x.wasm'), Buffer.from([0, 97, 115, 109]));
  fs.writeFileSync(path.join(root, 'secret.txt'), 'not served');
  const s = await serveDirectory(site, { crossOriginIsolated: true });
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await request(s.port, '/');
    assert.equal(page.status, 200);
    assert.equal(page.body, '<!doctype html><p>hi</p>');
    assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal((await request(s.port, '/wasm/x.wasm')).headers['content-type'], 'application/wasm', 'WebAssembly.instantiateStreaming needs this type');
    assert.equal((await request(s.port, '/localhost-alias', { host: `localhost:${s.port}` })).status, 404, 'localhost is this machine too');
    assert.equal((await request(s.port, '/', { host: `evil.example:${s.port}` })).status, 403, 'a DNS-rebinding host is refused');
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/wasm/../../secret.txt']) {
      const r = await request(s.port, p);
      assert.equal(r.status, 404, p);
      assert.doesNotMatch(r.body, /not served/);
    }
    assert.equal((await request(s.port, '/', { method: 'DELETE' })).status, 405);
  } finally {
    await s.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('JSON routes: answers, errors as 400, unknown routes 404, bodies over the limit refused', async () => {
  const got: unknown[] = [];
  const s = await startLocalServer({
    files: new Map([['/index.html', { body: 'x' }]]),
    routes: {
      '/api/t/echo': (b) => (got.push(b), { n: got.length }),
      '/api/t/fail': () => {
        throw new Error('bad measurement');
      },
    },
    maxBodyBytes: 100,
  });
  try {
    const ok = await request(s.port, '/api/t/echo', { method: 'POST', body: '{"a":1}' });
    assert.deepEqual([ok.status, JSON.parse(ok.body)], [200, { n: 1 }]);
    assert.deepEqual(got, [{ a: 1 }]);
    const bad = await request(s.port, '/api/t/fail', { method: 'POST', body: '{}' });
    assert.deepEqual([bad.status, JSON.parse(bad.body).error], [400, 'bad measurement']);
    assert.equal((await request(s.port, '/api/other/echo', { method: 'POST', body: '{}' })).status, 404, 'another session token reaches nothing');
    const big = await request(s.port, '/api/t/echo', { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(200) }) });
    assert.equal(big.status, 400);
    assert.match(JSON.parse(big.body).error, /larger than 100 bytes/);
    assert.equal((await request(s.port, '/api/t/echo', { method: 'POST', body: 'not json' })).status, 400);
    assert.equal(got.length, 1);
  } finally {
    await s.close();
  }
});

test('a port in use is a clear input error', async () => {
  const a = await startLocalServer({ files: new Map() });
  try {
    await assert.rejects(startLocalServer({ port: a.port, files: new Map() }), new RegExp(`port ${a.port} on 127.0.0.1 is in use`));
  } finally {
    await a.close();
  }
});
