/**
 * Seeded random architectures of a space, used to check a latency table against measured
 * whole-network latency. Pure: the random stream is a seeded mulberry32, so a seed names a sample set.
 */
import { CANDIDATES, type Architecture, type LayerOp } from '../../space/architecture';
import { layoutOf } from '../../space/layers';
import type { SearchSpace } from '../../space/spec';

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` architectures, each layer drawn uniformly from its allowed ops (skip where allowed, the four
 * MBConv candidates, each with or without SE when SE is searchable).
 */
export function sampleArchitectures(space: SearchSpace, n: number, seed = 1): Architecture[] {
  const rng = mulberry32(seed);
  const layout = layoutOf(space);
  const archs: Architecture[] = [];
  for (let k = 0; k < n; k++) {
    const layers = layout.searchable.map((l): LayerOp => {
      const ops: LayerOp[] = l.skipAllowed ? [{ op: 'skip' }] : [];
      for (const c of CANDIDATES) {
        for (const se of space.search.se ? [false, true] : [false]) {
          ops.push({ op: 'mbconv', kernel: c.startsWith('k5') ? 5 : 3, expansion: c.endsWith('e6') ? 6 : 3, se });
        }
      }
      return ops[Math.floor(rng() * ops.length)]!;
    });
    archs.push({ space: space.name, layers });
  }
  return archs;
}
