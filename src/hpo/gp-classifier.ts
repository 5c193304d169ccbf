/**
 * A Gaussian-process classifier of trial failure: the probability that a trial at x fails, learnt
 * from the failed/ok labels of the trials so far, so that the sampler can weigh its acquisition by the
 * probability of success (constrained EI with an unknown, binary constraint: Gardner et al., ICML 2014;
 * Gelbart, Snoek & Adams, UAI 2014).
 *
 * Laplace approximation with a logistic likelihood (Rasmussen & Williams 2006, Algorithms 3.1 and 3.2),
 * a Matern 5/2 ARD kernel on the same features as the objective's GP, and a constant prior mean at the
 * logit of the smoothed overall failure rate, so that far from any trial the model predicts the rate
 * seen so far rather than a coin flip. Lengthscales and signal variance maximise the approximate
 * marginal likelihood (ibid. Algorithm 5.1, analytic gradients) by bounded L-BFGS.
 *
 * Why it handles both kinds of failure with one rule: failures independent of x (a lost node) are
 * unpredictable, the evidence prefers a flat latent function, and the weight is the same constant
 * everywhere, which leaves the argmax of EI unchanged; failures confined to a region (a diverging
 * learning rate) are predictable, and the weight there falls towards zero as evidence accumulates.
 */
import { cholesky, solveLower, solveUpperT } from './linalg';
import { minimizeBox } from './lbfgs';
import { kernelMatrix, kernelVector, kernelVectorWithGrad, maternGradFactor, type KernelParams } from './matern52';

/** Hyperparameters of the classifier's latent GP, in natural units. */
export type ClassifierHyper = KernelParams;

/** Bounds on the unit-cube features. A lower lengthscale bound well above the objective GP's keeps one
 *  unlucky failure from carving a deep, narrow hole around itself. */
export const CLASSIFIER_BOUNDS = {
  lengthscale: [0.05, 2] as const,
  signalVar: [0.05, 25] as const,
};

const sigmoid = (f: number): number => (f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f)));
/** log(1 + e^f) without overflow. */
const softplus = (f: number): number => (f > 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f)));

interface Laplace {
  /** Latent mode minus the prior mean. */
  readonly g: Float64Array;
  /** d log p(t | f) / df at the mode: t - pi. */
  readonly dlp: Float64Array;
  readonly sqrtW: Float64Array;
  /** Cholesky factor of B = I + W^1/2 K W^1/2. */
  readonly L: Float64Array;
  /** K^{-1} g at the mode. */
  readonly a: Float64Array;
  /** Approximate log marginal likelihood. */
  readonly logZ: number;
}

/** Newton iterations for the posterior mode (R&W Algorithm 3.1, with step halving for safety). */
function laplaceMode(K: Float64Array, t: readonly number[], c: number): Laplace | undefined {
  const n = t.length;
  let g: Float64Array = new Float64Array(n);
  let a: Float64Array = new Float64Array(n);
  const objective = (gg: Float64Array, aa: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += -0.5 * aa[i]! * gg[i]! + t[i]! * (c + gg[i]!) - softplus(c + gg[i]!);
    return s;
  };
  let psi = objective(g, a);
  let L: Float64Array | undefined;
  const sqrtW = new Float64Array(n);
  const dlp = new Float64Array(n);
  for (let it = 0; it < 50; it++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(c + g[i]!);
      dlp[i] = t[i]! - p;
      sqrtW[i] = Math.sqrt(Math.max(p * (1 - p), 1e-12));
    }
    const B = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B[i * n + j] = (i === j ? 1 : 0) + sqrtW[i]! * K[i * n + j]! * sqrtW[j]!;
    L = cholesky(B, n);
    if (!L) return undefined;
    // b = W g + grad; a = b - W^1/2 L^T \ (L \ (W^1/2 K b)); the Newton step goes to K a.
    const b = Float64Array.from(g, (v, i) => sqrtW[i]! * sqrtW[i]! * v + dlp[i]!);
    const Kb = matVec(K, n, b);
    const z = solveUpperT(
      L,
      n,
      solveLower(
        L,
        n,
        Kb.map((v, i) => sqrtW[i]! * v),
      ),
    );
    const aNew = Float64Array.from(b, (v, i) => v - sqrtW[i]! * z[i]!);
    const gNew = matVec(K, n, aNew);
    let psiNew = objective(gNew, aNew);
    // Halve the step while the objective drops (rare with a log-concave likelihood).
    for (let h = 0; h < 20 && !(psiNew >= psi - 1e-12); h++) {
      for (let i = 0; i < n; i++) {
        aNew[i] = 0.5 * (aNew[i]! + a[i]!);
        gNew[i] = 0.5 * (gNew[i]! + g[i]!);
      }
      psiNew = objective(gNew, aNew);
    }
    const done = Math.abs(psiNew - psi) < 1e-10 * Math.max(1, Math.abs(psi));
    g = gNew;
    a = aNew;
    psi = psiNew;
    if (done) break;
  }
  // Factors at the final mode.
  for (let i = 0; i < n; i++) {
    const p = sigmoid(c + g[i]!);
    dlp[i] = t[i]! - p;
    sqrtW[i] = Math.sqrt(Math.max(p * (1 - p), 1e-12));
  }
  const B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B[i * n + j] = (i === j ? 1 : 0) + sqrtW[i]! * K[i * n + j]! * sqrtW[j]!;
  L = cholesky(B, n);
  if (!L) return undefined;
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(L[i * n + i]!);
  return { g, dlp, sqrtW, L, a, logZ: psi - logDet };
}

