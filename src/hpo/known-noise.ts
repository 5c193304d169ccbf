/**
 * Known observation noise on the GP's scale. An observation's known variance (a top-1 on n images:
 * p(1-p)/n, times the square of any factor the objective multiplies it by) is given in the
 * objective's units; the GP models warped, standardised outputs, so each variance is carried over by
 * the square of the warp's slope at that observation (output-transform.ts, the delta method).
 */

/** Per-observation variances on the model's scale; undefined when no observation has a known one (homoscedastic as before). */
export function warpedNoise(variances: readonly (number | undefined)[], slopes: readonly number[]): number[] | undefined {
  if (!variances.some((v) => v !== undefined && v > 0)) return undefined;
  return slopes.map((s, i) => (variances[i] ?? 0) * s * s);
}
