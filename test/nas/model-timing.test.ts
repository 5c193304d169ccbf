/**
 * Interleaved timing rounds: every model gets one sample per round in its own slot; a profile's
 * rounds each run in a new seeded order (no model always follows the same neighbours), a paired
 * measurement's in the given order (each call after the reference's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { latencySamples, type ModelToTime } from '../../src/nas/model-timing';

/** Stand-ins that record which model ran when (the timing itself is not under test here). */
function recorder(n: number): { calls: number[]; models: ModelToTime[]; tf: typeof TF } {
  const calls: number[] = [];
  const tensor = { data: async () => new Float32Array(1), dispose: () => {} };
  const models = Array.from({ length: n }, (_, i) => ({
    label: `m${i}`,
    inputShape: [1],
    model: { predict: () => (calls.push(i), tensor) } as unknown as TF.LayersModel,
  }));
  return { calls, models, tf: { randomNormal: () => tensor } as unknown as typeof TF };
}

const rounds = (calls: number[], n: number, warmup: number) =>
  Array.from({ length: (calls.length - warmup * n) / n }, (_, r) => calls.slice(warmup * n + r * n, warmup * n + (r + 1) * n));

test('with a shuffle seed each round runs every model once, in orders that differ between rounds and repeat with the seed', async () => {
  const n = 6;
  const a = recorder(n);
  const samples = await latencySamples(a.tf, a.models, { warmup: 1, repeats: 8, shuffleSeed: 3 });
  assert.deepEqual(
    samples.map((s) => s.length),
    Array(n).fill(8),
  );
  const orders = rounds(a.calls, n, 1);
  for (const o of orders) assert.deepEqual([...o].sort(), [0, 1, 2, 3, 4, 5]);
  assert.ok(new Set(orders.map((o) => o.join())).size > 4, orders.map((o) => o.join()).join(' | '));
  // who runs right before model 0 changes between rounds
  assert.ok(new Set(orders.map((o) => o[o.indexOf(0) - 1] ?? 'first')).size > 1);
  const b = recorder(n);
  await latencySamples(b.tf, b.models, { warmup: 1, repeats: 8, shuffleSeed: 3 });
  assert.deepEqual(b.calls, a.calls, 'the same seed, the same orders');
});

test('without a seed every round keeps the given order (a paired measurement: each call right after the reference)', async () => {
  const c = recorder(2);
  await latencySamples(c.tf, c.models, { warmup: 2, repeats: 5 });
  for (const o of rounds(c.calls, 2, 2)) assert.deepEqual(o, [0, 1]);
});
