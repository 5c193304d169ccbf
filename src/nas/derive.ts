/**
 * Deriving the discrete architecture from a supernet: indicators from the current weights and
 * thresholds (no data needed), rounded at 0.5, decoded as in the reference:
 * d50c = 0 -> skip; else kernel 5 if d5x5, expansion 6 if d100c, SE if dse.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Architecture, LayerOp } from '../space/architecture';
import type { Supernet } from './supernet';

export interface IndicatorValues {
  d5x5: number;
  d50c: number;
  d100c: number;
  dse: number;
}

/**
 * Indicator values of every searchable layer, read from the supernet's current variables with the
 * same batched computation the search's forward pass uses (Supernet.superkernels).
 */
export function currentIndicators(tf: typeof TF, net: Supernet): IndicatorValues[] {
  return tf.tidy(() => {
    const v = net.superkernels().vectors;
    const [d5x5, d50c, d100c, dse] = [v.d5x5, v.d50c, v.d100c, v.dse].map((t) => t.dataSync());
    // dse is 0 (not 1) where the space has no searchable SE, as decodeIndicators expects
    return net.layout.searchable.map((_, i) => ({ d5x5: d5x5![i]!, d50c: d50c![i]!, d100c: d100c![i]!, dse: net.space.search.se ? dse![i]! : 0 }));
  });
}

export function decodeIndicators(ind: IndicatorValues, seSearchable: boolean): LayerOp {
  if (ind.d50c < 0.5) return { op: 'skip' };
  return { op: 'mbconv', kernel: ind.d5x5 >= 0.5 ? 5 : 3, expansion: ind.d100c >= 0.5 ? 6 : 3, se: seSearchable && ind.dse >= 0.5 };
}

export function deriveArchitecture(tf: typeof TF, net: Supernet): Architecture {
  return { space: net.space.name, layers: currentIndicators(tf, net).map((i) => decodeIndicators(i, net.space.search.se)) };
}
