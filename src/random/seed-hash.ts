/**
 * Seeds derived from tuples of integers. Every random choice in spnas is a function of such a tuple
 * (seed, purpose, epoch, step, index), never of a stream advanced across calls, so any step of a run
 * can be reproduced on its own: a resumed run sees exactly what an uninterrupted one saw.
 */

/** A 32-bit integer mixer (the murmur3 finaliser): good avalanche for hashing small tuples. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a tuple of integers (seed, tags, indices) into a 32-bit seed. */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    // Split into 32-bit halves so seeds beyond 2^32 (and negative ones) still mix in fully.
    h = fmix32(h ^ (p >>> 0));
    h = fmix32(h ^ (Math.floor(p / 0x100000000) >>> 0));
  }
  return h;
}

/** A seed for (run seed, step, stream): independent streams without stored RNG state. */
export function stepSeed(seed: number, step: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35) ^ Math.imul(stream + 1, 0x27d4eb2f)) >>> 0;
}

/** A non-zero seed for a TF.js initializer: TF.js draws from Math.random when a seed is 0 (falsy). */
export function initSeed(n: number): number {
  return stepSeed(n, 0, 7) || 1;
}
