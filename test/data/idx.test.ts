// IDX (MNIST / Fashion-MNIST layout), gzipped and raw, on generated files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchLoader, loadImageDataset } from '../../src/data';
import { DataError } from '../../src/errors';
import { idx } from './fixtures';

let dir = '';
const N = 300;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'spnas-idx-'));
  // Image i is 28x28 filled with value i % 256, label i % 10.
  const images = new Uint8Array(N * 28 * 28);
  for (let i = 0; i < N; i++) images.fill(i % 256, i * 784, (i + 1) * 784);
  const labels = Uint8Array.from({ length: N }, (_, i) => i % 10);
  for (const [prefix, gz] of [
    ['train', true],
    ['raw', false],
  ] as const) {
    const ext = gz ? '.gz' : '';
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${ext}`), idx([N, 28, 28], images, gz));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte${ext}`), idx([N], labels, gz));
  }
  writeFileSync(join(dir, 'cut-images-idx3-ubyte'), idx([N, 28, 28], images).subarray(0, 5000));
  writeFileSync(join(dir, 'cut-labels-idx1-ubyte'), idx([N], labels));
  writeFileSync(join(dir, 'lonely-images-idx3-ubyte'), idx([1, 28, 28], images.subarray(0, 784)));
  writeFileSync(join(dir, 'junk-images-idx3-ubyte.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  writeFileSync(join(dir, 'junk-labels-idx1-ubyte.gz'), idx([1], new Uint8Array(1), true));
  writeFileSync(join(dir, 'range-images-idx3-ubyte'), idx([2, 28, 28], images.subarray(0, 2 * 784)));
  writeFileSync(join(dir, 'range-labels-idx1-ubyte'), idx([2], Uint8Array.from([3, 12])));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('gzipped and raw IDX load to the same grayscale dataset; limit reads a prefix', async () => {
  const gz = await loadImageDataset(join(dir, 'train-images-idx3-ubyte.gz'));
  const raw = await loadImageDataset(join(dir, 'raw-images-idx3-ubyte'));
  assert.deepEqual([gz.size, gz.height, gz.width, gz.channels, gz.numClasses], [N, 28, 28, 1, 10]);
  assert.deepEqual(gz.images, raw.images);
  assert.deepEqual(gz.labels, raw.labels);
  assert.equal(gz.images[137 * 784 + 500], 137);
  assert.equal(gz.labels[137], 7);
  const few = await loadImageDataset(join(dir, 'train-images-idx3-ubyte.gz'), { limit: 10, imageSize: [14, 14] });
  assert.deepEqual([few.size, few.height, few.width], [10, 14, 14]);
  assert.equal(few.images[9 * 196 + 5], 9);
  // One-channel data with a 3-value mean/std uses the first value.
  const b = new BatchLoader(few, { batchSize: 4, seed: 0, shuffle: false, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }).batch(0, 0);
  assert.equal(b.images.length, 4 * 196);
  assert.ok(Math.abs(b.images[196]! - (1 / 255 - 0.5) / 0.5) < 1e-6);
});

test('IDX errors name the file', async () => {
  await assert.rejects(
    loadImageDataset(join(dir, 'cut-images-idx3-ubyte')),
    (e: unknown) => e instanceof DataError && e.code === 'TRUNCATED_IDX' && /cut-images-idx3-ubyte/.test(e.message),
  );
  await assert.rejects(
    loadImageDataset(join(dir, 'lonely-images-idx3-ubyte')),
    (e: unknown) => e instanceof DataError && e.code === 'MISSING_LABEL' && /lonely-labels-idx1-ubyte/.test(e.message),
  );
  await assert.rejects(
    loadImageDataset(join(dir, 'junk-images-idx3-ubyte.gz')),
    (e: unknown) => e instanceof DataError && e.code === 'CORRUPT_IDX' && /junk-images/.test(e.message),
  );
  await assert.rejects(
    loadImageDataset(join(dir, 'range-images-idx3-ubyte'), { numClasses: 10 }),
    (e: unknown) => e instanceof DataError && e.code === 'LABEL_OUT_OF_RANGE' && /item 1/.test(e.message),
  );
});
