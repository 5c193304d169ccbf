/**
 * Expands a search space into the concrete list of searchable MBConv layers, tracking channels,
 * strides and feature-map sizes (the way timm's builder tracks strides).
 */
import type { SearchSpace } from './spec';

export interface SearchableLayer {
  /** 0-based index among searchable layers (the paper numbers them 1..20). */
  index: number;
  stage: number;
  /** Position within the stage: 0 is the first layer (stride / channel change). */
  position: number;
  inChannels: number;
  outChannels: number;
  stride: 1 | 2;
  /** Input feature-map side. */
  inSize: number;
  outSize: number;
  /** Whether skip is a candidate (non-first layer of a stage that allows skip). */
  skipAllowed: boolean;
  /** Residual connection: stride 1 and in == out channels. */
  residual: boolean;
  /** Expanded channels of the e6 superkernel (6 * inChannels). */
  maxExpandedChannels: number;
}

export interface SpaceLayout {
  /** Feature-map side after the stem. */
  stemOutSize: number;
  /** Input/output side of the fixed first block. */
  firstBlockInSize: number;
  searchable: SearchableLayer[];
  /** Input side and channels of the fixed last block (or of the head when there is none). */
  lastBlockInSize: number;
  lastBlockInChannels: number;
  headInSize: number;
  headInChannels: number;
}

export const MAX_EXPANSION = 6;

export function layoutOf(space: SearchSpace): SpaceLayout {
  let size = Math.ceil(space.inputSize / space.stem.stride);
  const stemOutSize = size;
  const firstBlockInSize = size;
  size = Math.ceil(size / space.firstBlock.stride);
  let channels = space.firstBlock.out;
  const searchable: SearchableLayer[] = [];
  space.stages.forEach((stage, s) => {
    for (let p = 0; p < stage.layers; p++) {
      const stride = (p === 0 ? stage.stride : 1) as 1 | 2;
      const outSize = Math.ceil(size / stride);
      searchable.push({
        index: searchable.length,
        stage: s,
        position: p,
        inChannels: channels,
        outChannels: stage.out,
        stride,
        inSize: size,
        outSize,
        skipAllowed: p > 0 && stage.skip,
        residual: stride === 1 && channels === stage.out,
        maxExpandedChannels: channels * MAX_EXPANSION,
      });
      channels = stage.out;
      size = outSize;
    }
  });
  const lastBlockInSize = size;
  const lastBlockInChannels = channels;
  if (space.lastBlock) {
    size = Math.ceil(size / space.lastBlock.stride);
    channels = space.lastBlock.out;
  }
  return { stemOutSize, firstBlockInSize, searchable, lastBlockInSize, lastBlockInChannels, headInSize: size, headInChannels: channels };
}
