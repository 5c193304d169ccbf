/**
 * The Single-Path NAS supernet: the space's backbone with one superkernel MBConv per searchable layer
 * (expand and project 1x1 convs at e6 width, one 5x5 e6 depthwise kernel, optional searchable SE).
 *
 * Exactness choice (see docs/engine.md): the per-channel indicator mask is applied to the kernel (as
 * the reference) AND to the depthwise BN+ReLU output, and a skipped layer's whole branch is
 * multiplied by d50c. Without that, BN beta leaks constants through masked channels and skipped
 * layers, and the derived child would not equal the supernet. With it, supernet(eval) == child(eval).
 */
import type * as TF from '@tensorflow/tfjs';
import { layoutOf, type SearchableLayer, type SpaceLayout } from '../space/layers';
import type { SearchSpace } from '../space/spec';
import { depthwiseConv2dTrain } from '../backend/native-ops';
import { bn, bnAct, conv, convBnRelu, type BatchStat, type ForwardContext } from './functional-ops';
import { seScale } from './mbconv';
import { ParamStore } from './param-store';
import { createPartParams, headForward, partForward } from './plain-parts';
import { ALL_CANDIDATES, skeleton, type LayerPart, type SkeletonPart } from './skeleton';
import {
  initialGroupNorms,
  superkernelMasks,
  type IndicatorDropout,
  type LayerIndicators,
  type LayerThresholds,
  type NormScales,
  type SuperkernelMasks,
  type SuperkernelResult,
} from './superkernel';
import { groupNorm } from './indicator';
import { SuperkernelBatch, type IndicatorVectors, type SuperkernelBatchResult } from './superkernel-batch';
import { blockName, thresholdName } from './weight-names';

export type IndicatorNorm = 'relative' | 'l2';

export interface SupernetForwardOptions {
  training: boolean;
  /** Per searchable layer indicator-dropout multipliers (warm-up); omit for none. */
  indicatorDropout?: IndicatorDropout[];
  /** Seed of the head dropout mask in training (derive it from the step for determinism). */
  dropoutSeed?: number;
  /** Return `runtimeIndicators` whose gradient reaches only the thresholds (runtimeGradientTo 'thresholds'). */
  runtimeThresholdOnly?: boolean;
}

export interface SupernetForward {
  logits: TF.Tensor2D;
  /** Undropped indicators per searchable layer (runtime model, derivation). */
  indicators: LayerIndicators[];
  /** The same as [L] vectors (what the search step's runtime term and monitoring use). */
  indicatorVectors: IndicatorVectors;
  /** The (relative) group norms the indicators compared with their thresholds, as [L] vectors. */
  indicatorNorms: IndicatorVectors;
  /** The indicators the runtime term uses: indicatorVectors, or with runtimeThresholdOnly the same values with a thresholds-only gradient. */
  runtimeIndicators: IndicatorVectors;
  /** Batch moments of every BN (training only), to update moving statistics after the step. */
  batchStats: BatchStat[];
}

export class Supernet {
  readonly params: ParamStore;
  readonly layout: SpaceLayout;
  readonly thresholds: LayerThresholds[] = [];
  /** Constant superkernel masks per searchable layer. */
  readonly masks: SuperkernelMasks[] = [];
  /** The network's parts (skeleton.ts), every searchable layer at its largest candidate. */
  private readonly parts: SkeletonPart[];

  /** Norm divisors per searchable layer ('relative' indicator norm); empty for 'l2'. */
  readonly normScales: NormScales[] = [];
  /** Computes all layers' superkernels and indicators in one batched pass (superkernel-batch.ts). */
  private readonly superkernelBatch: SuperkernelBatch;

  constructor(
    private readonly tf: typeof TF,
    readonly space: SearchSpace,
    seed: number,
    readonly indicatorNorm: IndicatorNorm = 'relative',
  ) {
    this.params = new ParamStore(tf, seed);
    this.layout = layoutOf(space);
    this.parts = skeleton(space, ALL_CANDIDATES);
    for (const part of this.parts) {
      if (part.kind === 'layer') this.createSearchable(part);
      else createPartParams(this.params, part);
    }
    this.superkernelBatch = new SuperkernelBatch(
      tf,
      this.layout.searchable.map((l) => ({ channels: l.maxExpandedChannels, skipSearchable: l.skipAllowed && this.thresholds[l.index]!.t50c !== undefined })),
    );
  }

  /**
   * Every searchable layer's masked kernel, channel mask and indicators from the current weights and
   * thresholds (with indicator dropout when given). Call inside a tidy or tape.
   */
  superkernels(drop?: IndicatorDropout[], thresholdOnly = false): SuperkernelBatchResult {
    const p = this.params;
    const names = this.layout.searchable.map((l) => blockName.searchable(l.index));
    return this.superkernelBatch.apply({
      kernels: names.map((n) => p.get(`${n}_dw_conv/depthwise_kernel`) as TF.Tensor4D),
      thresholds: this.thresholds,
      scales: this.indicatorNorm === 'relative' ? this.normScales : undefined,
      seReduce: this.space.search.se ? names.map((n) => p.get(`${n}_se_reduce/kernel`)) : undefined,
      drop,
      thresholdOnly,
    });
  }

