// BatchLoader and splitDataset: determinism by (seed, epoch, index), exact resume, augmentation maths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchLoader, splitDataset, type ImageDataset } from '../../src/data';
import { InvalidInputError } from '../../src/errors';

/** n samples of h x w x 3; pixel (y, x, c) of sample i = (i * 7 + y * 5 + x * 3 + c) % 256. */
function synthetic(n: number, h = 6, w = 6): ImageDataset {
  const images = new Uint8Array(n * h * w * 3);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) images[((i * h + y) * w + x) * 3 + c] = (i * 7 + y * 5 + x * 3 + c) % 256;
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % 4), size: n, height: h, width: w, channels: 3, numClasses: 4 };
}
const norm = { mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] }; // identity: outputs equal pixel values

async function collect(it: AsyncIterable<{ images: Float32Array; labels: Int32Array; index: number }>) {
  const out = [];
  for await (const b of it) out.push({ index: b.index, labels: [...b.labels], images: [...b.images] });
  return out;
}

test('an epoch is a permutation; batch (epoch, i) depends only on (seed, epoch, i); resume matches', async () => {
  const ds = synthetic(50);
  const mk = (seed: number) => new BatchLoader(ds, { batchSize: 8, seed, augment: { padCrop: 2, flip: true }, ...norm });
  const a = mk(1);
  assert.equal(a.batchesPerEpoch, 7);
  const full = await collect(a.batches(3));
  assert.deepEqual(
    full.map((b) => b.index),
    [0, 1, 2, 3, 4, 5, 6],
  );
  assert.equal(full.at(-1)!.labels.length, 2, 'last partial batch kept');
  const resumed = await collect(mk(1).batches(3, 4));
  assert.deepEqual(resumed, full.slice(4), 'a fresh loader resumed at batch 4 sees identical batches');
  assert.deepEqual(await collect(mk(1).batches(3)), full);
  assert.notDeepEqual(await collect(mk(2).batches(3)), full);
  assert.notDeepEqual((await collect(a.batches(4)))[0], full[0]);
  // Without augmentation, the first pixel identifies the sample: each appears exactly once per epoch.
  const plain = new BatchLoader(ds, { batchSize: 8, seed: 1, ...norm });
  const firsts = (await collect(plain.batches(0))).flatMap((b) => Array.from({ length: b.labels.length }, (_, k) => Math.round(b.images[k * 108]!)));
  assert.deepEqual(
    [...firsts].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => (i * 7) % 256).sort((x, y) => x - y),
  );
  const dropped = new BatchLoader(ds, { batchSize: 8, seed: 1, dropLast: true, ...norm });
  assert.equal(dropped.batchesPerEpoch, 6);
});

test('pad-crop and flip move pixels exactly; padding is black before normalisation', () => {
  const ds = synthetic(1, 4, 4);
  const loader = new BatchLoader(ds, {
    batchSize: 1,
    seed: 0,
    shuffle: false,
    augment: { padCrop: 1, flip: true },
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
  });
  const px = (y: number, x: number, c: number) => (y * 5 + x * 3 + c) % 256;
  let sawFlip = false;
  let sawShift = false;
  for (let i = 0; i < 40; i++) {
    const out = loader.batch(i, 0).images;
    // Recover (dy, dx, flip) by matching all 9 x 2 possibilities against the output.
    let matches = 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++)
        for (const flip of [false, true]) {
          let ok = true;
          for (let y = 0; y < 4 && ok; y++)
            for (let x = 0; x < 4 && ok; x++)
              for (let c = 0; c < 3 && ok; c++) {
                const sy = y + dy;
                const sx = (flip ? 3 - x : x) + dx;
                const v = sy < 0 || sy > 3 || sx < 0 || sx > 3 ? 0 : px(sy, sx, c);
                ok = Math.abs(out[(y * 4 + x) * 3 + c]! - (v / 255 - 0.5) / 0.25) < 1e-5;
              }
          if (ok) {
            matches++;
            sawFlip ||= flip;
            sawShift ||= dy !== 0 || dx !== 0;
          }
        }
    assert.ok(matches >= 1, `epoch ${i}: output is a padded crop (optionally flipped) of the input`);
  }
  assert.ok(sawFlip && sawShift, 'both augmentations occur');
});

test('splitDataset is deterministic by seed, disjoint and complete', () => {
  const ds = synthetic(100);
  const ids = (d: ImageDataset) => Array.from({ length: d.size }, (_, i) => d.images[i * 108]!);
  const a = splitDataset(ds, { valCount: 20, seed: 9 });
  const b = splitDataset(ds, { valFraction: 0.2, seed: 9 });
  const c = splitDataset(ds, { valCount: 20, seed: 10 });
  assert.deepEqual(ids(a.val), ids(b.val));
  assert.deepEqual(a.train.labels, b.train.labels);
  assert.notDeepEqual(ids(a.val), ids(c.val));
  assert.equal(a.train.size + a.val.size, 100);
  assert.deepEqual(
    [...ids(a.train), ...ids(a.val)].sort((x, y) => x - y),
    ids(ds).sort((x, y) => x - y),
  );
  assert.throws(() => splitDataset(ds, { valCount: 100, seed: 1 }), InvalidInputError);
  assert.throws(() => splitDataset(ds, { seed: 1 }), InvalidInputError);
  assert.throws(() => new BatchLoader(ds, { batchSize: 0, seed: 1, ...norm }), InvalidInputError);
  assert.throws(() => new BatchLoader(ds, { batchSize: 4, seed: 1, mean: [0, 0, 0], std: [1, 0, 1] }), InvalidInputError);
  assert.throws(() => new BatchLoader(ds, { batchSize: 4, seed: 1, ...norm }).batch(0, 25), InvalidInputError);
});
