/**
 * Multiply-accumulate counts of a child network, per block and in total. Used to report achieved
 * GFLOP/s (1 MAC = 2 FLOPs) and as a latency proxy before a table is profiled.
 */
import type { Architecture, MbconvOp } from './architecture';
import { layoutOf, type SearchableLayer } from './layers';
import type { SearchSpace } from './spec';

export interface MbconvShape {
  inChannels: number;
  outChannels: number;
  expansion: number;
  kernel: number;
  stride: number;
  inSize: number;
  se: boolean;
  seRatio: number;
}

/** SE bottleneck width: seRatio of the block's input channels (MnasNet convention), at least 1. */
export function seChannels(inChannels: number, seRatio: number): number {
  return Math.max(1, Math.floor(inChannels * seRatio));
}

/** MACs of one MBConv block (expand 1x1, depthwise kxk, optional SE, project 1x1). */
export function mbconvMacs(b: MbconvShape): number {
  const mid = b.inChannels * b.expansion;
  const out = Math.ceil(b.inSize / b.stride);
  const expand = b.expansion === 1 ? 0 : b.inSize * b.inSize * b.inChannels * mid;
  const depthwise = out * out * mid * b.kernel * b.kernel;
  const r = seChannels(b.inChannels, b.seRatio);
  const se = b.se ? 2 * mid * r + out * out * mid : 0;
  const project = out * out * mid * b.outChannels;
  return expand + depthwise + se + project;
}

export function searchableLayerMacs(space: SearchSpace, l: SearchableLayer, op: MbconvOp): number {
  return mbconvMacs({
    inChannels: l.inChannels,
    outChannels: l.outChannels,
    expansion: op.expansion,
    kernel: op.kernel,
    stride: l.stride,
    inSize: l.inSize,
    se: op.se,
    seRatio: space.search.seRatio,
  });
}

export interface MacsBreakdown {
  /** Stem, fixed blocks and head. */
  fixed: number;
  /** Per searchable layer (0 for skip). */
  layers: number[];
  total: number;
}

export function architectureMacs(space: SearchSpace, arch: Architecture): MacsBreakdown {
  const lay = layoutOf(space);
  const stemOut = lay.stemOutSize;
  let fixed = stemOut * stemOut * 3 * 3 * space.inputChannels * space.stem.filters;
  const fb = space.firstBlock;
  fixed += mbconvMacs({
    inChannels: space.stem.filters,
    outChannels: fb.out,
    expansion: fb.expansion,
    kernel: fb.kernel,
    stride: fb.stride,
    inSize: lay.firstBlockInSize,
    se: false,
    seRatio: 0,
  });
  if (space.lastBlock) {
    const lb = space.lastBlock;
    fixed += mbconvMacs({
      inChannels: lay.lastBlockInChannels,
      outChannels: lb.out,
      expansion: lb.expansion,
      kernel: lb.kernel,
      stride: lb.stride,
      inSize: lay.lastBlockInSize,
      se: false,
      seRatio: 0,
    });
  }
  fixed += lay.headInSize * lay.headInSize * lay.headInChannels * space.head.filters + space.head.filters * space.numClasses;
  const layers = lay.searchable.map((l, i) => {
    const op = arch.layers[i]!;
    return op.op === 'skip' ? 0 : searchableLayerMacs(space, l, op);
  });
  return { fixed, layers, total: fixed + layers.reduce((a, b) => a + b, 0) };
}
