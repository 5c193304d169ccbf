/**
 * The superkernels of ALL searchable layers in one batched computation: the same indicators, masked
 * kernels and channel masks as applySuperkernel (superkernel.ts, the per-layer reference the tests
 * check this against), with ~20 native ops for the whole network instead of ~45 per layer forward
 * (and about twice that backward). On a CPU backend each TF.js op costs a dispatch of tens of
 * microseconds whatever its size, and the indicator arithmetic is all on scalars, so per-layer
 * scalar code was a large share of the search step's op count.
 *
 * How: the depthwise kernels are concatenated along channels, W [5, 5, sum C, 1]. The four group
 * energies of every layer (3x3 core / 5x5 ring x lower / upper channel half) come from two matmuls
 * of W^2 with constant 0/1 grouping matrices. The nested norms follow from them exactly (the groups
 * are disjoint): with a5 the (dropout-scaled) kernel-size indicator,
 *   ||W * mask5x5||^2            = ring_lo + ring_up
 *   ||Wk * mask100c||^2          = core_up + a5^2 ring_up      (Wk = W3 + a5 W5, measured after step 1)
 *   ||Wk * mask50c||^2           = core_lo + a5^2 ring_lo
 * Indicators are then [L] vectors (thresholds and norm divisors stacked), and the masked kernel is
 * W * (core + a5 ring) * channelMask with the per-layer scalars gathered out to channels, split back
 * into layers at the end. Values equal the per-layer path up to float32 summation order.
 */
import type * as TF from '@tensorflow/tfjs';
import { hardStep, hardStepThresholdOnly } from './indicator';
import { nestedScale, type IndicatorDropout, type LayerIndicators, type LayerThresholds, type NormScales, type SuperkernelResult } from './superkernel';

export interface SuperkernelBatchLayer {
  /** Channels of the e6 superkernel. */
  channels: number;
  /** Whether d50c (skip) is searchable in this layer (skip allowed and a t50c threshold exists). */
  skipSearchable: boolean;
}

export interface SuperkernelBatchInputs {
  /** Depthwise superkernels [5, 5, C_l, 1], in layer order. */
  kernels: TF.Tensor4D[];
  thresholds: LayerThresholds[];
  /** Norm divisors per layer ('relative' indicator norm); omit for raw L2 norms. */
  scales?: NormScales[];
  /** SE reduce weights per layer when SE is searchable (then every layer has a tse threshold). */
  seReduce?: TF.Tensor[];
  drop?: IndicatorDropout[];
  /** Also return the indicators with a surrogate gradient to the thresholds only (`thresholdOnly`). */
  thresholdOnly?: boolean;
}

/** Undropped indicators of every layer as [L] vectors (runtime model, monitoring). */
export interface IndicatorVectors {
  d5x5: TF.Tensor1D;
  d50c: TF.Tensor1D;
  d100c: TF.Tensor1D;
  dse: TF.Tensor1D;
}

export interface SuperkernelBatchResult {
  /** Per layer: kernel, channel mask, undropped and applied indicators as scalars (as applySuperkernel). */
  layers: SuperkernelResult[];
  vectors: IndicatorVectors;
  /** The (relative) group norms each indicator compares with its threshold, as [L] vectors (traces). */
  norms: IndicatorVectors;
  /** With `thresholdOnly`: the undropped indicators again (same values), whose gradient reaches only the thresholds. */
  thresholdOnly?: IndicatorVectors;
}

const EPS = 1e-12; // as groupNorm: keeps the gradient finite when a whole group is zero

export class SuperkernelBatch {
  private readonly L: number;
  private readonly channels: number[];
  /** [sum C, 2L]: column l = lower channel half of layer l, column L + l = its upper half. */
  private readonly halves: TF.Tensor2D;
  /** [2, 25]: row 0 = the 3x3 core positions, row 1 = the outer ring. */
  private readonly spatial: TF.Tensor2D;
  /** [5, 5, 1, 1] core / ring indicator kernels. */
  private readonly core: TF.Tensor4D;
  private readonly ring: TF.Tensor4D;
  /** Layer index of every channel [sum C] (int32), and the 0/1 channel-half vectors [sum C]. */
  private readonly layerOf: TF.Tensor1D;
  private readonly lower: TF.Tensor1D;
  private readonly upper: TF.Tensor1D;
  /** [L] 1 where d50c is searchable; undefined when it is everywhere or nowhere. */
  private readonly skipMask?: TF.Tensor1D;
  private readonly anySkip: boolean;
  private readonly zero: TF.Scalar;

