// The real CIFAR-10 shards (../shared/data/cifar10-jpeg): counts, labels, pixel statistics, order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BatchLoader, loadImageDataset, openSampleSource, splitDataset } from '../../src/data';
import { CIFAR_DIR } from './fixtures';

test('the CIFAR-10 shards are where CI puts them', () => {
  assert.ok(existsSync(join(CIFAR_DIR, 'train-000000.tar')), `expected the shards at ${CIFAR_DIR} (../shared/data relative to the repo)`);
});

test('all 5 shards: exactly 50,000 samples, 5,000 per class, unique keys, labels agree with key names', async () => {
  const src = await openSampleSource(CIFAR_DIR);
  const counts = new Array(10).fill(0);
  const seen = new Set<string>();
  let first = '';
  const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  let mismatched = 0;
  for await (const s of src.samples()) {
    counts[s.label]++;
    // Keys carry the class name (train_<class>_<n>): every .cls label must agree with it.
    if (s.key.split('_')[1] !== names[s.label]) mismatched++;
    seen.add(s.key);
    first ||= `${s.key}:${s.label}`;
  }
  assert.deepEqual(counts, new Array(10).fill(5000));
  assert.equal(seen.size, 50000);
  assert.equal(mismatched, 0, 'labels agree with the class names in the keys');
  // The first sample of train-000000.tar, and its label agrees with the class in its name (3 = cat).
  assert.equal(first, 'train_cat_1987:3');
});

test('decoded pixels: 32x32 RGB, per-channel mean ~ [0.49, 0.48, 0.45], roughly class-balanced', async () => {
  const ds = await loadImageDataset(join(CIFAR_DIR, 'train-000000.tar'), { limit: 3000 });
  assert.deepEqual([ds.size, ds.height, ds.width, ds.channels, ds.numClasses], [3000, 32, 32, 3, 10]);
  const sum = [0, 0, 0];
  for (let i = 0; i < ds.images.length; i++) sum[i % 3]! += ds.images[i]!;
  const mean = sum.map((s) => s / (ds.images.length / 3) / 255);
  const want = [0.4914, 0.4822, 0.4465];
  mean.forEach((m, c) => assert.ok(Math.abs(m - want[c]!) < 0.015, `channel ${c} mean ${m.toFixed(4)} vs ${want[c]}`));
  const hist = new Array(10).fill(0);
  for (const l of ds.labels) hist[l]++;
  assert.ok(
    hist.every((h) => h > 240 && h < 360),
    `roughly balanced: ${hist}`,
  );

  // Normalised batches: zero mean, unit variance without augmentation. Zero padding (black) in the
  // random crop covers ~13% of pixels on average (E|offset| = 20/9 of 32 per axis), about -2 each
  // after normalisation, so the augmented mean sits near -0.26.
  const { train } = splitDataset(ds, { valCount: 500, seed: 1 });
  const stats = async (augment?: { padCrop: number; flip: boolean }) => {
    const loader = new BatchLoader(train, { batchSize: 250, seed: 3, ...(augment ? { augment } : {}), mean: want, std: [0.247, 0.2435, 0.2616] });
    let n = 0;
    let s1 = 0;
    let s2 = 0;
    for await (const b of loader.batches(0)) {
      for (const v of b.images) {
        s1 += v;
        s2 += v * v;
        n++;
      }
    }
    const mu = s1 / n;
    return [mu, Math.sqrt(s2 / n - mu * mu)] as const;
  };
  const [mu, sd] = await stats();
  assert.ok(Math.abs(mu) < 0.05 && Math.abs(sd - 1) < 0.05, `normalised mean ${mu.toFixed(3)} std ${sd.toFixed(3)}`);
  const [amu] = await stats({ padCrop: 4, flip: true });
  assert.ok(amu > -0.32 && amu < -0.2, `augmented mean ${amu.toFixed(3)}`);
});

test('seeded shuffle over the real shards is deterministic', async () => {
  const src = await openSampleSource(join(CIFAR_DIR, 'train-{000000..000004}.tar'));
  const firstKeys = async (seed: number) => {
    const out: string[] = [];
    for await (const s of src.samples({ shuffle: { seed, epoch: 0, bufferSize: 100 } })) {
      out.push(s.key);
      if (out.length === 20) break;
    }
    return out;
  };
  const a = await firstKeys(5);
  assert.deepEqual(await firstKeys(5), a);
  assert.notDeepEqual(await firstKeys(6), a);
});
