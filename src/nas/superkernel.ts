/**
 * The superkernel of one searchable MBConv layer (Stamoulis et al., Single-Path NAS, 2019): a single
 * 5x5 depthwise kernel W [5, 5, C, 1] at e6 width, C = 6 * C_in, whose nested weight groups encode
 * kernel 3x3/5x5, expansion 3/6 and skip; plus the SE indicator of the searchable SE path.
 *
 * Order (as the reference): kernel size on the outer ring, then expansion on the upper channel half of
 * the kernel chosen so far, then skip on the lower half.
 */
import type * as TF from '@tensorflow/tfjs';
import { groupNorm, hardStep } from './indicator';

export interface LayerThresholds {
  t5x5: TF.Variable;
  /** Only on layers that may be skipped (elsewhere d50c is pinned to 1). */
  t50c?: TF.Variable;
  t100c: TF.Variable;
  /** Present when the layer has a searchable SE path. */
  tse?: TF.Variable;
}

/** Indicator values of one layer (scalars, 0 or 1 in the forward pass). */
export interface LayerIndicators {
  d5x5: TF.Scalar;
  d50c: TF.Scalar;
  d100c: TF.Scalar;
  dse: TF.Scalar;
}

/** Multipliers applied to the indicators (indicator dropout in warm-up); 1 = no dropout. */
export interface IndicatorDropout {
  d5x5: number;
  d50c: number;
  d100c: number;
  dse: number;
}

/**
 * Per-group norm divisors for the 'relative' indicator norm: the groups' norms at initialisation.
 * The expansion and skip groups are measured on the kernel chosen so far (core, plus the ring when
 * d5x5 = 1), so their divisor follows the same choice: sqrt(core0^2 + a5^2 (full0^2 - core0^2)).
 * A kernel decision then leaves the nested groups' relative norms where they were, instead of
 * dropping them by ~40% (the ring's share) and dragging expansion and skip along.
 */
export interface NormScales {
  s5x5: TF.Scalar;
  /** Initial norm of the upper (lower) channel half with the whole 5x5 kernel, and of its 3x3 core. */
  s100c: TF.Scalar;
  s50c: TF.Scalar;
  s100cCore: TF.Scalar;
  s50cCore: TF.Scalar;
  sse?: TF.Scalar;
}

/** The divisor of a nested group: its initial norm over the kernel positions selected by a5 (the scaled d5x5). */
export function nestedScale(tf: typeof TF, full: TF.Tensor, core: TF.Tensor, a5: TF.Tensor): TF.Tensor {
  const c2 = tf.square(core);
  return tf.sqrt(tf.add(c2, tf.mul(tf.square(a5), tf.sub(tf.square(full), c2))));
}

export interface SuperkernelResult {
  /** The depthwise kernel actually applied [5, 5, C, 1]. */
  kernel: TF.Tensor4D;
  /** Per-channel mask [C]: d50c on the e3 half, d50c*d100c on the upper half (with dropout applied). */
  channelMask: TF.Tensor1D;
  /** Undropped indicators: what the runtime model and the derived architecture use. */
  indicators: LayerIndicators;
  /** Indicators with dropout applied: what the forward pass uses. */
  applied: LayerIndicators;
}

export interface SuperkernelMasks {
  mask3x3: TF.Tensor4D;
  mask5x5: TF.Tensor4D;
  mask50c: TF.Tensor4D;
  mask100c: TF.Tensor4D;
  /** [C] vectors of the same channel halves, for masking activations. */
  half50: TF.Tensor1D;
  half100: TF.Tensor1D;
}

/** Constant masks for a superkernel with C channels (kept by the caller, built once per layer). */
export function superkernelMasks(tf: typeof TF, channels: number): SuperkernelMasks {
  const ring = new Float32Array(25);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) ring[i * 5 + j] = i === 0 || i === 4 || j === 0 || j === 4 ? 1 : 0;
  const c50 = channels / 2;
  const lower = new Float32Array(channels).map((_, c) => (c < c50 ? 1 : 0));
  const upper = lower.map((v) => 1 - v);
  const mask5x5 = tf.tensor4d(ring, [5, 5, 1, 1]);
  return {
    mask5x5,
    mask3x3: tf.sub(1, mask5x5) as TF.Tensor4D,
    mask50c: tf.tensor4d(lower, [1, 1, channels, 1]),
    mask100c: tf.tensor4d(upper, [1, 1, channels, 1]),
    half50: tf.tensor1d(lower),
    half100: tf.tensor1d(upper),
  };
}

