/**
 * How well a latency table predicts measured whole-network latency: the statistics nn-Meter reports
 * (Zhang et al., MobiSys 2021: fraction of predictions within +-10%), plus the median absolute error.
 */

export interface PredictionSample {
  /** Compact architecture string (architectureToString). */
  arch: string;
  measuredMs: number;
  /** Exact LUT lookup (k3e3 column). */
  predictedMs: number;
  /** The differentiable formula (k3e3 ~ k5e3 * rho), i.e. what the search optimises. */
  formulaMs: number;
}

export interface ErrorStats {
  /** Median of |predicted / measured - 1|, in percent. */
  medianAbsErrPct: number;
  /** Mean signed error in percent (positive = the table over-predicts). */
  meanErrPct: number;
  maxAbsErrPct: number;
  /** Fraction of samples with |error| <= 10%. */
  within10: number;
}

export interface PredictionReport {
  count: number;
  /** Errors of the exact lookup. */
  exact: ErrorStats;
  /** Errors of the differentiable formula. */
  formula: ErrorStats;
  samples: PredictionSample[];
}

function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Error statistics of predicted vs measured values (same length, measured > 0). Empty input gives NaNs. */
export function errorStats(predicted: readonly number[], measured: readonly number[]): ErrorStats {
  const errs = predicted.map((p, i) => (p / measured[i]! - 1) * 100);
  const abs = errs.map(Math.abs);
  return {
    medianAbsErrPct: errs.length ? medianOf(abs) : NaN,
    meanErrPct: errs.length ? errs.reduce((a, b) => a + b, 0) / errs.length : NaN,
    maxAbsErrPct: errs.length ? Math.max(...abs) : NaN,
    // The epsilon keeps an error of exactly 10% (110 vs 100 gives 10.000000000000009) inside.
    within10: errs.length ? abs.filter((e) => e <= 10 + 1e-9).length / errs.length : NaN,
  };
}

export function predictionReport(samples: PredictionSample[]): PredictionReport {
  const measured = samples.map((s) => s.measuredMs);
  return {
    count: samples.length,
    exact: errorStats(
      samples.map((s) => s.predictedMs),
      measured,
    ),
    formula: errorStats(
      samples.map((s) => s.formulaMs),
      measured,
    ),
    samples,
  };
}
