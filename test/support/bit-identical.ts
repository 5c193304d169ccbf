/**
 * Bit-exact comparison of named float tensors (weights, optimizer slots, BN statistics): resuming a
 * run must reproduce the uninterrupted run's bytes, not merely come close.
 */
import assert from 'node:assert/strict';

type Floats = Float32Array | Int32Array | Uint8Array;

function bytesOf(a: Floats): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Fails naming every tensor whose bytes differ (with its element count and largest difference). */
export function assertBitIdentical(want: ReadonlyMap<string, Floats>, got: ReadonlyMap<string, Floats>, what: string): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: the same tensors`);
  const differing: string[] = [];
  for (const [name, w] of want) {
    const g = got.get(name)!;
    if (g.length === w.length && bytesOf(g).equals(bytesOf(w))) continue;
    let n = 0;
    let max = 0;
    for (let i = 0; i < Math.min(w.length, g.length); i++) {
      if (!Object.is(w[i], g[i])) n++;
      max = Math.max(max, Math.abs(w[i]! - g[i]!));
    }
    differing.push(`${name} (${n} of ${w.length} elements, max |diff| ${max})`);
  }
  assert.equal(differing.length, 0, `${what}: ${differing.length} tensors differ from the uninterrupted run: ${differing.slice(0, 5).join('; ')}`);
}

/** Tensors of a checkpoint (as CheckpointStore returns them) by name. */
export function checkpointTensors(tensors: Record<string, { data: Floats }>): Map<string, Floats> {
  return new Map(Object.entries(tensors).map(([n, t]) => [n, t.data]));
}
