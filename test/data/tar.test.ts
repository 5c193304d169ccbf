// The USTAR reader: round trips, interop with GNU tar (long names), arbitrary chunking, corrupt input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTar, readTar, type TarMember } from '../../src/data';
import { DataError } from '../../src/errors';
import { tempDir } from '../support/temp-dir';

async function* chunked(b: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  for (let o = 0, i = 0; o < b.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield b.subarray(o, o + n);
    o += n;
  }
}

async function readAll(b: Uint8Array, sizes = [b.length || 1]): Promise<{ name: string; data: string }[]> {
  const out: { name: string; data: string }[] = [];
  for await (const m of readTar(chunked(b, sizes), 'test.tar')) out.push({ name: m.name, data: Buffer.from(m.data).toString() });
  return out;
}

const members = [
  { name: 'a.txt', data: Buffer.from('hello') },
  { name: 'empty.bin', data: new Uint8Array(0) },
  { name: 'exact.bin', data: Buffer.alloc(512, 'x') },
  { name: `${'d'.repeat(120)}/${'n'.repeat(90)}.cls`, data: Buffer.from('7') },
];

test('round trip through our writer, in any chunking', async () => {
  const tar = buildTar(members);
  const want = members.map((m) => ({ name: m.name, data: Buffer.from(m.data).toString() }));
  assert.deepEqual(await readAll(tar), want);
  assert.deepEqual(await readAll(tar, [1]), want);
  assert.deepEqual(await readAll(tar, [7, 511, 513, 1000]), want);
});

test('reads archives written by GNU tar, including long names (GNU L and pax) and directories', async () => {
  const dir = tempDir('spnas-tar-');
  const long = `${'x'.repeat(150)}.jpg`;
  mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'src', long), 'L');
  writeFileSync(join(dir, 'src', 'sub', 'k.cls'), '3');
  for (const format of ['gnu', 'pax', 'ustar']) {
    const out = join(dir, `${format}.tar`);
    const files = format === 'ustar' ? ['sub'] : ['sub', long];
    execFileSync('tar', ['-c', `--format=${format}`, '-f', out, '-C', join(dir, 'src'), ...files], { timeout: 60_000 });
    const got = await readAll(new Uint8Array(readFileSync(out)));
    const want = [{ name: 'sub/k.cls', data: '3' }, ...(format === 'ustar' ? [] : [{ name: long, data: 'L' }])];
    assert.deepEqual(got, want, format);
  }
});

test('truncation and corruption are DataErrors naming the archive and the member', async () => {
  const tar = buildTar(members);
  const expectErr = async (b: Uint8Array, code: string, re: RegExp) => {
    await assert.rejects(readAll(b), (e: unknown) => e instanceof DataError && e.code === code && /test\.tar/.test(e.message) && re.test(e.message));
  };
  await expectErr(tar.subarray(0, 512 + 3), 'TRUNCATED_TAR', /member 'a\.txt' .* has 3 of 5 bytes/);
  await expectErr(tar.subarray(0, 1024 + 100), 'TRUNCATED_TAR', /inside a header after member 'a\.txt'/);
  await expectErr(tar.subarray(0, 1024), 'TRUNCATED_TAR', /without the end-of-archive marker/);
  await expectErr(new Uint8Array(0), 'TRUNCATED_TAR', /byte 0/);
  const bad = tar.slice();
  bad[1024 + 10] ^= 0xff;
  await expectErr(bad, 'CORRUPT_TAR', /bad header checksum at byte 1024 \(after member 'a\.txt'\)/);
});

test('stopping early closes the source', async () => {
  let closed = false;
  async function* src() {
    try {
      yield buildTar(members);
    } finally {
      closed = true;
    }
  }
  const it: AsyncIterable<TarMember> = readTar(src(), 't');
  for await (const m of it) if (m.name === 'a.txt') break;
  assert.ok(closed);
});
