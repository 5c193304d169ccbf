/**
 * Matern 5/2 kernel with automatic relevance determination (one lengthscale per input column):
 *   k(x, x') = s2 (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r),   r^2 = sum_j (x_j - x'_j)^2 / l_j^2
 * (Rasmussen & Williams, "Gaussian Processes for Machine Learning", 2006, eq. 4.17). Matern 5/2
 * rather than the squared exponential because it assumes twice-differentiable, not infinitely smooth,
 * objectives, the usual choice for BO (Snoek, Larochelle & Adams, NeurIPS 2012).
 */
const SQRT5 = Math.sqrt(5);

/** Kernel hyperparameters in natural units. */
export interface KernelParams {
  readonly lengthscales: readonly number[];
  readonly signalVar: number;
}

/** Squared scaled distance r^2 between two points. */
export function scaledSqDist(a: readonly number[], b: readonly number[], ls: readonly number[]): number {
  let r2 = 0;
  for (let j = 0; j < ls.length; j++) {
    const d = (a[j]! - b[j]!) / ls[j]!;
    r2 += d * d;
  }
  return r2;
}

/** k as a function of r. */
export function maternOfR(r: number, signalVar: number): number {
  return signalVar * (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

/**
 * -(1/r) dk/dr = (5/3) s2 (1 + sqrt5 r) exp(-sqrt5 r): finite at r = 0, so gradients need no special
 * case for coincident points. dk/dx_j = -g (x_j - x'_j) / l_j^2 and dk/dlog l_j = g (x_j - x'_j)^2 / l_j^2.
 */
export function maternGradFactor(r: number, signalVar: number): number {
  return (5 / 3) * signalVar * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** Symmetric kernel matrix (row-major n x n) of the rows of X. */
export function kernelMatrix(X: readonly (readonly number[])[], p: KernelParams): Float64Array {
  const n = X.length;
  const K = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    K[a * n + a] = p.signalVar;
    for (let b = 0; b < a; b++) {
      const k = maternOfR(Math.sqrt(scaledSqDist(X[a]!, X[b]!, p.lengthscales)), p.signalVar);
      K[a * n + b] = k;
      K[b * n + a] = k;
    }
  }
  return K;
}

/** Kernel vector k(x, X_i) for i = 0..n-1. */
export function kernelVector(x: readonly number[], X: readonly (readonly number[])[], p: KernelParams): Float64Array {
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = maternOfR(Math.sqrt(scaledSqDist(x, X[i]!, p.lengthscales)), p.signalVar);
  return out;
}

/**
 * Kernel vector and its Jacobian with respect to x: `grad[i * D + j]` = d k(x, X_i) / d x_j.
 */
export function kernelVectorWithGrad(x: readonly number[], X: readonly (readonly number[])[], p: KernelParams): { k: Float64Array; grad: Float64Array } {
  const n = X.length;
  const D = p.lengthscales.length;
  const k = new Float64Array(n);
  const grad = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const xi = X[i]!;
    const r = Math.sqrt(scaledSqDist(x, xi, p.lengthscales));
    k[i] = maternOfR(r, p.signalVar);
    const g = maternGradFactor(r, p.signalVar);
    for (let j = 0; j < D; j++) {
      const l = p.lengthscales[j]!;
      grad[i * D + j] = (-g * (x[j]! - xi[j]!)) / (l * l);
    }
  }
  return { k, grad };
}
