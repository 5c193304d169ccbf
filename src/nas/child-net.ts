/**
 * The fast training path of a derived child: the same functional ops as the supernet (fused native
 * BN, avgPool-based pooling) run directly on the variables of the child's tf.layers model, so training
 * is as fast as the supernet's while the LayersModel stays the thing that is exported and served.
 * tf.layers' own BatchNormalization gradient is TF.js's composite one (3x slower here).
 */
import type * as TF from '@tensorflow/tfjs';
import type { Architecture } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import type { BatchStat, ForwardContext } from './functional-ops';
import { ParamStore } from './param-store';
import { headForward, partForward } from './plain-parts';
import { skeleton, type SkeletonPart } from './skeleton';

export class ChildNet {
  readonly params: ParamStore;
  private readonly parts: SkeletonPart[];

  constructor(
    private readonly tf: typeof TF,
    readonly space: SearchSpace,
    readonly architecture: Architecture,
    /** Variables of the child's LayersModel by "<layer>/<weight>" name, with trainability. */
    named: Array<{ name: string; variable: TF.Variable; trainable: boolean }>,
  ) {
    this.params = new ParamStore(tf, 0);
    for (const { name, variable, trainable } of named) this.params.adopt(name, variable, trainable);
    this.parts = skeleton(space, architecture);
  }

  /** x [B, size, size, 3] -> logits; in training, dropout before the classifier with `dropoutSeed`. */
  forward(x: TF.Tensor4D, opts: { training: boolean; dropoutSeed?: number }): { logits: TF.Tensor2D; batchStats: BatchStat[] } {
    const { tf, space } = this;
    const ctx: ForwardContext = { tf, params: this.params, training: opts.training, epsilon: space.bn.epsilon, batchStats: [] };
    let h = x;
    let logits: TF.Tensor2D | undefined;
    for (const part of this.parts) {
      if (part.kind === 'head') logits = headForward(ctx, h, part, opts.dropoutSeed);
      else h = partForward(ctx, h, part);
    }
    return { logits: logits!, batchStats: ctx.batchStats }; // the skeleton ends with the head
  }
}
