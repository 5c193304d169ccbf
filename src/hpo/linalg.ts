/**
 * Dense linear algebra on row-major Float64Arrays for the GP. The factorisation itself is ml-matrix's
 * CholeskyDecomposition; only the triangular solves (two loops each) live here, on flat arrays,
 * because the acquisition calls them thousands of times per proposal.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/**
 * Lower Cholesky factor of a symmetric positive-definite n x n matrix, or undefined if it is not
 * numerically positive definite (callers add jitter and retry).
 */
export function cholesky(A: Float64Array, n: number): Float64Array | undefined {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(A.subarray(i * n, (i + 1) * n)));
  const dec = new CholeskyDecomposition(new Matrix(rows));
  if (!dec.isPositiveDefinite()) return undefined;
  const L = dec.lowerTriangularMatrix;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = L.getRow(i);
    for (let j = 0; j <= i; j++) out[i * n + j] = row[j]!;
  }
  return out;
}

/** Solves L z = b (forward substitution). */
export function solveLower(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    const row = i * n;
    for (let j = 0; j < i; j++) s -= L[row + j]! * z[j]!;
    z[i] = s / L[row + i]!;
  }
  return z;
}

/** Solves L^T z = b (back substitution). */
export function solveUpperT(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let j = i + 1; j < n; j++) s -= L[j * n + i]! * z[j]!;
    z[i] = s / L[i * n + i]!;
  }
  return z;
}

/** K^{-1} from its Cholesky factor: L^{-T} L^{-1}, row-major n x n. O(n^3). */
export function inverseFromCholesky(L: Float64Array, n: number): Float64Array {
  // Columns of L^{-1} by forward substitution on unit vectors, then Kinv = Linv^T Linv.
  const Linv = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    e.fill(0);
    e[c] = 1;
    const col = solveLower(L, n, e);
    for (let r = c; r < n; r++) Linv[r * n + c] = col[r]!;
  }
  const Kinv = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let r = a; r < n; r++) s += Linv[r * n + a]! * Linv[r * n + b]!;
      Kinv[a * n + b] = s;
      Kinv[b * n + a] = s;
    }
  }
  return Kinv;
}
