/**
 * Sobol low-discrepancy sequence (Sobol 1967) with the direction numbers of Joe & Kuo ("Constructing
 * Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 2008), generated in
 * Gray-code order (Antonov & Saleev 1979), randomised by a seeded digital shift.
 *
 * Why the shift: an unrandomised Sobol sequence starts at the origin and is identical for every seed;
 * a random XOR shift per dimension keeps the (t, m, s)-net structure while making seeds differ.
 */
import type { Prng } from '../random';

/** [degree s, polynomial coefficients a, initial direction numbers m_1..m_s] for dimensions 2.. */
const JOE_KUO: ReadonlyArray<readonly [number, number, readonly number[]]> = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
  [6, 19, [1, 1, 1, 15, 7, 5]],
  [6, 22, [1, 3, 1, 15, 13, 25]],
  [6, 25, [1, 1, 5, 5, 19, 61]],
  [7, 1, [1, 3, 7, 11, 23, 15, 103]],
  [7, 4, [1, 3, 7, 13, 13, 15, 69]],
];

/** Largest dimension with direction numbers; callers fall back to pseudo-random beyond it. */
export const SOBOL_MAX_DIM = JOE_KUO.length + 1;
const BITS = 32;

function directionNumbers(dim: number): Uint32Array[] {
  const out: Uint32Array[] = [];
  // Dimension 1 is the van der Corput sequence in base 2: v_k = 2^(32-k).
  const first = new Uint32Array(BITS);
  for (let k = 0; k < BITS; k++) first[k] = 2 ** (BITS - 1 - k);
  out.push(first);
  for (let j = 1; j < dim; j++) {
    const [s, a, m] = JOE_KUO[j - 1]!;
    const v = new Uint32Array(BITS);
    for (let k = 0; k < s && k < BITS; k++) v[k] = m[k]! * 2 ** (BITS - 1 - k);
    for (let k = s; k < BITS; k++) {
      // Recurrence from the primitive polynomial: v_k = v_{k-s} ^ (v_{k-s} >> s) ^ sum_i a_i v_{k-i}.
      let x = (v[k - s]! ^ (v[k - s]! >>> s)) >>> 0;
      for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x = (x ^ v[k - i]!) >>> 0;
      v[k] = x;
    }
    out.push(v);
  }
  return out;
}

/** Serialisable state of a {@link SobolSequence}. */
export interface SobolState {
  readonly dim: number;
  readonly index: number;
  readonly shift: readonly number[];
}

/** A digitally shifted Sobol sequence in [0, 1)^dim; `next()` is O(dim) per point. */
export class SobolSequence {
  readonly dim: number;
  private index: number;
  private readonly shift: readonly number[];
  private readonly v: Uint32Array[];
  private readonly x: Uint32Array;

  private constructor(state: SobolState) {
    if (state.dim < 1 || state.dim > SOBOL_MAX_DIM) {
      throw new RangeError(`Sobol dimension must be in [1, ${SOBOL_MAX_DIM}], got ${state.dim}`);
    }
    this.dim = state.dim;
    this.index = 0;
    this.shift = state.shift;
    this.v = directionNumbers(state.dim);
    this.x = new Uint32Array(state.dim);
    // Replaying is O(index * dim); restoring happens once per study resume, so simplicity wins.
    while (this.index < state.index) this.advance();
  }

  /** A new sequence; with `rng` it is digitally shifted (randomised), without it is the plain sequence. */
  static create(dim: number, rng?: Prng): SobolSequence {
    const shift = Array.from({ length: dim }, () => (rng ? rng.nextU32() : 0));
    return new SobolSequence({ dim, index: 0, shift });
  }

  static fromState(state: SobolState): SobolSequence {
    return new SobolSequence(state);
  }

  state(): SobolState {
    return { dim: this.dim, index: this.index, shift: [...this.shift] };
  }

  private advance(): void {
    // Gray code: point i+1 differs from point i in the direction number of the lowest zero bit of i.
    let c = 0;
    let i = this.index;
    while (i & 1) {
      i >>>= 1;
      c++;
    }
    for (let j = 0; j < this.dim; j++) this.x[j] = (this.x[j]! ^ this.v[j]![c]!) >>> 0;
    this.index++;
  }

  /** The next point; the first is the (shifted) origin, as in the unscrambled sequence. */
  next(): number[] {
    const p = Array.from({ length: this.dim }, (_, j) => ((this.x[j]! ^ this.shift[j]!) >>> 0) / 2 ** BITS);
    this.advance();
    return p;
  }
}
