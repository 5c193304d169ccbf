import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { parseSearchConfig } from '../../src/config/training-config';
import { runSearch } from '../../src/nas/search';
import { loadImageDataset, splitDataset } from '../../src/data/dataset';
import { BatchLoader } from '../../src/data/batch-loader';
import { architectureToString } from '../../src/space/architecture';
import { CIFAR_DIR } from '../data/fixtures';

const { tf } = loadTf();

test('on real CIFAR-10 data, a larger lambda gives a lower predicted latency (same seed)', async () => {
  const space = getPreset('cifar-tiny');
  // a fixed table keeps the test independent of this machine's speed; 5x5 and e6 cost more
  const table = { fixedMs: 1, layers: Array.from({ length: 5 }, () => ({ k3e3: 0.2, k3e6: 0.35, k5e3: 0.3, k5e6: 0.5, se: { e3: 0.05, e6: 0.08 } })) };
  const ds = await loadImageDataset(`${CIFAR_DIR}/train-000000.tar`, { limit: 640, imageSize: [32, 32] });
  const { train } = splitDataset(ds, { valCount: 128, seed: 0 });
  const results = [];
  for (const lambda of [0, 2]) {
    const config = parseSearchConfig({ seed: 1, epochs: 4, warmupEpochs: 1, batchSize: 32, runtimeLoss: { lambda }, optimizer: { lrPer256: 0.064 } });
    const loader = new BatchLoader(train, {
      batchSize: 32,
      seed: 1,
      shuffle: true,
      augment: { padCrop: 4, flip: true },
      mean: space.normalization.mean,
      std: space.normalization.std,
      dropLast: true,
    });
    const r = await runSearch({ tf, space, config, table, train: loader });
    assert.ok(Number.isFinite(r.finalLoss));
    results.push({ lambda, predictedMs: r.predictedMs, arch: architectureToString(r.architecture) });
    r.supernet.dispose();
  }
  const [small, large] = results;
  assert.ok(large!.predictedMs < small!.predictedMs - 0.3, `lambda 2 should cut latency: ${JSON.stringify(results)}`);
  assert.notEqual(large!.arch, small!.arch);
});
