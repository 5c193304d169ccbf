/**
 * A profile's shape, judged on its own whole networks. The profiler times a few whole networks in the
 * same interleaved rounds as the one-block models (src/profiler/profile-measure.ts), so a change of machine speed
 * moves both alike and cancels in their ratio; what does not cancel is a table whose entries are out
 * of proportion to each other (7 Dec: one fresh profile's first layer had its 3x3 entries above its
 * 5x5 ones and predicted 15% of 40 networks more than 10% off after scaling). The shape error of a
 * network is its predicted/measured ratio relative to the median ratio of the profile's networks:
 * the error left once the table is scaled, as src/latency/calibrate-table.ts scales it. Measured
 * as a candidate check, and rejected: on 8 idle profiles it ran 6-13% while every table scored
 * 97.5-100% on 40 measured networks (docs/runtime-model.md "A fresh table is the median of three profiles").
 */
import type { ErrorStats } from '../../src/latency/prediction-error';
import { errorStats } from '../../src/latency/prediction-error';
import { quantile } from '../../src/latency/statistic';

/** Error statistics of `pairs` after scaling every prediction by one factor: the median measured/predicted. */
export function shapeError(pairs: ReadonlyArray<{ predictedMs: number; measuredMs: number }>): ErrorStats | undefined {
  if (!pairs.length) return undefined;
  const factor = quantile(
    pairs.map((p) => p.measuredMs / p.predictedMs),
    0.5,
  );
  return errorStats(
    pairs.map((p) => p.predictedMs * factor),
    pairs.map((p) => p.measuredMs),
  );
}
