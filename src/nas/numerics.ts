/** Locating where training went numerically wrong, to name the layer in the error. */
import type * as TF from '@tensorflow/tfjs';

/** Logical name of the first variable whose gradient has a NaN or Inf, or undefined. */
export function findNonFinite(tf: typeof TF, grads: Record<string, TF.Tensor>, named: Array<[string, TF.Variable]>): string | undefined {
  for (const [name, v] of named) {
    const g = grads[v.name];
    if (!g) continue;
    const bad = tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(g))).dataSync()[0]);
    if (bad) return name;
  }
  return undefined;
}
