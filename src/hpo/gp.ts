/**
 * Exact Gaussian-process regression (Rasmussen & Williams 2006, Algorithm 2.1) with a Matern 5/2 ARD
 * kernel and homoscedastic noise, plus optional known per-observation noise variances added to the
 * diagonal (heteroscedastic: an accuracy on n images has variance p(1-p)/n; Goldberg et al. 1998), and its negative log marginal likelihood with analytic gradients
 * (ibid. eq. 5.9) for hyperparameter fitting. Inputs are expected in the unit cube and outputs
 * standardised (zero mean, unit variance) by the caller, so a zero prior mean is appropriate.
 */
import { NumericalError } from '../errors';
import { cholesky, inverseFromCholesky, solveLower, solveUpperT } from './linalg';
import { kernelMatrix, kernelVector, kernelVectorWithGrad, type KernelParams } from './matern52';

const SQRT5 = Math.sqrt(5);

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
    /** Known noise variance of each observation, on y's scale, added to the fitted level (absent: 0). */
    knownNoise?: readonly number[],
  ) {
    this.n = X.length;
    const K = kernelMatrix(X, hyper);
    for (let i = 0; i < this.n; i++) K[i * this.n + i] = K[i * this.n + i]! + hyper.noiseVar + (knownNoise?.[i] ?? 0);
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
 * Negative log marginal likelihood -log p(y | X, theta) and its gradient in theta (log-parameters),
 * for fixed data. The per-column squared differences of all pairs are computed once, because the
 * fit evaluates the likelihood hundreds of times on the same inputs.
 */
export class MarginalLikelihood {
  private readonly n: number;
  private readonly D: number;
  /** sq[(a * (a - 1) / 2 + b) * D + j] = (X[a][j] - X[b][j])^2 for b < a. */
  private readonly sq: Float64Array;

  constructor(
    X: readonly (readonly number[])[],
    private readonly y: readonly number[],
    /** Known per-observation noise variances (on y's scale), added to the fitted homoscedastic level. */
    private readonly knownNoise?: readonly number[],
  ) {
    this.n = X.length;
    this.D = X[0]?.length ?? 0;
    this.sq = new Float64Array(((this.n * (this.n - 1)) / 2) * this.D);
    let p = 0;
    for (let a = 0; a < this.n; a++) {
      for (let b = 0; b < a; b++) {
        for (let j = 0; j < this.D; j++) {
          const d = X[a]![j]! - X[b]![j]!;
          this.sq[p++] = d * d;
        }
      }
    }
  }

  /** Value and gradient; Infinity when K cannot be factorised (the optimiser rejects the step). */
  evaluate(theta: ArrayLike<number>): { value: number; grad: Float64Array } {
    const { n, D, sq, y } = this;
    const h = thetaToHyper(theta);
    const s2 = h.signalVar;
    const inv2 = h.lengthscales.map((l) => 1 / (l * l));
    const grad = new Float64Array(theta.length);
    const K = new Float64Array(n * n);
    // Keep r per pair for the gradient pass.
    const rs = new Float64Array((n * (n - 1)) / 2);
    let p = 0;
    for (let a = 0; a < n; a++) {
      K[a * n + a] = s2 + h.noiseVar + (this.knownNoise?.[a] ?? 0);
      for (let b = 0; b < a; b++, p++) {
        let r2 = 0;
        for (let j = 0; j < D; j++) r2 += sq[p * D + j]! * inv2[j]!;
        const r = Math.sqrt(r2);
        rs[p] = r;
        const k = s2 * (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
        K[a * n + b] = k;
        K[b * n + a] = k;
      }
    }
    const L = cholesky(K, n);
    if (!L) return { value: Infinity, grad };
    const alpha = solveUpperT(L, n, solveLower(L, n, y));
    let value = 0.5 * n * Math.log(2 * Math.PI);
    for (let i = 0; i < n; i++) value += 0.5 * y[i]! * alpha[i]! + Math.log(L[i * n + i]!);
    // d(-log p)/d theta = -1/2 tr((alpha alpha^T - K^{-1}) dK/dtheta); off-diagonal pairs count twice.
    const Kinv = inverseFromCholesky(L, n);
    p = 0;
    for (let a = 0; a < n; a++) {
      const wDiag = alpha[a]! * alpha[a]! - Kinv[a * n + a]!;
      grad[D] = grad[D]! - 0.5 * wDiag * s2;
      grad[D + 1] = grad[D + 1]! - 0.5 * wDiag * h.noiseVar;
      for (let b = 0; b < a; b++, p++) {
        const w = alpha[a]! * alpha[b]! - Kinv[a * n + b]!;
        grad[D] = grad[D]! - w * K[a * n + b]!;
        const r = rs[p]!;
        const g = w * (5 / 3) * s2 * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
        for (let j = 0; j < D; j++) grad[j] = grad[j]! - g * sq[p * D + j]! * inv2[j]!;
      }
    }
    return { value, grad };
  }
}

/** One-off {@link MarginalLikelihood} evaluation. */
export function negLogMarginalLikelihood(
  X: readonly (readonly number[])[],
  y: readonly number[],
  theta: ArrayLike<number>,
): { value: number; grad: Float64Array } {
  return new MarginalLikelihood(X, y).evaluate(theta);
}
