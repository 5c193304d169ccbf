/**
 * How well the study's latency table predicted the networks the study measured, kept as a bounded
 * accumulator (a count, the count within +-10%, and a histogram of |error| in 0.5% bins), so the
 * workflow's state stays the same size however many trials run, and the status can report the share
 * within +-10% and the median error at any time. Pure and deterministic (workflow code).
 */
import type { TableAccuracy } from '../latency/prediction-error';

const BIN_PCT = 0.5;
const BINS = 200; // 0-100%; the last bin also takes everything above

export interface TableFitState {
  count: number;
  within10: number;
  /** absErrHist[i] = networks with |error| in [i * 0.5%, (i + 1) * 0.5%). */
  absErrHist: number[];
  /** Sum of log(predicted / measured), for the geometric-mean ratio. */
  sumLogRatio: number;
}

export function emptyTableFit(): TableFitState {
  return { count: 0, within10: 0, absErrHist: [], sumLogRatio: 0 };
}

/** Adds one network (both latencies in ms, positive); returns the same state object. */
export function addTableFit(s: TableFitState, predictedMs: number, measuredMs: number): TableFitState {
  if (!(predictedMs > 0 && measuredMs > 0)) return s;
  const errPct = Math.abs(predictedMs / measuredMs - 1) * 100;
  const bin = Math.min(BINS - 1, Math.floor(errPct / BIN_PCT));
  while (s.absErrHist.length <= bin) s.absErrHist.push(0);
  s.absErrHist[bin]!++;
  s.count++;
  if (errPct <= 10 + 1e-9) s.within10++;
  s.sumLogRatio += Math.log(predictedMs / measuredMs);
  return s;
}

/** The share within +-10% and the median |error| (bin centre, +-0.25%); undefined before any network. */
export function tableFitSummary(s: TableFitState | undefined): TableAccuracy | undefined {
  if (!s || s.count === 0) return undefined;
  let seen = 0;
  let median = NaN;
  for (let i = 0; i < s.absErrHist.length; i++) {
    seen += s.absErrHist[i]!;
    if (seen >= s.count / 2) {
      median = (i + 0.5) * BIN_PCT;
      break;
    }
  }
  return { count: s.count, within10: s.within10 / s.count, medianAbsErrPct: median, ratio: Math.exp(s.sumLogRatio / s.count) };
}