function matVec(M: Float64Array, n: number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += M[i * n + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * Negative approximate log marginal likelihood and its gradient in theta = [log l_1..log l_D, log s2]
 * (R&W Algorithm 5.1). Exported for the gradient check in the tests.
 */
export function classifierNegLogEvidence(
  X: readonly (readonly number[])[],
  t: readonly number[],
  c: number,
  theta: ArrayLike<number>,
): { value: number; grad: Float64Array } {
  const n = X.length;
  const D = theta.length - 1;
  const hyper: ClassifierHyper = { lengthscales: Array.from({ length: D }, (_, j) => Math.exp(theta[j]!)), signalVar: Math.exp(theta[D]!) };
  const grad = new Float64Array(D + 1);
  const K = kernelMatrix(X, hyper);
  const lap = laplaceMode(K, t, c);
  if (!lap) return { value: Infinity, grad };
  const { L, sqrtW, a, dlp, g } = lap;
  // R = W^1/2 B^{-1} W^1/2 (symmetric), C = L^{-1} W^1/2 K.
  const R = new Float64Array(n * n);
  const C: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = sqrtW[j]!;
    const col = solveUpperT(L, n, solveLower(L, n, e));
    for (let i = 0; i < n; i++) R[i * n + j] = sqrtW[i]! * col[i]!;
    const kcol = new Float64Array(n);
    for (let i = 0; i < n; i++) kcol[i] = sqrtW[i]! * K[i * n + j]!;
    C.push(solveLower(L, n, kcol)); // column j of C
  }
  // s2 = -1/2 (diag K - diag C^T C) * d3 log p; for the logistic d3 = -pi (1 - pi) (1 - 2 pi).
  const s2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let cc = 0;
    for (let k = 0; k < n; k++) cc += C[i]![k]! * C[i]![k]!;
    const p = sigmoid(c + g[i]!);
    s2[i] = 0.5 * (K[i * n + i]! - cc) * (-p * (1 - p) * (1 - 2 * p));
  }
  const Cj = new Float64Array(n * n);
  for (let j = 0; j <= D; j++) {
    // dK / dtheta_j.
    for (let p = 0; p < n; p++) {
      Cj[p * n + p] = j === D ? hyper.signalVar : 0;
      for (let q = 0; q < p; q++) {
        let v: number;
        if (j === D) v = K[p * n + q]!;
        else {
          let r2 = 0;
          for (let k = 0; k < D; k++) r2 += ((X[p]![k]! - X[q]![k]!) / hyper.lengthscales[k]!) ** 2;
          const d = (X[p]![j]! - X[q]![j]!) / hyper.lengthscales[j]!;
          v = maternGradFactor(Math.sqrt(r2), hyper.signalVar) * d * d;
        }
        Cj[p * n + q] = v;
        Cj[q * n + p] = v;
      }
    }
    const Ca = matVec(Cj, n, a);
    let s1 = 0;
    let tr = 0;
    for (let p = 0; p < n; p++) {
      s1 += 0.5 * a[p]! * Ca[p]!;
      for (let q = 0; q < n; q++) tr += R[p * n + q]! * Cj[q * n + p]!;
    }
    s1 -= 0.5 * tr;
    const b = matVec(Cj, n, dlp);
    const KRb = matVec(K, n, matVec(R, n, b));
    let s23 = 0;
    for (let p = 0; p < n; p++) s23 += s2[p]! * (b[p]! - KRb[p]!);
    grad[j] = -(s1 + s23);
  }
  return { value: -lap.logZ, grad };
}

