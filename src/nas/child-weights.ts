/**
 * Moves supernet weights into a derived child: each searchable layer's e6 tensors are sliced to the
 * chosen expansion (the e3 group is channels [0, C/2)), the 5x5 kernel to its centre 3x3 for k3, and
 * SE weights to the active channels. Fixed parts copy as they are. Used to verify that the child
 * equals the supernet at fixed indicators, and optionally to warm-start retraining.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Architecture } from '../space/architecture';
import type { Supernet } from './supernet';
import { blockName, isThresholdName } from './weight-names';

function sliceFor(tf: typeof TF, name: string, v: TF.Tensor, layerOp: { kernel: number; channels: number } | undefined): TF.Tensor {
  if (!layerOp) return v.clone();
  const c = layerOp.channels;
  const weight = name.slice(name.indexOf('/') + 1);
  const layer = name.slice(0, name.indexOf('/'));
  if (layer.endsWith('_expand_conv')) return tf.slice(v, [0, 0, 0, 0], [-1, -1, -1, c]);
  if (layer.endsWith('_expand_bn') || layer.endsWith('_dw_bn')) return tf.slice(v, [0], [c]);
  if (layer.endsWith('_dw_conv')) return layerOp.kernel === 5 ? tf.slice(v, [0, 0, 0, 0], [5, 5, c, 1]) : tf.slice(v, [1, 1, 0, 0], [3, 3, c, 1]);
  if (layer.endsWith('_se_reduce')) return weight === 'kernel' ? tf.slice(v, [0, 0, 0, 0], [-1, -1, c, -1]) : v.clone();
  if (layer.endsWith('_se_expand')) return weight === 'kernel' ? tf.slice(v, [0, 0, 0, 0], [-1, -1, -1, c]) : tf.slice(v, [0], [c]);
  if (layer.endsWith('_project_conv')) return tf.slice(v, [0, 0, 0, 0], [-1, -1, c, -1]);
  return v.clone();
}

/** The child's weights by tf.layers weight name ("<layer>/<weight>"); the caller disposes them. */
export function childWeightsFromSupernet(tf: typeof TF, net: Supernet, arch: Architecture): Map<string, TF.Tensor> {
  const out = new Map<string, TF.Tensor>();
  const ops = new Map<string, { op: Architecture['layers'][number]; inChannels: number }>();
  net.layout.searchable.forEach((l, i) => ops.set(blockName.searchable(i), { op: arch.layers[i]!, inChannels: l.inChannels }));
  for (const [name, v] of net.params.all()) {
    const block = name.slice(0, name.indexOf('_'));
    const layerName = name.slice(0, name.indexOf('/'));
    if (isThresholdName(name)) continue;
    const entry = ops.get(block);
    if (entry) {
      if (entry.op.op === 'skip') continue;
      if (layerName.includes('_se_') && !entry.op.se) continue;
      out.set(name, sliceFor(tf, name, v, { kernel: entry.op.kernel, channels: entry.inChannels * entry.op.expansion }));
    } else {
      out.set(name, v.clone());
    }
  }
  return out;
}

/**
 * Assigns weights by name into a tf.layers model; every model weight must be given, with its shape.
 * Throws naming the first missing or mis-shaped weight.
 */
export function setModelWeightsByName(model: TF.LayersModel, weights: Map<string, TF.Tensor>): void {
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const name = `${layer.name}/${w.originalName.split('/').pop()}`;
      const t = weights.get(name);
      if (!t) throw new Error(`no weight '${name}' for child layer '${layer.name}'`);
      if (t.shape.join(',') !== w.shape.join(',')) throw new Error(`weight '${name}': shape [${t.shape}] != model [${w.shape}]`);
      w.write(t);
    }
  }
}
