/**
 * RMSProp with momentum in TF1's formulation (the reference's optimizer):
 *   ms  <- decay * ms + (1 - decay) * g^2        (ms starts at msInit: 1 in TF1, 0 in Keras)
 *   mom <- momentum * mom + lr * g / sqrt(ms + eps)
 *   v   <- v - mom
 * Own implementation rather than tf.train.rmsprop so that the learning rate can follow a schedule,
 * variable groups (thresholds) can have their own multiplier, and the state is checkpointable by name.
 */
import type * as TF from '@tensorflow/tfjs';

export interface RmspropOptions {
  decay: number;
  /**
   * Initial mean square. TF1 (the reference) starts at 1, which damps every update for the first few
   * hundred steps; fine for 10k-step ImageNet searches, fatal for short ones, so the default is 0.
   */
  msInit: number;
  momentum: number;
  epsilon: number;
}

export class Rmsprop {
  private readonly ms = new Map<string, TF.Variable>();
  private readonly mom = new Map<string, TF.Variable>();

  constructor(
    private readonly tf: typeof TF,
    /** Variables by logical name, with a learning-rate multiplier each. */
    private readonly vars: Array<{ name: string; variable: TF.Variable; lrMultiplier: number }>,
    private readonly opts: RmspropOptions,
  ) {
    for (const { name, variable } of vars) {
      this.ms.set(name, tf.variable(tf.mul(tf.onesLike(variable), opts.msInit), false));
      this.mom.set(name, tf.variable(tf.zerosLike(variable), false));
    }
  }

  /** Applies one update; `grads` is keyed by tf.Variable name (as tf.variableGrads returns). */
  apply(grads: Record<string, TF.Tensor>, lr: number): void {
    const tf = this.tf;
    const { decay, momentum, epsilon } = this.opts;
    tf.tidy(() => {
      for (const { name, variable, lrMultiplier } of this.vars) {
        const g = grads[variable.name];
        if (!g) continue;
        const ms = this.ms.get(name)!;
        const mom = this.mom.get(name)!;
        const newMs = tf.add(tf.mul(ms, decay), tf.mul(tf.square(g), 1 - decay));
        const newMom = tf.add(tf.mul(mom, momentum), tf.div(tf.mul(g, lr * lrMultiplier), tf.sqrt(tf.add(newMs, epsilon))));
        ms.assign(newMs);
        mom.assign(newMom);
        variable.assign(tf.sub(variable, newMom));
      }
    });
  }

  /** Slots by "<name>/ms" and "<name>/mom", for checkpoints. */
  state(): Array<[string, TF.Variable]> {
    const out: Array<[string, TF.Variable]> = [];
    for (const { name } of this.vars) out.push([`${name}/ms`, this.ms.get(name)!], [`${name}/mom`, this.mom.get(name)!]);
    return out;
  }

  dispose(): void {
    for (const v of [...this.ms.values(), ...this.mom.values()]) v.dispose();
  }
}
