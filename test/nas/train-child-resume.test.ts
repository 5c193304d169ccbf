import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { parseSearchSpace, type SearchSpace } from '../../src/space/spec';
import { architectureFromString } from '../../src/space/architecture';
import { parseTrainConfig } from '../../src/config/training-config';
import { trainChild } from '../../src/nas/train-child';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { LocalStore } from '../../src/storage/local-store';
import { CancelledError } from '../../src/errors';
import { SyntheticBatches } from '../support/synthetic-batches';
import { assertBitIdentical, checkpointTensors } from '../support/bit-identical';

const { tf } = loadTf();
const tiny = getPreset('cifar-tiny');
const config = parseTrainConfig({ seed: 2, epochs: 2, batchSize: 8, checkpointEvery: 1000 });
const source = () => new SyntheticBatches(4, 8, 32, 10, 5);

/** Uninterrupted vs cancelled after `cancelAt` steps and resumed: final checkpoints bit-identical. */
async function cancelAndResume(space: SearchSpace, cancelAt: number): Promise<void> {
  const architecture = architectureFromString(space, 'k5e6+se,skip,k3e3,k3e6,k5e3');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-child-resume-'));
  try {
    const store = new LocalStore(dir);
    const fullCkpts = new CheckpointStore(store, 'full', { keep: 1 });
    const full = await trainChild({ tf, space, architecture, config, train: source(), checkpoints: fullCkpts });
    const ckpts = new CheckpointStore(store, 'ckpt', { keep: 2 });
    const ctrl = new AbortController();
    let seen = 0;
    await assert.rejects(
      trainChild({
        tf,
        space,
        architecture,
        config,
        train: source(),
        checkpoints: ckpts,
        signal: ctrl.signal,
        onProgress: () => {
          if (++seen === cancelAt) ctrl.abort();
        },
      }),
      (e: unknown) => e instanceof CancelledError,
    );
    const resumed = await trainChild({ tf, space, architecture, config, train: source(), checkpoints: ckpts });
    assert.equal(resumed.resumedFromStep, cancelAt);
    const want = (await fullCkpts.latest())!;
    const got = (await ckpts.latest())!;
    assert.equal(got.step, want.step);
    assertBitIdentical(checkpointTensors(want.tensors), checkpointTensors(got.tensors), `child resumed at step ${cancelAt}`);
    assert.equal(resumed.finalLoss, full.finalLoss);
    full.model.dispose();
    resumed.model.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('child retraining: cancel -> resume is bit-identical to an uninterrupted run', async () => {
  await cancelAndResume(tiny, 3);
});

test('child retraining with head dropout > 0: cancel -> resume is bit-identical', async () => {
  const space = parseSearchSpace({ ...JSON.parse(JSON.stringify(tiny)), name: 'cifar-tiny-dropout', head: { ...tiny.head, dropout: 0.3 } });
  await cancelAndResume(space, 3);
});