/** Logit of the failure rate with one pseudo-count each way: what an unexplored point is expected to do. */
function priorMean(failed: readonly boolean[]): number {
  const rate = (failed.filter(Boolean).length + 1) / (failed.length + 2);
  return Math.log(rate / (1 - rate));
}

/** A fitted failure classifier: predicts log P(ok) at feature vectors, with gradients. */
export class FailureClassifier {
  private readonly lap: Laplace;
  private readonly n: number;

  private constructor(
    private readonly X: readonly (readonly number[])[],
    private readonly c: number,
    readonly hyper: ClassifierHyper,
    lap: Laplace,
    /** Indices (into the rows given to `fit`) of the rows the model conditions on. */
    readonly rows: readonly number[],
  ) {
    this.lap = lap;
    this.n = X.length;
  }

  /**
   * Fits to `failed` labels at feature rows X. The hyperparameters are refitted from `warmStart` (the
   * previous fit) and a neutral start. Above `maxFitPoints` rows the model uses the most recent
   * failures (up to half) and successes (deterministic, no random draws), for the fit and for the
   * posterior alike: each Laplace step is O(n^3), and a study's recent trials say the most.
   * Returns undefined when there is no failure (nothing to learn: every trial is predicted to succeed).
   */
  static fit(
    X: readonly (readonly number[])[],
    failed: readonly boolean[],
    opts: { warmStart?: ClassifierHyper; maxFitPoints?: number } = {},
  ): FailureClassifier | undefined {
    const nFail = failed.filter(Boolean).length;
    if (nFail === 0 || X.length === 0) return undefined;
    const t = failed.map((f) => (f ? 1 : 0));
    const c = priorMean(failed);
    const D = X[0]!.length;
    const B = CLASSIFIER_BOUNDS;
    const lo = [...Array<number>(D).fill(Math.log(B.lengthscale[0])), Math.log(B.signalVar[0])];
    const hi = [...Array<number>(D).fill(Math.log(B.lengthscale[1])), Math.log(B.signalVar[1])];
    const max = opts.maxFitPoints ?? 100;
    let idx = X.map((_, i) => i);
    if (X.length > max) {
      const fails = idx.filter((i) => failed[i]).slice(-Math.floor(max / 2));
      const oks = idx.filter((i) => !failed[i]).slice(-(max - fails.length));
      idx = [...fails, ...oks].sort((x, y) => x - y);
    }
    const Xs = idx.map((i) => X[i]!);
    const ts = idx.map((i) => t[i]!);
    const starts: number[][] = [[...Array<number>(D).fill(Math.log(0.3)), Math.log(1)]];
    if (opts.warmStart) starts.unshift([...opts.warmStart.lengthscales.map(Math.log), Math.log(opts.warmStart.signalVar)]);
    let best: { x: Float64Array; value: number } | undefined;
    for (const s of starts) {
      const r = minimizeBox((th) => classifierNegLogEvidence(Xs, ts, c, th), s, lo, hi, { maxIter: 40, ftol: 1e-8 });
      if (Number.isFinite(r.value) && (!best || r.value < best.value)) best = r;
    }
    const theta = best ? best.x : Float64Array.from(starts.at(-1)!);
    const hyper = { lengthscales: Array.from({ length: D }, (_, j) => Math.exp(theta[j]!)), signalVar: Math.exp(theta[D]!) };
    const lap = laplaceMode(kernelMatrix(Xs, hyper), ts, c);
    return lap ? new FailureClassifier(Xs, c, hyper, lap, idx) : undefined;
  }

  /** The classifier with given hyperparameters and prior mean (default: from the labels), no fitting. */
  static condition(
    X: readonly (readonly number[])[],
    failed: readonly boolean[],
    hyper: ClassifierHyper,
    c = priorMean(failed),
  ): FailureClassifier | undefined {
    const lap = laplaceMode(
      kernelMatrix(X, hyper),
      failed.map((f) => (f ? 1 : 0)),
      c,
    );
    return lap
      ? new FailureClassifier(
          X,
          c,
          hyper,
          lap,
          X.map((_, i) => i),
        )
      : undefined;
  }

  /** The latent prior mean: logit of the smoothed failure rate. */
  get priorMean(): number {
    return this.c;
  }

