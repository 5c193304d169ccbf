/**
 * The differentiable runtime R of the supernet, as tensors (same formula as
 * src/latency/runtime-model.ts, which is its reference in tests):
 *   Rc = d50c * (L[k5e3] + d100c * (L[k5e6] - L[k5e3])),  rho = L[k3e6] / L[k5e6]
 *   R_layer = Rc * rho + Rc * (1 - rho) * d5x5  (+ dse * d50c * (se.e3 + d100c * (se.e6 - se.e3)))
 *   R = fixed + sum of R_layer
 */
import type * as TF from '@tensorflow/tfjs';
import type { LayerIndicators } from './superkernel';

export interface LatencyRow {
  k3e3: number;
  k3e6: number;
  k5e3: number;
  k5e6: number;
  se?: { e3: number; e6: number };
}

export interface RuntimeTable {
  fixedMs: number;
  layers: LatencyRow[];
}

export function runtimeTensor(tf: typeof TF, table: RuntimeTable, inds: LayerIndicators[]): TF.Scalar {
  const terms: TF.Tensor[] = [tf.scalar(table.fixedMs)];
  inds.forEach((d, i) => {
    const L = table.layers[i]!;
    const rho = L.k3e6 / L.k5e6;
    const rc = tf.mul(d.d50c, tf.add(L.k5e3, tf.mul(d.d100c, L.k5e6 - L.k5e3)));
    terms.push(tf.add(tf.mul(rc, rho), tf.mul(tf.mul(rc, 1 - rho), d.d5x5)));
    if (L.se) terms.push(tf.mul(tf.mul(d.dse, d.d50c), tf.add(L.se.e3, tf.mul(d.d100c, L.se.e6 - L.se.e3))));
  });
  return tf.addN(terms) as TF.Scalar;
}

/**
 * The same R from [L] indicator vectors (Supernet.forward's indicatorVectors): ~15 ops for the whole
 * network instead of ~10 per layer. Equal to runtimeTensor up to float32 summation order.
 */
export function runtimeTensorFromVectors(
  tf: typeof TF,
  table: RuntimeTable,
  v: { d5x5: TF.Tensor1D; d50c: TF.Tensor1D; d100c: TF.Tensor1D; dse: TF.Tensor1D },
): TF.Scalar {
  const col = (f: (L: LatencyRow) => number) => tf.tensor1d(table.layers.map(f));
  const rho = col((L) => L.k3e6 / L.k5e6);
  const rc = tf.mul(
    v.d50c,
    tf.add(
      col((L) => L.k5e3),
      tf.mul(
        v.d100c,
        col((L) => L.k5e6 - L.k5e3),
      ),
    ),
  );
  let perLayer = tf.add(
    tf.mul(rc, rho),
    tf.mul(
      tf.mul(
        rc,
        col((L) => 1 - L.k3e6 / L.k5e6),
      ),
      v.d5x5,
    ),
  );
  if (table.layers.some((L) => L.se)) {
    const se = tf.mul(
      tf.mul(v.dse, v.d50c),
      tf.add(
        col((L) => L.se?.e3 ?? 0),
        tf.mul(
          v.d100c,
          col((L) => (L.se ? L.se.e6 - L.se.e3 : 0)),
        ),
      ),
    );
    perLayer = tf.add(perLayer, se);
  }
  return tf.add(table.fixedMs, tf.sum(perLayer)) as TF.Scalar;
}
