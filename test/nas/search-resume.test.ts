import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { parseSearchSpace, type SearchSpace } from '../../src/space/spec';
import { parseSearchConfig } from '../../src/config/training-config';
import { runSearch } from '../../src/nas/search';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { LocalStore } from '../../src/storage/local-store';
import { CancelledError } from '../../src/errors';
import { SyntheticBatches } from '../support/synthetic-batches';
import { assertBitIdentical, checkpointTensors } from '../support/bit-identical';

const { tf } = loadTf();
const tiny = getPreset('cifar-tiny');
/** cifar-tiny with head dropout, so the per-step dropout mask is part of what a resume must reproduce. */
const tinyDropout = parseSearchSpace({ ...JSON.parse(JSON.stringify(tiny)), name: 'cifar-tiny-dropout', head: { ...tiny.head, dropout: 0.3 } });
const table = {
  fixedMs: 1,
  layers: Array.from({ length: 5 }, (_, i) => ({ k3e3: 0.2 + i * 0.01, k3e6: 0.35, k5e3: 0.3, k5e6: 0.5, se: { e3: 0.05, e6: 0.08 } })),
};
// 4 batches per epoch: steps 0-3 are the warm-up (lambda 0, indicator dropout), 4-11 the search proper.
const config = parseSearchConfig({ seed: 3, epochs: 3, warmupEpochs: 1, batchSize: 8, checkpointEvery: 1000, runtimeLoss: { lambda: 2 } });
const WARMUP_STEPS = 4;
const source = () => new SyntheticBatches(4, 8, 32, 10, 1);

/**
 * Runs the search uninterrupted, and again cancelled after `cancelAt` steps then resumed; the final
 * checkpoints (weights, thresholds, BN statistics, norm divisors, optimizer slots) must be
 * bit-identical, and so must the derived architecture.
 */
async function cancelAndResume(space: SearchSpace, cancelAt: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-resume-'));
  try {
    const store = new LocalStore(dir);
    const fullCkpts = new CheckpointStore(store, 'full', { keep: 1 });
    const full = await runSearch({ tf, space, config, table, train: source(), checkpoints: fullCkpts });

    const ckpts = new CheckpointStore(store, 'ckpt', { keep: 2 });
    const ctrl = new AbortController();
    let seen = 0;
    await assert.rejects(
      runSearch({
        tf,
        space,
        config,
        table,
        train: source(),
        checkpoints: ckpts,
        signal: ctrl.signal,
        onProgress: () => {
          if (++seen === cancelAt) ctrl.abort();
        },
      }),
      (e: unknown) => e instanceof CancelledError,
    );
    assert.equal((await ckpts.latest())?.step, cancelAt, 'a checkpoint is written at cancellation');
    const resumed = await runSearch({ tf, space, config, table, train: source(), checkpoints: ckpts });
    assert.equal(resumed.resumedFromStep, cancelAt);

    const want = (await fullCkpts.latest())!;
    const got = (await ckpts.latest())!;
    assert.equal(got.step, want.step);
    assertBitIdentical(checkpointTensors(want.tensors), checkpointTensors(got.tensors), `search resumed at step ${cancelAt}`);
    assert.deepEqual(resumed.architecture, full.architecture);
    assert.equal(resumed.predictedMs, full.predictedMs);
    assert.equal(resumed.finalLoss, full.finalLoss);
    full.supernet.dispose();
    resumed.supernet.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('search: cancel after the warm-up -> resume is bit-identical to an uninterrupted run', async () => {
  await cancelAndResume(tiny, WARMUP_STEPS + 1);
});

test('search: cancel inside the warm-up (indicator dropout, head dropout) -> resume is bit-identical', async () => {
  assert.ok(config.indicatorDropout > 0);
  await cancelAndResume(tinyDropout, 2);
});
