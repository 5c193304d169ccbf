/**
 * Exact Gaussian-process regression (Rasmussen & Williams 2006, Algorithm 2.1) with a Matern 5/2 ARD
 * kernel and homoscedastic noise, and its negative log marginal likelihood with analytic gradients
 * (ibid. eq. 5.9) for hyperparameter fitting. Inputs are expected in the unit cube and outputs
 * standardised (zero mean, unit variance) by the caller, so a zero prior mean is appropriate.
 */
import { NumericalError } from '../errors';
import { cholesky, inverseFromCholesky, solveLower, solveUpperT } from './linalg';
import { kernelMatrix, kernelVector, kernelVectorWithGrad, maternGradFactor, scaledSqDist, type KernelParams } from './matern52';

/** GP hyperparameters in natural units. */
export interface GpHyper extends KernelParams {
  readonly noiseVar: number;
}

/** Hyperparameters as the optimiser sees them: [log l_1..log l_D, log s2, log noise]. */
export function hyperToTheta(h: GpHyper): number[] {
  return [...h.lengthscales.map(Math.log), Math.log(h.signalVar), Math.log(h.noiseVar)];
}

export function thetaToHyper(theta: ArrayLike<number>): GpHyper {
  const D = theta.length - 2;
  return {
    lengthscales: Array.from({ length: D }, (_, j) => Math.exp(theta[j]!)),
    signalVar: Math.exp(theta[D]!),
    noiseVar: Math.exp(theta[D + 1]!),
  };
}

/**
 * Cholesky of K with escalating jitter. Nearly duplicate inputs make K singular in floating point;
 * a jitter of up to 1e-4 x signal variance is far below the noise level that would change decisions.
 */
export function choleskyWithJitter(K: Float64Array, n: number, scale: number): Float64Array | undefined {
  let L = cholesky(K, n);
  for (let jitter = 1e-10 * scale; !L && jitter <= 1e-4 * scale; jitter *= 10) {
    const Kj = Float64Array.from(K);
    for (let i = 0; i < n; i++) Kj[i * n + i] = Kj[i * n + i]! + jitter;
    L = cholesky(Kj, n);
  }
  return L;
}

/** A GP conditioned on data: posterior mean and variance of the latent function. */
export class GaussianProcess {
  readonly n: number;
  private readonly L: Float64Array;
  private readonly alpha: Float64Array;

  constructor(
    readonly X: readonly (readonly number[])[],
    y: readonly number[],
    readonly hyper: GpHyper,
  ) {
    this.n = X.length;
    const K = kernelMatrix(X, hyper);
    for (let i = 0; i < this.n; i++) K[i * this.n + i] = K[i * this.n + i]! + hyper.noiseVar;
    const L = choleskyWithJitter(K, this.n, hyper.signalVar);
    if (!L) throw new NumericalError(`GP kernel matrix is not positive definite even with jitter (n=${this.n})`);
    this.L = L;
    this.alpha = solveUpperT(L, this.n, solveLower(L, this.n, y));
  }

  /** Posterior mean and latent variance at each row of xs. */
  predict(xs: readonly (readonly number[])[]): { mean: Float64Array; variance: Float64Array } {
    const mean = new Float64Array(xs.length);
    const variance = new Float64Array(xs.length);
    for (let c = 0; c < xs.length; c++) {
      const k = kernelVector(xs[c]!, this.X, this.hyper);
      let m = 0;
      for (let i = 0; i < this.n; i++) m += k[i]! * this.alpha[i]!;
      const v = solveLower(this.L, this.n, k);
      let vv = 0;
      for (let i = 0; i < this.n; i++) vv += v[i]! * v[i]!;
      mean[c] = m;
      variance[c] = Math.max(this.hyper.signalVar - vv, 1e-12 * this.hyper.signalVar);
    }
    return { mean, variance };
  }

  /** Posterior mean and variance at x with their gradients with respect to x. */
  predictWithGrad(x: readonly number[]): { mean: number; variance: number; dMean: Float64Array; dVariance: Float64Array } {
    const D = x.length;
    const { k, grad } = kernelVectorWithGrad(x, this.X, this.hyper);
    let mean = 0;
    for (let i = 0; i < this.n; i++) mean += k[i]! * this.alpha[i]!;
    const v = solveLower(this.L, this.n, k);
    let vv = 0;
    for (let i = 0; i < this.n; i++) vv += v[i]! * v[i]!;
    const w = solveUpperT(this.L, this.n, v); // K^{-1} k
    const dMean = new Float64Array(D);
    const dVariance = new Float64Array(D);
    for (let i = 0; i < this.n; i++) {
      for (let j = 0; j < D; j++) {
        const g = grad[i * D + j]!;
        dMean[j] = dMean[j]! + this.alpha[i]! * g;
        dVariance[j] = dVariance[j]! - 2 * w[i]! * g;
      }
    }
    const floor = 1e-12 * this.hyper.signalVar;
    const variance = this.hyper.signalVar - vv;
    if (variance < floor) dVariance.fill(0);
    return { mean, variance: Math.max(variance, floor), dMean, dVariance };
  }
}

/**
 * Negative log marginal likelihood -log p(y | X, theta) and its gradient in theta (log-parameters).
 * Returns Infinity when K cannot be factorised, which the optimiser treats as a rejected step.
 */
export function negLogMarginalLikelihood(
  X: readonly (readonly number[])[],
  y: readonly number[],
  theta: ArrayLike<number>,
): { value: number; grad: Float64Array } {
  const n = X.length;
  const D = theta.length - 2;
  const h = thetaToHyper(theta);
  const grad = new Float64Array(theta.length);
  const K = kernelMatrix(X, h);
  for (let i = 0; i < n; i++) K[i * n + i] = K[i * n + i]! + h.noiseVar;
  const L = cholesky(K, n);
  if (!L) return { value: Infinity, grad };
  const alpha = solveUpperT(L, n, solveLower(L, n, y));
  let value = 0.5 * n * Math.log(2 * Math.PI);
  for (let i = 0; i < n; i++) value += 0.5 * y[i]! * alpha[i]! + Math.log(L[i * n + i]!);
  // d(-log p)/d theta = -1/2 tr((alpha alpha^T - K^{-1}) dK/dtheta).
  const Kinv = inverseFromCholesky(L, n);
  const ls = h.lengthscales;
  for (let a = 0; a < n; a++) {
    const wDiag = alpha[a]! * alpha[a]! - Kinv[a * n + a]!;
    grad[D] = grad[D]! - 0.5 * wDiag * h.signalVar;
    grad[D + 1] = grad[D + 1]! - 0.5 * wDiag * h.noiseVar;
    for (let b = 0; b < a; b++) {
      const w = alpha[a]! * alpha[b]! - Kinv[a * n + b]!; // counted twice (symmetry): factor 0.5 cancels
      const xa = X[a]!;
      const xb = X[b]!;
      const r = Math.sqrt(scaledSqDist(xa, xb, ls));
      grad[D] = grad[D]! - w * (K[a * n + b]!);
      const g = maternGradFactor(r, h.signalVar);
      for (let j = 0; j < D; j++) {
        const d = (xa[j]! - xb[j]!) / ls[j]!;
        grad[j] = grad[j]! - w * g * d * d;
      }
    }
  }
  return { value, grad };
}
