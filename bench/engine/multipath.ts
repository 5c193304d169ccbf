/**
 * A multi-path (DARTS-style) supernet over the same search space, for the engine bench only: every
 * searchable layer computes ALL candidates - k3e3, k3e6, k5e3, k5e6 as separate MBConvs with their
 * own weights (each with the SE path when the space's SE is searchable, like the largest child) -
 * plus skip where allowed, and mixes them with softmax(alpha) weights (alpha: one trainable vector
 * per layer). Stem, fixed blocks and head are the supernet's (same functional ops, fused native BN).
 *
 * The step mirrors the search step: CE with label smoothing + weight decay + lambda * ln(E[R]) where
 * E[R] = fixed + sum_l sum_i p_li * L_li is the expected runtime under the mixing weights (the
 * FBNet / ProxylessNAS relaxation), RMSProp, BN moving-statistics update.
 */
import type * as TF from '@tensorflow/tfjs';
import { l2Penalty } from '../../src/backend/native-ops';
import type { SearchConfig } from '../../src/config/training-config';
import { applyBatchStats, convBnRelu, createBn, type BatchStat, type ForwardContext } from '../../src/nas/functional-ops';
import { globalPool, plainMbconv, type MbconvSpec } from '../../src/nas/mbconv';
import { ParamStore } from '../../src/nas/param-store';
import { stepSeed } from '../../src/random';
import { Rmsprop } from '../../src/nas/optimizer';
import type { RuntimeTable } from '../../src/nas/runtime-tf';
import { learningRate, scheduleOf } from '../../src/nas/schedule';
import type { StepBatch } from '../../src/nas/train-step';
import { blockName } from '../../src/nas/weight-names';
import { CANDIDATES, type MbconvOp } from '../../src/space/architecture';
import { architectureMacs, searchableLayerMacs, seChannels } from '../../src/space/flops';
import { layoutOf, type SpaceLayout } from '../../src/space/layers';
import type { SearchSpace } from '../../src/space/spec';

const candidateOps: MbconvOp[] = CANDIDATES.map((c) => ({ op: 'mbconv', kernel: Number(c[1]) as 3 | 5, expansion: Number(c[3]) as 3 | 6, se: false }));

export class MultipathSupernet {
  readonly params: ParamStore;
  readonly layout: SpaceLayout;
  /** Per searchable layer: the candidates' MBConv specs (weights under `${name}`). */
  private readonly candidates: MbconvSpec[][] = [];
  private readonly alphas: TF.Variable[] = [];

  constructor(
    private readonly tf: typeof TF,
    readonly space: SearchSpace,
    seed: number,
  ) {
    this.params = new ParamStore(tf, seed);
    this.layout = layoutOf(space);
    const p = this.params;
    const se = space.search.se;
    p.add('stem_conv/kernel', [3, 3, space.inputChannels, space.stem.filters], 'conv');
    createBn(p, 'stem_bn', space.stem.filters);
    const fb = space.firstBlock;
    this.createMbconv({
      name: blockName.first,
      inChannels: space.stem.filters,
      outChannels: fb.out,
      expansion: fb.expansion,
      kernel: fb.kernel,
      stride: fb.stride,
      se: false,
    });
    for (const l of this.layout.searchable) {
      const specs = candidateOps.map((op, c) => ({
        name: `${blockName.searchable(l.index)}_c${c}`,
        inChannels: l.inChannels,
        outChannels: l.outChannels,
        expansion: op.expansion,
        kernel: op.kernel,
        stride: l.stride,
        se,
      }));
      specs.forEach((s) => this.createMbconv(s));
      this.candidates.push(specs);
      this.alphas.push(p.add(`${blockName.searchable(l.index)}/alpha`, [specs.length + (l.skipAllowed ? 1 : 0)], 'zeros'));
    }
    if (space.lastBlock) {
      const lb = space.lastBlock;
      this.createMbconv({
        name: blockName.last,
        inChannels: this.layout.lastBlockInChannels,
        outChannels: lb.out,
        expansion: lb.expansion,
        kernel: lb.kernel,
        stride: lb.stride,
        se: false,
      });
    }
    p.add('head_conv/kernel', [1, 1, this.layout.headInChannels, space.head.filters], 'conv');
    createBn(p, 'head_bn', space.head.filters);
    p.add('head_dense/kernel', [space.head.filters, space.numClasses], 'dense');
    p.add('head_dense/bias', [space.numClasses], 'zeros');
  }

  private createMbconv(b: MbconvSpec): void {
    const p = this.params;
    const mid = b.inChannels * b.expansion;
    if (b.expansion !== 1) {
      p.add(`${b.name}_expand_conv/kernel`, [1, 1, b.inChannels, mid], 'conv');
      createBn(p, `${b.name}_expand_bn`, mid);
    }
    p.add(`${b.name}_dw_conv/depthwise_kernel`, [b.kernel, b.kernel, mid, 1], 'conv');
    createBn(p, `${b.name}_dw_bn`, mid);
    if (b.se) {
      const r = seChannels(b.inChannels, this.space.search.seRatio);
      p.add(`${b.name}_se_reduce/kernel`, [1, 1, mid, r], 'conv');
      p.add(`${b.name}_se_reduce/bias`, [r], 'zeros');
      p.add(`${b.name}_se_expand/kernel`, [1, 1, r, mid], 'conv');
      p.add(`${b.name}_se_expand/bias`, [mid], 'zeros');
    }
    p.add(`${b.name}_project_conv/kernel`, [1, 1, mid, b.outChannels], 'conv');
    createBn(p, `${b.name}_project_bn`, b.outChannels);
  }

