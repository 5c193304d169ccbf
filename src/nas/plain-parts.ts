/**
 * The skeleton's parts (skeleton.ts) as plain, unmasked functional ops on a ParamStore: the weights
 * each part needs and its forward pass. The derived child's fast path runs every part this way; the
 * supernet runs its stem, fixed blocks and head this way (its searchable layers are superkernels);
 * the multi-path bench runs every candidate this way.
 */
import type * as TF from '@tensorflow/tfjs';
import { seChannels } from '../space/flops';
import { convBnRelu, createBn, type ForwardContext } from './functional-ops';
import { globalPool, plainMbconv } from './mbconv';
import type { ParamStore } from './param-store';
import type { BlockPart, HeadPart, LayerPart, StemPart } from './skeleton';

/** Creates a part's weights under its tf.layers names, in the order a child model has them. */
export function createPartParams(p: ParamStore, part: StemPart | BlockPart | LayerPart | HeadPart): void {
  if (part.kind === 'stem') {
    p.add('stem_conv/kernel', [part.kernel, part.kernel, part.inChannels, part.filters], 'conv');
    createBn(p, 'stem_bn', part.filters);
    return;
  }
  if (part.kind === 'head') {
    p.add('head_conv/kernel', [1, 1, part.inChannels, part.filters], 'conv');
    createBn(p, 'head_bn', part.filters);
    p.add('head_dense/kernel', [part.filters, part.classes], 'dense');
    p.add('head_dense/bias', [part.classes], 'zeros');
    return;
  }
  const mid = part.inChannels * part.expansion;
  if (part.expansion !== 1) {
    p.add(`${part.name}_expand_conv/kernel`, [1, 1, part.inChannels, mid], 'conv');
    createBn(p, `${part.name}_expand_bn`, mid);
  }
  p.add(`${part.name}_dw_conv/depthwise_kernel`, [part.kernel, part.kernel, mid, 1], 'conv');
  createBn(p, `${part.name}_dw_bn`, mid);
  if (part.se) {
    const r = seChannels(part.inChannels, part.seRatio);
    p.add(`${part.name}_se_reduce/kernel`, [1, 1, mid, r], 'conv');
    p.add(`${part.name}_se_reduce/bias`, [r], 'zeros');
    p.add(`${part.name}_se_expand/kernel`, [1, 1, r, mid], 'conv');
    p.add(`${part.name}_se_expand/bias`, [mid], 'zeros');
  }
  p.add(`${part.name}_project_conv/kernel`, [1, 1, mid, part.outChannels], 'conv');
  createBn(p, `${part.name}_project_bn`, part.outChannels);
}

/** The stem or an MBConv part, unmasked. */
export function partForward(ctx: ForwardContext, x: TF.Tensor4D, part: StemPart | BlockPart | LayerPart): TF.Tensor4D {
  return part.kind === 'stem' ? convBnRelu(ctx, x, 'stem', part.stride) : plainMbconv(ctx, x, part);
}

/** The head: x -> logits; in training, dropout before the classifier with `dropoutSeed` (derive it from the step). */
export function headForward(ctx: ForwardContext, x: TF.Tensor4D, part: HeadPart, dropoutSeed = 0): TF.Tensor2D {
  const { tf, params } = ctx;
  let f = globalPool(tf, convBnRelu(ctx, x, 'head', 1));
  if (ctx.training && part.dropout > 0) f = tf.dropout(f, part.dropout, undefined, dropoutSeed) as TF.Tensor2D;
  return tf.add(tf.matMul(f, params.get('head_dense/kernel') as TF.Tensor2D), params.get('head_dense/bias')) as TF.Tensor2D;
}
