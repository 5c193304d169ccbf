/**
 * Named variables of a functional network. Logical names follow tf.layers' weight names
 * ("<layer>/<weight>", see weight-names.ts) so they map one-to-one onto a child model's weights.
 * tf.Variable names are left to TF.js (they must be unique per process; ours need not be).
 */
import type * as TF from '@tensorflow/tfjs';
import { initSeed } from '../random';

export type InitKind = 'conv' | 'dense' | 'zeros' | 'ones';

export class ParamStore {
  /** Trainable weights, in creation order. */
  readonly trainable = new Map<string, TF.Variable>();
  /** Non-trainable state (BN moving statistics). */
  readonly state = new Map<string, TF.Variable>();
  private seed: number;

  constructor(
    private readonly tf: typeof TF,
    seed: number,
  ) {
    this.seed = seed * 100_003;
  }

  private initial(shape: number[], kind: InitKind): TF.Tensor {
    const tf = this.tf;
    switch (kind) {
      case 'zeros':
        return tf.zeros(shape);
      case 'ones':
        return tf.ones(shape);
      case 'conv': // normal, stddev sqrt(2 / fan_out): the reference's conv initialiser
        return tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: initSeed(this.seed++) }).apply(shape);
      case 'dense':
        return tf.initializers.glorotUniform({ seed: initSeed(this.seed++) }).apply(shape);
    }
  }

  add(name: string, shape: number[], kind: InitKind): TF.Variable {
    const v = this.tf.variable(this.initial(shape, kind), true);
    this.trainable.set(name, v);
    return v;
  }

  addState(name: string, shape: number[], kind: 'zeros' | 'ones'): TF.Variable {
    const v = this.tf.variable(this.initial(shape, kind), false);
    this.state.set(name, v);
    return v;
  }

  /** Registers an existing variable (e.g. a tf.layers weight) under a logical name. */
  adopt(name: string, v: TF.Variable, trainable: boolean): void {
    (trainable ? this.trainable : this.state).set(name, v);
  }

  get(name: string): TF.Variable {
    const v = this.trainable.get(name) ?? this.state.get(name);
    if (!v) throw new Error(`no parameter '${name}'`);
    return v;
  }

  /** Every variable, trainable first, by logical name. */
  all(): Array<[string, TF.Variable]> {
    return [...this.trainable, ...this.state];
  }

  dispose(): void {
    for (const [, v] of this.all()) v.dispose();
    this.trainable.clear();
    this.state.clear();
  }
}
