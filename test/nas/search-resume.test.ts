import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { parseSearchConfig } from '../../src/config/training-config';
import { runSearch } from '../../src/nas/search';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { LocalStore } from '../../src/storage/local-store';
import { CancelledError } from '../../src/errors';
import { SyntheticBatches } from '../support/synthetic-batches';

const { tf } = loadTf();
const space = getPreset('cifar-tiny');
const table = { fixedMs: 1, layers: Array.from({ length: 5 }, (_, i) => ({ k3e3: 0.2 + i * 0.01, k3e6: 0.35, k5e3: 0.3, k5e6: 0.5, se: { e3: 0.05, e6: 0.08 } })) };
const config = parseSearchConfig({ seed: 3, epochs: 3, warmupEpochs: 1, batchSize: 8, checkpointEvery: 1000, runtimeLoss: { lambda: 2 } });

function weightsOf(net: { params: { all(): Array<[string, { dataSync(): unknown }]> } }): Map<string, Float32Array> {
  return new Map(net.params.all().map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));
}

test('search checkpoint -> cancel -> resume gives the same weights and architecture as an uninterrupted run', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-resume-'));
  const source = () => new SyntheticBatches(4, 8, 32, 10, 1);

  const full = await runSearch({ tf, space, config, table, train: source() });
  const want = weightsOf(full.supernet);

  const ckpts = new CheckpointStore(new LocalStore(dir), 'ckpt', { keep: 2 });
  const ctrl = new AbortController();
  let seen = 0;
  await assert.rejects(
    runSearch({ tf, space, config, table, train: source(), checkpoints: ckpts, signal: ctrl.signal, onProgress: () => { if (++seen === 5) ctrl.abort(); } }),
    (e: unknown) => e instanceof CancelledError,
  );
  const saved = await ckpts.latest();
  assert.equal(saved?.step, 5, 'a checkpoint is written at cancellation');
  const resumed = await runSearch({ tf, space, config, table, train: source(), checkpoints: ckpts });
  assert.equal(resumed.resumedFromStep, 5);
  const got = weightsOf(resumed.supernet);
  let maxDiff = 0;
  for (const [n, w] of want) {
    const g = got.get(n)!;
    for (let i = 0; i < w.length; i++) maxDiff = Math.max(maxDiff, Math.abs(w[i]! - g[i]!));
  }
  assert.ok(maxDiff <= 1e-6, `resumed weights differ from the uninterrupted run by ${maxDiff}`);
  assert.deepEqual(resumed.architecture, full.architecture);
  assert.ok(Number.isFinite(full.predictedMs) && full.predictedMs > 1);
  full.supernet.dispose();
  resumed.supernet.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
