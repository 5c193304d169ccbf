/**
 * The functional building blocks shared by the supernet: conv + BN (+ReLU) over a ParamStore.
 * BN in training mode normalises with batch moments (one fused native kernel, see
 * backend/native-ops.ts) and reports them, so the caller updates the moving statistics after the step.
 */
import type * as TF from '@tensorflow/tfjs';
import type { ParamStore } from './param-store';
import { bnReluTraining } from '../backend/native-ops';

export interface BatchStat {
  prefix: string;
  mean: TF.Tensor1D;
  variance: TF.Tensor1D;
}

export interface ForwardContext {
  tf: typeof TF;
  params: ParamStore;
  training: boolean;
  epsilon: number;
  /** Filled in training mode; tensors are kept (tf.keep) so they survive the tape's tidy. */
  batchStats: BatchStat[];
}

export function createBn(params: ParamStore, prefix: string, channels: number): void {
  params.add(`${prefix}/gamma`, [channels], 'ones');
  params.add(`${prefix}/beta`, [channels], 'zeros');
  params.addState(`${prefix}/moving_mean`, [channels], 'zeros');
  params.addState(`${prefix}/moving_variance`, [channels], 'ones');
}

/**
 * BN (+ReLU) of `prefix`. `scale` (a [C] vector or a scalar) multiplies gamma and beta: the output is
 * then exactly scale * BN(x) (scale >= 0 commutes with ReLU), which is how the supernet masks channels
 * and skipped branches at no extra pass over the activations.
 */
export function bnAct(ctx: ForwardContext, x: TF.Tensor4D, prefix: string, relu: boolean, scale?: TF.Tensor): TF.Tensor4D {
  const { tf, params } = ctx;
  let gamma = params.get(`${prefix}/gamma`) as TF.Tensor1D;
  let beta = params.get(`${prefix}/beta`) as TF.Tensor1D;
  if (scale) {
    gamma = tf.mul(gamma, scale);
    beta = tf.mul(beta, scale);
  }
  if (!ctx.training) {
    const y = tf.batchNorm(
      x,
      params.get(`${prefix}/moving_mean`) as TF.Tensor1D,
      params.get(`${prefix}/moving_variance`) as TF.Tensor1D,
      beta,
      gamma,
      ctx.epsilon,
    );
    return relu ? tf.relu(y) : y;
  }
  const r = bnReluTraining(tf)(x, gamma, beta, ctx.epsilon, relu);
  ctx.batchStats.push({ prefix, mean: r.mean, variance: r.variance });
  return r.y;
}

export function bn(ctx: ForwardContext, x: TF.Tensor4D, prefix: string, scale?: TF.Tensor): TF.Tensor4D {
  return bnAct(ctx, x, prefix, false, scale);
}

export function conv(ctx: ForwardContext, x: TF.Tensor4D, name: string, stride: number): TF.Tensor4D {
  return ctx.tf.conv2d(x, ctx.params.get(`${name}/kernel`) as TF.Tensor4D, stride as 1 | 2, 'same');
}

export function convBnRelu(ctx: ForwardContext, x: TF.Tensor4D, prefix: string, stride: number): TF.Tensor4D {
  return bnAct(ctx, conv(ctx, x, `${prefix}_conv`, stride), `${prefix}_bn`, true);
}

/**
 * BN momentum at a given step: min(m, (1 + step) / (10 + step)), the num_updates rule of TF's
 * ExponentialMovingAverage. With a fixed 0.99 the moving statistics still hold ~30% of their
 * initial values (0 and 1) after 120 steps, and a short run evaluates at chance level.
 */
export function bnMomentumAt(momentum: number, step: number): number {
  return Math.min(momentum, (1 + step) / (10 + step));
}

/**
 * Updates moving statistics from a step's batch moments and disposes them. All BNs are updated as
 * one concatenated vector (the same element-wise formula, ~10 ops instead of 6 per BN). Momentum 1
 * leaves the statistics untouched (used to dispose the moments of a failed step, whose NaNs would
 * otherwise reach the moving statistics through 0 * NaN).
 */
export function applyBatchStats(tf: typeof TF, params: ParamStore, stats: BatchStat[], momentum: number): void {
  const prefixes = new Set(stats.map((s) => s.prefix));
  if (momentum !== 1 && stats.length > 0) {
    tf.tidy(() => {
      const update = (moving: TF.Variable[], batch: TF.Tensor1D[]) => {
        const next = tf.add(tf.mul(tf.concat(moving), momentum), tf.mul(tf.concat(batch), 1 - momentum));
        tf.split(
          next,
          moving.map((v) => v.size),
        ).forEach((t, i) => moving[i]!.assign(t));
      };
      if (prefixes.size === stats.length) {
        update(
          stats.map((s) => params.get(`${s.prefix}/moving_mean`)),
          stats.map((s) => s.mean),
        );
        update(
          stats.map((s) => params.get(`${s.prefix}/moving_variance`)),
          stats.map((s) => s.variance),
        );
      } else {
        // a BN applied more than once: sequential updates, in order
        for (const s of stats) {
          update([params.get(`${s.prefix}/moving_mean`)], [s.mean]);
          update([params.get(`${s.prefix}/moving_variance`)], [s.variance]);
        }
      }
    });
  }
  for (const s of stats) {
    s.mean.dispose();
    s.variance.dispose();
  }
}
