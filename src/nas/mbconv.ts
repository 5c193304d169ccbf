/**
 * Plain (unmasked) MBConv and squeeze-and-excitation on a ParamStore, with the same weight names as
 * tf.layers (child-builder.ts): the supernet's fixed blocks and the fast training path of a derived
 * child both use these.
 */
import type * as TF from '@tensorflow/tfjs';
import { depthwiseConv2dTrain, globalAvgPool } from '../backend/native-ops';
import { bn, bnAct, conv, convBnRelu, type ForwardContext } from './functional-ops';

export interface MbconvSpec {
  name: string;
  inChannels: number;
  outChannels: number;
  expansion: number;
  kernel: number;
  stride: number;
  se: boolean;
}

/**
 * Squeeze-and-excitation scale of h [B, H, W, C] from `${name}_se_reduce` / `_se_expand` (1x1 conv
 * weights used as matrices). Global pooling is an avgPool over the whole map with a one-kernel
 * gradient (globalAvgPool), instead of TF.js's three-pass gradient of tf.mean.
 */
export function seScale(ctx: ForwardContext, h: TF.Tensor4D, name: string): TF.Tensor4D {
  const { tf, params } = ctx;
  const c = h.shape[3];
  const wr = params.get(`${name}_se_reduce/kernel`);
  const r = wr.shape[3]!;
  const pooled = tf.reshape(globalAvgPool(tf)(h), [-1, c]) as TF.Tensor2D;
  const z = tf.relu(tf.add(tf.matMul(pooled, tf.reshape(wr, [c, r]) as TF.Tensor2D), params.get(`${name}_se_reduce/bias`))) as TF.Tensor2D;
  const s = tf.sigmoid(tf.add(tf.matMul(z, tf.reshape(params.get(`${name}_se_expand/kernel`), [r, c]) as TF.Tensor2D), params.get(`${name}_se_expand/bias`)));
  return tf.reshape(s, [-1, 1, 1, c]) as TF.Tensor4D;
}

export function plainMbconv(ctx: ForwardContext, x: TF.Tensor4D, b: MbconvSpec): TF.Tensor4D {
  const tf = ctx.tf;
  let h = b.expansion !== 1 ? convBnRelu(ctx, x, `${b.name}_expand`, 1) : x;
  h = depthwiseConv2dTrain(tf)(h, ctx.params.get(`${b.name}_dw_conv/depthwise_kernel`) as TF.Tensor4D, b.stride);
  h = bnAct(ctx, h, `${b.name}_dw_bn`, true);
  if (b.se) h = tf.mul(h, seScale(ctx, h, b.name));
  h = bn(ctx, conv(ctx, h, `${b.name}_project_conv`, 1), `${b.name}_project_bn`);
  return b.stride === 1 && b.inChannels === b.outChannels ? tf.add(x, h) : h;
}

/** Global average pool [B, H, W, C] -> [B, C] (one native kernel each way, see globalAvgPool). */
export function globalPool(tf: typeof TF, h: TF.Tensor4D): TF.Tensor2D {
  return tf.reshape(globalAvgPool(tf)(h), [-1, h.shape[3]]) as TF.Tensor2D;
}
