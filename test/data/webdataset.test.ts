// Tar-shard datasets: generated shards on disk and on a real S3-compatible server, every corrupt case.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTar, expandBraces, loadImageDataset, openSampleSource } from '../../src/data';
import { openStore } from '../../src/storage';
import { DataError, InvalidInputError } from '../../src/errors';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { jpg, png, sample, writeShards } from './fixtures';

let dir = '';
let server: S3TestServer;
let expected: [string, number][] = [];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spnas-wds-'));
  expected = writeShards(join(dir, 'shards'), 3, 40);
  server = await startS3Server();
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

async function keys(
  uri: string | string[],
  shuffle?: { seed: number; epoch: number; bufferSize?: number },
  env?: Record<string, string>,
): Promise<[string, number][]> {
  const src = await openSampleSource(uri, env ? { store: { env } } : {});
  const out: [string, number][] = [];
  for await (const s of src.samples(shuffle ? { shuffle } : {})) out.push([s.key, s.label]);
  return out;
}

test('brace expansion', () => {
  assert.deepEqual(expandBraces('train-{000000..000002}.tar'), ['train-000000.tar', 'train-000001.tar', 'train-000002.tar']);
  assert.deepEqual(expandBraces('{a,b}-{8..10}'), ['a-8', 'a-9', 'a-10', 'b-8', 'b-9', 'b-10']);
  assert.throws(() => expandBraces('x-{5..1}'), InvalidInputError);
});

test('directory, brace pattern, list and single shard give exact samples and labels', async () => {
  const d = join(dir, 'shards');
  assert.deepEqual(await keys(d), expected);
  assert.deepEqual(await keys(join(d, 'train-{000000..000002}.tar')), expected);
  assert.deepEqual(await keys(`${join(d, 'train-000002.tar')},${join(d, 'train-000000.tar')}`), [...expected.slice(80), ...expected.slice(0, 40)]);
  assert.deepEqual(await keys([join(d, 'train-000001.tar')]), expected.slice(40, 80));
  const ds = await loadImageDataset(d);
  assert.equal(ds.size, 120);
  assert.equal(ds.numClasses, 10);
  assert.deepEqual(
    [...ds.labels],
    expected.map(([, l]) => l),
  );
  const per = 8 * 8 * 3;
  for (const i of [0, 57, 119]) assert.deepEqual([...ds.images.subarray(i * per, i * per + 3)], [(i % 10) * 20, i, 100], `pixels of sample ${i}`);
  const small = await loadImageDataset(d, { limit: 5, imageSize: [4, 6] });
  assert.deepEqual([small.size, small.height, small.width, small.channels], [5, 4, 6, 3]);
});

