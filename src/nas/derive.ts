/**
 * Deriving the discrete architecture from a supernet: indicators from the current weights and
 * thresholds (no data needed), rounded at 0.5, decoded as in the reference:
 * d50c = 0 -> skip; else kernel 5 if d5x5, expansion 6 if d100c, SE if dse.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Architecture, LayerOp } from '../space/architecture';
import { applySuperkernel, seIndicator } from './superkernel';
import type { Supernet } from './supernet';
import { blockName } from './weight-names';

export interface IndicatorValues {
  d5x5: number;
  d50c: number;
  d100c: number;
  dse: number;
}

/** Indicator values of every searchable layer, read from the supernet's current variables. */
export function currentIndicators(tf: typeof TF, net: Supernet): IndicatorValues[] {
  return tf.tidy(() =>
    net.layout.searchable.map((l) => {
      const n = blockName.searchable(l.index);
      const t = net.thresholds[l.index]!;
      const w = net.params.get(`${n}_dw_conv/depthwise_kernel`) as TF.Tensor4D;
      const sc = net.normScales[l.index];
      const sk = applySuperkernel(tf, w, t, net.masks[l.index]!, l.skipAllowed, undefined, sc);
      const dse = t.tse ? seIndicator(tf, net.params.get(`${n}_se_reduce/kernel`), t.tse, sc?.sse).dataSync()[0]! : 0;
      return { d5x5: sk.indicators.d5x5.dataSync()[0]!, d50c: sk.indicators.d50c.dataSync()[0]!, d100c: sk.indicators.d100c.dataSync()[0]!, dse };
    }),
  );
}

export function decodeIndicators(ind: IndicatorValues, seSearchable: boolean): LayerOp {
  if (ind.d50c < 0.5) return { op: 'skip' };
  return { op: 'mbconv', kernel: ind.d5x5 >= 0.5 ? 5 : 3, expansion: ind.d100c >= 0.5 ? 6 : 3, se: seSearchable && ind.dse >= 0.5 };
}

export function deriveArchitecture(tf: typeof TF, net: Supernet): Architecture {
  return { space: net.space.name, layers: currentIndicators(tf, net).map((i) => decodeIndicators(i, net.space.search.se)) };
}
