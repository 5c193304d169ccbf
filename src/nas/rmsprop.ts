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

interface Entry {
  variable: TF.Variable;
  g: TF.Tensor;
  ms: TF.Variable;
  mom: TF.Variable;
  lrMultiplier: number;
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

  /**
   * Applies one update; `grads` is keyed by tf.Variable name (as tf.variableGrads returns). Variables
   * without a gradient are left alone (their slots too).
   *
   * Scalars (thresholds) and vectors (BN gamma/beta, biases) - most of the variables, all tiny - are
   * updated as one stacked / concatenated tensor per group: the same element-wise formula (identical
   * float32 results), ~20 native ops for the whole group instead of 11 per variable. Higher-rank
   * weights are updated one by one.
   */
  apply(grads: Record<string, TF.Tensor>, lr: number): void {
    const tf = this.tf;
    const scalars: Entry[] = [];
    const vectors: Entry[] = [];
    const others: Entry[] = [];
    for (const { name, variable, lrMultiplier } of this.vars) {
      const g = grads[variable.name];
      if (!g) continue;
      const e = { variable, g, ms: this.ms.get(name)!, mom: this.mom.get(name)!, lrMultiplier };
      (variable.rank === 0 ? scalars : variable.rank === 1 ? vectors : others).push(e);
    }
    tf.tidy(() => {
      for (const e of others) {
        const { variable, ms, mom } = e;
        const [newV, newMs, newMom] = this.update(variable, e.g, ms, mom, lr * e.lrMultiplier);
        ms.assign(newMs);
        mom.assign(newMom);
        variable.assign(newV);
      }
      this.applyGroup(scalars, lr, (ts) => tf.stack(ts), (t) => tf.unstack(t));
      this.applyGroup(vectors, lr, (ts) => tf.concat(ts), (t, parts) => tf.split(t, parts.map((e) => e.variable.size)));
    });
  }

  /** The RMSProp formula on one tensor (or one group); `step` is lr * multiplier (a number, or per element). */
  private update(v: TF.Tensor, g: TF.Tensor, ms: TF.Tensor, mom: TF.Tensor, step: number | TF.Tensor): [TF.Tensor, TF.Tensor, TF.Tensor] {
    const tf = this.tf;
    const { decay, momentum, epsilon } = this.opts;
    const newMs = tf.add(tf.mul(ms, decay), tf.mul(tf.square(g), 1 - decay));
    const newMom = tf.add(tf.mul(mom, momentum), tf.div(tf.mul(g, step), tf.sqrt(tf.add(newMs, epsilon))));
    return [tf.sub(v, newMom), newMs, newMom];
  }

  private applyGroup(group: Entry[], lr: number, join: (ts: TF.Tensor[]) => TF.Tensor, part: (t: TF.Tensor, group: Entry[]) => TF.Tensor[]): void {
    if (group.length === 0) return;
    const tf = this.tf;
    // lr * multiplier per element, rounded to float32 exactly as the scalar path's tf.mul(g, lr * m) does
    const mults = new Set(group.map((e) => e.lrMultiplier));
    const step =
      mults.size === 1
        ? lr * group[0]!.lrMultiplier
        : tf.tensor1d(Float32Array.from(group.flatMap((e) => Array<number>(e.variable.size).fill(lr * e.lrMultiplier))));
    const [newV, newMs, newMom] = this.update(join(group.map((e) => e.variable)), join(group.map((e) => e.g)), join(group.map((e) => e.ms)), join(group.map((e) => e.mom)), step);
    const vs = part(newV, group);
    const mss = part(newMs, group);
    const moms = part(newMom, group);
    group.forEach((e, i) => {
      e.ms.assign(mss[i]!);
      e.mom.assign(moms[i]!);
      e.variable.assign(vs[i]!);
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
