/**
 * Expected improvement (Jones, Schonlau & Welch, J. Global Optim. 1998) and its logarithm computed
 * stably far into the tail, following the LogEI formulation of Ament et al., "Unexpected Improvements
 * to Expected Improvement for Bayesian Optimization" (NeurIPS 2023).
 *
 * For minimisation with incumbent f*, EI(x) = sigma h(z), z = (f* - mu) / sigma, h(z) = phi(z) + z Phi(z).
 * Plain EI underflows to exactly 0 once z < about -38, leaving the acquisition optimiser with flat
 * zero gradients over most of the space late in a run. For z <= -1 we write
 *   h(z) = phi(z) (1 - |z| Phi(z) / phi(z)) = phi(z) (1 - |z| sqrt(pi/2) erfcx(-z / sqrt2)),
 * so log h = log phi(z) + log1mexp(log(|z| sqrt(pi/2) erfcx(-z/sqrt2))), all finite; beyond
 * z < -1/sqrt(eps) the bracket is 1/z^2 to machine precision.
 */
import { logErfcx, logNormCdf, logNormPdf, normCdf, normPdf } from './normal';

const LOG_SQRT_HALF_PI = 0.5 * Math.log(Math.PI / 2);
const NEG_INV_SQRT_EPS = -1 / Math.sqrt(Number.EPSILON);

/** log(1 - exp(w)) for w < 0, accurate for w near 0 and very negative w (Maechler 2012). */
export function log1mexp(w: number): number {
  return w > -Math.LN2 ? Math.log(-Math.expm1(w)) : Math.log1p(-Math.exp(w));
}

/** h(z) = phi(z) + z Phi(z), the EI of a unit-variance posterior. */
export function eiHelper(z: number): number {
  return normPdf(z) + z * normCdf(z);
}

/** log h(z), finite for every finite z. */
export function logEiHelper(z: number): number {
  if (z > -1) return Math.log(eiHelper(z));
  if (z < NEG_INV_SQRT_EPS) return logNormPdf(z) - 2 * Math.log(-z);
  const w = Math.log(-z) + LOG_SQRT_HALF_PI + logErfcx(-z / Math.SQRT2);
  return logNormPdf(z) + log1mexp(w);
}

/** Plain EI for minimisation: E[max(best - f, 0)] with f ~ N(mean, sigma^2). */
export function expectedImprovement(mean: number, sigma: number, best: number): number {
  return sigma * eiHelper((best - mean) / sigma);
}

/** log EI for minimisation, finite wherever sigma > 0. */
export function logExpectedImprovement(mean: number, sigma: number, best: number): number {
  return Math.log(sigma) + logEiHelper((best - mean) / sigma);
}

/**
 * log EI with its partial derivatives in mean and sigma. Uses d log h / dz = Phi(z) / h(z), evaluated
 * as exp(log Phi(z) - log h(z)) so that it stays finite in the tail (it tends to |z|).
 */
export function logEiWithGrad(mean: number, sigma: number, best: number): { value: number; dMean: number; dSigma: number } {
  const z = (best - mean) / sigma;
  const lh = logEiHelper(z);
  const dlh = Math.exp(logNormCdf(z) - lh);
  return { value: Math.log(sigma) + lh, dMean: -dlh / sigma, dSigma: 1 / sigma - (dlh * z) / sigma };
}
