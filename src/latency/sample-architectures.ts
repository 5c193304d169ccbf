/**
 * Seeded random architectures of a space, used to check a latency table against measured
 * whole-network latency. Pure: the random stream is a seeded mulberry32, so a seed names a sample set.
 */
import { CANDIDATES, type Architecture, type LayerOp } from '../space/architecture';
import { layoutOf } from '../space/layers';
import type { SearchSpace } from '../space/spec';
import { mulberry32 } from '../random';

/** Re-exported: the same seeded stream the engine uses. */
export { mulberry32 };

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
