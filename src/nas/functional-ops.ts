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
    const y = tf.batchNorm(x, params.get(`${prefix}/moving_mean`) as TF.Tensor1D, params.get(`${prefix}/moving_variance`) as TF.Tensor1D, beta, gamma, ctx.epsilon);
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

/** Updates moving statistics from a step's batch moments and disposes them. */
export function applyBatchStats(tf: typeof TF, params: ParamStore, stats: BatchStat[], momentum: number): void {
  tf.tidy(() => {
    for (const s of stats) {
      const mm = params.get(`${s.prefix}/moving_mean`);
      const mv = params.get(`${s.prefix}/moving_variance`);
      mm.assign(tf.add(tf.mul(mm, momentum), tf.mul(s.mean, 1 - momentum)));
      mv.assign(tf.add(tf.mul(mv, momentum), tf.mul(s.variance, 1 - momentum)));
    }
  });
  for (const s of stats) {
    s.mean.dispose();
    s.variance.dispose();
  }
}
