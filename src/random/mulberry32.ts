/**
 * mulberry32: a small, fast 32-bit PRNG for reproducible draws from a derived seed (see seed-hash.ts).
 * Its state is one word, so it is re-created per (seed, step) rather than saved.
 */
import { hashSeed } from './seed-hash';

/** A generator of floats in [0, 1). */
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

/** mulberry32 with integer draws. */
export class Rng {
  private readonly nextFloat: () => number;

  constructor(seed: number) {
    this.nextFloat = mulberry32(seed);
  }

  /** Next float in [0, 1). */
  next(): number {
    return this.nextFloat();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.nextFloat() * n);
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
