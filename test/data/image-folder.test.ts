// ImageFolder (local and S3), `pack` into shards and back, and the `spnas data` CLI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { loadImageDataset, packImageFolder } from '../../src/data';
import { openStore } from '../../src/storage';
import { DataError } from '../../src/errors';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { jpg, png } from './fixtures';

const REPO = resolve(__dirname, '..', '..');
let dir = '';
let server: S3TestServer;
const classes = ['bird', 'cat', 'dog'];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spnas-if-'));
  // 4 images per class; cat has 12x16 JPEGs (resized to the first image's 8x8), others 8x8 PNGs.
  for (const [c, name] of classes.entries()) {
    mkdirSync(join(dir, 'train', name), { recursive: true });
    for (let i = 0; i < 4; i++) {
      writeFileSync(join(dir, 'train', name, `${i}.${name === 'cat' ? 'jpg' : 'png'}`), name === 'cat' ? jpg(200, 10, 10, 12, 16) : png(c, i));
    }
  }
  writeFileSync(join(dir, 'train', 'README.txt'), 'not an image');
  server = await startS3Server();
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

test('local ImageFolder: sorted class names, labels, resize, decoded colours', async () => {
  const ds = await loadImageDataset(join(dir, 'train'));
  assert.deepEqual(ds.classNames, classes);
  assert.deepEqual([ds.size, ds.height, ds.width, ds.channels, ds.numClasses], [12, 8, 8, 3, 3]);
  assert.deepEqual([...ds.labels], [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  const px = (i: number) => [...ds.images.subarray(i * 192, i * 192 + 3)];
  assert.deepEqual(px(9), [40, 1, 100], 'dog/1.png');
  const cat = px(5);
  assert.ok(Math.abs(cat[0]! - 200) < 6 && cat[1]! < 20 && cat[2]! < 20, `cat JPEG resized from 12x16: ${cat}`);
});

test('S3 ImageFolder gives the same dataset; a corrupt image is named by its object URI', async () => {
  const store = openStore(`s3://${server.bucket}/folder/train`, { env: server.env });
  for (const name of classes) for (const f of readdirSync(join(dir, 'train', name))) await store.put(`${name}/${f}`, readFileSync(join(dir, 'train', name, f)));
  const local = await loadImageDataset(join(dir, 'train'));
  const remote = await loadImageDataset(`s3://${server.bucket}/folder/train`, { store: { env: server.env } });
  assert.deepEqual(remote.labels, local.labels);
  assert.deepEqual(remote.images, local.images);
  await store.put('dog/broken.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
  await assert.rejects(
    loadImageDataset(`s3://${server.bucket}/folder/train`, { store: { env: server.env } }),
    (e: unknown) => e instanceof DataError && e.code === 'CORRUPT_IMAGE' && e.message.includes(`s3://${server.bucket}/folder/train/dog/broken.png`),
  );
});

test('pack writes balanced shards + classes.txt that load back to the same samples', async () => {
  const out = join(dir, 'packed');
  const res = await packImageFolder(join(dir, 'train'), out, { shardSize: 5, seed: 3 });
  assert.equal(res.samples, 12);
  assert.deepEqual(readdirSync(out).sort(), ['classes.txt', 'train-000000.tar', 'train-000001.tar', 'train-000002.tar']);
  const packed = await loadImageDataset(out, { imageSize: [8, 8] });
  assert.deepEqual(packed.classNames, classes);
  assert.equal(packed.size, 12);
  assert.deepEqual([...packed.labels].sort(), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  assert.notDeepEqual([...packed.labels], [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], 'shuffled across shards');
  const bad = join(dir, 'badfolder');
  mkdirSync(join(bad, 'x'), { recursive: true });
  writeFileSync(join(bad, 'x', 'a.jpg'), 'nope');
  await assert.rejects(packImageFolder(bad, join(dir, 'badout')), (e: unknown) => e instanceof DataError && e.message.includes('x/a.jpg'));
});

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'spnas.js'), 'data', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 300_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, ...server.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('spnas data pack and inspect --json --grid (local and s3)', async () => {
  const shards = `s3://${server.bucket}/packed-cli`;
  const p = cli('pack', join(dir, 'train'), shards, '--shard-size', '6', '--json');
  assert.equal(p.code, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).shards.length, 2);
  const grid = join(dir, 'grid.png');
  const r = cli('inspect', shards, '--json', '--grid', grid);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.format, 'webdataset');
  assert.equal(rep.samples, 12);
  assert.deepEqual(rep.perClass, [
    { label: 0, name: 'bird', count: 4 },
    { label: 1, name: 'cat', count: 4 },
    { label: 2, name: 'dog', count: 4 },
  ]);
  assert.ok(rep.imageSizes['8x8'] === 8 && rep.imageSizes['12x16'] === 4, JSON.stringify(rep.imageSizes));
  assert.ok(existsSync(grid));
  const img = PNG.sync.read(readFileSync(grid));
  assert.deepEqual([img.width, img.height], [8 * 10 + 2, 2 * 10 + 2], '8 columns x 2 rows of 8x8 cells with 2px gaps');
  const bad = cli('inspect', join(dir, 'nothing'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /spnas data: error \[/);
  assert.equal(cli('pack', 'only-one-arg').code, 1);
  assert.equal(cli('frobnicate').code, 2);
});
