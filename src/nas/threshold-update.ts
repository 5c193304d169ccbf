/**
 * How the indicator thresholds (the search's architecture parameters) are updated.
 *
 * 'sgd' (default): plain gradient steps without momentum or per-threshold normalisation:
 *   t_i <- t_i - lr * thresholdLrMultiplier * THRESHOLD_GAIN / (1 - momentum) * g_i
 * The runtime term's gradient on a threshold is lambda * f'(R) * (latency the decision saves) *
 * sigmoid'(margin), so a decision moves in proportion to lambda and to what it saves, slows down once
 * decided (sigmoid' falls off past the threshold, so it stays near its norm and can come back), and
 * stops as soon as its gradient does: nothing carries it past a target. 1 / (1 - momentum) (10 with
 * the default 0.9) is the steady-state gain of the weights' momentum; THRESHOLD_GAIN = 5 matches the
 * reference's effective threshold step: there the threshold gradients are far below RMSProp's
 * sqrt(eps) = 0.03, so its RMSProp takes plain gradient steps of lr / sqrt(eps) / (1 - momentum) =
 * 316 lr in raw-norm units, i.e. ~30-60 lr in relative units (its raw group norms are ~5-10).
 *
 * 'rmsprop': the weights' optimizer (RMSProp with momentum, one mean square per threshold), as the
 * reference. Each threshold then moves ~lr per step whatever its gradient's size (and with momentum
 * keeps moving after the gradient stops): every decision the runtime term pushes moves at the same
 * speed, lambda's scale cancels, and decided thresholds run away from their norms. Measured in
 * docs/engine.md ("Search dynamics"): this is why the decisions moved together.
 */
import type * as TF from '@tensorflow/tfjs';
import { limitFlips } from './flip-limit';

export type ThresholdUpdateKind = 'sgd' | 'rmsprop';

/** Threshold step per unit gradient relative to lr / (1 - momentum); see the file comment. */
export const THRESHOLD_GAIN = 5;

export class SgdThresholds {
  constructor(
    private readonly tf: typeof TF,
    private readonly vars: Array<{ name: string; variable: TF.Variable }>,
    /** thresholdLrMultiplier * THRESHOLD_GAIN / (1 - momentum). */
    private readonly gain: number,
  ) {}

  /**
   * One update from gradients keyed by tf.Variable name; thresholds without a gradient are left alone.
   * With `limit`, at most `limit.maxFlips` decisions flip (flip-limit.ts); `limit.norms` are the group
   * norms by threshold name (`l1/t50c`).
   */
  apply(grads: Record<string, TF.Tensor>, lr: number, limit?: { norms: ReadonlyMap<string, number>; maxFlips: number }): void {
    const tf = this.tf;
    const present = this.vars.filter(({ variable }) => grads[variable.name]);
    if (!present.length) return;
    tf.tidy(() => {
      const g = tf.stack(present.map(({ variable }) => grads[variable.name]!));
      const before = tf.stack(present.map(({ variable }) => variable));
      let t = tf.sub(before, tf.mul(g, lr * this.gain));
      if (limit) {
        const norms = present.map(({ name }) => {
          const n = limit.norms.get(name);
          if (n === undefined) throw new Error(`flip limit: no group norm for threshold '${name}'`);
          return n;
        });
        t = tf.tensor1d(limitFlips(before.dataSync(), t.dataSync(), norms, limit.maxFlips));
      }
      tf.unstack(t).forEach((v, i) => present[i]!.variable.assign(v));
    });
  }
}
