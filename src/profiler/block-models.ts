/**
 * One-block tf.LayersModels for the latency profiler, built from the child builder's own layers
 * (nas/child-builder.ts `Builder`), so an isolated block runs exactly the ops it runs inside a child.
 *
 * Shapes are [batch, height, width, channels]; batch is left open and the profiler feeds batch 1.
 */
import type * as TF from '@tensorflow/tfjs';
import { Builder } from '../nas/child-builder';
import type { ModelToTime } from '../nas/model-timing';
import { ALL_CANDIDATES, candidateBlock, skeleton, type SkeletonPart } from '../nas/skeleton';

export type { ModelToTime } from '../nas/model-timing';
import type { Candidate } from '../space/architecture';
import { layoutOf, type SearchableLayer } from '../space/layers';
import type { SearchSpace } from '../space/spec';

type SymbolicTensor = TF.SymbolicTensor;

/** One searchable layer's candidate as an isolated block: input [1, inSize, inSize, inChannels]. */
export function candidateModel(tf: typeof TF, space: SearchSpace, layer: SearchableLayer, cand: Candidate, se: boolean): ModelToTime {
  const part = candidateBlock(space, layer, { kernel: cand.startsWith('k5') ? 5 : 3, expansion: cand.endsWith('e6') ? 6 : 3, se });
  const inputShape = [layer.inSize, layer.inSize, layer.inChannels];
  return partsModel(tf, new Builder(tf, space, layer.index + 1), [part], inputShape, `${part.name} ${cand}${se ? '+se' : ''}`);
}

/** Stem and the fixed first block, as in buildChild: input = the normalised image. */
export function frontModel(tf: typeof TF, space: SearchSpace): ModelToTime {
  const parts = skeleton(space, ALL_CANDIDATES).filter((p) => p.kind === 'stem' || (p.kind === 'block' && p.role === 'first'));
  return partsModel(tf, new Builder(tf, space, 0), parts, [space.inputSize, space.inputSize, space.inputChannels], 'front (stem + first block)');
}

/**
 * The fixed last block (if any) and the head (1x1 conv, pool, dense), as in buildChild. No dropout:
 * the child has none in its graph (the trainer applies it), and it is the identity at inference.
 */
export function backModel(tf: typeof TF, space: SearchSpace): ModelToTime {
  const lay = layoutOf(space);
  const parts = skeleton(space, ALL_CANDIDATES).filter((p) => p.kind === 'head' || (p.kind === 'block' && p.role === 'last'));
  return partsModel(tf, new Builder(tf, space, 99), parts, [lay.lastBlockInSize, lay.lastBlockInSize, lay.lastBlockInChannels], 'back (last block + head)');
}

function partsModel(tf: typeof TF, b: Builder, parts: SkeletonPart[], inputShape: number[], label: string): ModelToTime {
  const input = tf.input({ shape: inputShape });
  const out = parts.reduce<SymbolicTensor>((x, part) => b.part(x, part), input);
  return { label, model: tf.model({ inputs: input, outputs: out }), inputShape };
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
