/**
 * Builds a derived child network from an architecture with plain tf.layers (no masks), so it trains,
 * saves (model.json + weight shards) and loads like any TF.js model.
 *
 * Layer names follow the weight-naming scheme shared with the supernet (see weight-names.ts), which
 * is what lets a child be initialised from supernet weights and compared with it exactly.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Initializer } from '@tensorflow/tfjs-layers/dist/initializers';
import type { Architecture } from '../space/architecture';
import { seChannels } from '../space/flops';
import type { SearchSpace } from '../space/spec';
import type { BlockName } from './weight-names';
import type { MbconvSpec } from './mbconv';
import { skeleton, type SkeletonPart } from './skeleton';
import { initSeed } from '../random';

type SymbolicTensor = TF.SymbolicTensor;

export interface ChildBuildOptions {
  /** Seed for the weight initialisers. */
  seed?: number;
}

/** One MBConv block's shape, name and SE ratio (a skeleton part's, skeleton.ts). */
export interface BlockArgs extends MbconvSpec {
  name: BlockName;
  seRatio: number;
}

/**
 * The tf.layers pieces of a child (conv-BN-ReLU, MBConv). Exported so the latency profiler builds
 * one-block models from exactly the layers the child uses.
 */
export class Builder {
  private seedCounter: number;
  constructor(
    private readonly tf: typeof TF,
    private readonly space: SearchSpace,
    private readonly seed: number,
  ) {
    this.seedCounter = seed * 1000;
  }

  /** Applies one skeleton part (skeleton.ts): the stem, an MBConv block or the head (conv, pool, dense -> logits). */
  part(x: SymbolicTensor, part: SkeletonPart): SymbolicTensor {
    if (part.kind === 'stem') return this.convBnRelu(x, part.filters, part.kernel, part.stride, 'stem');
    if (part.kind !== 'head') return this.mbconv(x, part);
    const tf = this.tf;
    let h = this.convBnRelu(x, part.filters, 1, 1, 'head');
    h = tf.layers.globalAveragePooling2d({ name: 'head_pool' }).apply(h) as SymbolicTensor;
    // Head dropout is applied by the trainer between 'head_pool' and 'head_dense' (see childHead), with a
    // per-step seed: a seeded tf.layers.dropout would draw the same mask at every step.
    return tf.layers
      .dense({ name: 'head_dense', units: part.classes, kernelInitializer: tf.initializers.glorotUniform({ seed: initSeed(this.seed * 1000 + 999) }) })
      .apply(h) as SymbolicTensor;
  }

  private init(): Initializer {
    // normal with stddev sqrt(2 / fan_out), fan_out = k*k*out_channels: the reference's conv initialiser
    return this.tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: initSeed(this.seedCounter++) });
  }

  private bn(x: SymbolicTensor, name: string): SymbolicTensor {
    const { momentum, epsilon } = this.space.bn;
    return this.tf.layers.batchNormalization({ name, momentum, epsilon }).apply(x) as SymbolicTensor;
  }

  private relu(x: SymbolicTensor, name: string): SymbolicTensor {
    return this.tf.layers.reLU({ name }).apply(x) as SymbolicTensor;
  }

  conv(x: SymbolicTensor, filters: number, kernel: number, stride: number, name: string): SymbolicTensor {
    return this.tf.layers
      .conv2d({ name, filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: this.init() })
      .apply(x) as SymbolicTensor;
  }

  convBnRelu(x: SymbolicTensor, filters: number, kernel: number, stride: number, prefix: string): SymbolicTensor {
    return this.relu(this.bn(this.conv(x, filters, kernel, stride, `${prefix}_conv`), `${prefix}_bn`), `${prefix}_relu`);
  }

  mbconv(x: SymbolicTensor, b: BlockArgs): SymbolicTensor {
    const tf = this.tf;
    const mid = b.inChannels * b.expansion;
    let h = x;
    if (b.expansion !== 1) h = this.convBnRelu(h, mid, 1, 1, `${b.name}_expand`);
    h = tf.layers
      .depthwiseConv2d({
        name: `${b.name}_dw_conv`,
        kernelSize: b.kernel,
        strides: b.stride,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: this.init(),
      })
      .apply(h) as SymbolicTensor;
    h = this.relu(this.bn(h, `${b.name}_dw_bn`), `${b.name}_dw_relu`);
    if (b.se) {
      const r = seChannels(b.inChannels, b.seRatio);
      let s = tf.layers.globalAveragePooling2d({ name: `${b.name}_se_pool` }).apply(h) as SymbolicTensor;
      s = tf.layers.reshape({ name: `${b.name}_se_reshape`, targetShape: [1, 1, mid] }).apply(s) as SymbolicTensor;
      s = tf.layers
        .conv2d({ name: `${b.name}_se_reduce`, filters: r, kernelSize: 1, activation: 'relu', kernelInitializer: this.init() })
        .apply(s) as SymbolicTensor;
      s = tf.layers
        .conv2d({ name: `${b.name}_se_expand`, filters: mid, kernelSize: 1, activation: 'sigmoid', kernelInitializer: this.init() })
        .apply(s) as SymbolicTensor;
      h = tf.layers.multiply({ name: `${b.name}_se_scale` }).apply([h, s]) as SymbolicTensor;
    }
    h = this.bn(this.conv(h, b.outChannels, 1, 1, `${b.name}_project_conv`), `${b.name}_project_bn`);
    if (b.stride === 1 && b.inChannels === b.outChannels) h = tf.layers.add({ name: `${b.name}_add` }).apply([x, h]) as SymbolicTensor;
    return h;
  }
}

/** Builds the child network for `arch` in `space`: input [batch, size, size, 3] normalised, output logits [batch, classes]. */
export function buildChild(tf: typeof TF, space: SearchSpace, arch: Architecture, opts: ChildBuildOptions = {}): TF.LayersModel {
  const b = new Builder(tf, space, opts.seed ?? 0);
  const input = tf.input({ name: 'image', shape: [space.inputSize, space.inputSize, space.inputChannels] });
  const logits = skeleton(space, arch).reduce<SymbolicTensor>((x, part) => b.part(x, part), input);
  return tf.model({ name: `child_${space.name}`, inputs: input, outputs: logits });
}
