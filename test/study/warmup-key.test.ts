// The shared warm-up's content key: configurations with equal keys must give bit-identical warm-up
// checkpoints (so trials may share one), and every setting that changes the warm-up changes the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { parseSearchConfig, type SearchConfigInput } from '../../src/config/training-config';
import { runSearch } from '../../src/nas/search';
import { getPreset } from '../../src/space/presets';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { LocalStore } from '../../src/storage/local-store';
import { warmupKey } from '../../src/study/warmup-key';
import { assertBitIdentical, checkpointTensors } from '../support/bit-identical';
import { SyntheticBatches } from '../support/synthetic-batches';

const { tf } = loadTf();
const space = getPreset('cifar-tiny');
const data = { uri: '/data/shards', limit: 320, valCount: 64, splitSeed: 0 };
const table = {
  fixedMs: 1,
  layers: Array.from({ length: 5 }, (_, i) => ({ k3e3: 0.2 + i * 0.01, k3e6: 0.35, k5e3: 0.3, k5e6: 0.5, se: { e3: 0.05, e6: 0.08 } })),
};
const base: SearchConfigInput = { seed: 3, epochs: 3, warmupEpochs: 2, batchSize: 8, checkpointEvery: 1000 };
const key = (over: SearchConfigInput) => warmupKey(space, data, parseSearchConfig({ ...base, ...over }));

/** The warm-up's checkpoint (4 batches an epoch, 2 epochs) of a search config. */
async function warmup(over: SearchConfigInput) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-warm-'));
  try {
    const checkpoints = new CheckpointStore(new LocalStore(dir), 'ckpt', { keep: 1 });
    const r = await runSearch({
      tf,
      space,
      config: parseSearchConfig({ ...base, ...over }),
      table,
      train: new SyntheticBatches(4, 8, 32, 10, 1),
      checkpoints,
      stopAtStep: 8,
    });
    r.supernet.dispose();
    return checkpointTensors((await checkpoints.latest())!.tensors);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('what never acts during the warm-up is not in the key: lambda, loss form, epochs, runtime gradient, threshold lr (frozen, SGD)', () => {
  const k = key({});
  assert.equal(
    key({
      runtimeLoss: { kind: 'mnas', lambda: 7, targetMs: 3 },
      epochs: 9,
      runtimeGradient: 'derivative',
      runtimeGradientTo: 'thresholds-and-weights',
      thresholdLrMultiplier: 4,
      checkpointEvery: 3,
    }),
    k,
  );
});

test('what acts during the warm-up is in the key', () => {
  const k = key({});
  for (const over of [
    { seed: 4 },
    { batchSize: 16 },
    { optimizer: { lrPer256: 0.05 } },
    { warmupThresholds: 'trained' as const, thresholdLrMultiplier: 4 },
    { thresholdUpdate: 'rmsprop' as const, thresholdLrMultiplier: 4 },
  ]) {
    assert.notEqual(key(over), k, JSON.stringify(over));
  }
  assert.notEqual(warmupKey(space, { ...data, limit: 640 }, parseSearchConfig(base)), k);
});

test('equal keys, bit-identical warm-ups: configurations differing only outside the key share one', { timeout: 120_000 }, async () => {
  const a = { runtimeLoss: { kind: 'log' as const, lambda: 2 }, thresholdLrMultiplier: 1 };
  const b = {
    runtimeLoss: { kind: 'mnas' as const, lambda: 60, targetMs: 2 },
    thresholdLrMultiplier: 5,
    runtimeGradient: 'derivative' as const,
    runtimeGradientTo: 'thresholds-and-weights' as const,
    epochs: 6,
  };
  assert.equal(key(a), key(b));
  assertBitIdentical(await warmup(a), await warmup(b), 'warm-ups with equal keys');
});
