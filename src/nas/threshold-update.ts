/**
 * How the indicator thresholds are updated (the search's architecture parameters).
 *
 * 'shared-rms' (default): plain gradient steps, all thresholds divided by ONE running RMS of the
 * threshold gradients (decay 0.99), no momentum:
 *   v <- 0.99 v + 0.01 mean_i(g_i^2);   t_i <- t_i - lr * mult / (1 - momentum) * g_i / sqrt(v / (1 - 0.99^k) + 1e-12)
 * (k = updates so far: the bias correction of Adam, so the first steps are not inflated; 1 / (1 -
 * momentum), 10 with the default momentum 0.9, gives the steady-state step of the weights' RMSProp
 * with momentum, so thresholdLrMultiplier keeps its meaning). Without momentum a decision stops
 * moving as soon as its gradient does: nothing carries it past the target.
 * The common divisor makes the step size independent of lambda's scale and of the latency unit, but
 * keeps the RATIOS between thresholds: a decision that saves more latency, or whose norm sits near its
 * threshold (sigmoid' large), moves faster than one that saves little or has already been decided.
 *
 * 'rmsprop': the weights' optimizer (RMSProp with momentum, one mean square per threshold), as the
 * reference. Each threshold's step is then ~lr whatever its gradient's size, so every decision the
 * runtime term pushes moves at the same speed and a decided one keeps running away from its norm:
 * measured in docs/engine.md ("Search dynamics"), this is why the decisions moved together.
 */
import type * as TF from '@tensorflow/tfjs';

export type ThresholdUpdateKind = 'shared-rms' | 'rmsprop';

const DECAY = 0.99;
const EPS = 1e-12;

export class SharedRmsThresholds {
  /** Running mean of the squared threshold gradients and the number of updates (shape []), checkpointed slots. */
  private readonly v: TF.Variable;
  private readonly k: TF.Variable;

  constructor(
    private readonly tf: typeof TF,
    private readonly vars: Array<{ name: string; variable: TF.Variable }>,
    /** thresholdLrMultiplier / (1 - momentum). */
    private readonly lrMultiplier: number,
  ) {
    this.v = tf.variable(tf.scalar(0), false);
    this.k = tf.variable(tf.scalar(0), false);
  }

  /** One update from gradients keyed by tf.Variable name; thresholds without a gradient are left alone. */
  apply(grads: Record<string, TF.Tensor>, lr: number): void {
    const tf = this.tf;
    const present = this.vars.filter(({ variable }) => grads[variable.name]);
    if (!present.length) return;
    tf.tidy(() => {
      const g = tf.stack(present.map(({ variable }) => grads[variable.name]!));
      const v = tf.add(tf.mul(this.v, DECAY), tf.mul(tf.mean(tf.square(g)), 1 - DECAY));
      const k = tf.add(this.k, 1);
      const vHat = tf.div(v, tf.sub(1, tf.pow(DECAY, k)));
      const step = tf.div(tf.mul(g, lr * this.lrMultiplier), tf.sqrt(tf.add(vHat, EPS)));
      const newT = tf.unstack(tf.sub(tf.stack(present.map(({ variable }) => variable)), step));
      this.v.assign(v);
      this.k.assign(k);
      present.forEach(({ variable }, i) => variable.assign(newT[i]!));
    });
  }

  state(): Array<[string, TF.Variable]> {
    return [['thresholds/shared_ms', this.v], ['thresholds/updates', this.k]];
  }

  dispose(): void {
    this.v.dispose();
    this.k.dispose();
  }
}
