/**
 * The network's skeleton, written once: the stem, the fixed first block, the searchable layers, the
 * optional fixed last block and the head, each with its shape and weight-name prefix (weight-names.ts).
 * The supernet, the derived child (tf.layers and functional), the profiler's one-block models and the
 * multi-path bench all walk it, so they cannot disagree on a shape or a name: supernet == child
 * depends on that, and so do the checkpoints and models already written (the names are unchanged).
 */
import type { Architecture } from '../space/architecture';
import { layoutOf, MAX_EXPANSION, type SearchableLayer } from '../space/layers';
import type { SearchSpace } from '../space/spec';
import type { MbconvSpec } from './mbconv';
import { blockName } from './weight-names';

/** 3x3 conv-BN-ReLU on the image. */
export interface StemPart {
  readonly kind: 'stem';
  readonly name: 'stem';
  readonly inChannels: number;
  readonly filters: number;
  readonly kernel: 3;
  readonly stride: number;
}

/** An MBConv block with its squeeze-and-excitation ratio: the fixed first or last block, or a searchable layer's. */
export interface BlockPart extends MbconvSpec {
  readonly kind: 'block';
  readonly role: 'first' | 'last';
  readonly seRatio: number;
}

/** A searchable layer: one candidate's MBConv (a child), or its largest candidate (the supernet's superkernel shape). */
export interface LayerPart extends MbconvSpec {
  readonly kind: 'layer';
  readonly layer: SearchableLayer;
  readonly seRatio: number;
}

/** 1x1 conv-BN-ReLU, global average pool, (dropout in training,) dense classifier. */
export interface HeadPart {
  readonly kind: 'head';
  readonly name: 'head';
  readonly inChannels: number;
  readonly filters: number;
  readonly classes: number;
  readonly dropout: number;
}

export type SkeletonPart = StemPart | BlockPart | LayerPart | HeadPart;

/** Every searchable layer at its largest candidate (k5e6, SE when searchable): the supernet's and the multi-path net's shape. */
export const ALL_CANDIDATES = 'all-candidates';

/** The MBConv of candidate `op` in searchable `layer`. */
export function candidateBlock(space: SearchSpace, layer: SearchableLayer, op: { kernel: number; expansion: number; se: boolean }): LayerPart {
  return {
    kind: 'layer',
    layer,
    name: blockName.searchable(layer.index),
    inChannels: layer.inChannels,
    outChannels: layer.outChannels,
    expansion: op.expansion,
    kernel: op.kernel,
    stride: layer.stride,
    se: op.se,
    seRatio: space.search.seRatio,
  };
}

/**
 * The parts of the network of `arch` in `space`, input to output (a skipped layer has none), or with
 * {@link ALL_CANDIDATES} every searchable layer at its largest candidate.
 */
export function skeleton(space: SearchSpace, of: Architecture | typeof ALL_CANDIDATES): SkeletonPart[] {
  const layout = layoutOf(space);
  const fb = space.firstBlock;
  const parts: SkeletonPart[] = [
    { kind: 'stem', name: 'stem', inChannels: space.inputChannels, filters: space.stem.filters, kernel: 3, stride: space.stem.stride },
    {
      kind: 'block',
      role: 'first',
      name: blockName.first,
      inChannels: space.stem.filters,
      outChannels: fb.out,
      expansion: fb.expansion,
      kernel: fb.kernel,
      stride: fb.stride,
      se: false,
      seRatio: 0,
    },
  ];
  for (const l of layout.searchable) {
    if (of === ALL_CANDIDATES) parts.push(candidateBlock(space, l, { kernel: 5, expansion: MAX_EXPANSION, se: space.search.se }));
    else {
      const op = of.layers[l.index]!;
      if (op.op === 'mbconv') parts.push(candidateBlock(space, l, op));
    }
  }
  if (space.lastBlock) {
    const lb = space.lastBlock;
    parts.push({
      kind: 'block',
      role: 'last',
      name: blockName.last,
      inChannels: layout.lastBlockInChannels,
      outChannels: lb.out,
      expansion: lb.expansion,
      kernel: lb.kernel,
      stride: lb.stride,
      se: false,
      seRatio: 0,
    });
  }
  parts.push({
    kind: 'head',
    name: 'head',
    inChannels: layout.headInChannels,
    filters: space.head.filters,
    classes: space.numClasses,
    dropout: space.head.dropout,
  });
  return parts;
}
