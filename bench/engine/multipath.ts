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
import { applyBatchStats, type BatchStat, type ForwardContext } from '../../src/nas/functional-ops';
import { ParamStore } from '../../src/nas/param-store';
import { createPartParams, headForward, partForward } from '../../src/nas/plain-parts';
import { ALL_CANDIDATES, candidateBlock, skeleton, type LayerPart, type SkeletonPart } from '../../src/nas/skeleton';
import { stepSeed } from '../../src/random';
import { Rmsprop } from '../../src/nas/optimizer';
import type { RuntimeTable } from '../../src/nas/runtime-tf';
import { learningRate, scheduleOf } from '../../src/nas/schedule';
import type { StepBatch } from '../../src/nas/train-step';
import { CANDIDATES, type MbconvOp } from '../../src/space/architecture';
import { architectureMacs, searchableLayerMacs } from '../../src/space/flops';
import { layoutOf, type SpaceLayout } from '../../src/space/layers';
import type { SearchSpace } from '../../src/space/spec';

const candidateOps: MbconvOp[] = CANDIDATES.map((c) => ({ op: 'mbconv', kernel: Number(c[1]) as 3 | 5, expansion: Number(c[3]) as 3 | 6, se: false }));

export class MultipathSupernet {
  readonly params: ParamStore;
  readonly layout: SpaceLayout;
  /** The network's parts (src/nas/skeleton.ts), searchable layers at their largest candidate. */
  private readonly parts: SkeletonPart[];
  /** Per searchable layer: the candidates' MBConv parts (weights under `${name}_c<i>`). */
  private readonly candidates: LayerPart[][] = [];
  private readonly alphas: TF.Variable[] = [];

  constructor(
    private readonly tf: typeof TF,
    readonly space: SearchSpace,
    seed: number,
  ) {
    this.params = new ParamStore(tf, seed);
    this.layout = layoutOf(space);
    this.parts = skeleton(space, ALL_CANDIDATES);
    const p = this.params;
    for (const part of this.parts) {
      if (part.kind !== 'layer') {
        createPartParams(p, part);
        continue;
      }
      const l = part.layer;
      // each candidate with the SE path when the space's SE is searchable, like the largest child
      const specs = candidateOps.map((op, c) => ({ ...candidateBlock(space, l, { ...op, se: space.search.se }), name: `${part.name}_c${c}` }));
      specs.forEach((s) => createPartParams(p, s));
      this.candidates.push(specs);
      this.alphas.push(p.add(`${part.name}/alpha`, [specs.length + (l.skipAllowed ? 1 : 0)], 'zeros'));
    }
  }

  /** Forward pass; returns logits, the mixing probabilities per layer and the BN batch moments. */
  forward(x: TF.Tensor4D, opts: { training: boolean; dropoutSeed?: number }): { logits: TF.Tensor2D; probs: TF.Tensor1D[]; batchStats: BatchStat[] } {
    const { tf, space } = this;
    const ctx: ForwardContext = { tf, params: this.params, training: opts.training, epsilon: space.bn.epsilon, batchStats: [] };
    let h = x;
    let logits: TF.Tensor2D | undefined;
    const probs: TF.Tensor1D[] = [];
    for (const part of this.parts) {
      if (part.kind === 'head') logits = headForward(ctx, h, part, opts.dropoutSeed);
      else if (part.kind !== 'layer') h = partForward(ctx, h, part);
      else {
        const l = part.layer;
        const p = tf.softmax(this.alphas[l.index]!) as TF.Tensor1D;
        probs.push(p);
        const w = tf.unstack(p);
        // each candidate is a whole MBConv (with its residual where the block has one); skip is identity
        const terms = this.candidates[l.index]!.map((spec, c) => tf.mul(partForward(ctx, h, spec), w[c]!));
        if (l.skipAllowed) terms.push(tf.mul(h, w[terms.length]!));
        h = tf.addN(terms) as TF.Tensor4D;
      }
    }
    return { logits: logits!, probs, batchStats: ctx.batchStats };
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
