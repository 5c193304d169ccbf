/**
 * Scalar objectives for the accuracy-latency trade-off.
 *
 * MnasNet reward (Tan et al., "MnasNet: Platform-Aware Neural Architecture Search for Mobile", CVPR
 * 2019, eq. 2): ACC(m) * (LAT(m) / T)^w with w = alpha if LAT <= T else beta. The paper's soft
 * constraint uses alpha = beta = -0.07 (a model twice as slow must be ~5% more accurate to tie);
 * its hard constraint uses alpha = 0, beta = -1 (no reward for being faster than T, steep penalty above).
 */
import { InvalidInputError } from '../errors';

export interface MnasRewardOptions {
  /** Target latency T in milliseconds. */
  readonly targetMs: number;
  /** Exponent when latency <= T; default -0.07. */
  readonly alpha?: number;
  /** Exponent when latency > T; default -0.07. */
  readonly beta?: number;
}

/** The MnasNet soft-constraint exponents. */
export const MNAS_SOFT = { alpha: -0.07, beta: -0.07 } as const;
/** The MnasNet hard-constraint exponents. */
export const MNAS_HARD = { alpha: 0, beta: -1 } as const;

/** ACC * (LAT / T)^w, to be maximised. */
export function mnasReward(accuracy: number, latencyMs: number, opts: MnasRewardOptions): number {
  const { targetMs } = opts;
  const alpha = opts.alpha ?? MNAS_SOFT.alpha;
  const beta = opts.beta ?? MNAS_SOFT.beta;
  if (!Number.isFinite(accuracy) || accuracy < 0) throw new InvalidInputError(`accuracy: must be a finite number >= 0, got ${accuracy}`);
  if (!(Number.isFinite(latencyMs) && latencyMs > 0)) throw new InvalidInputError(`latencyMs: must be a positive number, got ${latencyMs}`);
  if (!(Number.isFinite(targetMs) && targetMs > 0)) throw new InvalidInputError(`targetMs: must be a positive number, got ${targetMs}`);
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) throw new InvalidInputError(`alpha/beta: must be finite, got ${alpha}/${beta}`);
  const w = latencyMs <= targetMs ? alpha : beta;
  return accuracy * (latencyMs / targetMs) ** w;
}
