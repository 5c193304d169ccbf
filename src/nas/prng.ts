/** Small seeded PRNG (mulberry32) for decisions that must be reproducible from (seed, step). */
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

/** A seed for (run seed, step, stream): independent streams without stored RNG state. */
export function stepSeed(seed: number, step: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35) ^ Math.imul(stream + 1, 0x27d4eb2f)) >>> 0;
}

/** A non-zero seed for a TF.js initializer: TF.js draws from Math.random when a seed is 0 (falsy). */
export function initSeed(n: number): number {
  return stepSeed(n, 0, 7) || 1;
}
