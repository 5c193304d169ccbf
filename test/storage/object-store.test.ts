// One contract, run against both backends: local disk and a real S3-compatible server (gofakes3).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openStore, type ObjectStore } from '../../src/storage';
import { CancelledError, DataError, InvalidInputError } from '../../src/errors';
import { startS3Server, type S3TestServer } from '../support/s3-server';

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

async function* chunks(total: number, size: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < total; off += size) {
    const n = Math.min(size, total - off);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (off + i) % 251;
    yield b;
  }
}

function contract(name: string, open: () => ObjectStore) {
  describe(`ObjectStore contract: ${name}`, () => {
    test('put/get round trip of bytes and strings, with sha256', async () => {
      const s = open();
      const data = new Uint8Array([0, 1, 2, 255, 128]);
      const r = await s.put('a/b/c.bin', data);
      assert.equal(r.size, 5);
      assert.equal(r.sha256, createHash('sha256').update(data).digest('hex'));
      assert.deepEqual([...(await s.get('a/b/c.bin'))], [...data]);
      await s.put('text.txt', 'héllo');
      assert.equal(Buffer.from(await s.get('text.txt')).toString('utf8'), 'héllo');
      await s.put('a/b/c.bin', new Uint8Array([9]));
      assert.deepEqual([...(await s.get('a/b/c.bin'))], [9], 'overwrite replaces the whole object');
    });

    test('streaming put and ranged streaming get', async () => {
      const s = open();
      const r = await s.putStream('stream/x.bin', chunks(300_000, 7_777));
      assert.equal(r.size, 300_000);
      const all = await collect(s.getStream('stream/x.bin'));
      assert.equal(all.length, 300_000);
      assert.equal(createHash('sha256').update(all).digest('hex'), r.sha256);
      const tail = await collect(s.getStream('stream/x.bin', { start: 299_990 }));
      assert.deepEqual([...tail], [...all.subarray(299_990)]);
    });

    test('head, list by string prefix, delete, deletePrefix', async () => {
      const s = open();
      for (const k of ['l/step-1/a', 'l/step-1/b', 'l/step-10/a', 'l/step-2/a', 'lx/other']) await s.put(k, k);
      assert.equal((await s.head('l/step-1/a'))?.size, 'l/step-1/a'.length);
      assert.equal(await s.head('l/missing'), null);
      assert.deepEqual(
        (await s.list('l/step-1')).map((o) => o.key),
        ['l/step-1/a', 'l/step-1/b', 'l/step-10/a'],
      );
      assert.deepEqual(
        (await s.list('l/step-1/')).map((o) => o.key),
        ['l/step-1/a', 'l/step-1/b'],
      );
      assert.deepEqual(
        (await s.list('l/')).map((o) => o.key),
        ['l/step-1/a', 'l/step-1/b', 'l/step-10/a', 'l/step-2/a'],
      );
      assert.deepEqual(await s.list('nothing/'), []);
      await s.delete('l/step-2/a');
      await s.delete('l/step-2/a');
      assert.equal(await s.head('l/step-2/a'), null);
      assert.equal(await s.deletePrefix('l/step-1/'), 2);
      assert.deepEqual(
        (await s.list('l')).map((o) => o.key),
        ['l/step-10/a', 'lx/other'],
        'a string prefix, not a directory',
      );
    });

    test('missing keys are DataError NOT_FOUND; unsafe keys are rejected', async () => {
      const s = open();
      await assert.rejects(s.get('nope/x'), (e) => e instanceof DataError && e.code === 'NOT_FOUND' && e.message.includes('nope/x'));
      await assert.rejects(collect(s.getStream('nope/y')), (e) => e instanceof DataError && e.code === 'NOT_FOUND');
      for (const bad of ['../escape', 'a//b', '/abs', 'a/./b']) {
        await assert.rejects(s.put(bad, 'x'), InvalidInputError, bad);
      }
    });

    test('an aborted signal cancels with CancelledError', async () => {
      const s = open();
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(s.put('c/x', 'x', { signal: ac.signal }), CancelledError);
      await assert.rejects(s.get('c/x', { signal: ac.signal }), CancelledError);
      assert.equal(await s.head('c/x'), null, 'a cancelled put publishes nothing');
    });
  });
}

let dir = '';
let server: S3TestServer;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spnas-store-'));
  server = await startS3Server();
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

contract('local path', () => openStore(join(dir, 'plain')));
contract('file:// URI', () => openStore(`file://${join(dir, 'url')}`));
contract('s3', () => openStore(`s3://${server.bucket}/root/prefix`, { env: server.env }));

test('local store leaves no temp files behind and a prefix root does not leak into siblings', async () => {
  const s = openStore(join(dir, 'tmpcheck'));
  await s.put('k/v.bin', new Uint8Array(10));
  assert.deepEqual(readdirSync(join(dir, 'tmpcheck', 'k')), ['v.bin']);
  const a = openStore(`s3://${server.bucket}/data`, { env: server.env });
  const b = openStore(`s3://${server.bucket}/data2`, { env: server.env });
  await b.put('x', 'x');
  assert.deepEqual(await a.list(''), []);
});