  /** The superkernel layer: the largest candidate's weights (k5e6, SE when searchable), its thresholds and norm divisors. */
  private createSearchable(part: LayerPart): void {
    const p = this.params;
    const l = part.layer;
    const n = part.name;
    const mid = part.inChannels * part.expansion;
    createPartParams(p, part);
    // thresholds start at 0: every norm passes, so the search starts from the full k5e6(+SE) supernet
    this.thresholds.push({
      t5x5: p.add(thresholdName(l.index, 't5x5'), [], 'zeros'),
      ...(l.skipAllowed ? { t50c: p.add(thresholdName(l.index, 't50c'), [], 'zeros') } : {}),
      t100c: p.add(thresholdName(l.index, 't100c'), [], 'zeros'),
      ...(this.space.search.se ? { tse: p.add(thresholdName(l.index, 'tse'), [], 'zeros') } : {}),
    });
    const masks = superkernelMasks(this.tf, mid);
    this.masks.push(masks);
    if (this.indicatorNorm === 'relative') {
      // state (not trainable): saved in checkpoints, so a resumed run keeps the same divisors
      const init = initialGroupNorms(this.tf, p.get(`${n}_dw_conv/depthwise_kernel`) as TF.Tensor4D, masks);
      const fixed = (name: string, v: number) => {
        const t = p.addState(name, [], 'zeros');
        t.assign(this.tf.scalar(v));
        return t as unknown as TF.Scalar;
      };
      this.normScales.push({
        s5x5: fixed(`${n}/n0_5x5`, init.n5x5),
        s100c: fixed(`${n}/n0_100c`, init.n100c),
        s50c: fixed(`${n}/n0_50c`, init.n50c),
        s100cCore: fixed(`${n}/n0_100c_core`, init.n100cCore),
        s50cCore: fixed(`${n}/n0_50c_core`, init.n50cCore),
        ...(this.space.search.se
          ? {
              sse: fixed(
                `${n}/n0_se`,
                this.tf.tidy(() => groupNorm(this.tf, p.get(`${n}_se_reduce/kernel`)).dataSync()[0]!),
              ),
            }
          : {}),
      });
    }
  }

  private searchableForward(ctx: ForwardContext, x: TF.Tensor4D, l: SearchableLayer, sk: SuperkernelResult): TF.Tensor4D {
    const tf = this.tf;
    const n = blockName.searchable(l.index);
    let h = convBnRelu(ctx, x, `${n}_expand`, 1);
    h = depthwiseConv2dTrain(tf)(h, sk.kernel, l.stride);
    h = bnAct(ctx, h, `${n}_dw_bn`, true, sk.channelMask);
    if (this.thresholds[l.index]!.tse) {
      // gate = 1 when the SE path is off, the SE scale when on
      const gate = tf.add(1, tf.mul(sk.applied.dse, tf.sub(seScale(ctx, h, n), 1)));
      h = tf.mul(h, gate);
    }
    // a skipped layer (d50c = 0) contributes exactly nothing: its project BN is scaled by d50c too
    h = bn(ctx, conv(ctx, h, `${n}_project_conv`, 1), `${n}_project_bn`, l.skipAllowed ? sk.applied.d50c : undefined);
    return l.residual ? tf.add(x, h) : h;
  }

  /** Forward pass: x [batch, size, size, 3] normalised -> logits [batch, classes]. Call inside a tidy or tape. */
  forward(x: TF.Tensor4D, opts: SupernetForwardOptions): SupernetForward {
    const tf = this.tf;
    const ctx: ForwardContext = { tf, params: this.params, training: opts.training, epsilon: this.space.bn.epsilon, batchStats: [] };
    let h = x;
    let logits: TF.Tensor2D | undefined;
    let sks: SuperkernelBatchResult | undefined;
    for (const part of this.parts) {
      if (part.kind === 'head') logits = headForward(ctx, h, part, opts.dropoutSeed);
      else if (part.kind !== 'layer') h = partForward(ctx, h, part);
      else {
        // every layer's superkernel in one batched pass, at the first searchable layer
        sks ??= this.superkernels(opts.indicatorDropout, opts.runtimeThresholdOnly);
        h = this.searchableForward(ctx, h, part.layer, sks.layers[part.layer.index]!);
      }
    }
    sks ??= this.superkernels(opts.indicatorDropout, opts.runtimeThresholdOnly);
    return {
      logits: logits!, // the skeleton ends with the head
      indicators: sks.layers.map((sk) => sk.indicators),
      indicatorVectors: sks.vectors,
      indicatorNorms: sks.norms,
      runtimeIndicators: sks.thresholdOnly ?? sks.vectors,
      batchStats: ctx.batchStats,
    };
  }

  /** Trainable variables whose names are not BN parameters (the weight-decay set, thresholds included as in the reference). */
  decayedVariables(): TF.Variable[] {
    return [...this.params.trainable].filter(([n]) => !/_bn\//.test(n)).map(([, v]) => v);
  }

  dispose(): void {
    this.params.dispose();
    this.superkernelBatch.dispose();
    for (const m of this.masks) for (const t of Object.values(m)) (t as TF.Tensor).dispose();
  }
}
