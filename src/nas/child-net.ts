/**
 * The fast training path of a derived child: the same functional ops as the supernet (fused native
 * BN, avgPool-based pooling) run directly on the variables of the child's tf.layers model, so training
 * is as fast as the supernet's while the LayersModel stays the thing that is exported and served.
 * tf.layers' own BatchNormalization gradient is TF.js's composite one (3x slower here).
 */
import type * as TF from '@tensorflow/tfjs';
import type { Architecture } from '../space/architecture';
import { layoutOf } from '../space/layers';
import type { SearchSpace } from '../space/spec';
import { convBnRelu, type BatchStat, type ForwardContext } from './functional-ops';
import { globalPool, plainMbconv } from './mbconv';
import { ParamStore } from './param-store';
import { blockName } from './weight-names';

export class ChildNet {
  readonly params: ParamStore;

  constructor(
    private readonly tf: typeof TF,
    readonly space: SearchSpace,
    readonly architecture: Architecture,
    /** Variables of the child's LayersModel by "<layer>/<weight>" name, with trainability. */
    named: Array<{ name: string; variable: TF.Variable; trainable: boolean }>,
  ) {
    this.params = new ParamStore(tf, 0);
    for (const { name, variable, trainable } of named) this.params.adopt(name, variable, trainable);
  }

  /** x [B, size, size, 3] -> logits; in training, dropout before the classifier with `dropoutSeed`. */
  forward(x: TF.Tensor4D, opts: { training: boolean; dropoutSeed?: number }): { logits: TF.Tensor2D; batchStats: BatchStat[] } {
    const { tf, space } = this;
    const ctx: ForwardContext = { tf, params: this.params, training: opts.training, epsilon: space.bn.epsilon, batchStats: [] };
    const layout = layoutOf(space);
    let h = convBnRelu(ctx, x, 'stem', space.stem.stride);
    const fb = space.firstBlock;
    h = plainMbconv(ctx, h, {
      name: blockName.first,
      inChannels: space.stem.filters,
      outChannels: fb.out,
      expansion: fb.expansion,
      kernel: fb.kernel,
      stride: fb.stride,
      se: false,
    });
    layout.searchable.forEach((l, i) => {
      const op = this.architecture.layers[i]!;
      if (op.op === 'skip') return;
      h = plainMbconv(ctx, h, {
        name: blockName.searchable(i),
        inChannels: l.inChannels,
        outChannels: l.outChannels,
        expansion: op.expansion,
        kernel: op.kernel,
        stride: l.stride,
        se: op.se,
      });
    });
    if (space.lastBlock) {
      const lb = space.lastBlock;
      h = plainMbconv(ctx, h, {
        name: blockName.last,
        inChannels: layout.lastBlockInChannels,
        outChannels: lb.out,
        expansion: lb.expansion,
        kernel: lb.kernel,
        stride: lb.stride,
        se: false,
      });
    }
    h = convBnRelu(ctx, h, 'head', 1);
    let f = globalPool(tf, h);
    if (opts.training && space.head.dropout > 0) f = tf.dropout(f, space.head.dropout, undefined, opts.dropoutSeed ?? 0) as TF.Tensor2D;
    const logits = tf.add(tf.matMul(f, this.params.get('head_dense/kernel') as TF.Tensor2D), this.params.get('head_dense/bias')) as TF.Tensor2D;
    return { logits, batchStats: ctx.batchStats };
  }
}