/**
 * Computes the masked kernel and the indicators. `skipAllowed` false pins d50c to 1 (first layer of a
 * stage). Call inside a tidy / gradient tape.
 */
export function applySuperkernel(
  tf: typeof TF,
  w: TF.Tensor4D,
  t: LayerThresholds,
  masks: SuperkernelMasks,
  skipAllowed: boolean,
  drop?: IndicatorDropout,
  scales?: NormScales,
): SuperkernelResult {
  const hard = hardStep(tf);
  const rel = (n: TF.Scalar, s: TF.Scalar | undefined) => (s ? tf.div(n, s) : n);
  const step = (n: TF.Scalar, s: TF.Scalar | undefined, t: TF.Variable) => hard(tf.sub(rel(n, s), t)) as TF.Scalar;
  const one = tf.scalar(1);
  const scaled = (d: TF.Scalar, k: number): TF.Scalar => (drop && k !== 1 ? (tf.mul(d, k) as TF.Scalar) : d);

  const w3 = tf.mul(w, masks.mask3x3);
  const w5 = tf.mul(w, masks.mask5x5);
  const d5x5 = step(groupNorm(tf, w5), scales?.s5x5, t.t5x5);
  const a5x5 = scaled(d5x5, drop?.d5x5 ?? 1);
  const wk = tf.add(w3, tf.mul(a5x5, w5));

  const wk100 = tf.mul(wk, masks.mask100c);
  const nested = (full: TF.Scalar, core: TF.Scalar) => nestedScale(tf, full, core, a5x5) as TF.Scalar;
  const d100c = step(groupNorm(tf, wk100), scales && nested(scales.s100c, scales.s100cCore), t.t100c);
  const a100c = scaled(d100c, drop?.d100c ?? 1);

  const wk50 = tf.mul(wk, masks.mask50c);
  const d50c = skipAllowed && t.t50c ? step(groupNorm(tf, wk50), scales && nested(scales.s50c, scales.s50cCore), t.t50c) : one;
  const a50c = skipAllowed && t.t50c ? scaled(d50c, drop?.d50c ?? 1) : one;

  const kernel = tf.mul(a50c, tf.add(wk50, tf.mul(a100c, wk100))) as TF.Tensor4D;
  const channelMask = tf.mul(a50c, tf.add(masks.half50, tf.mul(a100c, masks.half100))) as TF.Tensor1D;
  const dse = one; // replaced by the caller when the layer has a searchable SE path (its group is the SE weights)
  return {
    kernel,
    channelMask,
    indicators: { d5x5, d50c, d100c, dse },
    applied: { d5x5: a5x5, d50c: a50c, d100c: a100c, dse },
  };
}

/** SE indicator: 1(||W_se_reduce|| (/ its initial norm) - t_se >= 0), on the SE reduce weights of the layer. */
export function seIndicator(tf: typeof TF, wReduce: TF.Tensor, tse: TF.Variable, scale?: TF.Scalar): TF.Scalar {
  const n = groupNorm(tf, wReduce);
  return hardStep(tf)(tf.sub(scale ? tf.div(n, scale) : n, tse)) as TF.Scalar;
}

/** The group norms a fresh superkernel starts from: the divisors of the 'relative' indicator norm. */
export function initialGroupNorms(
  tf: typeof TF,
  w: TF.Tensor4D,
  masks: SuperkernelMasks,
): { n5x5: number; n100c: number; n50c: number; n100cCore: number; n50cCore: number } {
  return tf.tidy(() => {
    const core = tf.mul(w, masks.mask3x3);
    return {
      n5x5: groupNorm(tf, tf.mul(w, masks.mask5x5)).dataSync()[0]!,
      n100c: groupNorm(tf, tf.mul(w, masks.mask100c)).dataSync()[0]!,
      n50c: groupNorm(tf, tf.mul(w, masks.mask50c)).dataSync()[0]!,
      n100cCore: groupNorm(tf, tf.mul(core, masks.mask100c)).dataSync()[0]!,
      n50cCore: groupNorm(tf, tf.mul(core, masks.mask50c)).dataSync()[0]!,
    };
  });
}
