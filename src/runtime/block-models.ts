/**
 * One-block tf.LayersModels for the latency profiler, built from the child builder's own layers
 * (nas/child-builder.ts `Builder`), so an isolated block runs exactly the ops it runs inside a child.
 *
 * Shapes are [batch, height, width, channels]; batch is left open and the profiler feeds batch 1.
 */
import type * as TF from '@tensorflow/tfjs';
import { Builder } from '../nas/child-builder';
import { blockName } from '../nas/weight-names';
import type { ModelToTime } from '../nas/model-timing';

export type { ModelToTime } from '../nas/model-timing';
import type { Candidate } from '../space/architecture';
import { layoutOf, type SearchableLayer } from '../space/layers';
import type { SearchSpace } from '../space/spec';

type SymbolicTensor = TF.SymbolicTensor;

/** One searchable layer's candidate as an isolated block: input [1, inSize, inSize, inChannels]. */
export function candidateModel(tf: typeof TF, space: SearchSpace, layer: SearchableLayer, cand: Candidate, se: boolean): ModelToTime {
  const kernel = cand.startsWith('k5') ? 5 : 3;
  const expansion = cand.endsWith('e6') ? 6 : 3;
  const b = new Builder(tf, space, layer.index + 1);
  const inputShape = [layer.inSize, layer.inSize, layer.inChannels];
  const input = tf.input({ shape: inputShape });
  const name = blockName.searchable(layer.index);
  const out = b.mbconv(input, {
    name,
    inChannels: layer.inChannels,
    outChannels: layer.outChannels,
    expansion,
    kernel,
    stride: layer.stride,
    se,
    seRatio: space.search.seRatio,
  });
  return { label: `${name} ${cand}${se ? '+se' : ''}`, model: tf.model({ inputs: input, outputs: out }), inputShape };
}

/** Stem and the fixed first block, as in buildChild: input = the normalised image. */
export function frontModel(tf: typeof TF, space: SearchSpace): ModelToTime {
  const b = new Builder(tf, space, 0);
  const inputShape = [space.inputSize, space.inputSize, space.inputChannels];
  const input = tf.input({ shape: inputShape });
  let x = b.convBnRelu(input, space.stem.filters, 3, space.stem.stride, 'stem');
  const fb = space.firstBlock;
  x = b.mbconv(x, {
    name: blockName.first,
    inChannels: space.stem.filters,
    outChannels: fb.out,
    expansion: fb.expansion,
    kernel: fb.kernel,
    stride: fb.stride,
    se: false,
    seRatio: 0,
  });
  return { label: 'front (stem + first block)', model: tf.model({ inputs: input, outputs: x }), inputShape };
}

/**
 * The fixed last block (if any) and the head (1x1 conv, pool, dense), as in buildChild. No dropout:
 * the child has none in its graph (the trainer applies it), and it is the identity at inference.
 */
export function backModel(tf: typeof TF, space: SearchSpace): ModelToTime {
  const lay = layoutOf(space);
  const b = new Builder(tf, space, 99);
  const inputShape = [lay.lastBlockInSize, lay.lastBlockInSize, lay.lastBlockInChannels];
  const input = tf.input({ shape: inputShape });
  let x: SymbolicTensor = input;
  if (space.lastBlock) {
    const lb = space.lastBlock;
    x = b.mbconv(x, {
      name: blockName.last,
      inChannels: lay.lastBlockInChannels,
      outChannels: lb.out,
      expansion: lb.expansion,
      kernel: lb.kernel,
      stride: lb.stride,
      se: false,
      seRatio: 0,
    });
  }
  x = b.convBnRelu(x, space.head.filters, 1, 1, 'head');
  x = tf.layers.globalAveragePooling2d({ name: 'head_pool' }).apply(x) as SymbolicTensor;
  x = tf.layers.dense({ name: 'head_dense', units: space.numClasses }).apply(x) as SymbolicTensor;
  return { label: 'back (last block + head)', model: tf.model({ inputs: input, outputs: x }), inputShape };
}

/**
 * A model that does (almost) nothing on an input of `shape`: its latency is the fixed cost of one
 * predict call (argument checks, graph walk, output download, promise resolution). Isolated blocks
 * pay it once each, a whole network pays it once in total.
 */
export function overheadModel(tf: typeof TF, shape: number[]): ModelToTime {
  const input = tf.input({ shape });
  const out = tf.layers.activation({ activation: 'linear' }).apply(input) as SymbolicTensor;
  return { label: `overhead ${shape.join('x')}`, model: tf.model({ inputs: input, outputs: out }), inputShape: shape };
}
