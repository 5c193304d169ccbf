import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { architectureFromString } from '../../src/space/architecture';
import { parseTrainConfig } from '../../src/config/training-config';
import { trainChild, namedModelVariables } from '../../src/nas/train-child';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { LocalStore } from '../../src/storage/local-store';
import { CancelledError } from '../../src/errors';
import { SyntheticBatches } from '../support/synthetic-batches';

const { tf } = loadTf();

test('child retraining: cancel -> resume gives the same weights as an uninterrupted run', async () => {
  const space = getPreset('cifar-tiny');
  const architecture = architectureFromString(space, 'k5e6+se,skip,k3e3,k3e6,k5e3');
  const config = parseTrainConfig({ seed: 2, epochs: 2, batchSize: 8, checkpointEvery: 1000 });
  const source = () => new SyntheticBatches(4, 8, 32, 10, 5);
  const weights = (m: import('@tensorflow/tfjs').LayersModel) => new Map(namedModelVariables(m).map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));

  const full = await trainChild({ tf, space, architecture, config, train: source() });
  const want = weights(full.model);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-child-resume-'));
  const ckpts = new CheckpointStore(new LocalStore(dir), 'ckpt', { keep: 2 });
  const ctrl = new AbortController();
  let seen = 0;
  await assert.rejects(
    trainChild({ tf, space, architecture, config, train: source(), checkpoints: ckpts, signal: ctrl.signal, onProgress: () => { if (++seen === 3) ctrl.abort(); } }),
    (e: unknown) => e instanceof CancelledError,
  );
  const resumed = await trainChild({ tf, space, architecture, config, train: source(), checkpoints: ckpts });
  assert.equal(resumed.resumedFromStep, 3);
  const got = weights(resumed.model);
  let maxDiff = 0;
  for (const [n, w] of want) {
    const g = got.get(n)!;
    assert.equal(g.length, w.length, n);
    for (let i = 0; i < w.length; i++) maxDiff = Math.max(maxDiff, Math.abs(w[i]! - g[i]!));
  }
  assert.ok(maxDiff <= 1e-6, `resumed child weights differ by ${maxDiff}`);
  full.model.dispose();
  resumed.model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
