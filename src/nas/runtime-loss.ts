/**
 * Runtime terms added to the cross-entropy. All take the weight `lambda`:
 * - log (the reference): lambda * ln(R). The reference code writes 1000 * lambda_code * ln(R_ms), so
 *   lambda here = 1000 * lambda_code (its README's 0.020 is 20 here).
 * - mnas (MnasNet's soft constraint as a loss, -ln of ACC * (R/T)^w): lambda * ln(R/T) above the target
 *   T and alpha * lambda * ln(R/T) below it (alpha = 0: no pull below target; alpha = 1: plain log).
 * - hinge: lambda * max(0, R/T - 1): only latency above the target costs.
 */
import type * as TF from '@tensorflow/tfjs';

export type RuntimeLossKind = 'log' | 'mnas' | 'hinge';

export interface RuntimeLossConfig {
  kind: RuntimeLossKind;
  lambda: number;
  /** Target latency in ms (mnas, hinge). */
  targetMs?: number;
  /** mnas: weight below the target relative to above it, in [0, 1]. */
  alpha?: number;
}

export function runtimeLossTerm(tf: typeof TF, r: TF.Scalar, cfg: RuntimeLossConfig, lambda: number): TF.Scalar {
  if (cfg.kind === 'log') return tf.mul(lambda, tf.log(r)) as TF.Scalar;
  const t = cfg.targetMs!;
  if (cfg.kind === 'hinge') return tf.mul(lambda, tf.relu(tf.sub(tf.div(r, t), 1))) as TF.Scalar;
  // lambda * ln(R/T) above T, alpha * lambda * ln(R/T) below: (1 - alpha) * relu(l) + alpha * l
  const l = tf.log(tf.div(r, t));
  const alpha = cfg.alpha ?? 0;
  return tf.mul(lambda, tf.add(tf.mul(1 - alpha, tf.relu(l)), tf.mul(alpha, l))) as TF.Scalar;
}