  constructor(
    private readonly tf: typeof TF,
    private readonly layers: SuperkernelBatchLayer[],
  ) {
    this.L = layers.length;
    this.channels = layers.map((l) => l.channels);
    const total = this.channels.reduce((a, b) => a + b, 0);
    const halves = new Float32Array(total * 2 * this.L);
    const layerOf = new Int32Array(total);
    const lower = new Float32Array(total);
    let off = 0;
    layers.forEach((l, i) => {
      for (let c = 0; c < l.channels; c++) {
        const lo = c < l.channels / 2;
        halves[(off + c) * 2 * this.L + (lo ? i : this.L + i)] = 1;
        layerOf[off + c] = i;
        lower[off + c] = lo ? 1 : 0;
      }
      off += l.channels;
    });
    const ring = new Float32Array(25).map((_, k) => (k < 5 || k >= 20 || k % 5 === 0 || k % 5 === 4 ? 1 : 0));
    this.halves = tf.keep(tf.tensor2d(halves, [total, 2 * this.L]));
    this.spatial = tf.keep(tf.tensor2d([...ring.map((r) => 1 - r), ...ring], [2, 25]));
    this.ring = tf.keep(tf.tensor4d(ring, [5, 5, 1, 1]));
    this.core = tf.keep(
      tf.tensor4d(
        ring.map((r) => 1 - r),
        [5, 5, 1, 1],
      ),
    );
    this.layerOf = tf.keep(tf.tensor1d(layerOf, 'int32'));
    this.lower = tf.keep(tf.tensor1d(lower));
    this.upper = tf.keep(tf.tensor1d(lower.map((v) => 1 - v)));
    const searchable = layers.map((l) => (l.skipSearchable ? 1 : 0));
    this.anySkip = searchable.some((s) => s === 1);
    if (this.anySkip && !searchable.every((s) => s === 1)) this.skipMask = tf.keep(tf.tensor1d(searchable));
    this.zero = tf.keep(tf.scalar(0));
  }

