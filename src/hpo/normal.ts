/**
 * Standard-normal helpers accurate in the far tails: erfc, the scaled complementary error function
 * erfcx(x) = exp(x^2) erfc(x), the CDF Phi and log Phi. Log expected improvement needs these where the
 * naive formulas underflow to 0 and their logarithms to -Infinity.
 *
 * Method: below |x| = 2 the Maclaurin series of erf (no big cancellation there); from 2 up, the
 * continued fraction of erfc (Abramowitz & Stegun 7.1.14), evaluated by the modified Lentz algorithm,
 * which converges quickly for x >= 2 and gives erfcx directly without under/overflow.
 */
const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function erfSeries(x: number): number {
  // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

function erfcxContinuedFraction(x: number): number {
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / (SQRT_PI * f);
}

/** Complementary error function erfc(x) = 1 - erf(x). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) return 1 - erfSeries(x);
  if (x > 27.3) return 0; // below the smallest subnormal
  return erfcxContinuedFraction(x) * Math.exp(-x * x);
}

/** Scaled complementary error function erfcx(x) = exp(x^2) erfc(x); finite and positive for x >= 0. */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 2) {
    if (x < -26.6) return Infinity;
    return Math.exp(x * x) * erfc(x);
  }
  return erfcxContinuedFraction(x);
}

/** log erfcx(x), finite for every finite x (grows like x^2 for x -> -inf). */
export function logErfcx(x: number): number {
  if (x < -5) return x * x + Math.log(2 - erfc(-x)); // erfc(x) -> 2, so exp(x^2)*2 would overflow
  return Math.log(erfcx(x));
}

/** Standard normal density. */
export function normPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

/** log of the standard normal density. */
export function logNormPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** Standard normal CDF Phi(z). */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** log Phi(z), finite far into the lower tail: log(erfcx(-z/sqrt2)/2) - z^2/2. */
export function logNormCdf(z: number): number {
  if (z > -1) return Math.log1p(-0.5 * erfc(z / SQRT2));
  return Math.log(0.5 * erfcx(-z / SQRT2)) - 0.5 * z * z;
}
