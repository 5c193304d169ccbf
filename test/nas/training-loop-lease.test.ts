/**
 * A run's lease through the training loop whose steps hold the event loop for a long time (a slow
 * step, a loaded machine): the renewal the timer starts is a chain of I/O steps, each needing a turn
 * of the event loop. Found in the quick start under load: a shared warm-up lost its 60-s lease at the
 * same step on four attempts. With the loop awaiting the lease's settled renewal between steps the
 * lease holds; without it, it lapses although the writer is alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Batch, BatchSource } from '../../src/nas/batch-source';
import { runTrainingLoop } from '../../src/nas/training-loop';
import { openStore } from '../../src/storage/open-store';
import { RunLease } from '../../src/storage/run-lease';
import { tempDir } from '../support/temp-dir';

const STEP_MS = 300;
const STEPS = 16; // ~4.8 s of steps against a 3-s lease renewed every second

const source: BatchSource = {
  batchesPerEpoch: 4,
  async *batches(_epoch: number, start = 0) {
    for (let b = start; b < 4; b++) yield { images: new Float32Array(1), labels: new Int32Array(1), size: 1 } as unknown as Batch;
  },
};

/** A step that keeps the event loop busy, as a training step does. */
function blockingStep(): { loss: number } {
  const end = Date.now() + STEP_MS;
  while (Date.now() < end);
  return { loss: 0 };
}

async function trainUnderLease(settle: boolean): Promise<{ lost: boolean }> {
  const lease = await RunLease.acquire(openStore(tempDir('spnas-loop-lease-')), { owner: 'test:loop', ttlMs: 3000, renewIntervalMs: 1000 });
  let lost = false;
  try {
    await runTrainingLoop({
      source,
      totalSteps: STEPS,
      startStep: 0,
      checkpointEvery: 1000,
      step: blockingStep,
      // a write after every step, as checkpoints do: it fails once the lease has lapsed
      saveCheckpoint: async () => lease.assertHeld(),
      onProgress: () => {
        try {
          lease.assertHeld();
        } catch {
          lost = true;
        }
      },
      ...(settle ? { settle: () => lease.settled() } : {}),
    });
  } catch {
    lost = true;
  } finally {
    await lease.release().catch(() => undefined);
  }
  return { lost };
}

test('the lease holds through steps that block the event loop when the loop lets its renewal settle', async () => {
  assert.deepEqual(await trainUnderLease(true), { lost: false });
});

test('without settling between steps the same loop loses the lease (the failure the settle step prevents)', async () => {
  assert.deepEqual(await trainUnderLease(false), { lost: true });
});