  /** Computes every layer's superkernel. Call inside a tidy / gradient tape. */
  apply(o: SuperkernelBatchInputs): SuperkernelBatchResult {
    const { tf, L } = this;
    const hard = hardStep(tf);
    const vec = (xs: TF.Tensor[]) => tf.stack(xs) as TF.Tensor1D;
    const rel = (n: TF.Tensor1D, key: keyof NormScales) => (o.scales ? (tf.div(n, vec(o.scales.map((s) => s[key]!))) as TF.Tensor1D) : n);
    // nested groups: divided by their initial norm over the kernel positions chosen so far (superkernel.ts)
    const relNested = (n: TF.Tensor1D, full: 's100c' | 's50c', core: 's100cCore' | 's50cCore', a5: TF.Tensor1D) =>
      o.scales ? (tf.div(n, nestedScale(tf, vec(o.scales.map((s) => s[full])), vec(o.scales.map((s) => s[core])), a5)) as TF.Tensor1D) : n;
    const drop = o.drop;
    const dropped = (d: TF.Tensor1D, key: keyof IndicatorDropout, keep?: (i: number) => boolean) => {
      if (!drop) return d;
      const k = drop.map((m, i) => (keep && !keep(i) ? 1 : m[key]));
      return k.every((v) => v === 1) ? d : (tf.mul(d, tf.tensor1d(k)) as TF.Tensor1D);
    };

    // group energies of every layer: [4, L] rows core_lo, core_up, ring_lo, ring_up
    const w = tf.concat(o.kernels, 2);
    const q = tf.reshape(tf.square(w), [25, -1]) as TF.Tensor2D;
    const [coreLo, coreUp, ringLo, ringUp] = tf.unstack(tf.reshape(tf.matMul(this.spatial, tf.matMul(q, this.halves)), [4, L])) as TF.Tensor1D[];
    const norm = (s: TF.Tensor) => tf.sqrt(tf.add(s, EPS)) as TF.Tensor1D;

    const t5x5 = vec(o.thresholds.map((t) => t.t5x5));
    const t100c = vec(o.thresholds.map((t) => t.t100c));
    const n5x5 = rel(norm(tf.add(ringLo!, ringUp!)), 's5x5');
    const d5x5 = hard(tf.sub(n5x5, t5x5)) as TF.Tensor1D;
    const a5x5 = dropped(d5x5, 'd5x5');
    const a5sq = tf.square(a5x5);
    const n100c = relNested(norm(tf.add(coreUp!, tf.mul(a5sq, ringUp!))), 's100c', 's100cCore', a5x5);
    const d100c = hard(tf.sub(n100c, t100c)) as TF.Tensor1D;
    const a100c = dropped(d100c, 'd100c');
    // pinned to 1 where skip is not searchable (no gradient reaches those lanes)
    const pin = (raw: TF.Tensor1D) => (this.skipMask ? (tf.add(tf.mul(raw, this.skipMask), tf.sub(1, this.skipMask)) as TF.Tensor1D) : raw);
    const hardT = hardStepThresholdOnly(tf);
    const only: Partial<IndicatorVectors> = o.thresholdOnly ? { d5x5: hardT(n5x5, t5x5) as TF.Tensor1D, d100c: hardT(n100c, t100c) as TF.Tensor1D } : {};
    let d50c: TF.Tensor1D;
    let a50c: TF.Tensor1D;
    let n50c: TF.Tensor1D;
    if (this.anySkip) {
      n50c = relNested(norm(tf.add(coreLo!, tf.mul(a5sq, ringLo!))), 's50c', 's50cCore', a5x5);
      const t50 = vec(o.thresholds.map((t, i) => (this.layers[i]!.skipSearchable ? t.t50c! : this.zero)));
      d50c = pin(hard(tf.sub(n50c, t50)) as TF.Tensor1D);
      a50c = dropped(d50c, 'd50c', (i) => this.layers[i]!.skipSearchable);
      if (o.thresholdOnly) only.d50c = pin(hardT(n50c, t50) as TF.Tensor1D);
    } else {
      d50c = a50c = n50c = tf.ones([L]) as TF.Tensor1D;
      if (o.thresholdOnly) only.d50c = d50c;
    }
    let dse: TF.Tensor1D;
    let ase: TF.Tensor1D;
    let nse: TF.Tensor1D;
    if (o.seReduce) {
      const energies = vec(o.seReduce.map((r) => tf.sum(tf.square(r))));
      nse = rel(norm(energies), 'sse');
      const tse = vec(o.thresholds.map((t) => t.tse!));
      dse = hard(tf.sub(nse, tse)) as TF.Tensor1D;
      ase = dropped(dse, 'dse');
      if (o.thresholdOnly) only.dse = hardT(nse, tse) as TF.Tensor1D;
    } else {
      dse = ase = nse = tf.ones([L]) as TF.Tensor1D;
      if (o.thresholdOnly) only.dse = dse;
    }

    // masked kernels and channel masks of all layers at once, then split per layer
    const gather = (v: TF.Tensor1D) => tf.gather(v, this.layerOf) as TF.Tensor1D;
    const channelMask = tf.mul(gather(a50c), tf.add(this.lower, tf.mul(gather(a100c), this.upper))) as TF.Tensor1D;
    const spatialMask = tf.add(this.core, tf.mul(this.ring, tf.reshape(gather(a5x5), [1, 1, -1, 1])));
    const kernel = tf.mul(tf.mul(w, spatialMask), tf.reshape(channelMask, [1, 1, -1, 1]));
    const kernels = tf.split(kernel, this.channels, 2) as TF.Tensor4D[];
    const masks = tf.split(channelMask, this.channels) as TF.Tensor1D[];

    const unstacked = new Map<TF.Tensor, TF.Scalar[]>();
    const scalars = (v: TF.Tensor1D) => {
      let r = unstacked.get(v);
      if (!r) unstacked.set(v, (r = tf.unstack(v) as TF.Scalar[]));
      return r;
    };
    const [s5, s50, s100, sse] = [d5x5, d50c, d100c, dse].map(scalars);
    const [p5, p50, p100, pse] = [a5x5, a50c, a100c, ase].map(scalars);
    const layers = kernels.map((k, i): SuperkernelResult => {
      const indicators: LayerIndicators = { d5x5: s5![i]!, d50c: s50![i]!, d100c: s100![i]!, dse: sse![i]! };
      const applied: LayerIndicators = { d5x5: p5![i]!, d50c: p50![i]!, d100c: p100![i]!, dse: pse![i]! };
      return { kernel: k, channelMask: masks[i]!, indicators, applied };
    });
    return {
      layers,
      vectors: { d5x5, d50c, d100c, dse },
      norms: { d5x5: n5x5, d50c: n50c, d100c: n100c, dse: nse },
      ...(o.thresholdOnly ? { thresholdOnly: only as IndicatorVectors } : {}),
    };
  }

  dispose(): void {
    const t = [this.halves, this.spatial, this.core, this.ring, this.layerOf, this.lower, this.upper, this.zero];
    if (this.skipMask) t.push(this.skipMask);
    this.tf.dispose(t);
  }
}
