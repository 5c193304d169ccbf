/**
 * Seeded randomness for the data pipeline. Every random choice is derived from a hash of
 * (seed, purpose, epoch, index), never from a stream advanced across calls, so batch (epoch, i)
 * is reproducible on its own: a run resumed at batch i sees exactly the batches it would have seen.
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

/** Purpose tags, so the shuffle and the augmentation of the same (seed, epoch) are independent. */
export const Purpose = { split: 1, epochOrder: 2, augment: 3, shardOrder: 4, sampleShuffle: 5 } as const;

/** A small, fast PRNG (mulberry32) returning floats in [0, 1). */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Next float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Rng for a tuple, e.g. rngFor(seed, Purpose.augment, epoch, batchIndex). */
export function rngFor(...parts: number[]): Rng {
  return new Rng(hashSeed(...parts));
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T>(a: T[] | Int32Array | Uint32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** A permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  shuffleInPlace(p, rng);
  return p;
}
