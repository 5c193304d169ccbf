/**
 * Output warping for the GP: standardise, then a Yeo-Johnson power transform (Yeo & Johnson,
 * Biometrika 2000) whose exponent maximises the Gaussian profile likelihood, then standardise again.
 *
 * Why: objectives are often heavy-tailed (a few very bad trials). A stationary GP on the raw values
 * spends its signal variance on the outliers and sees the good region as flat; warping towards
 * normality restores resolution where the optimum is (as HEBO does, Cowen-Rivers et al., JAIR 2022).
 * The transform is monotone, so the incumbent and EI's ordering are unchanged.
 */

function yeoJohnson(y: number, lambda: number): number {
  if (y >= 0) return Math.abs(lambda) < 1e-8 ? Math.log1p(y) : ((y + 1) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-8 ? -Math.log1p(-y) : -((1 - y) ** (2 - lambda) - 1) / (2 - lambda);
}

/** d yeoJohnson(y, lambda) / dy. */
function yeoJohnsonSlope(y: number, lambda: number): number {
  return y >= 0 ? (y + 1) ** (lambda - 1) : (1 - y) ** (1 - lambda);
}

function yeoJohnsonInverse(t: number, lambda: number): number {
  if (t >= 0) return Math.abs(lambda) < 1e-8 ? Math.expm1(t) : Math.max(lambda * t + 1, 0) ** (1 / lambda) - 1;
  return Math.abs(lambda - 2) < 1e-8 ? -Math.expm1(-t) : 1 - Math.max(1 - (2 - lambda) * t, 0) ** (1 / (2 - lambda));
}

function moments(y: readonly number[]): { mean: number; scale: number } {
  const n = y.length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { mean, scale: sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1 };
}

function standardise(y: readonly number[]): number[] {
  const { mean, scale } = moments(y);
  return y.map((v) => (v - mean) / scale);
}

/** Profile log-likelihood of lambda (Yeo & Johnson 2000, eq. 3.1 up to constants). */
function logLik(z: readonly number[], lambda: number): number {
  const t = z.map((v) => yeoJohnson(v, lambda));
  const n = t.length;
  const mean = t.reduce((a, b) => a + b, 0) / n;
  const v = t.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  let jac = 0;
  for (const x of z) jac += Math.sign(x) * Math.log1p(Math.abs(x));
  return -0.5 * n * Math.log(Math.max(v, 1e-300)) + (lambda - 1) * jac;
}

/**
 * Warped, standardised outputs, their slopes (for carrying known noise over), and the inverse map back to the objective's units. `lambda` is chosen by golden-section search on [-1, 3] (the profile
 * likelihood is unimodal in practice); constant inputs give zeros.
 */
export interface WarpedOutputs {
  values: number[];
  lambda: number;
  unwarp: (t: number) => number;
  /**
   * d value / d y at each input: a known noise variance v of y[i] is slopes[i]^2 v on the model's
   * scale (the delta method; exact for the affine 'standardize').
   */
  slopes: number[];
}

export function warpOutputs(y: readonly number[], mode: 'standardize' | 'yeo-johnson'): WarpedOutputs {
  const m1 = moments(y);
  const z = standardise(y);
  if (mode === 'standardize' || y.length < 3) return { values: z, lambda: 1, unwarp: (t) => m1.mean + m1.scale * t, slopes: y.map(() => 1 / m1.scale) };
  let a = -1;
  let b = 3;
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = logLik(z, c);
  let fd = logLik(z, d);
  for (let i = 0; i < 40; i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = logLik(z, c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = logLik(z, d);
    }
  }
  const lambda = (a + b) / 2;
  const w = z.map((v) => yeoJohnson(v, lambda));
  const m2 = moments(w);
  // The inverse maps a value on the model's scale back to the objective's units (for reports).
  return {
    values: standardise(w),
    lambda,
    unwarp: (t) => m1.mean + m1.scale * yeoJohnsonInverse(m2.mean + m2.scale * t, lambda),
    slopes: z.map((v) => yeoJohnsonSlope(v, lambda) / (m1.scale * m2.scale)),
  };
}