  /** Latent mean and variance at x (R&W Algorithm 3.2). */
  private latent(k: Float64Array): { mean: number; variance: number; v: Float64Array } {
    let m = this.c;
    for (let i = 0; i < this.n; i++) m += k[i]! * this.lap.dlp[i]!;
    const v = solveLower(
      this.lap.L,
      this.n,
      k.map((x, i) => this.lap.sqrtW[i]! * x),
    );
    let vv = 0;
    for (let i = 0; i < this.n; i++) vv += v[i]! * v[i]!;
    return { mean: m, variance: Math.max(this.hyper.signalVar - vv, 1e-12 * this.hyper.signalVar), v };
  }

  /**
   * log P(ok | x), with the latent uncertainty integrated by MacKay's probit approximation:
   * P(fail) = sigmoid(kappa mean), kappa = (1 + pi var / 8)^(-1/2) (R&W eq. 3.25 and sec. 3.4).
   */
  logPOk(xs: readonly (readonly number[])[]): Float64Array {
    return Float64Array.from(xs, (x) => {
      const { mean, variance } = this.latent(kernelVector(x, this.X, this.hyper));
      return -softplus(mean / Math.sqrt(1 + (Math.PI * variance) / 8));
    });
  }

  /**
   * Leave-one-out P(fail) at each row the model conditions on (`rows`): what the other trials predict. A failure that its
   * neighbours predict belongs to a failing region; one they do not is bad luck. The Laplace posterior is
   * a GP regression on pseudo-targets z = g + W^-1 (t - pi) with noise W^-1, so the closed-form LOO of
   * GP regression applies (R&W eq. 5.12): with A^-1 = W^1/2 B^-1 W^1/2 and A^-1 z = t - pi,
   * mean_-i = z_i - (t_i - pi_i) / [A^-1]_ii, latent variance 1 / [A^-1]_ii - 1 / W_i.
   */
  looFailureProbability(): Float64Array {
    const { n } = this;
    const { L, sqrtW, dlp, g } = this.lap;
    // Rows of L^-1 give diag(B^-1)_i = sum_k (L^-1)_ki^2.
    const diagBinv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const e = new Float64Array(n);
      e[i] = 1;
      const col = solveLower(L, n, e);
      for (let k = 0; k < n; k++) diagBinv[i] = diagBinv[i]! + col[k]! * col[k]!;
    }
    return Float64Array.from(g, (gi, i) => {
      const w = sqrtW[i]! * sqrtW[i]!;
      const aii = w * diagBinv[i]!;
      const z = gi + dlp[i]! / w;
      const mean = this.c + z - dlp[i]! / aii;
      const variance = Math.max(1 / aii - 1 / w, 1e-12);
      return sigmoid(mean / Math.sqrt(1 + (Math.PI * variance) / 8));
    });
  }

  /** P(fail | x) at each row, for diagnostics and reports. */
  failureProbability(xs: readonly (readonly number[])[]): Float64Array {
    return this.logPOk(xs).map((l) => -Math.expm1(l));
  }

  /** log P(ok | x) and its gradient with respect to x. */
  logPOkWithGrad(x: readonly number[]): { value: number; grad: Float64Array } {
    const D = x.length;
    const { k, grad: dk } = kernelVectorWithGrad(x, this.X, this.hyper);
    const { mean, variance, v } = this.latent(k);
    const floor = 1e-12 * this.hyper.signalVar;
    // d var / dx = -2 (W^1/2 L^-T v)^T dk/dx; d mean / dx = dlp^T dk/dx.
    const w = solveUpperT(this.lap.L, this.n, v).map((y, i) => this.lap.sqrtW[i]! * y);
    const dMean = new Float64Array(D);
    const dVar = new Float64Array(D);
    for (let i = 0; i < this.n; i++) {
      for (let j = 0; j < D; j++) {
        const gij = dk[i * D + j]!;
        dMean[j] = dMean[j]! + this.lap.dlp[i]! * gij;
        if (variance > floor) dVar[j] = dVar[j]! - 2 * w[i]! * gij;
      }
    }
    const s = 1 + (Math.PI * variance) / 8;
    const kappa = 1 / Math.sqrt(s);
    const u = kappa * mean;
    const dU = dMean.map((dm, j) => kappa * dm - 0.5 * mean * s ** -1.5 * (Math.PI / 8) * dVar[j]!);
    const p = sigmoid(u);
    return { value: -softplus(u), grad: dU.map((d) => -p * d) };
  }
}
