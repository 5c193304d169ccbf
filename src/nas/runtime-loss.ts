/**
 * Runtime terms added to the cross-entropy. All take the weight `lambda`:
 * - log (the reference): lambda * ln(R). The reference code writes 1000 * lambda_code * ln(R_ms), so
 *   lambda here = 1000 * lambda_code (its README's 0.020 is 20 here).
 * - mnas (MnasNet's soft constraint as a loss, -ln of ACC * (R/T)^w): lambda * ln(R/T) above the target
 *   T and alpha * lambda * ln(R/T) below it (alpha = 0: no pull below target; alpha = 1: plain log).
 * - hinge: lambda * max(0, R/T - 1): only latency above the target costs.
 */
import type * as TF from '@tensorflow/tfjs';
import { runtimeTensorFromVectors, type LatencyRow, type RuntimeTable } from './runtime-tf';

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
  return termOf(tf, r, cfg, lambda) as TF.Scalar;
}

/**
 * The runtime term lambda * f(R), element-wise on R (any shape). mnas: lambda * ln(R/T) above T and
 * alpha * lambda * ln(R/T) below, written (1 - alpha) * relu(l) + alpha * l.
 */
function termOf(tf: typeof TF, r: TF.Tensor, cfg: RuntimeLossConfig, lambda: number): TF.Tensor {
  if (cfg.kind === 'log') return tf.mul(lambda, tf.log(r));
  const t = cfg.targetMs!;
  if (cfg.kind === 'hinge') return tf.mul(lambda, tf.relu(tf.sub(tf.div(r, t), 1)));
  const l = tf.log(tf.div(r, t));
  const alpha = cfg.alpha ?? 0;
  return tf.mul(lambda, tf.add(tf.mul(1 - alpha, tf.relu(l)), tf.mul(alpha, l)));
}

/**
 * lambda * the distance of R from the target in the term's units (ln(R/T) for mnas, R/T - 1 for hinge),
 * a shortfall below it weighted by `belowWeight` (config belowTargetWeight: a target is a budget).
 */
function distanceOf(tf: typeof TF, r: TF.Tensor, cfg: RuntimeLossConfig, lambda: number, belowWeight: number): TF.Tensor {
  const t = cfg.targetMs!;
  const m = cfg.kind === 'hinge' ? tf.sub(tf.div(r, t), 1) : tf.log(tf.div(r, t));
  return tf.mul(lambda, tf.add(tf.relu(m), tf.mul(belowWeight, tf.relu(tf.neg(m)))));
}

/** Indicator vectors [L] of every searchable layer (as Supernet.forward returns them). */
export interface IndicatorVectorsLike {
  d5x5: TF.Tensor1D;
  d50c: TF.Tensor1D;
  d100c: TF.Tensor1D;
  dse: TF.Tensor1D;
}

/**
 * The runtime term lambda * f(R(indicators)) whose gradient on each indicator is the EXACT change of
 * the term when that one decision flips, f(R with d = 1) - f(R with d = 0), instead of the local
 * derivative f'(R) dR/dd ('flip' vs 'derivative', config runtimeGradient). R is linear in each
 * indicator, so R with d = 1 / 0 is R + (1 - d) dR/dd and R - d dR/dd. The two agree for the smooth
 * log term; they differ at the kink of mnas and hinge: near the target a decision that would save
 * more than the remaining excess R - T is pushed only by that excess (the term cannot drop below 0),
 * so the approach slows down as R nears T and big decisions stop racing past it.
 */
export function runtimeLossTermFlip(
  tf: typeof TF,
  table: RuntimeTable,
  v: IndicatorVectorsLike,
  cfg: RuntimeLossConfig,
  lambda: number,
  /**
   * 'to-target' (mnas, hinge): the push on each decision is the change of the DISTANCE to the target if
   * it flipped, lambda * (D(R with d = 1) - D(R with d = 0)), D = |ln(R/T)| (mnas) or |R/T - 1| (hinge),
   * below T times belowTargetWeight:
   * above the target the same as 'any' except that a flip overshooting below by more than the
   * remaining excess is resisted, and below it decisions are pushed back towards the target. (With the
   * one-sided term a search resting just above T pushed every decision that reaches T by the same
   * excess, and the nearest, often a whole layer, overshot; below T nothing held a decision whose
   * threshold sat at its norm. docs/engine.md "Search dynamics".) The term's value is unchanged.
   */
  mode: 'any' | 'to-target',
  /** 'to-target': how much a shortfall below T counts against the same excess above it (config belowTargetWeight, its one default). */
  belowTargetWeight: number,
): TF.Scalar {
  const col = (f: (L: LatencyRow) => number) => tf.tensor1d(table.layers.map(f));
  const f = tf.customGrad((...args: unknown[]) => {
    const [d5, d50, d100, dse] = args.slice(0, 4) as TF.Tensor1D[];
    (args[4] as TF.GradSaveFunc)([d5!, d50!, d100!, dse!]);
    const r = runtimeTensorFromVectors(tf, table, { d5x5: d5!, d50c: d50!, d100c: d100!, dse: dse! });
    return {
      value: termOf(tf, r, cfg, lambda) as TF.Scalar,
      gradFunc: (dy, saved) => {
        const [s5, s50, s100, sse] = saved as TF.Tensor1D[];
        const R = runtimeTensorFromVectors(tf, table, { d5x5: s5!, d50c: s50!, d100c: s100!, dse: sse! });
        // dR/dd per layer (the formula is multilinear in the indicators)
        const rho = col((L) => L.k3e6 / L.k5e6);
        const kScale = tf.add(rho, tf.mul(tf.sub(1, rho), s5!));
        const spread = col((L) => L.k5e6 - L.k5e3);
        const base = tf.add(
          col((L) => L.k5e3),
          tf.mul(s100!, spread),
        );
        const seSpread = col((L) => (L.se ? L.se.e6 - L.se.e3 : 0));
        const se = tf.add(
          col((L) => L.se?.e3 ?? 0),
          tf.mul(s100!, seSpread),
        );
        const partial: TF.Tensor[] = [
          tf.mul(tf.mul(s50!, base), tf.sub(1, rho)),
          tf.add(tf.mul(base, kScale), tf.mul(sse!, se)),
          tf.add(tf.mul(tf.mul(s50!, spread), kScale), tf.mul(tf.mul(sse!, s50!), seSpread)),
          tf.mul(s50!, se),
        ];
        const toTarget = mode === 'to-target' && cfg.kind !== 'log';
        const measure = (r: TF.Tensor) => (toTarget ? distanceOf(tf, r, cfg, lambda, belowTargetWeight) : termOf(tf, r, cfg, lambda));
        return [s5!, s50!, s100!, sse!].map((d, k) => {
          const on = tf.add(R, tf.mul(tf.sub(1, d), partial[k]!));
          const off = tf.sub(R, tf.mul(d, partial[k]!));
          const g = tf.sub(measure(on), measure(off));
          return tf.mul(dy as TF.Tensor, g);
        });
      },
    };
  });
  return f(v.d5x5, v.d50c, v.d100c, v.dse) as TF.Scalar;
}
