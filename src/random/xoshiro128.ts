/**
 * Seeded pseudo-random numbers for the samplers: xoshiro128** (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 2021), seeded through splitmix32.
 *
 * Why our own generator: samplers must be deterministic by seed and their state must round-trip through
 * JSON exactly, so that a study restored from a snapshot proposes what an uninterrupted one would.
 * Math.random offers neither. The whole state is four uint32 words.
 */
export type PrngState = readonly [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** xoshiro128** generator with an exportable state. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(state: PrngState) {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  /** A generator from an integer seed (any safe integer; high bits are folded in, not dropped). */
  static fromSeed(seed: number): Prng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const hi = Math.floor(Math.abs(seed) / 2 ** 32);
    const sm = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d) ^ (seed < 0 ? 0x5bd1e995 : 0));
    const st: [number, number, number, number] = [sm(), sm(), sm(), sm()];
    // The all-zero state is the one fixed point of xoshiro; splitmix never yields it, but guard anyway.
    if ((st[0] | st[1] | st[2] | st[3]) === 0) st[0] = 1;
    return new Prng(st);
  }

  /** A generator continuing exactly from a saved state. */
  static fromState(state: PrngState): Prng {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new RangeError(`PRNG state must be four uint32 words, got ${JSON.stringify(state)}`);
    }
    return new Prng(state);
  }

  state(): PrngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Next uint32. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  float(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.float() * n));
  }

  /** Standard normal draw (Box-Muller; no cached second value so the state stays four words). */
  normal(): number {
    const u = 1 - this.float(); // (0, 1], keeps log finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }
}
