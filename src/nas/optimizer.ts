/**
 * The engine's optimizers, own implementations rather than tf.train.* so that the learning rate can
 * follow a schedule, variable groups (thresholds) can have their own multiplier, and the state is
 * checkpointable by name:
 *
 * - RMSProp with momentum in TF1's formulation (the reference's optimizer):
 *     ms  <- decay * ms + (1 - decay) * g^2        (ms starts at msInit: 1 in TF1, 0 in Keras)
 *     mom <- momentum * mom + lr * g / sqrt(ms + eps)
 *     v   <- v - mom
 * - SGD with Nesterov momentum (PyTorch's formulation), for the short retraining recipe:
 *     mom <- momentum * mom + g
 *     v   <- v - lr * (g + momentum * mom)
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

/** What the training steps need from an optimizer. */
export interface Optimizer {
  /** One update; `grads` keyed by tf.Variable name. Variables without a gradient are left alone (slots too). */
  apply(grads: Record<string, TF.Tensor>, lr: number): void;
  /** Slots by "<name>/<slot>", for checkpoints. */
  state(): Array<[string, TF.Variable]>;
  dispose(): void;
}

export interface OptimizerVariable {
  name: string;
  variable: TF.Variable;
  lrMultiplier: number;
}

interface Entry {
  variable: TF.Variable;
  g: TF.Tensor;
  slots: TF.Variable[];
  lrMultiplier: number;
}

/**
 * The update machinery both formulas share. Scalars (thresholds) and vectors (BN gamma/beta, biases) -
 * most of the variables, all tiny - are updated as one stacked / concatenated tensor per group: the
 * same element-wise formula (identical float32 results), ~20 native ops for the whole group instead
 * of ~10 per variable. Higher-rank weights are updated one by one.
 */
abstract class GroupedOptimizer implements Optimizer {
  private readonly slots = new Map<string, TF.Variable[]>();

  constructor(
    protected readonly tf: typeof TF,
    private readonly vars: OptimizerVariable[],
    private readonly slotNames: string[],
    slotInit: number[],
  ) {
    for (const { name, variable } of vars)
      this.slots.set(
        name,
        slotInit.map((v) => tf.variable(tf.mul(tf.onesLike(variable), v), false)),
      );
  }

  /** The formula on one tensor (or one group): returns the new variable value and new slots; `step` is lr * multiplier. */
  protected abstract update(v: TF.Tensor, g: TF.Tensor, slots: TF.Tensor[], step: number | TF.Tensor): [TF.Tensor, TF.Tensor[]];

  apply(grads: Record<string, TF.Tensor>, lr: number): void {
    const tf = this.tf;
    const scalars: Entry[] = [];
    const vectors: Entry[] = [];
    const others: Entry[] = [];
    for (const { name, variable, lrMultiplier } of this.vars) {
      const g = grads[variable.name];
      if (!g) continue;
      const e = { variable, g, slots: this.slots.get(name)!, lrMultiplier };
      (variable.rank === 0 ? scalars : variable.rank === 1 ? vectors : others).push(e);
    }
    tf.tidy(() => {
      for (const e of others) {
        const [newV, newSlots] = this.update(e.variable, e.g, e.slots, lr * e.lrMultiplier);
        e.slots.forEach((s, i) => s.assign(newSlots[i]!));
        e.variable.assign(newV);
      }
      this.applyGroup(
        scalars,
        lr,
        (ts) => tf.stack(ts),
        (t) => tf.unstack(t),
      );
      this.applyGroup(
        vectors,
        lr,
        (ts) => tf.concat(ts),
        (t, parts) =>
          tf.split(
            t,
            parts.map((e) => e.variable.size),
          ),
      );
    });
  }

  private applyGroup(group: Entry[], lr: number, join: (ts: TF.Tensor[]) => TF.Tensor, part: (t: TF.Tensor, group: Entry[]) => TF.Tensor[]): void {
    if (group.length === 0) return;
    const tf = this.tf;
    // lr * multiplier per element, rounded to float32 exactly as the per-variable path's tf.mul(g, lr * m) does
    const mults = new Set(group.map((e) => e.lrMultiplier));
    const step =
      mults.size === 1
        ? lr * group[0]!.lrMultiplier
        : tf.tensor1d(Float32Array.from(group.flatMap((e) => Array<number>(e.variable.size).fill(lr * e.lrMultiplier))));
    const [newV, newSlots] = this.update(
      join(group.map((e) => e.variable)),
      join(group.map((e) => e.g)),
      this.slotNames.map((_, k) => join(group.map((e) => e.slots[k]!))),
      step,
    );
    const vs = part(newV, group);
    const slotParts = newSlots.map((s) => part(s, group));
    group.forEach((e, i) => {
      e.slots.forEach((s, k) => s.assign(slotParts[k]![i]!));
      e.variable.assign(vs[i]!);
    });
  }

  state(): Array<[string, TF.Variable]> {
    return this.vars.flatMap(({ name }) => this.slotNames.map((s, k) => [`${name}/${s}`, this.slots.get(name)![k]!] as [string, TF.Variable]));
  }

  dispose(): void {
    for (const vs of this.slots.values()) for (const v of vs) v.dispose();
  }
}

export class Rmsprop extends GroupedOptimizer {
  constructor(
    tf: typeof TF,
    vars: OptimizerVariable[],
    private readonly opts: RmspropOptions,
  ) {
    super(tf, vars, ['ms', 'mom'], [opts.msInit, 0]);
  }

  protected update(v: TF.Tensor, g: TF.Tensor, [ms, mom]: TF.Tensor[], step: number | TF.Tensor): [TF.Tensor, TF.Tensor[]] {
    const tf = this.tf;
    const { decay, momentum, epsilon } = this.opts;
    const newMs = tf.add(tf.mul(ms!, decay), tf.mul(tf.square(g), 1 - decay));
    const newMom = tf.add(tf.mul(mom!, momentum), tf.div(tf.mul(g, step), tf.sqrt(tf.add(newMs, epsilon))));
    return [tf.sub(v, newMom), [newMs, newMom]];
  }
}

export class NesterovSgd extends GroupedOptimizer {
  constructor(
    tf: typeof TF,
    vars: OptimizerVariable[],
    private readonly momentum: number,
  ) {
    super(tf, vars, ['mom'], [0]);
  }

  protected update(v: TF.Tensor, g: TF.Tensor, [mom]: TF.Tensor[], step: number | TF.Tensor): [TF.Tensor, TF.Tensor[]] {
    const tf = this.tf;
    const newMom = tf.add(tf.mul(mom!, this.momentum), g);
    return [tf.sub(v, tf.mul(tf.add(g, tf.mul(newMom, this.momentum)), step)), [newMom]];
  }
}

/** The optimizer an optimizer config names ('rmsprop', the reference's, or 'sgd' with Nesterov momentum). */
export function createOptimizer(tf: typeof TF, vars: OptimizerVariable[], cfg: RmspropOptions & { kind: 'rmsprop' | 'sgd' }): Optimizer {
  return cfg.kind === 'sgd' ? new NesterovSgd(tf, vars, cfg.momentum) : new Rmsprop(tf, vars, cfg);
}