  /** Forward pass; returns logits, the mixing probabilities per layer and the BN batch moments. */
  forward(x: TF.Tensor4D, opts: { training: boolean; dropoutSeed?: number }): { logits: TF.Tensor2D; probs: TF.Tensor1D[]; batchStats: BatchStat[] } {
    const { tf, space } = this;
    const ctx: ForwardContext = { tf, params: this.params, training: opts.training, epsilon: space.bn.epsilon, batchStats: [] };
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
    const probs: TF.Tensor1D[] = [];
    for (const l of this.layout.searchable) {
      const p = tf.softmax(this.alphas[l.index]!) as TF.Tensor1D;
      probs.push(p);
      const w = tf.unstack(p);
      // each candidate is a whole MBConv (with its residual where the block has one); skip is identity
      const terms = this.candidates[l.index]!.map((spec, c) => tf.mul(plainMbconv(ctx, h, spec), w[c]!));
      if (l.skipAllowed) terms.push(tf.mul(h, w[terms.length]!));
      h = tf.addN(terms) as TF.Tensor4D;
    }
    if (space.lastBlock) {
      const lb = space.lastBlock;
      h = plainMbconv(ctx, h, {
        name: blockName.last,
        inChannels: this.layout.lastBlockInChannels,
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
    return { logits, probs, batchStats: ctx.batchStats };
  }

  /** Expected runtime E[R] under the mixing probabilities (skip costs 0). */
  expectedRuntime(table: RuntimeTable, probs: TF.Tensor1D[]): TF.Scalar {
    const tf = this.tf;
    const terms: TF.Tensor[] = [tf.scalar(table.fixedMs)];
    probs.forEach((p, i) => {
      const L = table.layers[i]!;
      const se = this.space.search.se && L.se ? L.se : { e3: 0, e6: 0 };
      const costs = [L.k3e3 + se.e3, L.k3e6 + se.e6, L.k5e3 + se.e3, L.k5e6 + se.e6];
      if (p.shape[0] > costs.length) costs.push(0);
      terms.push(tf.sum(tf.mul(p, tf.tensor1d(costs))));
    });
    return tf.addN(terms) as TF.Scalar;
  }

  /** Forward MACs: fixed parts once, every candidate of every searchable layer (the sum over candidates). */
  forwardMacs(): number {
    const se = this.space.search.se;
    const fixed = architectureMacs(this.space, { space: this.space.name, layers: this.layout.searchable.map(() => ({ op: 'skip' as const })) }).fixed;
    return fixed + this.layout.searchable.reduce((a, l) => a + candidateOps.reduce((b, op) => b + searchableLayerMacs(this.space, l, { ...op, se }), 0), 0);
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** The multi-path search step, same structure and loss as createSearchStep (lambda on, no indicator dropout). */
export function createMultipathStep(
  tf: typeof TF,
  net: MultipathSupernet,
  cfg: SearchConfig,
  table: RuntimeTable,
): { step: (batch: StepBatch, step: number, epoch: number) => { loss: number }; opt: Rmsprop } {
  const space = net.space;
  const trainable = [...net.params.trainable];
  const opt = new Rmsprop(
    tf,
    trainable.map(([name, variable]) => ({ name, variable, lrMultiplier: 1 })),
    cfg.optimizer,
  );
  const decayed = trainable.filter(([n]) => !/_bn\//.test(n)).map(([, v]) => v);
  const varList = trainable.map(([, v]) => v);
  const lambda = cfg.runtimeLoss.lambda;
  const step = (batch: StepBatch, s: number, epoch: number) => {
    const lr = learningRate(scheduleOf(cfg.optimizer, cfg.epochs), cfg.batchSize, epoch);
    let stats: BatchStat[] = [];
    let monitor: TF.Tensor | undefined;
    const grads = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [batch.size, space.inputSize, space.inputSize, space.inputChannels]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), space.numClasses);
      return tf.variableGrads(() => {
        const fwd = net.forward(x, { training: true, dropoutSeed: stepSeed(cfg.seed, s, 2) });
        stats = fwd.batchStats;
        const ce = tf.losses.softmaxCrossEntropy(y, fwd.logits, undefined, cfg.labelSmoothing) as TF.Scalar;
        const r = net.expectedRuntime(table, fwd.probs);
        const wd = l2Penalty(tf)(decayed, cfg.weightDecay);
        const total = tf.addN([ce, wd, tf.mul(lambda, tf.log(r))]) as TF.Scalar;
        monitor = tf.keep(tf.stack([total, ce, r]));
        return total;
      }, varList).grads;
    });
    const m = monitor!.dataSync();
    monitor!.dispose();
    opt.apply(grads, lr);
    tf.dispose(Object.values(grads));
    applyBatchStats(tf, net.params, stats, space.bn.momentum);
    return { loss: m[0]! };
  };
  return { step, opt };
}