test('shuffle: shard order and buffer by seed; same seed+epoch -> same order, other epoch -> another', async () => {
  const d = join(dir, 'shards');
  const a = await keys(d, { seed: 7, epoch: 0, bufferSize: 16 });
  const b = await keys(d, { seed: 7, epoch: 0, bufferSize: 16 });
  const c = await keys(d, { seed: 7, epoch: 1, bufferSize: 16 });
  const e = await keys(d, { seed: 8, epoch: 0, bufferSize: 16 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.notDeepEqual(a, e);
  assert.notDeepEqual(a, expected);
  assert.deepEqual([...a].sort(), [...expected].sort(), 'a permutation: nothing lost or repeated');
});

test('tar shards streamed from an s3:// prefix and pattern', async () => {
  const store = openStore(`s3://${server.bucket}/cifar-like`, { env: server.env });
  for (const f of readdirSync(join(dir, 'shards'))) await store.put(f, readFileSync(join(dir, 'shards', f)));
  assert.deepEqual(await keys(`s3://${server.bucket}/cifar-like`, undefined, server.env), expected);
  assert.deepEqual(await keys(`s3://${server.bucket}/cifar-like/train-{000001..000002}.tar`, undefined, server.env), expected.slice(40));
  const ds = await loadImageDataset(`s3://${server.bucket}/cifar-like`, { store: { env: server.env }, limit: 50 });
  assert.equal(ds.size, 50);
  await assert.rejects(
    keys(`s3://${server.bucket}/cifar-like/train-000009.tar`, undefined, server.env),
    (e) => e instanceof DataError && e.code === 'NOT_FOUND' && /train-000009\.tar/.test(e.message),
  );
});

/** Writes one bad shard after a good sample and returns the error message loading it produces. */
async function loadError(
  name: string,
  members: { name: string; data: Uint8Array }[],
  code: string,
  opts: { classes?: string[]; numClasses?: number } = {},
): Promise<string> {
  const d = join(dir, name);
  const tar = buildTar([...sample('good', 1, png(1, 1)), ...members]);
  writeShards(d, 0, 0);
  writeFileSync(join(d, 'bad-000000.tar'), tar);
  if (opts.classes) writeFileSync(join(d, 'classes.txt'), opts.classes.join('\n'));
  let msg = '';
  await assert.rejects(loadImageDataset(d, opts.numClasses ? { numClasses: opts.numClasses } : {}), (e: unknown) => {
    assert.ok(e instanceof DataError, String(e));
    assert.equal(e.code, code, e.message);
    msg = e.message;
    return true;
  });
  assert.match(msg, /bad-000000\.tar/, 'names the shard');
  return msg;
}

test('corrupt inputs: each error names the shard and the sample key', async () => {
  assert.match(await loadError('nocls', [{ name: 'k1.png', data: png(1, 2) }], 'MISSING_LABEL'), /sample 'k1'.*no \.cls/);
  assert.match(await loadError('noimg', [{ name: 'k2.cls', data: Buffer.from('1') }], 'MISSING_IMAGE'), /sample 'k2'/);
  assert.match(await loadError('badjpg', sample('k3', 1, jpg(1, 2, 3).subarray(0, 40), 'jpg'), 'CORRUPT_IMAGE'), /sample 'k3'/);
  assert.match(await loadError('notimg', sample('k4', 1, Buffer.from('<html>'), 'png'), 'CORRUPT_IMAGE'), /sample 'k4'.*neither JPEG nor PNG/);
  assert.match(await loadError('range', sample('k5', 3, png(3, 0)), 'LABEL_OUT_OF_RANGE', { classes: ['a', 'b', 'c'] }), /sample 'k5'.*class 3 .* 3 classes/);
  assert.match(await loadError('range2', sample('k6', 12, png(1, 0)), 'LABEL_OUT_OF_RANGE', { numClasses: 10 }), /sample 'k6'/);
  assert.match(await loadError('text', sample('k7', 'cat', png(1, 0)), 'INVALID_LABEL'), /sample 'k7'.*'cat'/);
  const d = join(dir, 'trunc');
  const whole = buildTar([...sample('a', 1, png(1, 1)), ...sample('b', 2, png(2, 2))]);
  writeShards(d, 0, 0);
  writeFileSync(join(d, 'cut-000000.tar'), whole.subarray(0, whole.length - 1024 - 700));
  await assert.rejects(
    loadImageDataset(d),
    (e: unknown) => e instanceof DataError && e.code === 'TRUNCATED_TAR' && /cut-000000\.tar/.test(e.message) && /'b\.(png|cls)'/.test(e.message),
  );
  await assert.rejects(loadImageDataset(join(dir, 'nothing-here')), (e: unknown) => e instanceof DataError || e instanceof InvalidInputError);
});

test('classes.txt gives class names; loading can be cancelled', async () => {
  const d = join(dir, 'named');
  writeShards(d, 1, 6, 3);
  writeFileSync(join(d, 'classes.txt'), 'cat\ndog\nbird\n');
  const ds = await loadImageDataset(d);
  assert.deepEqual(ds.classNames, ['cat', 'dog', 'bird']);
  assert.equal(ds.numClasses, 3);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(loadImageDataset(d, { signal: ac.signal }), (e: unknown) => (e as { code?: string }).code === 'CANCELLED');
});
